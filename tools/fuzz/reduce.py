"""Make a failing input small before it is saved: the smallest input that fails the same way.

Delta debugging (ddmin) over the input's pieces — lines of a text or a page, then characters; the
elements of a .docx's body and the package's members — keeping a piece out whenever the rest still
fails with the same signature. A budget (checks and seconds) bounds the work; what is left when it
runs out is saved as it is (a PDF is not reduced: removing its pieces breaks it in other ways first).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

Check = Callable[[bytes], bool]


class Budget:
    def __init__(self, checks: int, seconds: float) -> None:
        self.checks, self.deadline = checks, time.monotonic() + seconds

    def spend(self) -> bool:
        self.checks -= 1
        return self.checks >= 0 and time.monotonic() < self.deadline


def ddmin(pieces: list, fails: Callable[[list], bool], budget: Budget) -> list:
    """The classic ddmin: drop chunks of the pieces, finer and finer, while the rest still fails."""
    n = 2
    while len(pieces) >= 2:
        size = max(1, len(pieces) // n)
        chunks = [pieces[i:i + size] for i in range(0, len(pieces), size)]
        reduced = False
        for k in range(len(chunks)):
            rest = [p for j, c in enumerate(chunks) if j != k for p in c]
            if not budget.spend():
                return pieces
            if fails(rest):
                pieces, n, reduced = rest, max(n - 1, 2), True
                break
        if not reduced:
            if size == 1:
                break
            n = min(len(pieces), n * 2)
    return pieces


def reduce_text(data: bytes, fails: Check, budget: Budget) -> bytes:
    lines = data.splitlines(keepends=True)
    lines = ddmin(lines, lambda ls: fails(b"".join(ls)), budget)
    data = b"".join(lines)
    if len(data) <= 20_000:  # then characters (as bytes: a split UTF-8 sequence is one more oddity)
        data = bytes(ddmin(list(data), lambda bs: fails(bytes(bs)), budget))
    return data


def reduce_docx(data: bytes, fails: Check, budget: Budget) -> bytes:
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    except Exception:
        return data

    def pack(ms: list[tuple[str, bytes]]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in ms:
                archive.writestr(name, body)
        return out.getvalue()

    if not fails(pack(members)):  # the failure lies in the zip's own bytes: keep them
        return data
    members = ddmin(members, lambda ms: fails(pack(ms)), budget)
    names = [n for n, _ in members]
    if "word/document.xml" not in names:
        return pack(members)
    i = names.index("word/document.xml")
    try:
        root = etree.fromstring(members[i][1], etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        members[i] = (members[i][0], reduce_text(members[i][1], lambda b: fails(
            pack([*members[:i], (members[i][0], b), *members[i + 1:]])), budget))
        return pack(members)

    def with_root() -> bytes:
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return pack([*members[:i], (members[i][0], body), *members[i + 1:]])

    # Element by element, outermost first: drop it if the rest still fails.
    queue = [root]
    while queue and budget.checks > 0:
        el = queue.pop(0)
        for child in list(el):
            if not budget.spend():
                return with_root()
            at = el.index(child)
            el.remove(child)
            if fails(with_root()):
                continue
            el.insert(at, child)
            queue.append(child)
    return with_root()


def reduce(data: bytes, ext: str, fails: Check, checks: int = 300, seconds: float = 90.0) -> bytes:
    """The smallest input found (within the budget) that still fails as `data` does."""
    budget = Budget(checks, seconds)
    if ext in (".txt", ".md", ".html"):
        return reduce_text(data, fails, budget)
    if ext == ".docx":
        return reduce_docx(data, fails, budget)
    return data
