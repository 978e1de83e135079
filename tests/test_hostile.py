"""Hostile input: every file ends in the ledger with a stable code, the run succeeds, and no other
file's facts change."""

from __future__ import annotations

import pytest

from pipelines.ingest.run import ingest
from pipelines.ingest.settings import Settings
from pipelines.readers.archive import SAFE_XML
from tests.conftest import query
from tests.hostile.files import HOSTILE

FACTS = ("select report_id, {coords}, value, cell_state, raw_text from {table} order by all")
COORDS = {"fact_proactive": "item, category, metric", "fact_applications": "outcome, applicant",
          "fact_appeals": "proceeding, result"}


def _facts(db) -> dict[str, list[tuple]]:
    return {t: query(db, FACTS.format(coords=c, table=t)) for t, c in COORDS.items()}


@pytest.mark.slow
def test_hostile_files_are_quarantined_and_harm_nothing(tmp_path, raw_dir):
    clean_db = tmp_path / "clean.duckdb"
    ingest(Settings(raw_dir=raw_dir, db_path=clean_db, workers=2))
    written = {}
    for name, (writer, status, code) in HOSTILE.items():
        written[writer(raw_dir)] = (name, status, code)
    db = tmp_path / "hostile.duckdb"
    totals = ingest(Settings(raw_dir=raw_dir, db_path=db, workers=2, file_timeout_s=60))
    assert totals["files_seen"] == 5 + len(HOSTILE)

    ledger = {p: (s, c) for p, s, c in query(db, "select path, status, error_code from source_files")}
    for path, (name, status, code) in written.items():
        assert ledger.pop(path) == (status, code), name
    assert set(ledger.values()) == {("loaded", None)} and len(ledger) == 5
    hostile = _facts(db)
    gbk = query(db, "select report_id from reports where source_path = 'gbk_report.txt'")[0][0]
    assert all(len([r for r in rows if r[0] == gbk]) > 0 for rows in hostile.values()), "the GBK report loaded"
    without_gbk = {t: [r for r in rows if r[0] != gbk] for t, rows in hostile.items()}
    assert without_gbk == _facts(clean_db)
    # a second run over the same folder parses nothing again
    assert ingest(Settings(raw_dir=raw_dir, db_path=db, workers=2))["files_parsed"] == 0


def test_the_xml_parser_neither_expands_nor_fetches_entities(tmp_path):
    from lxml import etree

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    assert b"TOP-SECRET" not in etree.tostring(etree.fromstring(xxe, parser=SAFE_XML))
    laughs = (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;</r>')
    assert len(etree.tostring(etree.fromstring(laughs, parser=SAFE_XML))) < 200


def test_pdfminer_includes_the_fix_for_cve_2025_64512():
    from importlib.metadata import version

    assert int(version("pdfminer.six")) >= 20251107
