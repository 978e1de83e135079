"""Step outputs as JSON, validated against the type the step declares: never pickle.

In the cluster profile step outputs live in the staging location, which every worker can write; with
Dagster's default file IO manager they were pickled there, so whoever could write the bucket could
run code in the next step. Here an output is stored as plain JSON and read back only through the
schema of the type the *code* declares for it (pydantic, strict, unknown fields refused), so what is
read from the store is data, never code. The outputs are small (a step's file list, a summary).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import dagster as dg
import pydantic
from upath import UPath

# A step's output is a few thousand file references at most.
MAX_OUTPUT_BYTES = 64 << 20


@functools.lru_cache(maxsize=32)
def _schema(python_type: Any) -> pydantic.TypeAdapter:
    """The schema of a one-element list of the type (a dataclass cannot take a config of its own here;
    inside a list it does: strict, unknown fields refused)."""
    config = pydantic.ConfigDict(strict=True, extra="forbid", arbitrary_types_allowed=False)
    return pydantic.TypeAdapter(list[python_type], config=config)


def _declared_type(context: dg.InputContext | dg.OutputContext) -> Any:
    upstream = getattr(context, "upstream_output", None)
    dagster_type = upstream.dagster_type if upstream is not None else context.dagster_type
    return dagster_type.typing_type


class JsonStepOutputs(dg.UPathIOManager):
    extension: str = ".json"

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        declared = _declared_type(context)
        data = _schema(declared).dump_json([obj])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        data = path.read_bytes()
        if len(data) > MAX_OUTPUT_BYTES:
            raise ValueError(f"the stored step output {path} is larger than any step writes; refusing to read it")
        try:
            values = _schema(_declared_type(context)).validate_json(data)
        except (pydantic.ValidationError, json.JSONDecodeError) as exc:
            raise ValueError(f"the stored step output {path} does not match its declared type; it was not "
                             f"written by this code (or was altered): {exc}") from None
        if len(values) != 1:
            raise ValueError(f"the stored step output {path} holds {len(values)} values, not one")
        return values[0]


class JsonStepOutputsManager(dg.ConfigurableIOManagerFactory):
    """JSON step outputs under `base_dir` (a folder or an fsspec URL); default: the instance's storage."""

    base_dir: str | None = None

    def create_io_manager(self, context: dg.InitResourceContext) -> JsonStepOutputs:
        base = self.base_dir or context.instance.storage_directory()
        return JsonStepOutputs(base_path=UPath(base))
