"""Declared schema of the vendored long-format data files.

Every file under ``calibration/data/{macro,energy,hightech}`` is tidy long
format ``region_code, region, year, variable, unit, value, source_id`` (the
energy balance adds ``sector``). :data:`UNITS` declares the unit of every
variable the model reads; a file that gives one of these variables in another
unit is rejected, so a silent unit change upstream cannot reach a forecast.
"""
from __future__ import annotations

LONG_COLUMNS = ["region_code", "region", "year", "variable", "unit", "value", "source_id"]
KEY = ["region_code", "year", "variable"]
REGIONS = {"430000", "430100", "430200", "430300", "CZT", "CN"}
CITY_CODES = ("430100", "430200", "430300")  # Changsha, Zhuzhou, Xiangtan
YEAR_RANGE = (1949, 2035)

# Variables the model uses, with the unit each must carry.
UNITS: dict[str, str] = {
    "gdp_nominal": "100m yuan (current prices)",
    "gdp_real_growth": "percent (real, yoy)",
    "pop_resident_yearend": "10k persons",
    "pop_resident_census": "persons",
    "pop_urban_census": "persons",
    "pop_urban_yearend": "10k persons",
    "urbanization_rate": "percent",
    "cpi_index": "index (previous year = 100)",
    "energy_intensity_gdp_change_yoy": "percent",
    "hightech_industry_value_added": "100m yuan (current prices)",
    "hightech_industry_value_added_growth_yoy": "percent",
    "gdp_per_capita": "yuan",
    "rd_intensity_share_of_gdp": "percent",
    "new_urban_employment": "10k persons",
}

# Levels that are strictly positive: a zero GDP, population or price index is a data error
# (division by it would make per-capita values, growth rates and logs meaningless).
POSITIVE: frozenset[str] = frozenset({
    "gdp_nominal", "pop_resident_yearend", "pop_resident_census", "pop_urban_census", "pop_urban_yearend",
    "cpi_index", "hightech_industry_value_added", "gdp_per_capita", "gdp",
})

# Units whose values may be negative (changes, rates, balances); every other
# unit is a level and must be >= 0.
SIGNED_UNIT_MARKERS = ("percent", "per mille")


def is_signed(unit: str, variable: str) -> bool:
    """True if a value of this unit/variable may legitimately be negative."""
    if any(m in unit for m in SIGNED_UNIT_MARKERS):
        return True
    return variable.endswith(("_change", "_change_yoy", "_growth", "_growth_yoy"))
