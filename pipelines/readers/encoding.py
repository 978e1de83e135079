"""Bytes to text for the text layouts: UTF-8 (with or without BOM), UTF-16, GB18030/GBK."""

from __future__ import annotations

import codecs
import re

from pipelines.document.model import ReadError

# Share of NUL bytes on one byte parity above which BOM-less bytes are taken as UTF-16.
UTF16_NUL_SHARE = 0.3
# Share of control characters (other than tab, CR, LF, FF) above which decoded text is binary.
MAX_CONTROL_SHARE = 0.02

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bomless_utf16(data: bytes) -> str | None:
    """Given bytes without a BOM, return the UTF-16 codec name if NULs sit on one byte parity."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > UTF16_NUL_SHARE and even < UTF16_NUL_SHARE / 3:
        return "utf-16-le"
    if even > UTF16_NUL_SHARE and odd < UTF16_NUL_SHARE / 3:
        return "utf-16-be"
    return None


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    return len(_CONTROLS.findall(sample)) / len(sample) > MAX_CONTROL_SHARE


def decode_text(data: bytes) -> tuple[str, str]:
    """Given a text file's bytes, return (text, encoding); raise ReadError when it is not text."""
    if not data.strip():
        raise ReadError("empty_file", "The file is empty or holds only whitespace; replace it with the real report.")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise ReadError("undecodable_text", f"The file starts with a {codec} byte-order mark "
                                f"but does not decode as {codec}: {exc.reason}.") from exc
    candidates = [c for c in (_bomless_utf16(data),) if c] + ["utf-8", "gb18030"]
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        return text, codec
    if b"\x00" in data[:4096] or _looks_binary(data[:20000].decode("latin-1")):
        raise ReadError("not_a_report", "Binary content of no known document format (not text, .docx, "
                        ".pdf or HTML); check that the right file was downloaded.")
    raise ReadError("undecodable_text", "The text is neither UTF-8, UTF-16 nor GB18030/GBK; "
                    "re-save it as UTF-8.")
