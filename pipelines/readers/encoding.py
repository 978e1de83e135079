"""Bytes to text for the text layouts: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5.

The order of the decision: a byte-order mark; UTF-16 without one (NULs on one byte parity); UTF-8
(most files); then the Chinese legacy code pages. GB18030 decodes every byte pair Big5 does (as
mojibake), so "GB18030 decodes" proves little:
* only one of GB18030 and Big5 decodes: that one;
* GB18030's reading is mostly GB2312's hanzi, punctuation and box characters (what GB text is made of;
  Big5 read as GB18030 turns into kana, Greek, private-use and rare GBK characters): GB18030;
* otherwise, on a few characters (where detectors guess), the reading made more of its own code
  page's common characters; on more, the detector charset-normalizer, and Big5 where it has no opinion.
Bytes no code page decodes are decoded with U+FFFD replacement characters in the code page that needs
fewest, when those are few (a truncated file, a damaged byte); readers flag such text (`decoding_notes`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from charset_normalizer import from_bytes

from pipelines.document.model import ReadError

# Share of NUL bytes on one byte parity above which BOM-less bytes are taken as UTF-16.
UTF16_NUL_SHARE = 0.3
# Share of control characters (other than tab, CR, LF, FF) above which decoded text is binary.
MAX_CONTROL_SHARE = 0.02
# Share of replacement characters up to which bytes no code page decodes are still read as text
# (a truncated file, a few damaged bytes); above it the bytes are not text in any of them.
MAX_REPLACED_SHARE = 0.01
# Share of a GB18030 reading's non-ASCII characters in GB2312's hanzi, punctuation and box rows from
# which it is GB18030 without more ado. Measured on the corpus: GB texts 0.9-1.0 (traditional copies
# saved as GBK 0.63-0.71), Big5 texts read as GB18030 0.22-0.28.
GB_CLEAN_SHARE = 0.6
# Non-ASCII characters below which the detector is not asked (it guesses on a few characters).
DETECTOR_MIN_CHARS = 16
GB18030 = "gb18030"
# Big5 as Windows writes it (code page 950: Big5 plus a few characters Taiwan's files use).
BIG5 = "cp950"
REPLACEMENT = "\ufffd"
# The reader's note (reports.flags) for text that holds replacement characters: characters lost.
REPLACEMENTS_NOTE = "decoded_with_replacements"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB2312's rows of punctuation and full-width forms (A1–A3), box drawing (A9) and hanzi (B0–F7), by
# lead byte: a GB text's characters. Kana, Greek, Cyrillic and pinyin rows (A4–A8) are left out: they
# are what Big5's commonest characters read as in GB18030.
_GB_CLEAN_LEADS = frozenset({0xA1, 0xA2, 0xA3, 0xA9, *range(0xB0, 0xF8)})
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Kana and private-use characters: no Chinese report's GB text holds them, while Big5's commonest
# characters read as them in GB18030 (平, A5 AD, is `キ`; 的, AA BA, falls in GBK's user-defined rows).
_BIG5_AS_GB = re.compile(r"[\u3040-\u30ff\ue000-\uf8ff]")


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


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _non_ascii(text: str) -> str:
    """The text's non-ASCII characters, the first 20,000 (enough to tell code pages apart)."""
    return "".join(_NON_ASCII.findall(text[:200_000]))[:20_000]


def _share(text: str, common: Callable[[str], bool]) -> float:
    """The share of the text's non-ASCII characters that are `common`."""
    chars = _non_ascii(text)
    if not chars:
        return 1.0
    return sum(1 for ch in chars if common(ch)) / len(chars)


def _gb_common(ch: str) -> bool:
    """A GB2312 hanzi, punctuation or box character: what GB text is made of."""
    try:
        return ch.encode("gb2312")[0] in _GB_CLEAN_LEADS
    except UnicodeEncodeError:
        return False


