"""Scenario files: a pydantic schema with inheritance.

A scenario is a TOML file in ``scenarios/`` (or any path). Its keys override
the defaults in ``calibration/parameters.toml``; ``extends = "baseline"`` merges
a parent scenario first (recursively). The merged mapping is validated by
:class:`Scenario` (unknown keys, wrong types and out-of-range values are
rejected). Errors name the file that supplied the offending key.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator,
                      model_validator)

from ..errors import CztInputError
from ..results.fileio import read_toml
from ..paths import CALIBRATION, SCENARIOS

PARAMETERS_FILE = CALIBRATION / "parameters.toml"
Comparator = Literal[">=", ">", "<=", "<", "~"]

#: A scenario name becomes the folder ``outputs/<name>/``: letters, digits, ``_`` and ``-``.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
NAME_MAX_LENGTH = 64
#: Names (lower-case) and prefixes taken by other outputs or by the operating system.
RESERVED_NAMES = frozenset({"readme", "evaluate", "export", "exports", "backtest", "cache", "sweep", "compare",
                            "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
RESERVED_PREFIXES = ("compare_", "sweep_", "evaluate_", "export_")


def check_name(v: str) -> str:
    """Validate a scenario name (it becomes ``outputs/<name>/``); raise ValueError if unsafe."""
    if len(v) > NAME_MAX_LENGTH:
        raise ValueError(f"longer than {NAME_MAX_LENGTH} characters ({len(v)})")
    if not NAME_PATTERN.match(v):
        raise ValueError("must start with a letter or digit and use only letters, digits, '_' and '-' "
                         "(it becomes the folder outputs/<name>/)")
    low = v.lower()
    if low in RESERVED_NAMES or low.startswith(RESERVED_PREFIXES):
        raise ValueError(f"'{v}' is reserved (README, compare_*, evaluate, sweep_*, export_* ... are other "
                         f"outputs' folders); choose another name")
    return v


#: Measured peak memory per simulated path and year of the span ``history_start..end_year``
#: (bytes): ``run_scenario("baseline")`` peaked at 180.3 MB with 1 000 paths and 382.9 MB with
#: 20 000 (span 1995-2035, 41 years): 202.6 MiB / 19 000 / 41 ≈ 273 bytes.
BYTES_PER_PATH_YEAR = 273.0
#: The same measurement's fixed part (imports, data, fits): 180.3 MB - 1 000 x 41 x 273 B.
BASE_BYTES = 169e6
N_PATHS_RANGE = (100, 100_000)


def memory_needed(n: int, sc: "Scenario") -> float:
    """Estimated peak memory (bytes) of a run with ``n`` paths (:data:`BYTES_PER_PATH_YEAR`)."""
    return BASE_BYTES + BYTES_PER_PATH_YEAR * float(n) * (sc.forecast.end_year - sc.forecast.history_start + 1)


def _available_memory() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_n_paths(n: int, sc: "Scenario") -> int:
    """Validate an ``n_paths`` override (``--paths``) up front, before any work.

    Outside the schema's range it is bad input (the message states the memory
    the request would need, :func:`memory_needed`); inside it, a request that
    would not fit in the memory available now is refused as an environment error.
    """
    from ..errors import CztEnvironmentError

    lo, hi = N_PATHS_RANGE
    if isinstance(n, bool) or not isinstance(n, int) or not lo <= n <= hi:
        need = memory_needed(n, sc) if isinstance(n, int) and n > hi else None
        raise CztInputError("--paths", f"must be an integer from {lo} to {hi:,} (got {n!r}"
                            + (f"; it would need about {need / 2**30:,.1f} GiB of memory" if need else "") + ")")
    need, avail = memory_needed(n, sc), _available_memory()
    if avail is not None and need > avail:
        raise CztEnvironmentError("--paths", f"{n:,} paths need about {need / 2**30:,.1f} GiB of memory, "
                                             f"{avail / 2**30:,.1f} GiB is available; use fewer paths")
    return n


def _unique_methods(v: list | None) -> list | None:
    """A method listed twice would count twice in the weighting (e.g. 'equal' would not be equal)."""
    if v is not None and len(set(v)) != len(v):
        raise ValueError(f"method(s) {sorted({m for m in v if v.count(m) > 1})} listed more than once")
    return v


class _Strict(BaseModel):
    # strict: a TOML string "2000" or boolean true is a wrong type for an int
    # (pydantic's lax mode would coerce it silently); ints are still fine for floats.
    # allow_inf_nan=False: TOML's inf/nan are never a valid setting (a goal of "<= inf" would always be met)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


Method = Literal["drift", "ets_damped", "arima", "llt", "slowing_growth", "mean_reversion", "naive"]
WeightRule = Literal["inverse_mae", "trimmed_inverse_mae", "best", "equal"]


class VariableForecast(_Strict):
    """Per-variable override of the candidate methods and the weight rule."""

    methods: list[Method] | None = Field(default=None, min_length=1)
    weight_rule: WeightRule | None = None

    @field_validator("methods")
    @classmethod
    def _unique(cls, v):
        return _unique_methods(v)


class ForecastSettings(_Strict):
    """Forecasting choices (``variables`` overrides them for one jointly forecast variable)."""

    methods: list[Method] = Field(min_length=1)
    weight_rule: WeightRule
    variables: dict[Literal["GDP|Real", "GDP|Deflator", "Population|Resident"], VariableForecast] = {}
    n_paths: int = Field(ge=100, le=100_000)
    end_year: int = Field(ge=2026, le=2060)
    history_start: int = Field(ge=1995, le=2015)
    # TOML arrays arrive as lists: allow list -> tuple, keep the items strict ints
    backtest_origins: tuple[Annotated[int, Strict()], Annotated[int, Strict()]] = Field(strict=False)
    backtest_horizons: int = Field(ge=1, le=10)
    #: forecast origin T: only data for years <= T are used (panel, anchors, backtests,
    #: weights, interval calibration); None = the latest data year
    as_of: int | None = Field(default=None, ge=2005, le=2035)
    #: widen/narrow each horizon's spread to the origin's own out-of-sample errors
    #: (split-conformal scaling, :mod:`model.forecast.calibrate`)
    calibrate_intervals: bool = True

    @field_validator("methods")
    @classmethod
    def _unique(cls, v):
        return _unique_methods(v)

    def for_variable(self, variable: str) -> tuple[list[str], str]:
        """(methods, weight rule) in force for ``variable``."""
        o = self.variables.get(variable)
        return (list(o.methods) if o and o.methods else list(self.methods),
                o.weight_rule if o and o.weight_rule else self.weight_rule)


class GdpAssumptions(_Strict):
    growth_adjustment_pp: float = Field(ge=-10, le=10)
    deflator_adjustment_pp: float = Field(ge=-10, le=10)
    city_growth_2019_fill: Literal["czt_rate"]
    city_growth_2024_fill: Literal["czt_rate", "avg_then_residual"]


class PopulationAssumptions(_Strict):
    growth_adjustment_pp: float = Field(ge=-5, le=5)
    #: The 7th census counts residents at 2020-11-01; the panel uses it as the 2020 year-end level. That is
    #: the only treatment implemented (model.data.panel.build_population), so ``false`` is refused rather
    #: than silently ignored.
    census_date_as_yearend: Literal[True]


class EnergyAssumptions(_Strict):
    unobserved_yoy_change_pct: float | None = Field(default=None, ge=-20, le=20)
    unobserved_yoy_sd_pct: float | None = Field(default=None, ge=0, le=20)
    czt_relative_to_hunan_pp: float = Field(ge=-10, le=10)
    last_data_year: int = Field(ge=2019, le=2035)


class HightechAssumptions(_Strict):
    czt_share_of_gdp_2019_pct: float = Field(gt=0, lt=100)
    share_change_pp_per_year: float | None = Field(default=None, ge=-10, le=10)
    share_change_sd_pp: float | None = Field(default=None, ge=0, le=10)
    share_premium_pp_per_year: float = Field(ge=-10, le=10)
    last_data_year: int = Field(ge=2019, le=2035)


def _distinct_years(v: list[int]) -> list[int]:
    if len(set(v)) != len(v):
        raise ValueError(f"a year is listed twice ({v})")
    return v


#: City codes a per-city mapping may name (Changsha, Zhuzhou, Xiangtan); anything else is refused.
CityCode = Literal["430100", "430200", "430300"]
BreakYears = Annotated[list[Annotated[int, Field(ge=1995, le=2035)]], AfterValidator(_distinct_years)]


class PanelSettings(_Strict):
    deflator_break_years: dict[CityCode, BreakYears]


class Assumptions(_Strict):
    gdp: GdpAssumptions
    population: PopulationAssumptions
    energy: EnergyAssumptions
    hightech: HightechAssumptions


class IOSettings(_Strict):
    flq_delta: float = Field(gt=0, lt=1)
    regionalisation: Literal["flq", "slq", "cilq"]
    level: Literal["cluster", "sector"]


class OptimisationSettings(_Strict):
    mode: Literal["none", "max_gdp", "min_investment", "frontier"]
    solver: Literal["highs", "appsi_highs"]
    start_year: int = Field(ge=2019, le=2030)
    end_year: int = Field(ge=2025, le=2060)
    discount_rate: float = Field(ge=0, le=0.2)
    investment_share_of_gdp: float | None = Field(default=None, gt=0, lt=1)
    max_cluster_growth: float = Field(gt=0, le=1)
    max_share_shift: float = Field(gt=0, le=1)
    energy_cut_2025: float = Field(ge=0, lt=1)
    #: Removed: no model code read it (the structural model's control efficiency trend is the
    #: energy-intensity path, ``assumptions.energy.*``; the policy lever is ``levers.efficiency_gain_pct``).
    #: Kept only to refuse it with that explanation instead of a bare "unknown key".
    energy_efficiency_gain: float | None = Field(default=None, exclude=True)
    hightech_share_2025: float = Field(ge=0, lt=1)
    hightech_level_2025: float = Field(ge=0)
    gdp_target_2025: float | None = Field(default=None, ge=0)
    penalty: float = Field(gt=0)
    frontier_points: int = Field(ge=2, le=500)

    #: multiplies the calibrated capital-output ratios kappa on every path of the structural LP, on top of
    #: the per-path kappa-uncertainty draws (model.engine.kappa); bounds: the range the LP core accepts for
    #: a path's kappa scale (model.opt.pathlp.PathInputs)
    kappa_scale: float = Field(default=1.0, gt=0.2, lt=5)
    #: the structural LP's depreciation rate delta (perpetual inventory, kappa, capital accumulation, kappa
    #: draws); None = the project's one delta, calibration/io/parameters.toml [capital]
    depreciation_rate: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("energy_efficiency_gain")
    @classmethod
    def _removed(cls, v):
        if v is not None:
            raise ValueError("removed: no model code read it. The control's efficiency trend is the energy-"
                             "intensity path (assumptions.energy.unobserved_yoy_change_pct, "
                             "czt_relative_to_hunan_pp); an extra efficiency gain is the lever "
                             "levers.efficiency_gain_pct. Delete this key")
        return v


class Target2035(_Strict):
    """A user-supplied long-run goal (the plan's 2035 vision is qualitative).

    Same fields as a plan target in ``calibration/targets.toml``; ``variable``
    must name a forecast variable (e.g. ``"GDP|Nominal"``).
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = ""
    variable: str
    region: str = "CZT"
    value: float
    unit: str
    comparator: Comparator
    tolerance: float | None = Field(default=None, gt=0)
    year: int = Field(default=2035, ge=2026, le=2060)
    kind: Literal["level", "change_vs_base", "avg_growth"] = "level"
    base_year: int | None = None
    note: str = ""

    @field_validator("variable")
    @classmethod
    def _known_variable(cls, v: str) -> str:
        from ..data.panel import VARIABLES  # lazy: the data layer imports pandas

        if v not in VARIABLES:
            raise ValueError(f"not a forecast variable (one of: {', '.join(VARIABLES)})")
        return v

    @field_validator("region")
    @classmethod
    def _known_region(cls, v: str) -> str:
        from ..data.panel import REGIONS

        if v not in REGIONS:
            raise ValueError(f"not one of {', '.join(REGIONS)}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Target2035":
        from .targets import check_criterion

        return check_criterion(self)

    def as_target_dict(self) -> dict:
        d = self.model_dump(exclude={"note"})
        d["name"] = self.name or self.id
        d["source"] = self.note or "scenario-supplied goal"
        return d


class Levers(_Strict):
    """A scenario's policy levers, acting through the structural model (``model.engine``).

    Every value is a modelling choice of the scenario file; the default (all
    zero, ``investment = "trend"``) is the control. Cluster keys are the
    cluster codes of ``calibration/io/cluster_map.csv`` (checked when the run
    builds the structural model).
    """

    #: "trend": the control allocation (+ ``extra_investment``); "optimised": the
    #: investment LP's allocation, re-solved on a sample of forecast paths.
    investment: Literal["trend", "optimised"] = "trend"
    #: extra investment by destination cluster, 亿元/yr at base-year prices, from ``start_year``
    extra_investment: dict[str, Annotated[float, Field(ge=-1e5, le=1e5)]] = {}
    #: extra other final demand (consumption, outflows) by cluster, 亿元/yr at base-year prices
    demand_shock: dict[str, Annotated[float, Field(ge=-1e5, le=1e5)]] = {}
    #: extra within-cluster fall of energy per unit of output, percent per year
    efficiency_gain_pct: float = Field(default=0.0, ge=0, le=10)
    #: high-tech share of GDP gained by within-cluster upgrading, pp/yr (costed; bounded by the
    #: fastest gain observed in the vendored high-tech data, checked at run time)
    hightech_upgrade_pp: float = Field(default=0.0, ge=0, le=5)
    #: first year the levers act
    start_year: int = Field(default=2025, ge=2020, le=2060)

    @field_validator("extra_investment")
    @classmethod
    def _one_investment_source(cls, v: dict, info) -> dict:
        if info.data.get("investment") == "optimised" and any(v.values()):
            raise ValueError("not with investment = \"optimised\" (the LP chooses the allocation); "
                             "use investment = \"trend\" to add investment to the control's")
        return v

    def is_zero(self) -> bool:
        """True if no lever moves anything (the scenario is its control)."""
        return (self.investment == "trend" and not any(self.extra_investment.values())
                and not any(self.demand_shock.values()) and self.efficiency_gain_pct == 0
                and self.hightech_upgrade_pp == 0)


class Scenario(_Strict):
    """A validated, fully merged scenario."""

    # the name is the output folder outputs/<name>/: a plain folder name, no path separators,
    # no dots, at most NAME_MAX_LENGTH characters, none of RESERVED_NAMES (see check_name)
    name: str
    description: str = ""
    extends: str | None = None
    seed: int = Field(ge=0)
    forecast: ForecastSettings
    assumptions: Assumptions
    panel: PanelSettings
    io: IOSettings
    optimisation: OptimisationSettings
    levers: Levers = Levers()
    targets_2035: list[Target2035] = []
    source_files: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        return check_name(v)

    @model_validator(mode="after")
    def _check_years(self) -> "Scenario":
        lo, hi = self.forecast.backtest_origins
        if lo > hi:
            raise ValueError("forecast.backtest_origins: first origin after last")
        if self.optimisation.end_year <= self.optimisation.start_year:
            raise ValueError("optimisation.end_year: must be after optimisation.start_year")
        for i, t in enumerate(self.targets_2035):
            if t.year > self.forecast.end_year:
                raise ValueError(f"targets_2035.{i}.year: {t.year} ({t.id}) is after forecast.end_year "
                                 f"{self.forecast.end_year}")
        ids = [t.id for t in self.targets_2035]
        if len(set(ids)) != len(ids):
            raise ValueError(f"targets_2035: duplicate id {sorted({i for i in ids if ids.count(i) > 1})}")
        return self
        return self

    @model_validator(mode="after")
    def _levers_consistent(self) -> "Scenario":
        if self.levers.investment == "optimised" and self.optimisation.mode == "none":
            raise ValueError("levers.investment: \"optimised\" needs an investment LP (optimisation.mode "
                             "max_gdp, min_investment or frontier; it is \"none\")")
        if self.levers.start_year > self.forecast.end_year:
            raise ValueError(f"levers.start_year: {self.levers.start_year} is after forecast.end_year "
                             f"{self.forecast.end_year}")
        return self





def resolve_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Map a preset name (``baseline``) or a path to a scenario file."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_absolute() and relative_to is not None and not p.exists():
            p = relative_to / p
        return p
    cand = (relative_to or SCENARIOS) / f"{p.name}.toml"
    if not cand.exists() and relative_to is not None:
        cand = SCENARIOS / f"{p.name}.toml"
    if not cand.exists():
        known = ", ".join(sorted(q.stem for q in SCENARIOS.glob("*.toml")))
        from ..suggest import preset_hint

        raise CztInputError(name_or_path, f"no such scenario{preset_hint(str(name_or_path))} (presets: {known})")
    return cand


def _merge(base: dict, over: dict, origin: dict, src: str, prefix: str = "") -> None:
    """Deep-merge ``over`` into ``base`` in place, recording each leaf's file in ``origin``."""
    for k, v in over.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v, origin, src, key + ".")
        else:
            base[k] = v
            origin[key] = src


def check_horizons(sc: "Scenario", last_data_year: int) -> None:
    """Cross-check a scenario's years against the data (raise a one-line :class:`CztInputError`).

    The forecast must end after the last data year, the last backtest origin
    must leave at least one observed year to score, and every 2035 goal must lie
    after the data (a goal in the observed past is not a forecast question).
    """
    where = sc.source_files[-1] if sc.source_files else sc.name
    f = sc.forecast
    if f.end_year <= last_data_year:
        raise CztInputError(where, f"key 'forecast.end_year': {f.end_year} is not after the last data year "
                                   f"{last_data_year}")
    if f.backtest_origins[1] >= last_data_year:
        raise CztInputError(where, f"key 'forecast.backtest_origins': last origin {f.backtest_origins[1]} leaves no "
                                   f"observed year to score (data end {last_data_year})")
    for i, t in enumerate(sc.targets_2035):
        if t.year <= last_data_year:
            raise CztInputError(where, f"key 'targets_2035.{i}.year': {t.year} ({t.id}) is not after the last data "
                                       f"year {last_data_year}")


#: Longest ``extends`` chain followed (a deeper one is almost surely a mistake).
MAX_EXTENDS_DEPTH = 20
_PARENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.toml)?$")


