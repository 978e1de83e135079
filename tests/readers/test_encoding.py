"""Encodings: UTF-8 with and without BOM, UTF-16 with and without BOM, GB18030, Big5; bad bytes get a
code, damaged bytes a note."""

from __future__ import annotations

import codecs
import os

import pytest

from pipelines.forms.interpreter import interpret
from pipelines.readers import ReadError, read_document
from pipelines.readers.encoding import BIG5, REPLACEMENTS_NOTE, decode_text, decoding_notes
from pipelines.readers.html import decode_html
from tests.conftest import sample_path
from tests.fixtures.layout import build_html
from tests.readers.formats import facts

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


# --- Big5, GB18030 and the boundary between them ------------------------------------------------

def _traditional(text: str) -> str:
    """The text in traditional characters, those Big5 lacks (the agency's `碶`) as `?`."""
    import opencc

    return opencc.OpenCC("s2t").convert(text).encode("big5", errors="replace").decode("big5")


def test_big5_without_bom_is_read_and_gives_the_same_cells_as_its_utf8():
    text = _traditional(sample_path(STEM).read_text(encoding="utf-8").replace("\xa0", " "))
    data = text.encode("big5")
    decoded, codec = decode_text(data)
    assert (decoded, codec) == (text, BIG5)
    assert _cells(data) == _cells(text.encode("utf-8"))


def test_gbk_copy_in_traditional_characters_stays_gb18030():
    """A traditional-character copy saved as GBK: most of it is still GB2312, the rest GBK's own."""
    text = _traditional(sample_path(STEM).read_text(encoding="utf-8").replace("\xa0", " "))
    assert decode_text(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("text", [
    "政府信息公開工作年度報告", "收到和處理政府信息公開申請情況", "年度報告", "報告", "行政復議", "尚未審結",
    "主動公開政府信息情況", "一、總體情況", "與平潭綜合實驗區", "平潭", "的",
])
def test_short_big5_text_is_big5(text):
    """Detectors are weak on a few characters: GB18030 reads these bytes too, as kana and rare characters."""
    data = text.encode("big5")
    assert data.decode("gb18030") != text  # the mojibake a GB18030 fallback gave
    assert decode_text(data) == (text, BIG5)


@pytest.mark.parametrize("text", [
    "政府信息公开工作年度报告", "收到和处理政府信息公开申请情况", "年度报告", "报告", "公开", "行政复议", "尚未审结",
    "总计", "一、总体情况", "（七）总计：①②", "朱镕基", "镕基", "第二十条第（一）项\t规章\t0",
])
def test_short_gb_text_is_gb18030(text):
    """GB2312 text, and GBK's rarer characters among it, stay GB18030 however short."""
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


def test_bytes_both_read_cleanly_are_gb18030_and_big5_where_gb_reads_them_as_noise():
    """The boundary. `結` in Big5 (B5 B2) is `挡` in GB2312: bytes no one can tell apart are GB18030,
    the mainland's encoding. `審結` in Big5 reads in GB18030 as `糵挡`, half of it GBK's own rare
    characters, below the share GB text is made of, while its Big5 reading is all common characters."""
    assert "審結".encode("big5").decode("gb18030") == "糵挡"
    assert "結".encode("big5").decode("gb18030") == "挡"
    assert decode_text("結".encode("big5")) == ("挡", "gb18030")
    assert decode_text("審結".encode("big5")) == ("審結", BIG5)
    assert decode_text("挡".encode("gb18030")) == ("挡", "gb18030")


def test_a_gb_report_with_a_user_defined_character_stays_gb18030():
    """Kana and private-use characters mark Big5 read as GB18030 on a few characters; a whole GB report
    holding one (a name in a user-defined glyph) is still GB18030."""
    text = sample_path(STEM).read_text(encoding="utf-8").replace("\xa0", " ").replace("政府", "政\ue000府", 1)
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


def test_where_big5_does_not_decode_gb18030_does_whatever_it_reads_as():
    """Much of GB2312's row C8 (`人`) is no Big5, nor are GB18030's four-byte characters (a no-break space)."""
    for text in ("人", "\u00a0", "本人\u00a0申请"):
        data = text.encode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode(BIG5)
        assert decode_text(data) == (text, "gb18030")


def test_a_declared_big5_page_and_an_undeclared_one_both_decode():
    page = build_html(STEM).decode("utf-8")
    declared = _traditional(page.replace("charset=utf-8", "charset=big5"))
    undeclared = _traditional(page.replace(' content="text/html; charset=utf-8"', ""))
    assert "charset" not in undeclared.split("<body>")[0]
    assert decode_html(declared.encode("big5")) == declared
    assert decode_html(undeclared.encode("big5")) == undeclared
    want = facts(undeclared.encode("utf-8"))
    assert facts(undeclared.encode("big5")) == want == facts(declared.encode("big5"))


# --- Bytes no code page decodes ---------------------------------------------------------------------

def test_clean_text_carries_no_note():
    decoded, _ = decode_text(sample_path(STEM).read_bytes())
    assert decoding_notes(decoded) == []


@pytest.mark.parametrize("encode,damage,codec", [
    pytest.param(str.encode, lambda b: b.replace(b"\n", b"\n\xff", 1), "utf-8", id="utf-8-stray-byte"),
    pytest.param(str.encode, lambda b: b[:-2], "utf-8", id="utf-8-cut-mid-character"),
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode(), lambda b: b[:-2], "utf-8-sig", id="utf-8-bom-cut"),
    pytest.param(lambda t: t.encode("utf-16-le"), lambda b: b[:-1], "utf-16-le", id="utf-16-le-cut"),
    pytest.param(lambda t: t.encode("utf-16"), lambda b: b[:-1], "utf-16", id="utf-16-bom-cut"),
])
def test_damaged_unicode_text_is_read_with_replacements_and_flagged(encode, damage, codec):
    """A truncated download or a damaged byte costs a character, not the report: read, and flagged."""
    text = sample_path(STEM).read_text(encoding="utf-8").rstrip() + "\n结束。"
    decoded, got = decode_text(damage(encode(text)))
    assert got == codec
    assert decoded.count("\ufffd") == 1
    assert decoding_notes(decoded) == [REPLACEMENTS_NOTE] == ["decoded_with_replacements"]


