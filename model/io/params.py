"""Read the IO parameter files in ``calibration/io/``.

:func:`load_parameters` reads ``calibration/io/parameters.toml`` and validates
it against :class:`IOParams`: an unknown key, a wrong type, an out-of-range
value, a removed key or another value than the one implemented for a method
choice is one :class:`~model.errors.CztInputError` naming the file and the key.
Every key of the file either acts on a result (``tests/test_parameters_used.py``)
or is a descriptive label / single-option method choice held to its one
implemented value (:data:`SINGLE_VALUED`): a key that nothing reads would
invite edits that change nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import CztInputError
from model.results.fileio import read_toml
from model.paths import CALIBRATION

IO_CALIBRATION = CALIBRATION / "io"
IO_PARAMS_FILE = IO_CALIBRATION / "parameters.toml"

#: Keys with exactly one value the code implements: ``dotted key -> (value, why)``.
#: Any other value is refused (the code would silently do the same thing).
SINGLE_VALUED = {
    "table": ("hunan_2017_42", "table implemented: the energy total, the high-tech share and the "
              "regionalisation are Hunan's (china_* tables are national)"),
    "base_year": (2017, "value consistent with table = 'hunan_2017_42' (descriptive: the table's year)"),
    "unit_table": ("10k yuan", "unit implemented (descriptive: the code converts the table's 万元 to 亿元)"),
    "regional.size_measure": ("value_added", "size measure implemented (no city sector employment in the data)"),
    "energy.deflator_proxy": ("cpi", "deflator implemented in the energy chain (no GDP deflator in the data; "
                              "model/io/satellite.py:hunan_energy_total)"),
    "energy.gap_growth_source": ("gcam_tpes", "gap-growth source implemented (GCAM total primary energy supply; "
                                 "model/io/satellite.py:hunan_energy_total)"),
    "projection.hold_composition": (True, "treatment implemented; a composition path is passed as "
                                    "model.io.projection.project(final_demand_composition=...)"),
}

#: Keys removed because no code read them: ``dotted key -> reason``.
REMOVED = {
    "regional.structure_year": "removed: no code read it. The structure year is the table year (base_year) "
                               "unless a caller asks for another (IOSystem.from_calibration(structure_year=...), "
                               "czt io --year; the LP uses the latest data year). Delete this key",
}

#: Assumed growth of total energy consumption for a year without an official figure.
_GROWTH_KEY = re.compile(r"^growth_(\d{4})_pct$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_Fraction = Annotated[float, Field(gt=0, lt=1)]


class Regional(_Strict):
    """``[regional]``: regionalisation of the Hunan table."""

    flq_delta: _Fraction
    delta_grid: list[_Fraction] = Field(min_length=1)
    method: Literal["SLQ", "CILQ", "FLQ"]
    size_measure: Literal["value_added"]
    primary: list[str]
    secondary_first: str
    secondary_last: str
    cities: dict[str, str] = Field(min_length=1)


class Energy(_Strict):
    """``[energy]``: the chain of the Hunan energy total and its sector split.

    Besides the fields, ``growth_<year>_pct`` keys (a number each) give the
    assumed growth of a year without an official figure.
    """

    anchor_year: int
    deflator_proxy: Literal["cpi"]
    gap_growth_source: Literal["gcam_tpes"]
    share_year: int
    energy_products: list[str] = Field(min_length=1)
    transformation_sectors: list[str] = Field(min_length=1)
    groups: dict[str, list[str]] = Field(min_length=1)


class Hightech(_Strict):
    """``[hightech]``: the Hunan high-tech VA share applied to the table."""

    hunan_share_pct: float = Field(gt=0, lt=100)
    #: descriptive: the year the share was observed (shown in the assumption record)
    hunan_share_year: int


class Capital(_Strict):
    """``[capital]``: the project's one depreciation rate."""

    depreciation_rate: _Fraction


class Projection(_Strict):
    """``[projection]``: defaults of :func:`model.io.projection.project`."""

    end_year: int
    hold_composition: Literal[True]


class IOParams(_Strict):
    """Schema of ``calibration/io/parameters.toml``."""

    base_year: Literal[2017]
    table: Literal["hunan_2017_42"]
    unit_table: Literal["10k yuan"]
    regional: Regional
    energy: Energy
    hightech: Hightech
    capital: Capital
    projection: Projection


_MISSING = object()