def resolve_parent(parent: object, child: Path, *, key: str = "extends", what: str = "parent scenario",
                   suggest: bool = False) -> Path:
    """The file an ``extends = "<parent>"`` in ``child`` names.

    ``parent`` must be a bare scenario name (optionally ending ``.toml``): the
    file ``<parent>.toml`` beside ``child`` if there is one, else the preset
    ``scenarios/<parent>.toml``. Paths elsewhere on the machine, ``..`` and
    symbolic links are refused. Errors name ``child`` and its ``key`` (``extends``;
    a sweep file's ``base`` uses the same rule, :func:`model.sweep.spec.resolve_base`),
    with a "did you mean" for a near-miss preset when ``suggest``.
    """
    if not isinstance(parent, str):
        raise CztInputError(child, f"key '{key}': must be a scenario name (got {parent!r})")
    if not _PARENT_RE.match(parent):
        raise CztInputError(child, f"key '{key}': '{parent}' is not a scenario name; name a preset in "
                                   f"scenarios/ or a {'scenario ' if suggest else ''}file beside this one (no paths)")
    stem = parent.removesuffix(".toml")
    for folder in dict.fromkeys([child.parent.resolve(), SCENARIOS.resolve()]):
        cand = folder / f"{stem}.toml"
        if cand.is_symlink():
            raise CztInputError(child, f"key '{key}': {cand} is a symbolic link (not followed)")
        if cand.exists():
            if not cand.is_file():
                raise CztInputError(child, f"key '{key}': {cand} is not a file")
            return cand
    known = ", ".join(sorted(q.stem for q in SCENARIOS.glob("*.toml")))
    hint = ""
    if suggest:
        from ..suggest import preset_hint

        hint = preset_hint(stem)
    raise CztInputError(child, f"key '{key}': {what} '{parent}' not found beside this file or in "
                               f"scenarios/{hint} (presets: {known})")


