"""Zip containers (.docx) opened with limits: a zip bomb is refused before it is inflated.

Python's zipfile never inflates a member past the size its header declares, so the declared sizes
bound what reading can cost; they are checked (each member and in all, and the compression ratio)
before anything is read, and each member is read with a cap all the same.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib

from lxml import etree

from pipelines.document.model import ReadError

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# Deflate reaches ~1000:1 only on degenerate input; real Word parts stay far below this.
MAX_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024

# XML as Office writes it: no DTD, so no entities to expand (billion laughs) or fetch (XXE).
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def open_zip(data: bytes, bad_code: str) -> zipfile.ZipFile:
    """Given zip bytes, return the archive after checking its declared sizes; raise ReadError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ReadError(bad_code, f"The file is a damaged zip archive ({exc}); re-download it.") from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ReadError("too_large", f"The archive would unpack to {total:,} bytes (limit {MAX_TOTAL_BYTES:,}): "
                        "a zip bomb or no report.")
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > RATIO_CHECK_FROM_BYTES and ratio > MAX_RATIO):
            raise ReadError("too_large", f"The archive member {info.filename} would unpack to {info.file_size:,} "
                            f"bytes ({ratio:.0f}× its packed size): a zip bomb or no report.")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, bad_code: str) -> bytes:
    """A member's bytes, never more than MAX_MEMBER_BYTES; raise ReadError when missing or damaged."""
    try:
        with archive.open(name) as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)
    except KeyError as exc:
        raise ReadError(bad_code, f"The archive has no {name}.") from exc
    except NotImplementedError as exc:  # a compression method (or encryption) zipfile cannot read
        raise ReadError(bad_code, f"The archive member {name} is stored in a way no Word document uses "
                        f"({exc}); the file is damaged or not a Word document.") from exc
    except RuntimeError as exc:  # (past its subclass above) an encrypted member: a password is needed
        raise ReadError(bad_code, f"The archive member {name} is encrypted ({exc}); Word never encrypts "
                        "a .docx that way: the file is damaged or not a Word document.") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise ReadError(bad_code, f"The archive member {name} is damaged ({exc}); re-download the file.") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise ReadError("too_large", f"The archive member {name} unpacks past {MAX_MEMBER_BYTES:,} bytes.")
    return data


def parse_xml(data: bytes, what: str, bad_code: str) -> etree._Element:
    """Parse an XML part with entities, DTDs and network access off; a DTD is refused outright."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise ReadError(bad_code, f"{what} declares a DTD or entities, which Office never writes; refused as unsafe.")
    try:
        return etree.fromstring(data, parser=SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ReadError(bad_code, f"{what} is not well-formed XML ({exc}).") from exc
