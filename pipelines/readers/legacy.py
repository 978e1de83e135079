"""Legacy Word (.doc), WPS and RTF files: converted to .docx by LibreOffice, then read as .docx.

LibreOffice runs headless in a temporary folder with its own throw-away profile (so parallel
workers do not share one) and a time limit. Without `soffice` on PATH the file is quarantined with
`needs_converter`, naming the package to install; it is retried when the parser version changes
or the file does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipelines.document.model import Document, ReadError
from pipelines.readers import docx

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui fonts-noto-cjk)"
SUFFIX = {"ole": ".doc", "rtf": ".rtf"}
FORMAT = {"ole": "doc", "rtf": "rtf"}


def find_soffice() -> str | None:
    for name in SOFFICE_NAMES:
        if path := shutil.which(name):
            return path
    return None


def read(data: bytes, container: str, timeout: float = 120.0) -> Document:
    """Given .doc/.wps/.rtf bytes, return the document LibreOffice's .docx conversion holds."""
    soffice = find_soffice()
    if soffice is None:
        raise ReadError("needs_converter", f"Legacy Word/WPS/RTF files need LibreOffice to be read: {INSTALL_HINT}.")
    with tempfile.TemporaryDirectory(prefix="disclosure-convert-") as tmp:
        src = Path(tmp) / f"report{SUFFIX.get(container, '.doc')}"
        src.write_bytes(data)
        cmd = [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout,
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ReadError("timeout", f"LibreOffice did not convert the file within {timeout:.0f}s.") from exc
        except subprocess.CalledProcessError as exc:
            raise ReadError("conversion_failed", "LibreOffice could not convert the file "
                            f"(exit {exc.returncode}): it may be damaged.") from exc
        out = src.with_suffix(".docx")
        if not out.is_file():
            raise ReadError("conversion_failed", "LibreOffice produced no .docx: the file may be damaged or "
                            "not a Word document.")
        doc = docx.read(out.read_bytes())
    doc.source_format = FORMAT.get(container, "doc")
    return doc
