"""Encodings: UTF-8 with and without BOM, UTF-16 with and without BOM, GB18030; bad bytes get a code."""

from __future__ import annotations

import codecs
import os

import pytest

from pipelines.forms.interpreter import interpret
from pipelines.readers import ReadError, read_document
from pipelines.readers.encoding import decode_text
from tests.conftest import sample_path

STEM = "000_957511648368b9cb"


def _cells(data: bytes):
    return [(c.fact_table, tuple(c.coords.values()), c.value, c.state, c.raw_text)
            for c in interpret(read_document(data)).cells]


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8-bom"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
    pytest.param(lambda t: t.encode("utf-16-le"), id="utf-16-le-no-bom"),
    pytest.param(lambda t: t.encode("utf-16-be"), id="utf-16-be-no-bom"),
    pytest.param(lambda t: t.encode("gb18030"), id="gb18030"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
])
def test_encodings_decode_to_the_same_cells(encode):
    text = sample_path(STEM).read_text(encoding="utf-8")
    assert _cells(encode(text)) == _cells(text.encode("utf-8"))


def test_gbk_without_bom_is_read():
    text = sample_path(STEM).read_text(encoding="utf-8").replace("\xa0", " ")
    decoded, codec = decode_text(text.encode("gbk"))
    assert codec == "gb18030" and decoded == text


@pytest.mark.parametrize("data,code", [
    (b"", "empty_file"),
    (b"  \n\t\r\n ", "empty_file"),
    (os.urandom(4096) + b"\x00" * 64, "not_a_report"),
    (bytes(range(256)) * 16, "not_a_report"),
])
def test_bad_bytes_get_a_stable_code(data, code):
    with pytest.raises(ReadError) as err:
        read_document(data)
    assert err.value.code == code


@pytest.mark.parametrize("data,code,fmt", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "corrupt_pdf", "pdf"),
    (b"PK\x03\x04\x14\x00\x06\x00", "corrupt_docx", "docx"),
    (b"<!DOCTYPE html><html><body><p>\xe9\x80\x9a\xe7\x9f\xa5</p></body></html>", None, "html"),
])
def test_other_formats_are_recognised_by_content(data, code, fmt):
    if code is None:
        assert read_document(data).source_format == fmt
        return
    with pytest.raises(ReadError) as err:
        read_document(data)
    assert err.value.code == code
    assert err.value.source_format == fmt
