"""Legacy .doc / .rtf through LibreOffice; without it, a clear `needs_converter`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.readers import ReadError, legacy, read_document
from tests.fixtures.layout import build_docx
from tests.readers.formats import facts, truth

DOC = Path(__file__).resolve().parent.parent / "fixtures" / "legacy" / "003_4a81d0f783bbd2ce.doc"
needs_soffice = pytest.mark.skipif(legacy.find_soffice() is None,
                                   reason="LibreOffice (soffice) is not installed; .ci/run installs it")


@needs_soffice
def test_doc_gives_the_same_cells_as_the_text():
    doc = read_document(DOC.read_bytes())
    assert doc.source_format == "doc"
    assert facts(DOC.read_bytes()) == truth("003_4a81d0f783bbd2ce")


@needs_soffice
def test_rtf_is_converted_too(tmp_path):
    src = tmp_path / "r.docx"
    src.write_bytes(build_docx("004_f08e199b8ba50c35"))
    subprocess.run([legacy.find_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/p",
                    "--convert-to", "rtf", "--outdir", str(tmp_path), str(src)], check=True, capture_output=True)
    data = (tmp_path / "r.rtf").read_bytes()
    assert read_document(data).source_format == "rtf"
    # RTF keeps no no-break spaces in empty cells: compare value and state.
    assert facts(data, with_raw=False) == truth("004_f08e199b8ba50c35", with_raw=False)


def test_doc_without_soffice_needs_a_converter(monkeypatch):
    monkeypatch.setattr(legacy, "find_soffice", lambda: None)
    with pytest.raises(ReadError) as err:
        read_document(DOC.read_bytes())
    assert err.value.code == "needs_converter"
    assert "libreoffice-writer-nogui" in err.value.message
    assert err.value.source_format == "doc"
