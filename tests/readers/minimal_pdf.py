"""One-page PDFs written byte by byte, for what LibreOffice never makes: a page rotated by /Rotate with its
content drawn to stand upright, a MediaBox that does not start at 0, and text in a CID-keyed font
(STSong-Light, the predefined CMap UniGB-UCS2-H) that carries neither a ToUnicode map nor an embedded
font — as older Chinese PDF tools wrote them."""

from __future__ import annotations

# The content's matrix that makes it stand upright once the viewer turns the page by /Rotate (clockwise),
# for a MediaBox of width w and height h starting at 0.
UPRIGHT_CM = {0: "1 0 0 1 0 0", 90: "0 1 -1 0 {w} 0", 180: "-1 0 0 -1 {w} {h}", 270: "0 -1 1 0 0 {h}"}


def one_page(content: bytes, rotate: int = 0, mediabox: tuple[float, float, float, float] = (0, 0, 595, 842)) -> bytes:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Rotate %d /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>" % (" ".join(f"{v:g}" for v in mediabox).encode(), rotate),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def text(x: float, y: float, s: str, size: int = 10) -> bytes:
    return b"BT /F1 %d Tf %g %g Td <%s> Tj ET\n" % (size, x, y, s.encode("utf-16-be").hex().encode())


def ruled_table(x0: float, top: float, widths: list[float], height: float, rows: list[list[str]]) -> bytes:
    """A table ruled with lines, its top-left corner at (x0, top) in PDF space (y up)."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top - i * height for i in range(len(rows) + 1)]
    ops = b"0.5 w\n"
    ops += b"".join(b"%g %g m %g %g l S\n" % (xs[0], y, xs[-1], y) for y in ys)
    ops += b"".join(b"%g %g m %g %g l S\n" % (x, ys[0], x, ys[-1]) for x in xs)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            ops += text(xs[c] + 4, ys[r] - height + 6, cell)
    return ops


def report_page(rotate: int = 0, mediabox: tuple[float, float, float, float] = (0, 0, 595, 842),
                sideways: bool = False) -> bytes:
    """A title and a small ruled table, upright on the page as displayed; `sideways`: drawn upright in
    the page's own space, so that /Rotate turns it sideways on screen (a page turned in a viewer)."""
    w, h = mediabox[2] - mediabox[0], mediabox[3] - mediabox[1]
    shown_h = w if rotate in (90, 270) and not sideways else h
    cm = UPRIGHT_CM[0 if sideways else rotate].format(w=w, h=h).encode()
    body = text(60, shown_h - 60, "平潭综合实验区财政金融局2021年政府信息公开工作年度报告", 12)
    body += ruled_table(60, shown_h - 100, [200, 80, 80], 24,
                        [["项目", "本年新收", "上年结转"], ["收到申请数", "12", "3"], ["予以公开", "7", "0"]])
    content = b"q 1 0 0 1 %g %g cm %s cm\n" % (mediabox[0], mediabox[1], cm) + body + b"Q\n"
    return one_page(content, rotate, mediabox)
