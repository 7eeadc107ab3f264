"""Plan targets as data (``calibration/targets.toml``), validated with pydantic.

In the spirit of nomenclature's ``DataValidator``: each criterion has a value,
a comparator and (for "about" targets) a tolerance; :func:`meets` evaluates a
criterion on numbers (e.g. every simulated path) and :func:`check` returns the
offending rows of a frame rather than just ``False``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import CztInputError
from ..results.fileio import read_toml
from ..paths import CALIBRATION

TARGETS_FILE = CALIBRATION / "targets.toml"


_SCALES = (("100m", 1e8), ("billion", 1e9), ("million", 1e6), ("10k", 1e4), ("thousand", 1e3),
           ("亿", 1e8), ("万", 1e4), ("千", 1e3))
_BASES = {"yuan": "CNY", "cny": "CNY", "rmb": "CNY", "元": "CNY", "persons": "persons", "person": "persons",
          "人": "persons", "%": "percent", "percent": "percent", "pct": "percent", "index": "index"}


def unit_key(unit: str) -> tuple[float, str]:
    """``(scale, base unit)`` of a unit string, the one place unit spellings are compared.

    Parenthesised qualifiers (``(2019 prices)``, ``(current prices)``) and a
    trailing ``/yr`` are ignored; scale words and Chinese scale characters are
    read: ``100m yuan`` = ``100m CNY`` = ``亿元`` = (1e8, CNY); ``billion CNY/yr``
    = (1e9, CNY); ``yuan`` = ``元`` = (1, CNY); ``10k persons`` = ``万人``;
    ``%`` = ``percent``. Unknown spellings compare as written (lower case).
    """
    s = re.sub(r"[(（].*?[)）]", "", str(unit)).strip().lower()
    s = re.sub(r"\s*/\s*(yr|year|a)$", "", s).strip()
    scale = 1.0
    for word, factor in _SCALES:
        if s.startswith(word):
            scale, s = factor, s[len(word):].strip()
            break
    return scale, _BASES.get(s, s)


def check_criterion(t):
    """Cross-field rules shared by plan targets and scenario goals (raise ValueError).

    Besides the comparator/base-year rules, a modelled target's unit must be the
    unit of its forecast variable (compared by :func:`unit_key`), or percent
    for ``change_vs_base`` and ``avg_growth`` targets: a target rewritten in
    元 is refused against a variable in 亿元, never silently scored.
    """
    if t.comparator == "~" and t.tolerance is None:
        raise ValueError("tolerance: comparator '~' needs a tolerance")
    if t.kind != "level" and t.base_year is None:
        raise ValueError(f"base_year: kind '{t.kind}' needs base_year")
    if t.base_year is not None and t.base_year >= t.year:
        raise ValueError("base_year: must be before year")
    if getattr(t, "variable", None):
        from ..data.panel import VARIABLES  # lazy: the data layer imports pandas

        if t.variable not in VARIABLES:
            raise ValueError(f"variable: '{t.variable}' is not a forecast variable (one of: {', '.join(VARIABLES)})")
        want = "percent" if t.kind != "level" else VARIABLES[t.variable][1]
        if unit_key(t.unit) != unit_key(want):
            raise ValueError(f"unit: '{t.unit}' does not match {t.variable} ('{want}'"
                             + (f" for a {t.kind} target" if t.kind != "level" else "") + ")")
    return t


class Target(BaseModel):
    """One quantified plan target."""

    # strict types (a string "2025" is not a year), no inf/NaN (a goal "<= inf" would always be met)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    value: float
    unit: str
    comparator: Literal[">=", ">", "<=", "<", "~"]
    tolerance: float | None = Field(default=None, gt=0)
    year: int = Field(ge=2020, le=2060)
    base_year: int | None = None
    variable: str | None = None
    region: str = "CZT"
    kind: Literal["level", "change_vs_base", "avg_growth"] = "level"
    latest_variable: str | None = None
    source: str

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        return check_criterion(self)

    @property
    def modelled(self) -> bool:
        return self.variable is not None


def load_targets(path: Path | str = TARGETS_FILE, extra: list[dict] | None = None) -> list[Target]:
    """Read and validate the targets file (plus scenario-supplied targets).

    Raises
    ------
    CztInputError
        Naming the file, the target's position/id and the offending key.
    """
    path = Path(path)
    raw = read_toml(path)
    if set(raw) - {"target"}:
        raise CztInputError(path, f"unknown top-level key(s) {sorted(set(raw) - {'target'})}")
    items = raw.get("target", [])
    if not isinstance(items, list) or not items or not all(isinstance(x, dict) for x in items):
        raise CztInputError(path, "key 'target': needs one or more [[target]] tables")
    out, seen = [], set()
    n_file = len(items)
    for i, item in enumerate(list(items) + list(extra or [])):
        where = (f"{path} target #{i + 1} ({item.get('id', '?')})" if i < n_file
                 else f"scenario targets_2035 #{i - n_file + 1} ({item.get('id', '?')})")
        try:
            t = Target.model_validate(item)
        except ValidationError as exc:
            e = exc.errors()[0]
            key = ".".join(str(x) for x in e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            if not key and ": " in msg:  # a cross-field rule: its message starts with the key
                key, msg = msg.split(": ", 1)
            got = ("" if e["type"] in ("missing", "extra_forbidden") or isinstance(e.get("input"), dict)
                   else f" (got {e.get('input')!r})")
            raise CztInputError(where, f"key '{key or 'target'}': {msg}{got}") from None
        if t.id in seen:
            raise CztInputError(where, f"duplicate target id '{t.id}'")
        seen.add(t.id)
        out.append(t)
    return out


def meets(values: np.ndarray | float, target: Target) -> np.ndarray:
    """Boolean array: does each value satisfy the target's criterion?"""
    v = np.asarray(values, dtype=float)
    c, x = target.comparator, target.value
    if c == ">=":
        return v >= x
    if c == ">":
        return v > x
    if c == "<=":
        return v <= x
    if c == "<":
        return v < x
    return np.abs(v - x) <= target.tolerance


def check(df: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    """Rows of an IAMC frame (median/deterministic values) that miss a target.

    Returns the offending rows with the target id, value and comparator
    attached; an empty frame means every testable target is met.
    """
    bad = []
    for t in targets:
        if t.kind != "level" or not t.modelled:
            continue
        sel = df[(df.variable == t.variable) & (df.region == t.region) & (df.year == t.year)]
        if "quantile" in sel.columns:
            sel = sel[sel["quantile"].astype(str).isin(["0.5", ""])]
        miss = sel[~meets(sel.value.to_numpy(), t)]
        if len(miss):
            bad.append(miss.assign(target=t.id, target_value=t.value, comparator=t.comparator))
    return pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(columns=list(df.columns) + ["target", "target_value", "comparator"])