def _chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict]]:
    try:
        path = path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a symlink loop
        raise CztInputError(path, "symbolic link loop") from None
    if path in seen:
        cycle = " -> ".join(p.stem for p in (*seen, path))
        raise CztInputError(seen[-1], f"key 'extends': inheritance cycle ({cycle})")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise CztInputError(seen[-1], f"key 'extends': chain longer than {MAX_EXTENDS_DEPTH} files")
    raw = read_toml(path)
    if not raw:
        raise CztInputError(path, "empty scenario file (nothing to run; give at least 'extends' or settings)")
    if "extends" not in raw:
        return [(path, raw)]
    return _chain(resolve_parent(raw["extends"], path), (*seen, path)) + [(path, raw)]


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load, merge (defaults ← parents ← file) and validate a scenario.

    Raises
    ------
    CztInputError
        One line naming the file and key at fault.
    """
    path = resolve_path(name_or_path)
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    _merge(merged, read_toml(PARAMETERS_FILE), origin, str(PARAMETERS_FILE))
    chain = _chain(path)
    for p, raw in chain:
        _merge(merged, raw, origin, str(p))
    merged["extends"] = chain[-1][1].get("extends")
    # the name is never inherited: a child without `name` must not write into its parent's outputs folder
    merged["name"] = chain[-1][1].get("name", path.stem)
    merged["source_files"] = tuple(str(p) for p, _ in chain)
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        err["msg"] = err["msg"].removeprefix("Value error, ")
        if not key and ": " in err["msg"]:  # whole-scenario check: its message starts with the key
            key, err["msg"] = err["msg"].split(": ", 1)
        # the file that set this key, else its nearest enclosing section, else a file that set a child key
        owners = [k for k in origin if key == k or key.startswith(k + ".")]
        children = [k for k in origin if k.startswith(key + ".")]
        src = (origin[max(owners, key=len)] if owners else origin[children[-1]] if children else str(path))
        msg = err["msg"].replace("Extra inputs are not permitted", "unknown key")
        raise CztInputError(src, f"key '{key}': {msg}" + (f" (got {err['input']!r})" if err["type"] != "extra_forbidden" and not isinstance(err.get("input"), dict) else "")) from None
