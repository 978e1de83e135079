"""An agency's level from its name: the tier of government it belongs to, or a department.

Levels: ministry (State Council bodies), province, city, county, township, street_office (the
people's governments of each tier and their 街道办事处), department (a bureau, commission or office
of some government), or NULL when the name says nothing. The rules are data: the first whose
ending (or pattern) matches the name wins, so order runs from most specific to least.
"""

from __future__ import annotations

import re

# (pattern on the name with spaces removed, level)
LEVEL_RULES: tuple[tuple[str, str], ...] = (
    (r"街道(办事处|党工委)?$", "street_office"),
    (r"(镇|乡|苏木)(人民政府)?$", "township"),
    (r"(省|自治区)人民政府(办公厅)?$", "province"),
    (r"^(北京|天津|上海|重庆)市人民政府(办公厅)?$", "province"),
    (r"(自治州|地区|盟)(人民政府|行政公署)(办公室)?$", "city"),
    (r"(县|旗|区|自治县|自治旗|特区|林区)人民政府(办公室)?$", "county"),
    (r"市人民政府(办公室)?$", "city_or_county"),  # resolved by the region below
    (r"^(国务院|中华人民共和国|国家)", "ministry"),
    (r"(部|总局|总署|委员会|署|局|厅|委|办公室|办|中心|院|所|会|队|站|处|馆)$", "department"),
)
_COMPILED = tuple((re.compile(p), level) for p, level in LEVEL_RULES)


def agency_level(name: str | None, county: str | None = None) -> str | None:
    """Given an agency name (and the county its region resolved to), return its level or None.

    `X市人民政府` is a city's government unless the region says X市 is a county-level city.
    """
    if not name:
        return None
    key = "".join(name.split())
    for pattern, level in _COMPILED:
        if pattern.search(key):
            if level == "city_or_county":
                return "county" if county and key.startswith(county) else "city"
            return level
    return None