def _big5_common(ch: str) -> bool:
    """A character of Big5's symbols or its 5,401 frequently used hanzi: what Big5 text is made of."""
    try:
        code = int.from_bytes(ch.encode(BIG5))
    except UnicodeEncodeError:
        return False
    return 0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E


def _chinese(data: bytes) -> tuple[str, str] | None:
    """Given bytes that are not UTF-8, return (text, codec) in GB18030 or Big5 when one decodes them."""
    gb, big5 = _strict(data, GB18030), _strict(data, BIG5)
    if gb is None:
        return (big5, BIG5) if big5 is not None else None
    if big5 is None:
        return gb, GB18030
    gb_share = _share(gb, _gb_common)
    if gb_share >= GB_CLEAN_SHARE and not _BIG5_AS_GB.search(gb):
        return gb, GB18030
    if len(_non_ascii(gb)) < DETECTOR_MIN_CHARS:
        # Too few characters for the detector: the reading made more of its code page's common characters.
        return (big5, BIG5) if _share(big5, _big5_common) > gb_share else (gb, GB18030)
    best = from_bytes(data, cp_isolation=[GB18030, BIG5]).best()
    if best is not None and best.encoding == GB18030:
        return gb, GB18030
    # The detector's Big5, or no opinion: the GB18030 reading is mostly characters GB texts are not made of.
    return big5, BIG5


def _few_replaced(text: str) -> bool:
    """True when the text's replacement characters are few enough for it to be read (and flagged)."""
    return text.count(REPLACEMENT) <= MAX_REPLACED_SHARE * len(text) and not _looks_binary(text)


def _with_replacements(data: bytes, codecs_: tuple[str, ...]) -> tuple[str, str] | None:
    """The text in the code page that leaves fewest replacement characters, when they are few."""
    readings = [(data.decode(codec, errors="replace"), codec) for codec in codecs_]
    text, codec = min(readings, key=lambda r: r[0].count(REPLACEMENT))  # the first of equals
    return (text, codec) if _few_replaced(text) else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Given a text file's bytes, return (text, encoding); raise ReadError when it is not text.

    The text holds U+FFFD where bytes decoded in no code page (few of them): see `decoding_notes`.
    """
    if not data.strip():
        raise ReadError("empty_file", "The file is empty or holds only whitespace; replace it with the real report.")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                found = _with_replacements(data, (codec,))  # a truncated file, a damaged byte
                if found is not None:
                    return found
                raise ReadError("undecodable_text", f"The file starts with a {codec} byte-order mark "
                                f"but does not decode as {codec}: {exc.reason}.") from exc
    utf16 = _bomless_utf16(data)
    if utf16:
        text = _strict(data, utf16)
        if text is not None and not _looks_binary(text):
            return text, utf16
    text = _strict(data, "utf-8")
    if text is not None and not _looks_binary(text):
        return text, "utf-8"
    found = _chinese(data)
    if found is not None and not _looks_binary(found[0]):
        return found
    found = _with_replacements(data, (*([utf16] if utf16 else []), "utf-8", GB18030, BIG5))
    if found is not None:
        return found
    if b"\x00" in data[:4096] or _looks_binary(data[:20000].decode("latin-1")):
        raise ReadError("not_a_report", "Binary content of no known document format (not text, .docx, "
                        ".pdf or HTML); check that the right file was downloaded.")
    raise ReadError("undecodable_text", "The text is neither UTF-8, UTF-16, GB18030/GBK nor Big5; "
                    "re-save it as UTF-8.")


def decoding_notes(text: str) -> list[str]:
    """The notes (Document.notes, then reports.flags) a document decoded into `text` carries.

    Replacement characters mean characters lost: bytes that decoded in no code page here, or in a
    copy made before the file was saved. Either way the numbers near them may be missing or wrong.
    """
    return [REPLACEMENTS_NOTE] if REPLACEMENT in text else []
