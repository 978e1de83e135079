"""Agency ids: the same agency across years and spellings, told apart from its namesakes.

Rule (warehouse contract, *Agencies*):
* a report that names its agency gets an id derived from its region as far as known (province,
  city, county) and its core name (办事处, 人民政府 and leading place names removed), so
  `新碶街道办事处` and `新碶街道` are one agency;
* a name found without any region joins an existing agency with the same core name only when
  exactly one such agency exists (there are hundreds of 城关镇 and 新华街道 in China);
* a report that never names its agency gets `unresolved:<path without extension>`, so the .txt,
  .docx and .pdf of one report share it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipelines.extract.regions import Region

PLACEHOLDER_PREFIX = "unresolved:"


@dataclass(frozen=True, slots=True)
class AgencyClaim:
    """What one report says about its agency."""

    report_id: str
    path: str
    core_name: str | None
    region: Region


def derived_id(core_name: str, region: Region) -> str:
    key = "|".join([region.province or "", region.city or "", region.county or "", core_name])
    return "ag_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def placeholder_id(path: str) -> str:
    p = PurePosixPath(path)
    return PLACEHOLDER_PREFIX + str(p.with_suffix("") if p.suffix else p)


def assign_ids(claims: Iterable[AgencyClaim], existing: Mapping[str, set[str]]) -> dict[str, str]:
    """Given the claims of new reports and the ids already known per core name, return report → agency id.

    Claims with a region are assigned first, so that a region-less namesake in the same batch
    can join them.
    """
    known: dict[str, set[str]] = {core: set(ids) for core, ids in existing.items()}
    out: dict[str, str] = {}
    ordered = sorted(claims, key=lambda c: (c.region.is_empty(), c.path))
    for claim in ordered:
        if not claim.core_name:
            out[claim.report_id] = placeholder_id(claim.path)
            continue
        if claim.region.is_empty():
            namesakes = known.get(claim.core_name, set())
            agency_id = next(iter(namesakes)) if len(namesakes) == 1 else derived_id(claim.core_name, claim.region)
        else:
            agency_id = derived_id(claim.core_name, claim.region)
        known.setdefault(claim.core_name, set()).add(agency_id)
        out[claim.report_id] = agency_id
    return out
