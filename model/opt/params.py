"""Parameter objects of the investment-allocation LP.

:class:`OptState` is the economy's latest observed state passed in by the
runner; :class:`Target` is one plan target. The structural LP's own
parameters are :class:`model.opt.structural.StructuralParams`.

Units and price basis
---------------------
All money quantities are 亿元 (100 million yuan) at constant prices of the
base year ``years[0]`` (the latest data year). Nominal targets are converted
with ``deflator[t] = P_t / P_base``. Energy is measured in "2019-intensity
亿元": the energy that 1 亿元 of base-year-price GDP used at the 2019 CZT
energy intensity, so ``E_t / GDP_t * 100`` is the energy-intensity index
(2019 = 100) that the plan's −10 % target refers to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import CztInputError

TargetKind = Literal["gdp_level", "gdp_growth", "energy_intensity", "hightech_share", "hightech_level"]
TARGET_UNITS = {
    "gdp_level": "100m yuan (nominal)",
    "gdp_growth": "percent per year (real, average)",
    "energy_intensity": "index (2019 = 100)",
    "hightech_share": "percent of GDP",
    "hightech_level": "100m yuan (nominal)",
}
#: ``>=``: achieved must be at least ``value``; ``<=``: at most.
TARGET_SENSE = {"gdp_level": ">=", "gdp_growth": ">=", "energy_intensity": "<=",
                "hightech_share": ">=", "hightech_level": ">="}


@dataclass(frozen=True)
class Target:
    """One target as a linear constraint with an elastic slack.

    Parameters
    ----------
    id : str
        Short identifier, e.g. ``"gdp_2025"``.
    kind : {"gdp_level", "gdp_growth", "energy_intensity", "hightech_share", "hightech_level"}
        ``gdp_level``: GDP in ``year`` ≥ ``value`` (亿元, nominal).
        ``gdp_growth``: average real growth from ``base_year`` to ``year`` ≥
        ``value`` (% per year); needs ``base_real_ratio``.
        ``energy_intensity``: energy-intensity index (2019 = 100) in ``year``
        ≤ ``value`` (a 10 % cut is ``value = 90``).
        ``hightech_share``: high-tech VA / GDP ≥ ``value`` (%).
        ``hightech_level``: high-tech VA ≥ ``value`` (亿元, nominal).
    year : int
        Year the target applies to.
    value : float
        Required value in the target's own units (see ``TARGET_UNITS``).
    base_year : int, optional
        Start year of a growth target.
    base_real_ratio : float, optional
        Real GDP of ``base_year`` divided by real GDP of the LP base year
        (growth targets only), e.g. 16835/22128 adjusted for prices.
    source : str
        Where the target comes from (for the report).
    """

    id: str
    kind: TargetKind
    year: int
    value: float
    base_year: int | None = None
    base_real_ratio: float | None = None
    source: str = ""

    @property
    def unit(self) -> str:
        return TARGET_UNITS[self.kind]

    @property
    def sense(self) -> str:
        return TARGET_SENSE[self.kind]


@dataclass(frozen=True)
class OptState:
    """Latest observed state of the CZT economy (passed in by the runner).

    Parameters
    ----------
    year : int
        Latest data year (the LP base year), e.g. 2024.
    gdp_nominal : float
        CZT GDP in ``year``, 亿元 at current prices (2024: 22128.3).
    energy_intensity_index : float
        CZT energy use per unit of real GDP in ``year``, 2019 = 100.
    hightech_va : float
        CZT high-tech VA in ``year``, 亿元 at current prices (estimate).
    gdp_real_ratio_2019 : float, optional
        Real GDP of ``year`` / real GDP of 2019 (chained volume index). Needed
        for the plan's "年均增长8%左右" growth target; without it that target
        is skipped.
    deflator : dict, optional
        ``{year: P_year / P_state_year}`` for future years (GDP deflator from
        the forecasting core); validated, not used by the LP, which takes each
        path's own ``GDP|Deflator``.
    gdp_real_path : dict, optional
        ``{year: real GDP}`` on any constant-price basis (history and/or
        forecast median); used for growth targets with other base years.
    """

    year: int
    gdp_nominal: float
    energy_intensity_index: float
    hightech_va: float
    gdp_real_ratio_2019: float | None = None
    deflator: dict[int, float] | None = None
    gdp_real_path: dict[int, float] | None = None

    @classmethod
    def from_mapping(cls, d: "dict | OptState") -> "OptState":
        """Build from a dict or return an OptState unchanged.

        Accepts either the fields of this class, or the runner's state dict
        (``model.runner._state``): ``year, gdp_nominal, gdp_real_2019prices,
        gdp_nominal_2019, energy_intensity_index={"year", "value"},
        hightech_va={"year", "value"}, forecast_median={variable: {year: median}}``.
        Values of other years than ``year`` are moved to ``year`` with the
        forecast medians (``Energy intensity``, ``High-tech VA``); the deflator
        path is ``GDP|Deflator`` relative to ``year``.
        """
        if isinstance(d, OptState):
            return d
        if not isinstance(d, dict):
            raise CztInputError("optimisation state", f"expected a dict or OptState, got {type(d).__name__}")
        if "forecast_median" in d or isinstance(d.get("energy_intensity_index"), dict):
            d = cls._from_runner(d)
        known = set(cls.__dataclass_fields__)
        extra = set(d) - known
        if extra:
            raise CztInputError("optimisation state", f"unknown keys {sorted(extra)} (known: {sorted(known)})")
        missing = {"year", "gdp_nominal", "energy_intensity_index", "hightech_va"} - set(d)
        if missing:
            raise CztInputError("optimisation state", f"missing keys {sorted(missing)}")
        st = cls(**d)
        st.validate()
        return st

    @staticmethod
    def _from_runner(d: dict) -> dict:
        w = "optimisation state (runner)"
        try:
            y = int(d["year"])
            med = d.get("forecast_median") or {}

            def at_year(key, var):
                v = d[key]
                if not isinstance(v, dict):
                    return float(v)
                if int(v["year"]) == y:
                    return float(v["value"])
                path = med.get(var) or {}
                py = {int(k): float(x) for k, x in path.items()}
                if y in py and int(v["year"]) in py:
                    # move the observed value along the forecast median's growth
                    return float(v["value"]) * py[y] / py[int(v["year"])]
                if y in py:
                    return py[y]
                raise CztInputError(w, f"{key} is for {v['year']}, no forecast median for {y} ({var})")

            out = {"year": y, "gdp_nominal": float(d["gdp_nominal"]),
                   "energy_intensity_index": at_year("energy_intensity_index", "Energy intensity"),
                   "hightech_va": at_year("hightech_va", "High-tech VA")}
            if d.get("gdp_real_2019prices") and d.get("gdp_nominal_2019"):
                out["gdp_real_ratio_2019"] = float(d["gdp_real_2019prices"]) / float(d["gdp_nominal_2019"])
            real = {int(k): float(x) for k, x in (med.get("GDP|Real") or {}).items()}
            if real:
                out["gdp_real_path"] = real
            defl = {int(k): float(x) for k, x in (med.get("GDP|Deflator") or {}).items()}
            if y in defl and defl[y] > 0:
                out["deflator"] = {k: x / defl[y] for k, x in defl.items() if k > y}
            return out
        except KeyError as exc:
            raise CztInputError(w, f"missing key {exc}") from None

    def validate(self) -> None:
        """Raise :class:`CztInputError` on impossible values."""
        w = "optimisation state"
        if not (2000 <= int(self.year) <= 2060):
            raise CztInputError(w, f"year {self.year} outside 2000-2060")
        if not (self.gdp_nominal > 0 and np.isfinite(self.gdp_nominal)):
            raise CztInputError(w, f"gdp_nominal must be positive, got {self.gdp_nominal}")
        if not (0 < self.energy_intensity_index < 1000):
            raise CztInputError(w, f"energy_intensity_index must be in (0, 1000), got {self.energy_intensity_index}")
        if not (0 < self.hightech_va < self.gdp_nominal):
            raise CztInputError(w, f"hightech_va must be in (0, gdp_nominal), got {self.hightech_va}")
        if self.gdp_real_ratio_2019 is not None and not (0.3 < self.gdp_real_ratio_2019 < 5):
            raise CztInputError(w, f"gdp_real_ratio_2019 implausible: {self.gdp_real_ratio_2019}")
        for y, p in (self.deflator or {}).items():
            if not (p > 0 and np.isfinite(p)):
                raise CztInputError(w, f"deflator[{y}] must be positive, got {p}")
