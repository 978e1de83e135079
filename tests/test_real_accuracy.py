"""The real-document yardstick (tests/real/): its files are complete and well-formed, and the reader
holds the line recorded in tools/accuracy/floor.toml (right never falls, silently wrong never grows)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tools.accuracy.keys import disagreements, read_key
from tools.accuracy.real import CORPUS, evaluate, labels_match, load_corpus

FLOOR = Path(__file__).resolve().parent.parent / "tools" / "accuracy" / "floor.toml"
SOURCE_KEYS = ("retrieved", "kind", "licence", "truncated")
HELD_OUT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "held-out-sources.md"
FORM_CELLS = {version: {tuple(line.split(",")[:2]) for line in
                        (CORPUS / f"cells_{version}.csv").read_text(encoding="utf-8").splitlines()[1:]}
              for version in ("2019", "2021")}


def test_the_corpus_is_large_and_varied_enough():
    docs = load_corpus()
    assert len(docs) >= 40
    provinces = {d.meta["province"] for d in docs}
    assert len(provinces) >= 15, provinces
    complete = [d for d in docs if d.meta.get("complete")]
    assert len(complete) >= 12
    forms = {f for d in docs for f in d.forms.values()}
    assert {"2019", "2021"} <= forms


@pytest.mark.parametrize("doc", load_corpus(), ids=lambda d: d.slug)
def test_every_document_is_sourced_and_read_twice(doc):
    folder = CORPUS / doc.slug
    source = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    assert all(source.get(k) not in (None, "") for k in SOURCE_KEYS), source
    assert source.get("url") or source.get("repository")
    review = doc.meta["review"]
    assert review["reader_a"] and review["reader_b"] and review["reader_a"] != review["reader_b"]
    a, b = read_key(folder / "keys" / "a.csv"), read_key(folder / "keys" / "b.csv")
    # Every disagreement of the two readings is recorded and resolved against the document.
    assert len(disagreements(a, b)) == len(review["disagreements"])
    # Where the keys agree, the truth is theirs, except cells corrected later (each listed, with why).
    corrected = set(review.get("corrected", []))
    if not review["disagreements"]:
        differing = {f"{t}/{c}" for (t, c), cell in doc.truth.items()
                     if (a[(t, c)].state, a[(t, c)].value) != (cell.state, cell.value)}
        assert differing == corrected
        assert not corrected or review.get("corrections")
    for table, cell in doc.truth:
        assert (table, cell) in FORM_CELLS[doc.forms[table]], (table, cell)


@pytest.mark.skipif(not HELD_OUT.is_file(), reason="the held-out list lives beside the repository (../shared)")
def test_no_document_comes_from_a_held_out_source():
    held_out = HELD_OUT.read_text(encoding="utf-8")
    for doc in load_corpus():
        source = tomllib.loads((CORPUS / doc.slug / "source.toml").read_text(encoding="utf-8"))
        assert not source.get("url") or source["url"] not in held_out, doc.slug
        assert "zxj6827111-blip" not in source.get("repository", "")


@pytest.mark.parametrize(("ours", "truth", "right"), [
    ("商业企业", "法人或其他组织 / 商业企业", True),
    ("法人或其他组织\n商业企业", "法人或其他组织 / 商业企业", True),
    ("科研机构", "法人或其他组织 / 商业企业", False),
    (None, "自然人", False),
    ("本年新\n制作数量", "本年新 制作数量", True),
])
def test_labels_match_the_source_label_of_the_cell(ours, truth, right):
    assert labels_match(ours, truth) is right


def test_the_reader_holds_the_line_on_real_documents():
    floor = tomllib.loads(FLOOR.read_text(encoding="utf-8"))
    totals = evaluate().overall()
    assert totals["silent"] <= floor["silent_max"], f"silently wrong cells grew: {totals}"
    assert totals["right"] >= floor["right_min"], f"right cells fell: {totals}"