def test_damaged_gb18030_is_read_with_replacements_and_flagged():
    text = sample_path(STEM).read_text(encoding="utf-8").replace("\xa0", " ")
    data = text.encode("gb18030")
    i = data.index("总计".encode("gb18030"))
    damaged = data[:i + 1] + b"\x7f" + data[i + 2:]  # a lead byte followed by DEL: no code page's pair
    decoded, codec = decode_text(damaged)
    assert codec == "gb18030" and "\ufffd" in decoded and decoding_notes(decoded) == [REPLACEMENTS_NOTE]
    assert decoded.replace("\ufffd\x7f计", "总计", 1) == text


def test_text_mostly_replacements_is_not_text():
    noise = bytes(b for b in os.urandom(8192) if b > 0x20)
    with pytest.raises(ReadError) as err:
        decode_text(noise)
    assert err.value.code in ("undecodable_text", "not_a_report")
    text = sample_path(STEM).read_text(encoding="utf-8")
    with pytest.raises(ReadError) as err:  # a byte-order mark over bytes mostly not of its encoding
        decode_text(codecs.BOM_UTF8 + text.encode("utf-16-le"))
    assert err.value.code == "undecodable_text"


@pytest.mark.parametrize("page", [False, True], ids=["text", "html"])
def test_a_document_decoded_with_replacements_carries_the_note(page):
    """The note travels as the readers' notes do: Document.notes, then reports.flags and review_reasons."""
    data = build_html(STEM) if page else sample_path(STEM).read_bytes()
    damaged = data.replace("总计".encode(), "总计".encode()[:-1] + b"!", 1)
    assert REPLACEMENTS_NOTE in read_document(damaged).notes
    assert REPLACEMENTS_NOTE not in read_document(data).notes