def _get(d: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return _MISSING
        d = d[part]
    return d


def validate_parameters(raw: dict, where: str | Path = IO_PARAMS_FILE) -> None:
    """Validate parsed IO parameters; raise one :class:`CztInputError` on the first problem.

    Parameters
    ----------
    raw : dict
        The parsed TOML.
    where : str or Path
        File named in the error.

    Raises
    ------
    CztInputError
        ``"<file> [<key>]: <what>"`` for a removed key, a value other than
        the one implemented (:data:`SINGLE_VALUED`), an unknown key, a wrong
        type or an out-of-range value.
    """
    for key, why in REMOVED.items():
        if _get(raw, key) is not _MISSING:
            raise CztInputError(f"{where} [{key}]", why)
    for key, (only, why) in SINGLE_VALUED.items():
        v = _get(raw, key)
        if v is not _MISSING and (v != only or type(v) is not type(only)):
            raise CztInputError(f"{where} [{key}]", f"{v!r} refused: {only!r} is the only {why}")
    data = dict(raw)
    growth = {}
    if isinstance(raw.get("energy"), dict):
        energy = dict(raw["energy"])
        for k in [k for k in energy if _GROWTH_KEY.match(k)]:
            v = energy.pop(k)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise CztInputError(f"{where} [energy.{k}]", f"must be a number (percent), got {v!r}")
            growth[k] = int(_GROWTH_KEY.match(k).group(1))
        data["energy"] = energy
    try:
        IOParams.model_validate(data)
    except ValidationError as exc:
        e = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")   # a misspelt key before "missing"
        key = ".".join(str(x) for x in e["loc"]) or "(file)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        raise CztInputError(f"{where} [{key}]", msg) from None
    for k, year in growth.items():
        why = _growth_key_unused(year, int(raw["base_year"]))
        if why:
            raise CztInputError(f"{where} [energy.{k}]", f"not used: {why}. Delete this key")


def _growth_key_unused(year: int, base_year: int) -> str | None:
    """Why an assumed ``growth_<year>_pct`` would be ignored by the energy chain (None: it is used).

    :func:`model.io.satellite.hunan_energy_total` grows the total from the
    last year of the GCAM balance to the table year and takes an assumed rate
    only for a year without an official (or gap-fill) figure.
    """
    from model.io import satellite as sat

    last = int(read_long_csv(sat.ENERGY_BALANCE)["year"].max())
    if not last < year <= base_year:
        return f"the chain takes yearly growth only for {last + 1}-{base_year}"
    for f in (sat.ENERGY_OFFICIAL, sat.GAPFILL):
        d = read_long_csv(f)
        hit = d[(d["region_code"] == "430000") & (d["year"] == year)
                & (d["variable"] == "energy_consumption_total_growth_yoy")]
        if len(hit):
            return f"{year} has an observed figure ({Path(f).name}), which the chain uses"
    return None


def load_parameters(path: Path | None = None) -> dict:
    """Read and validate ``calibration/io/parameters.toml``.

    Parameters
    ----------
    path : Path, optional
        Another parameter file (default ``calibration/io/parameters.toml``).

    Returns
    -------
    dict
        The parsed TOML, unchanged (validated by :func:`validate_parameters`).
    """
    path = Path(path) if path else IO_PARAMS_FILE
    raw = read_toml(path)
    validate_parameters(raw, path)
    return raw


def read_code_csv(name: str, required: list[str], path: Path | None = None) -> pd.DataFrame:
    """Read a CSV keyed by a two-digit sector ``code`` column from calibration/io."""
    path = Path(path) if path else IO_CALIBRATION / name
    if not path.exists():
        raise CztInputError(str(path), "file not found")
    df = pd.read_csv(path, dtype={"code": str})
    missing = [c for c in ["code", *required] if c not in df.columns]
    if missing:
        raise CztInputError(str(path), f"missing columns {missing}")
    dup = df["code"][df["code"].duplicated()]
    if len(dup):
        raise CztInputError(str(path), f"row for code {dup.iloc[0]} appears twice")
    return df.set_index("code")


@lru_cache(maxsize=32)
def _read_long_csv(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"region_code": str})


def read_long_csv(path) -> pd.DataFrame:
    """Read a tidy long data file (region_code as text), cached per process.

    Returns a copy, so callers may modify it.
    """
    p = Path(path)
    if not p.exists():
        raise CztInputError(str(p), "file not found")
    return _read_long_csv(str(p)).copy()
