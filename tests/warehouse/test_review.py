"""The review page (`disclosure review`, asset review_page): every report that needs review, its file's
tables beside the cells read from them, failing cells marked — built from real fixture files of every
kind of source: a ruled PDF, a PDF without rules, a Word file, a web page, a tab-separated text and a
real report's text copy whose numbers the reader could not place."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html
from PIL import Image

from pipelines.document.model import Paragraph
from pipelines.readers import read_document
from pipelines.warehouse.review import SECTION_CACHE_DIR, load_reviews, reason_group, write_review
from pipelines.warehouse.review_source import MARK_COLOURS, region_png
from tests.conftest import COORDINATES, EXPECTED_DIR, SAMPLES_DIR, run_pipeline
from tools.synth.layout import form_grids, render_docx, render_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = Path(__file__).resolve().parents[1] / "real"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# An agency name from a sidecar, with markup in it: the page must print it, never run it.
HOSTILE_NAME = "汉沽街道办事处<script>alert(1)</script>"


def _blocks(stem: str, changes: dict[tuple, str]) -> list:
    """A sample's paragraphs and form-shaped tables with some cells' printed text changed."""
    data = json.loads((EXPECTED_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    truth = {(c["table"], *(c[k] for k in COORDINATES[c["table"]])): c["raw_text"] for c in data["cells"]}
    truth.update(changes)
    doc = read_document((SAMPLES_DIR / f"{stem}.txt").read_bytes())
    grids = iter(form_grids(data["template_version"], truth))
    return [b.text if isinstance(b, Paragraph) else next(grids) for b in doc.blocks]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> tuple[Path, Path]:
    """(raw folder, warehouse) of six reports that need review, one per kind of source."""
    root = tmp_path_factory.mktemp("review")
    raw = root / "raw"
    raw.mkdir()
    # a ruled PDF that never names its agency; its prose says 2 applications where the table says 0
    shutil.copy2(FIXTURES / "pdf" / "001_3e7c7203fb80667c.pdf", raw / "001.pdf")
    # a PDF whose tables are drawn without rules (003)
    shutil.copy2(FIXTURES / "pdf" / "unruled.pdf", raw / "unruled.pdf")
    # a web page whose table B says 3 granted to natural persons: the row and the column no longer add up
    (raw / "000.html").write_bytes(render_html(_blocks("000_957511648368b9cb", {
        ("fact_applications", "granted", "natural_person"): "3"})))
    # a Word file whose table C has a review upheld that its 总计 does not count
    (raw / "002.docx").write_bytes(render_docx(_blocks("002_5ff8cf655acdf111", {
        ("fact_appeals", "admin_review", "upheld"): "4"})))
    # a tab-separated text carrying 2 applications forward that it never received
    lines = (SAMPLES_DIR / "004_f08e199b8ba50c35.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "四、结转下年度继续办理" in line) + 1
    assert lines[at] == "\t0\n"
    lines[at] = "\t2\n"
    (raw / "004.txt").write_text("".join(lines), encoding="utf-8")
    (raw / "004.meta.json").write_text(json.dumps({"agency_name": HOSTILE_NAME}), encoding="utf-8")
    # a real report (a cell a line) whose 规章 row prints one number for three cells: not placed
    shutil.copy2(REAL / "hebei-xiongxian-2019-full" / "document.md", raw / "xiongxian.md")
    db = root / "warehouse" / "disclosure.duckdb"
    run_pipeline(raw, db)
    return raw, db


@pytest.fixture(scope="module")
def page(warehouse) -> Path:
    raw, db = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        return write_review(con, raw, db.parent / "review.html")
    finally:
        con.close()


@pytest.fixture(scope="module")
def tree(page):
    return lxml_html.fromstring(page.read_bytes())


def _report_ids(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("select source_path, report_id from reports where is_current").fetchall())
    finally:
        con.close()


def _section(tree, db: Path, path: str):
    return tree.get_element_by_id(_report_ids(db)[path])


def _png(src: str) -> Image.Image:
    assert src.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")


def _colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {colour for _, colour in image.convert("RGB").getcolors(1 << 24)}


def _has_ink(image: Image.Image) -> bool:
    """Not one colour: some dark pixels (text, rules) on a light page."""
    histogram = image.convert("L").histogram()
    return sum(1 for n in histogram if n) > 2 and sum(histogram[:128]) > 0.002 * image.width * image.height


def test_every_report_to_review_is_listed_with_its_reasons(warehouse, tree):
    _, db = warehouse
    ids = _report_ids(db)
    sections = tree.xpath("//section[@class='report']")
    assert sorted(s.get("id") for s in sections) == sorted(ids.values())
    toc = [a.get("href") for a in tree.xpath("//nav//a")]
    assert toc == [f"#{s.get('id')}" for s in sections], "the list links every section, in page order"
    reasons = {s.get("id"): [c.text for c in s.xpath(".//ul[@class='reasons']//code")] for s in sections}
    assert reasons[ids["001.pdf"]] == ["agency_unresolved"]
    assert reasons[ids["unruled.pdf"]] == ["pdf_tables_without_rules"]
    assert reasons[ids["004.txt"]] == ["check:applications_balance", "check:applications_row_total"]
    assert reasons[ids["002.docx"]] == ["check:appeals_total"]
    assert reasons[ids["xiongxian.md"]] == ["agency_unresolved", "layout_uncertain:proactive:规章"]
    rows = tree.xpath("//table[@class='counts']//tr[td]")
    counts = {tr.xpath("td/code")[0].text: int(tr.xpath("td")[1].text) for tr in rows}
    assert counts["check:applications_row_total"] == 2 and counts["agency_unresolved"] == 2
    # most reasons first
    assert [len(r) for r in (reasons[s.get("id")] for s in sections)] == sorted(
        (len(r) for r in reasons.values()), reverse=True)


def test_each_form_table_has_its_source_beside_it(warehouse, tree):
    _, db = warehouse
    kinds = {"001.pdf": "pdf", "unruled.pdf": "pdf", "000.html": "table", "002.docx": "table", "004.txt": "text",
             "xiongxian.md": "text"}
    for path, kind in kinds.items():
        section = _section(tree, db, path)
        pairs = section.xpath(".//div[@class='pair']")
        assert len(pairs) == 3, path
        for pair in pairs:
            source, parsed = pair.xpath("./div[contains(@class, 'pane')]")
            assert "source" in source.get("class") and "parsed" in parsed.get("class")
            assert parsed.xpath(".//table[@class='form']//td"), path
            if path == "xiongxian.md" and not source.xpath(".//pre"):  # tables B and C are not in the copy
                assert "No cell of this table was read from the file" in source.text_content()
            elif kind == "pdf":
                assert source.xpath(".//img[@class='pdf-region']"), path
            elif kind == "table":
                assert source.xpath(".//table[@class='src']//td[contains(@class, 'backs')]"), path
            else:
                assert source.xpath(".//pre[@class='text']/span[contains(@class, 'backs')]"), path


def test_pdf_regions_are_pictures_of_the_page_with_the_marked_cells_outlined(warehouse, tree):
    _, db = warehouse
    section = _section(tree, db, "001.pdf")
    images = [_png(img.get("src")) for img in section.xpath(".//img[@class='pdf-region']")]
    assert len(images) >= 3, "table A runs over two pages: a picture per page, and one for B and C"
    assert all(_has_ink(image) and image.width > 300 for image in images)
    # prose_table_mismatch (warn) names 一、本年新收 / 总计: its box on the page is outlined in the warning colour
    assert any(MARK_COLOURS["warn"] in _colours(image) for image in images)
    parsed = section.xpath(".//td[contains(@class, 'mark-warn')]")
    assert any("new_received/total" in td.get("title") and "prose_table_mismatch" in td.get("title") for td in parsed)
    captions = [c.text for c in section.xpath(".//figcaption")]
    assert captions[0].startswith("page 1, table region")
    unruled = _section(tree, db, "unruled.pdf")
    assert all(_has_ink(_png(img.get("src"))) for img in unruled.xpath(".//img[@class='pdf-region']"))
    # the prose the reader set aside as tables without numbers in the form: folded, still shown
    assert unruled.xpath(".//details[@class='other-tables']//img[@class='pdf-region']")


def test_region_png_crops_the_region_and_draws_marks(warehouse):
    raw, _ = warehouse
    data = (raw / "001.pdf").read_bytes()
    whole = Image.open(io.BytesIO(region_png(data, 0, (0, 0, 10_000, 10_000))))
    part = Image.open(io.BytesIO(region_png(data, 0, (100, 100, 300, 200), [((150, 120, 250, 180), "error")])))
    assert part.width < whole.width and part.height < whole.height
    assert abs(part.width - (200 + 12) * 2) <= 2, "the region and its margin, at 2 pixels a point"
    assert MARK_COLOURS["error"] in _colours(part)


def test_cells_a_failing_check_names_are_marked_on_both_sides(warehouse, tree):
    _, db = warehouse
    # the text file: 结转下年度 2 for natural persons breaks the balance of that column
    text = _section(tree, db, "004.txt")
    parsed = text.xpath(".//table[@class='form']//td[contains(@class, 'mark-error')]")
    marked = {td.get("title").split(":")[0] for td in parsed}
    assert {"new_received/natural_person", "carried_over/natural_person", "total_handled/natural_person",
            "carried_forward/natural_person"} <= marked
    assert "carried_forward/total" in marked, "applications_row_total names the row"
    spans = text.xpath(".//pre[@class='text']/span[contains(@class, 'mark-error')]")
    assert any(s.text == "2" and "carried_forward/natural_person" in s.get("title") for s in spans)
    # the web page: 予以公开 3 for natural persons, beside the source cell that says 3
    page = _section(tree, db, "000.html")
    cell = [td for td in page.xpath(".//table[@class='form']//td[contains(@class, 'mark-error')]")
            if td.get("title").startswith("granted/natural_person:")]
    assert cell and cell[0].text == "3" and "applications_row_total" in cell[0].get("title")
    source = page.xpath(".//table[@class='src']//td[contains(@class, 'mark-error')]")
    assert any(td.text == "3" and "granted/natural_person" in td.get("title") for td in source)
    # the Word file: table C's 行政复议 row
    word = _section(tree, db, "002.docx")
    assert any(td.text == "4" for td in word.xpath(".//table[@class='src']//td[contains(@class, 'mark-error')]"))
    checks = [tr.xpath("td")[3].text for tr in word.xpath(".//table[@class='checks']//tr[td]")
              if tr.xpath("td/code")[0].text == "appeals_total"]
    assert checks == ["marked below"]


def test_cells_whose_place_was_not_proven_are_marked_uncertain(warehouse, tree):
    _, db = warehouse
    section = _section(tree, db, "xiongxian.md")
    uncertain = section.xpath(".//table[@class='form']//td[contains(@class, 'mark-uncertain')]")
    assert sorted(td.get("title").split(":")[0] for td in uncertain) == [
        "art20_1/regulation/new_made", "art20_1/regulation/new_published", "art20_1/regulation/total_published"]
    assert all("unreadable" in td.get("class") and td.text == "0" for td in uncertain), "the row's printed text"
    source = section.xpath(".//pre[@class='text']/span[contains(@class, 'mark-uncertain')]")
    assert [s.text for s in source] == ["0"] and "placement not proven" in source[0].get("title")


def test_cell_states_are_told_apart(warehouse, tree):
    _, db = warehouse
    cells = _section(tree, db, "001.pdf").xpath(".//table[@class='form']//td")
    states = {c.get("class").split()[0] for c in cells}
    assert {"value", "blank", "missing"} <= states
    missing = [c for c in cells if c.get("class").startswith("missing")]
    assert missing[0].text == "missing" and "procurement/amount" in missing[0].get("title")
    assert all(c.text is None for c in cells if c.get("class").split()[0] == "blank")


def test_strings_from_the_data_are_escaped_and_the_page_has_no_script(page, tree):
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert any(HOSTILE_NAME in (h.text_content() or "") for h in tree.xpath("//h2"))
    assert "http://" not in text and "https://" not in text, "nothing to fetch: one offline file"


def test_one_report_and_nothing_to_review(warehouse, tmp_path):
    raw, db = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = write_review(con, raw, tmp_path / "one.html", report="002.docx")
        none = write_review(con, raw, tmp_path / "none.html", report="no-such-report")
        assert [r.row["source_path"] for r in load_reviews(con, "001.pdf")] == ["001.pdf"]
    finally:
        con.close()
    assert len(lxml_html.fromstring(one.read_bytes()).xpath("//section[@class='report']")) == 1
    assert "No report matches" in none.read_text(encoding="utf-8")


def test_a_changed_or_vanished_file_is_said_not_shown(warehouse, tmp_path):
    raw, db = warehouse
    moved = tmp_path / "raw"
    shutil.copytree(raw, moved)
    (moved / "004.txt").write_text("changed", encoding="utf-8")
    (moved / "000.html").unlink()
    con = duckdb.connect(str(db), read_only=True)
    try:
        page = write_review(con, moved, tmp_path / "review.html")
    finally:
        con.close()
    tree = lxml_html.fromstring(page.read_bytes())
    problems = {p.text_content() for p in tree.xpath("//p[@class='problem']")}
    assert any("has changed since this report was loaded" in p for p in problems)
    assert any("no longer in the raw folder" in p for p in problems)
    assert tree.xpath("//img[@class='pdf-region']"), "the other reports are still shown"


def test_a_reviewers_correction_is_shown_with_what_was_read(warehouse, tmp_path):
    raw, db = warehouse
    copy = tmp_path / "disclosure.duckdb"
    shutil.copy2(db, copy)
    con = duckdb.connect(str(copy))
    try:
        columns = {c for (c,) in con.execute("select column_name from duckdb_columns() "
                                             "where table_name = 'fact_applications'").fetchall()}
        if "correction_reason" not in columns:
            pytest.skip("this warehouse keeps no corrections beside its cells")
        con.execute("update fact_applications set read_value = value, read_state = cell_state, value = 0, "
                    "correction_reason = 'the page prints 0', correction_source = 'corrections.csv:2' "
                    "where outcome = 'carried_forward' and applicant = 'natural_person' and report_id = "
                    "(select report_id from reports where source_path = '004.txt')")
        page = write_review(con, raw, tmp_path / "review.html", report="004.txt")
    finally:
        con.close()
    cells = lxml_html.fromstring(page.read_bytes()).xpath("//table[@class='form']//td[contains(@class, 'corrected')]")
    assert len(cells) == 1 and cells[0].text == "0"
    assert "corrected by a reviewer (corrections.csv:2): read 2 (value); the page prints 0" in cells[0].get("title")


@pytest.mark.parametrize(("reason", "group"), [
    ("layout_uncertain:applications:一、本年新收政府信息公开申请数量", "layout_uncertain:applications"),
    ("label_ambiguous:proactive:规章", "label_ambiguous:proactive"),
    ("check:applications_balance", "check:applications_balance"),
    ("tables_missing:proactive,appeals", "tables_missing"),
    ("agency_unresolved", "agency_unresolved"),
])
def test_reasons_are_counted_by_group(reason, group):
    assert reason_group(reason) == group


def test_disclosure_review_writes_the_page_and_says_what_is_in_it(warehouse, tmp_path, capsys):
    from pipelines.cli import main

    raw, db = warehouse
    out = tmp_path / "page.html"
    assert main(["--raw", str(raw), "--db", str(db), "review", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "6 of 6 current reports need review" in printed
    assert re.search(r"check:applications_row_total\s+│\s+2", printed)
    assert main(["--raw", str(raw), "--db", str(db), "review", "--out", str(out), "--report", "unruled.pdf"]) == 0
    assert len(lxml_html.fromstring(out.read_bytes()).xpath("//section[@class='report']")) == 1
    assert main(["--raw", str(raw), "--db", str(db), "review", "--out", str(out), "--report", "nothing-here"]) == 1


def test_the_review_page_asset_writes_a_page_even_with_nothing_to_review(tmp_path):
    import dagster as dg

    from pipelines.defs.outputs import review_page
    from pipelines.defs.resources import WarehouseResource

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy2(SAMPLES_DIR / "000_957511648368b9cb.txt", raw / "000.txt")
    db = tmp_path / "warehouse" / "disclosure.duckdb"
    run_pipeline(raw, db)
    result = dg.materialize([review_page], resources={"warehouse": WarehouseResource(raw_dir=str(raw), db_path=str(db))})
    assert result.success
    meta = result.get_asset_materialization_events()[0].materialization.metadata
    assert meta["reports_to_review"].value == 0
    page = (db.parent / "review.html").read_text(encoding="utf-8")
    assert "No current report needs review" in page


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (installed by .ci/run)")
def test_headless_chromium_renders_sources_beside_tables_and_decodes_every_picture(page, tmp_path):
    """The page in a real browser: every picture decodes, each source pane sits left of its parsed pane,
    and a screenshot is no blank page. The probe's script is the test's, in a page of its own that
    frames the review page (which holds no script)."""
    probe = page.parent / "probe.html"
    probe.write_text("""<!DOCTYPE html><html><body><iframe id="f" src="review.html" style="width:1400px;height:900px">
