"""Dagster step outputs are JSON read through the declared type, never pickles (issue #15): in the
cluster profile they live in the shared staging location, which every worker can write."""

from __future__ import annotations

import pickle
from collections import Counter

import dagster as dg
import pytest

from pipelines.defs.assets import ParseSummary, ParseWork
from pipelines.defs.step_outputs import JsonStepOutputsManager
from pipelines.ingest.parse import FileRef


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _round_trip(tmp_path, value, declared, tamper=None):
    manager = JsonStepOutputsManager(base_dir=str(tmp_path)).create_io_manager(
        dg.build_init_resource_context())
    out = dg.build_output_context(step_key="parse_batch", name="result", dagster_type=dg.DagsterType(
        type_check_fn=lambda _c, _v: True, name=declared.__name__, typing_type=declared), run_id="r1")
    manager.handle_output(out, value)
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1
    if tamper is not None:
        tamper(files[0])
    context = dg.build_input_context(upstream_output=out, dagster_type=out.dagster_type)
    return manager.load_input(context)


def test_step_outputs_travel_as_json_and_come_back_as_their_types(tmp_path):
    work = ParseWork("20260101-run", {"3": [FileRef("a/b.txt", "f" * 64, 10, 5)]})
    assert _round_trip(tmp_path / "w", work, ParseWork) == work
    summary = ParseSummary(3, 2, 1, Counter({"too_large": 1}), Counter({"docx": 3}))
    assert _round_trip(tmp_path / "s", summary, ParseSummary) == summary


def test_a_pickle_or_altered_json_in_their_place_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    work = ParseWork("p", {})
    with pytest.raises(ValueError, match="does not match its declared type"):
        _round_trip(tmp_path / "a", work, ParseWork,
                    tamper=lambda f: f.write_bytes(pickle.dumps(_Payload(str(marker)))))
    with pytest.raises(ValueError, match="does not match its declared type"):
        _round_trip(tmp_path / "b", work, ParseWork,
                    tamper=lambda f: f.write_text('[{"prefix": "p", "files": {}, "__reduce__": "os.system"}]'))
    assert not marker.exists()
