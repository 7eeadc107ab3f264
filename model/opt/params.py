"""Parameter objects of the investment-allocation LP.

:class:`OptParams` holds everything :func:`model.opt.build.build_model` needs,
as plain numbers and numpy arrays (no pyomo), validated on construction so a
bad parameter fails with one clear :class:`~model.errors.CztInputError`
instead of a solver error. :class:`OptState` is the economy's latest observed
state passed in by the runner; :class:`Target` is one plan target.

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

from dataclasses import dataclass, field, replace
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
        the forecasting core). Missing years use the default deflator growth
        of ``calibration/optimisation/parameters.toml``.
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


@dataclass(frozen=True)
class OptParams:
    """All inputs of the LP (n clusters, years ``years[0]`` … ``years[-1]``).

    ``years[0]`` is the observed base year: its VA, output and capital are
    fixed; investment is decided for ``years[1:]``.

    Parameters
    ----------
    clusters : tuple of str
        Cluster codes (length n).
    years : tuple of int
        Consecutive years, base year first.
    A : ndarray (n, n)
        Regional technical coefficients (regional intermediate input of i per
        unit of output of j).
    v : ndarray (n,)
        Value-added coefficients VA/X, in (0, 1].
    g : ndarray (n,)
        Regional output of cluster i demanded per 亿元 of total investment
        (investment-goods composition of GFCF, regional part; sum ≤ 1).
    kappa : ndarray (n,)
        Capital–output ratios K/VA (capital per unit of value-added capacity).
    delta : ndarray (n,)
        Depreciation rates.
    va0 : ndarray (n,)
        Base-year value added, 亿元.
    inv_share0 : ndarray (n,)
        Base-year investment shares by destination cluster (sum 1).
    energy_coef : ndarray (n,)
        Energy per unit of output in the base year (2019-intensity 亿元 per 亿元).
    energy_hh : float
        Household energy per unit of GDP in the base year.
    hightech_share : ndarray (n,)
        High-tech share of each cluster's VA, in [0, 1].
    envelope : ndarray (T,)
        Investment envelope s_t (share of GDP) per year (index 0 unused).
    deflator : ndarray (T,)
        P_t / P_base per year (deflator[0] = 1).
    other_fd0 : ndarray (n,)
        Base-year other regional final demand O0 (consumption, inventories,
        net outflows), 亿元 – the IO residual X0 − A X0 − g s GDP0.
    demand_band : ndarray (T,)
        Relative band β_t around the trend path of other final demand:
        (1 − β_t) Ō ≤ O[c,t] ≤ (1 + β_t) Ō, Ō = O0 (1 + demand_growth)^(t − t0).
    demand_growth : float
        Trend growth of other final demand per year.
    max_growth, max_decline : float
        Bounds on the annual change of a cluster's real VA.
    max_share_shift : float
        Max drift per year of a cluster's investment share from its base
        share (cumulative, see formulation notes).
    efficiency_gain : float
        Annual fall of energy per unit of output within every cluster.
    discount_rate : float
        For the discounted-GDP objective.
    targets : tuple of Target
    mode : {"max_gdp", "min_investment"}
    penalty : float
        Objective weight per 亿元 (base-year prices) of target slack.
    names : tuple of str, optional
        Display names of the clusters.
    """

    clusters: tuple[str, ...]
    years: tuple[int, ...]
    A: np.ndarray
    v: np.ndarray
    g: np.ndarray
    kappa: np.ndarray
    delta: np.ndarray
    va0: np.ndarray
    inv_share0: np.ndarray
    energy_coef: np.ndarray
    energy_hh: float
    hightech_share: np.ndarray
    envelope: np.ndarray
    deflator: np.ndarray
    other_fd0: np.ndarray
    demand_band: np.ndarray
    demand_growth: float
    max_growth: float
    max_decline: float
    max_share_shift: float
    efficiency_gain: float
    discount_rate: float
    targets: tuple[Target, ...]
    mode: Literal["max_gdp", "min_investment"] = "max_gdp"
    penalty: float = 1000.0
    names: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("A", "v", "g", "kappa", "delta", "va0", "inv_share0", "energy_coef",
                     "hightech_share", "envelope", "deflator", "other_fd0", "demand_band"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=float))
        object.__setattr__(self, "clusters", tuple(str(c) for c in self.clusters))
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        object.__setattr__(self, "targets", tuple(self.targets))
        if not self.names:
            object.__setattr__(self, "names", self.clusters)
        self.validate()

    @property
    def n(self) -> int:
        return len(self.clusters)

    @property
    def gdp0(self) -> float:
        """Base-year GDP (亿元)."""
        return float(self.va0.sum())

    @property
    def x0(self) -> np.ndarray:
        """Base-year gross output X0 = VA0 / v."""
        return self.va0 / self.v

    @property
    def k0(self) -> np.ndarray:
        """Base-year capital stock K0 = kappa · VA0 (full utilisation)."""
        return self.kappa * self.va0

    def with_(self, **changes) -> "OptParams":
        """Return a validated copy with some fields changed."""
        return replace(self, **changes)

    def with_target(self, target_id: str, value: float) -> "OptParams":
        """Copy with one target's required value changed."""
        ids = [t.id for t in self.targets]
        if target_id not in ids:
            raise CztInputError("targets", f"no target '{target_id}' (have {ids})")
        return self.with_(targets=tuple(replace(t, value=float(value)) if t.id == target_id else t
                                         for t in self.targets))

    def validate(self) -> None:
        """Raise :class:`CztInputError` naming the first bad parameter."""
        w = "optimisation parameters"
        n = len(self.clusters)
        if n == 0:
            raise CztInputError(w, "no clusters")
        if len(set(self.clusters)) != n:
            raise CztInputError(w, "duplicate cluster codes")
        ys = self.years
        if len(ys) < 2 or any(b - a != 1 for a, b in zip(ys, ys[1:])):
            raise CztInputError(w, f"years must be >= 2 consecutive years, got {ys[:3]}…")
        T = len(ys)
        shapes = {"A": (n, n), "v": (n,), "g": (n,), "kappa": (n,), "delta": (n,), "va0": (n,),
                  "inv_share0": (n,), "energy_coef": (n,), "hightech_share": (n,),
                  "envelope": (T,), "deflator": (T,), "other_fd0": (n,), "demand_band": (T,)}
        for name, shp in shapes.items():
            a = getattr(self, name)
            if a.shape != shp:
                raise CztInputError(w, f"{name}: shape {a.shape}, expected {shp}")
            if not np.all(np.isfinite(a)):
                raise CztInputError(w, f"{name}: non-finite values")
        if len(self.names) != n:
            raise CztInputError(w, f"names: {len(self.names)} names for {n} clusters")

        def bad(name, mask):
            idx = np.flatnonzero(np.atleast_1d(mask))
            if idx.size:
                c = self.clusters[idx[0]] if name not in ("envelope", "deflator", "demand_band") else ys[idx[0]]
                raise CztInputError(w, f"{name}: invalid value {np.atleast_1d(getattr(self, name))[idx[0]]!r} at {c}")

        if np.any(self.A < 0):
            raise CztInputError(w, "A: negative coefficient")
        colsum = self.A.sum(axis=0)
        if np.any(colsum >= 1):
            j = int(np.argmax(colsum))
            raise CztInputError(w, f"A: column {self.clusters[j]} sums to {colsum[j]:.3f} >= 1 (not productive)")
        bad("v", (self.v <= 0) | (self.v > 1))
        bad("g", self.g < 0)
        if self.g.sum() > 1 + 1e-9:
            raise CztInputError(w, f"g: regional investment-goods shares sum to {self.g.sum():.3f} > 1")
        bad("kappa", self.kappa <= 0)
        bad("delta", (self.delta < 0) | (self.delta >= 1))
        bad("va0", self.va0 <= 0)
        bad("inv_share0", self.inv_share0 < 0)
        if abs(self.inv_share0.sum() - 1) > 1e-6:
            raise CztInputError(w, f"inv_share0: sums to {self.inv_share0.sum():.6f}, expected 1")
        bad("energy_coef", self.energy_coef < 0)
        if not (self.energy_hh >= 0):
            raise CztInputError(w, f"energy_hh: must be >= 0, got {self.energy_hh}")
        bad("hightech_share", (self.hightech_share < 0) | (self.hightech_share > 1))
        bad("envelope", (self.envelope < 0) | (self.envelope >= 1))
        bad("deflator", self.deflator <= 0)
        bad("other_fd0", self.other_fd0 < 0)
        bad("demand_band", (self.demand_band < 0) | (self.demand_band > 1))
        if not (-0.5 < self.demand_growth < 1):
            raise CztInputError(w, f"demand_growth: must be in (-0.5, 1), got {self.demand_growth}")
        for name in ("max_growth", "max_share_shift"):
            val = getattr(self, name)
            if not (0 < val <= 1):
                raise CztInputError(w, f"{name}: must be in (0, 1], got {val}")
        if not (0 <= self.max_decline < 1):
            raise CztInputError(w, f"max_decline: must be in [0, 1), got {self.max_decline}")
        if np.any(self.delta > self.max_decline + 1e-12):
            raise CztInputError(w, f"max_decline ({self.max_decline}) below a depreciation rate "
                                f"({self.delta.max()}): 'no investment' would be infeasible")
        if not (0 <= self.efficiency_gain < 0.5):
            raise CztInputError(w, f"efficiency_gain: must be in [0, 0.5), got {self.efficiency_gain}")
        if not (0 <= self.discount_rate < 1):
            raise CztInputError(w, f"discount_rate: must be in [0, 1), got {self.discount_rate}")
        if self.mode not in ("max_gdp", "min_investment"):
            raise CztInputError(w, f"mode: '{self.mode}' not one of max_gdp, min_investment")
        if not (self.penalty > 0):
            raise CztInputError(w, f"penalty: must be > 0, got {self.penalty}")
        seen = set()
        for t in self.targets:
            if t.id in seen:
                raise CztInputError(w, f"target id '{t.id}' duplicated")
            seen.add(t.id)
            if t.kind not in TARGET_UNITS:
                raise CztInputError(w, f"target '{t.id}': unknown kind '{t.kind}'")
            if t.year not in ys[1:]:
                raise CztInputError(w, f"target '{t.id}': year {t.year} outside decision years {ys[1]}-{ys[-1]}")
            if not np.isfinite(t.value) or t.value < 0:
                raise CztInputError(w, f"target '{t.id}': value must be finite and >= 0, got {t.value}")
            if t.kind == "gdp_growth" and (t.base_year is None or not t.base_real_ratio or t.base_real_ratio <= 0):
                raise CztInputError(w, f"target '{t.id}': growth target needs base_year and base_real_ratio > 0")
            if t.kind == "hightech_share" and t.value >= 100:
                raise CztInputError(w, f"target '{t.id}': share must be < 100 %, got {t.value}")