</iframe><pre id="out"></pre><script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  const imgs = [...d.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]);
  const pairs = [...d.querySelectorAll('div.pair')].map(p => {
    const [s, q] = p.querySelectorAll('div.pane');
    const a = s.getBoundingClientRect(), b = q.getBoundingClientRect();
    return [a.left, a.right, b.left, a.top, b.top, a.width, b.width];
  });
  document.getElementById('out').textContent = JSON.stringify({imgs, pairs,
    sections: d.querySelectorAll('section.report').length, tables: d.querySelectorAll('table').length});
});
</script></body></html>""", encoding="utf-8")
    flags = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--proxy-server=127.0.0.1:9", "--virtual-time-budget=20000"]
    dom = subprocess.run([*flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=180).stdout
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), dom[-2000:]
    seen = json.loads(lxml_html.fromstring(found.group(1)).text_content())
    assert seen["sections"] == 6 and seen["tables"] > 20
    assert len(seen["imgs"]) >= 5 and all(ok and w > 100 and h > 20 for ok, w, h in seen["imgs"]), seen["imgs"]
    assert len(seen["pairs"]) == 18
    for _, s_right, p_left, s_top, p_top, s_width, p_width in seen["pairs"]:
        assert s_right <= p_left and s_top == p_top and s_width > 300 and p_width > 300, "source | parsed, side by side"
    shot = tmp_path / "review.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1400,3000", page.as_uri()],
                   capture_output=True, timeout=180, check=True)
    image = Image.open(shot)
    assert image.size == (1400, 3000) and _has_ink(image.convert("RGB"))
    assert len(_colours(image)) > 50, "text, tables and pictures: not a blank or one-colour page"


def test_only_the_reports_shown_in_full_are_loaded_in_full(warehouse, tmp_path):
    """A warehouse with thousands to review lists them all but holds the cells of the first `limit` only
    (20,000 reports: 2.3 GB and 210 s when every one was loaded)."""
    raw, db = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        everyone = load_reviews(con, limit=None)
        first_two = load_reviews(con, limit=2)
        rows_only = load_reviews(con, limit=2, facts=False)  # the page reads the cells of what it renders
        page = write_review(con, raw, tmp_path / "two.html", limit=2).read_text(encoding="utf-8")
    finally:
        con.close()
    assert [r.row["report_id"] for r in first_two] == [r.row["report_id"] for r in everyone] and len(everyone) > 2
    assert all(r.facts for r in first_two[:2]) and not any(r.facts or r.checks for r in first_two[2:])
    assert [r.row for r in rows_only] == [r.row for r in first_two] and not any(r.loaded or r.facts for r in rows_only)
    assert page.count('<section class="report"') == 2
    assert all(r.row["source_path"] in page for r in everyone)  # every one listed by name


def test_sections_are_rendered_again_only_when_what_they_show_changed(warehouse, tmp_path, monkeypatch):
    """A night that changed a few reports renders only their sections (each reads its file again, 35 ms):
    the others come from the sections as last rendered beside the page — until their cells, checks or file
    change, or they leave the page."""
    raw, db = warehouse
    moved = tmp_path / "raw"
    shutil.copytree(raw, moved)
    copy = tmp_path / "disclosure.duckdb"
    shutil.copy2(db, copy)
    target = tmp_path / "review.html"
    cache = tmp_path / SECTION_CACHE_DIR
    con = duckdb.connect(str(copy))
    try:
        # one time for every page: a page says when it was generated, to the minute, and two pages written
        # across a minute's turn must not differ for that
        at = dt.datetime(2026, 12, 2, 8, 35, tzinfo=dt.UTC)
        fresh = write_review(con, moved, target, cached=False, now=at).read_text(encoding="utf-8")
        assert not cache.exists()
        first = write_review(con, moved, target, now=at).read_text(encoding="utf-8")
        sections = sorted(cache.glob("*.html"))
        web_pages = first.count("read as html;")  # rendered every time: their pictures lie beside them
        assert web_pages == 1
        assert first == fresh and len(sections) == first.count('<section class="report"') - web_pages > 3

        def planted() -> str:  # a marker in every stored section: a reused one carries it onto the page
            for path in cache.glob("*.html"):
                if not (text := path.read_text(encoding="utf-8")).endswith("<!--reused-->"):
                    path.write_text(text + "<!--reused-->", encoding="utf-8")
            return write_review(con, moved, target).read_text(encoding="utf-8")

        assert planted().count("<!--reused-->") == len(sections)
        # the file of one report changes on disk, a cell of another is corrected, a third gains a check
        (moved / "004.txt").write_text("changed", encoding="utf-8")
        con.execute("update fact_appeals set value = 9 where report_id = "
                    "(select report_id from reports where source_path = '002.docx') and proceeding = "
                    "'admin_review' and result = 'upheld'")
        con.execute("insert into dq_results (check_name, severity, report_id, detail) select 'appeals_total', "
                    "'error', report_id, 'admin_review: planted' from reports where source_path = 'unruled.pdf'")
        # and a fourth gains a cell the reader could not place
        con.execute("insert into fact_unmapped (report_id, table_name, row_label, column_label, raw_text) select "
                    "report_id, 'applications', '植入的行', '植入的列', '7' from reports where source_path = '001.pdf'")
        page = planted()
        assert page.count("<!--reused-->") == len(sections) - 4
        tree = lxml_html.fromstring(page.encode())
        by_file = {s.xpath(".//code")[0].text: s for s in tree.xpath("//section[@class='report']")}
        assert "has changed since this report was loaded" in by_file["004.txt"].text_content()
        assert "admin_review: planted" in by_file["unruled.pdf"].text_content()
        assert "植入的行" in by_file["001.pdf"].text_content()
        # the code that renders a section changes (here: the version the forms and readers hash into)
        import pipelines.warehouse.review as review_module
        monkeypatch.setattr(review_module, "_RENDERER_LIBRARIES", (*review_module._RENDERER_LIBRARIES, "polars"))
        assert planted().count("<!--reused-->") == 0, "every section rendered again"
        assert len(sorted(cache.glob("*.html"))) == len(sections)  # the replaced sections were deleted
        # a page of two keeps two
        two = write_review(con, moved, target, limit=2).read_text(encoding="utf-8")
        assert two.count('<section class="report"') == 2
        assert len(list(cache.glob("*.html"))) == 2 - two.count("read as html;")
    finally:
        con.close()
