"""Sweep files: the pydantic schema of ``czt sweep SPEC.toml`` and its loader.

A sweep file names a base scenario, the scenario keys to vary (each with a
range or a distribution and a ``note`` saying where the range comes from),
the SALib design, the run settings of every variant and the outputs of
interest::

    name = "plan_assumptions"          # -> outputs/sweep_plan_assumptions/
    base = "plan"                      # a preset, or a scenario file beside this one
    [design]
    method = "morris"                  # grid | lhs | morris | sobol
    n = 125                            # morris: trajectories
    [[parameters]]
    key = "assumptions.energy.unobserved_yoy_change_pct"
    range = [-5.34, -1.98]
    note = "Hunan's observed yoy changes 2016-2020 (calibration/parameters.toml)"

:func:`load_sweep` validates it in two steps, each error one line naming the
sweep file and the key (``key 'parameters.0.range': ...``), like scenario files
(:func:`model.scenario.load_scenario`):

1. the structure (:class:`SweepSpec`: strict types, no unknown keys, no
   inf/NaN, ranges with ``lo < hi``, distinct keys, Sobol's N a power of 2);
2. against the base scenario: every key and both ends of its range (or the
   side of an unbounded distribution) pass the scenario schema
   (:func:`model.scenario.overrides.apply_overrides`, the one schema), the outputs name
   modelled targets, and the design fits in memory (:func:`check_memory`).

A :class:`SweepSpec` built directly (``SweepSpec.model_validate``) gets only
step 1 — the way tests drive the design and analysis with functions that are
not scenarios (e.g. the Ishigami function); every file goes through both.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict, ValidationError, field_validator, \
    model_validator

from ..errors import CztInputError
from ..results.fileio import read_toml
from ..paths import SCENARIOS

Method = Literal["grid", "lhs", "morris", "sobol"]
Dist = Literal["uniform", "normal", "triangular", "lognormal", "truncnorm"]

#: SALib's name of each distribution (``problem["dists"]``, :func:`SALib.util.scale_samples`).
SALIB_DIST = {"uniform": "unif", "normal": "norm", "triangular": "triang", "lognormal": "lognorm",
              "truncnorm": "truncnorm"}
#: What ``bounds`` means for each distribution (SALib's convention), and its length.
BOUNDS_MEANING = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                  "triangular": ("low", "high", "peak as a fraction of high - low"),
                  "lognormal": ("mean of ln x", "sd of ln x"), "truncnorm": ("low", "high", "mean", "sd")}

#: Hard cap on the number of variants a sweep file may ask for. Modelling choice: 2 000 000 rows of
#: results are about 2.3 GiB in memory with the plan's result columns (:func:`row_bytes`, ~1.2 kB a row),
#: and every variant re-runs the engine and its LPs, so a larger design is days of CPU at best and
#: almost surely a typo in ``design.n``.
MAX_VARIANTS = 2_000_000
#: Bytes of one text cell of a pandas object column (8-byte pointer + a CPython ``str`` of ~20
#: characters, ``sys.getsizeof("off track (needs x)") == 68``).
TEXT_CELL_BYTES = 76
#: Bytes per ``N x bootstrap`` element while SALib 1.6's ``sobol.analyze`` resamples one index: the int64
#: resample index ``r`` plus ``A[r]``, ``B[r]``, ``AB[r, j]``, ``np.r_[A[r], B[r]]`` (two elements) and two
#: temporaries of the estimator, float64 (``SALib/analyze/sobol.py``); measured with tracemalloc: peak
#: 64.2 bytes per element at N = 2048 and 4096, 500 resamples.
SOBOL_BOOTSTRAP_BYTES = 8 * 8

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_|-]+)+$")
#: Keys the loader sets; a sweep file may not.
_LOADER_KEYS = ("source_file", "base_file")


class _Strict(BaseModel):
    # as model/scenario/schema.py: strict types (a TOML string "500" is not an int), no unknown keys,
    # no inf/NaN (a range to inf has no uniform distribution)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


StrictFloat = Annotated[float, Strict()]


class Parameter(_Strict):
    """One varied scenario key: a uniform ``range`` or a SALib distribution, and why."""

    key: str = Field(min_length=1)
    #: uniform on [lo, hi]; shorthand for ``dist = "uniform"``, ``bounds = [lo, hi]``
    range: tuple[StrictFloat, StrictFloat] | None = Field(default=None, strict=False)
    dist: Dist | None = None
    #: SALib's parameters of ``dist`` (:data:`BOUNDS_MEANING`)
    bounds: list[StrictFloat] | None = None
    #: where the range comes from (shipped data and method, or "ASSUMPTION: ... because ...")
    note: str

    @field_validator("key")
    @classmethod
    def _dotted(cls, v: str) -> str:
        if not _KEY_RE.match(v):
            raise ValueError(f"'{v}' is not a dotted scenario key (e.g. 'assumptions.energy.czt_relative_to_hunan_pp')")
        return v

    @field_validator("note")
    @classmethod
    def _said(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("empty; say where the range comes from (shipped data and method, or an ASSUMPTION "
                             "and why)")
        return v

    @model_validator(mode="after")
    def _one_distribution(self) -> "Parameter":
        if (self.range is None) == (self.dist is None):
            raise ValueError("range: give either range = [lo, hi] or dist (with bounds), not "
                             + ("both" if self.range is not None else "neither"))
        if self.range is not None:
            if self.bounds is not None:
                raise ValueError("bounds: only with dist (range = [lo, hi] is the uniform distribution)")
            lo, hi = self.range
            if not lo < hi:
                raise ValueError(f"range: [{lo}, {hi}] is {'empty' if lo == hi else 'reversed'}; need lo < hi")
            return self
        meaning = BOUNDS_MEANING[self.dist]
        b = self.bounds
        if b is None or len(b) != len(meaning):
            raise ValueError(f"bounds: dist '{self.dist}' needs bounds = [{', '.join(meaning)}]"
                             + (f" (got {len(b)} values)" if b is not None else ""))
        if self.dist in ("uniform", "triangular", "truncnorm") and not b[0] < b[1]:
            raise ValueError(f"bounds: low {b[0]} must be below high {b[1]}")
        if self.dist in ("normal", "lognormal", "truncnorm") and not b[-1] > 0:
            raise ValueError(f"bounds: the sd must be > 0 (got {b[-1]})")
        if self.dist == "triangular" and not 0 <= b[2] < 1:
            raise ValueError(f"bounds: the peak is a fraction of high - low in [0, 1) (SALib; got {b[2]})")
        return self

    @property
    def distribution(self) -> str:
        """The distribution's name (``uniform`` for a ``range``)."""
        return self.dist or "uniform"

    @property
    def typical(self) -> float:
        """A finite value the distribution takes (low end, or the median of an unbounded one)."""
        d, b = self.distribution, self.salib_bounds
        return b[0] if d != "lognormal" else math.exp(b[0])

    @property
    def salib_bounds(self) -> list[float]:
        """``problem["bounds"]`` entry for SALib."""
        return [float(x) for x in (self.range if self.range is not None else self.bounds)]

    @property
    def support(self) -> tuple[float, float]:
        """Lowest and highest value the distribution can take (``±inf`` if unbounded)."""
        d, b = self.distribution, self.salib_bounds
        if d in ("uniform", "triangular", "truncnorm"):
            return b[0], b[1]
        if d == "lognormal":
            return 0.0, math.inf
        return -math.inf, math.inf


class Design(_Strict):
    """The SALib design (``[design]``)."""

    method: Method
    #: lhs: variants; morris: trajectories; sobol: base sample N (a power of 2); grid: levels per parameter
    n: int = Field(ge=2)
    #: morris only: levels of the Morris grid (SALib's ``num_levels``)
    levels: int = Field(default=4, ge=2, le=1000)
    #: sobol only: also estimate second-order indices S2 (N(2k+2) variants instead of N(k+2))
    second_order: bool = False
    #: confidence level of the bootstrap intervals
    conf_level: float = Field(default=0.95, gt=0, lt=1)
    #: bootstrap resamples for the confidence intervals (modelling choice: 1000, the usual count for a
    #: percentile-accurate interval, Efron & Tibshirani 1993 §13.3)
    bootstrap: int = Field(default=1000, ge=10, le=100_000)

    @model_validator(mode="after")
    def _method_keys(self) -> "Design":
        if "levels" in self.model_fields_set and self.method != "morris":
            raise ValueError(f"levels: only for method = \"morris\" (the grid's levels per parameter are n)")
        if "second_order" in self.model_fields_set and self.method != "sobol":
            raise ValueError("second_order: only for method = \"sobol\"")
        if self.method == "sobol" and self.n & (self.n - 1):
            raise ValueError(f"n: Sobol' base sample N must be a power of 2 (SALib's Saltelli scheme; got "
                             f"{self.n}, nearest {_nearest_pow2(self.n)})")
        return self


def _nearest_pow2(n: int) -> str:
    lo = 1 << (n.bit_length() - 1)
    return f"{lo} or {lo * 2}"


class Run(_Strict):
    """How each variant runs (``[run]``)."""

    #: control sample paths per variant (the scenario schema's range of forecast.n_paths)
    n_paths: int = Field(default=500, ge=100, le=100_000)
    #: structural-LP sample paths per variant
    n_lp_paths: int = Field(default=8, ge=1, le=200)
    #: variants per batch (a batch is the unit of parallel work and of resuming)
    batch_size: int = Field(default=25, ge=1, le=100_000)


class Outputs(_Strict):
    """Outputs of interest (``[outputs]``); empty = defaults filled in by :func:`load_sweep`."""

    #: target ids (default: every modelled target of the base scenario)
    targets: list[str] | None = Field(default=None, min_length=1)
    #: the target whose flip frontier is drawn (default: the first of ``targets``)
    flip_target: str | None = None
    #: headline variables of the ``median.<variable>.<year>`` columns (default: all of them)
    variables: list[str] | None = Field(default=None, min_length=1)

    @field_validator("targets", "variables")
    @classmethod
    def _distinct(cls, v):
        if v is not None and len(set(v)) != len(v):
            raise ValueError(f"{sorted({x for x in v if v.count(x) > 1})} listed more than once")
        return v

    @model_validator(mode="after")
    def _flip_in_targets(self) -> "Outputs":
        if self.flip_target is not None and self.targets is not None and self.flip_target not in self.targets:
            raise ValueError(f"flip_target: '{self.flip_target}' is not one of outputs.targets")
        return self


class SweepSpec(_Strict):
    """A validated sweep file (module docstring)."""

    #: becomes ``outputs/sweep_<name>/`` (the rules of scenario names, :func:`model.scenario.check_name`)
    name: str
    description: str = ""
    #: a preset scenario name or a scenario file beside the sweep file (no paths)
    base: str
    #: seed of the design and of the bootstrap; the loader fills in the base scenario's seed
    seed: int | None = Field(default=None, ge=0)
    design: Design
    parameters: list[Parameter] = Field(min_length=1)
    run: Run = Run()
    outputs: Outputs = Outputs()
    source_file: str = ""
    base_file: str = ""
    _base = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        from ..scenario import check_name

        return check_name(v)

    @model_validator(mode="after")
    def _consistent(self) -> "SweepSpec":
        keys = [p.key for p in self.parameters]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise ValueError(f"parameters.{i}.key: '{k}' is already parameter {keys.index(k)}")
        if self.design.method in ("morris", "grid"):
            for i, p in enumerate(self.parameters):
                if not all(map(math.isfinite, p.support)):
                    raise ValueError(f"parameters.{i}.dist: a {self.design.method} design puts levels at both ends "
                                     f"of each distribution; '{p.distribution}' is unbounded (use truncnorm, "
                                     f"triangular or a range)")
        if self.design.method == "sobol" and self.design.second_order and len(keys) < 2:
            raise ValueError("design.second_order: needs at least two parameters")
        return self

    @property
    def keys(self) -> list[str]:
        """The varied scenario keys, in file order (the design's columns)."""
        return [p.key for p in self.parameters]

    @property
    def base_scenario(self):
        """The loaded base :class:`model.scenario.Scenario` (None for a spec not from a file)."""
        return self._base

    @property
    def where(self) -> str:
        """What error messages name: the sweep file, else the sweep's name."""
        return self.source_file or f"sweep {self.name}"


# ----------------------------------------------------------------------------------------------
# sizes and memory


def n_variants(spec: SweepSpec) -> int:
    """Number of variants the design implies (k parameters, ``n = design.n``).

    grid ``n**k``; lhs ``n``; morris ``n (k + 1)`` (n trajectories of k + 1 points);
    sobol ``N (2k + 2)`` with second-order indices, ``N (k + 2)`` without (Saltelli's
    scheme as SALib samples it; ``tests/test_sweep_design.py`` checks each against
    :func:`model.sweep.design.sample`).
    """
    k, n, d = len(spec.parameters), spec.design.n, spec.design
    return {"grid": n ** k, "lhs": n, "morris": n * (k + 1),
            "sobol": n * (2 * k + 2) if d.second_order else n * (k + 2)}[d.method]


def row_bytes(spec: SweepSpec, n_targets: int | None = None, n_variables: int | None = None) -> int:
    """Bytes of one variant in memory: its design row and its result row.

    The result columns (:mod:`model.sweep`) per target: ``p_meet``, ``p_meet_se``,
    ``lp_shortfall``, ``lp_best``, ``lp_reachable`` (float64) and ``verdict`` (text,
    :data:`TEXT_CELL_BYTES`); per headline variable two medians (2025, 2035); the
    ``error`` text; the design's ``variant`` and one float per parameter. Without
    ``outputs.targets`` (a spec not loaded from a file) every modelled plan target counts.
    """
    from .variant import MEDIAN_VARIABLES, MEDIAN_YEARS

    if n_targets is None:
        from ..scenario.targets import load_targets

        n_targets = len(spec.outputs.targets) if spec.outputs.targets else sum(t.modelled for t in load_targets())
    t = n_targets
    v = n_variables if n_variables is not None else len(spec.outputs.variables or MEDIAN_VARIABLES)
    return 8 * (1 + len(spec.parameters)) + t * (5 * 8 + TEXT_CELL_BYTES) + v * len(MEDIAN_YEARS) * 8 \
        + TEXT_CELL_BYTES


def memory_estimate(spec: SweepSpec, base=None) -> float:
    """Peak memory (bytes) of the sweep in one process.

    The design and result tables (:func:`n_variants` x :func:`row_bytes`), one
    variant's run (:func:`model.scenario.memory_needed` with ``run.n_paths``;
    each extra worker needs that again) and, for Sobol, the bootstrap of one
    index (``N x bootstrap x`` :data:`SOBOL_BOOTSTRAP_BYTES`).
    """
    from ..scenario import memory_needed

    base = base if base is not None else spec.base_scenario
    need = float(n_variants(spec)) * row_bytes(spec)
    if base is not None:
        need += memory_needed(spec.run.n_paths, base)
    if spec.design.method == "sobol":
        need += float(spec.design.n) * spec.design.bootstrap * SOBOL_BOOTSTRAP_BYTES
    return need


def check_memory(spec: SweepSpec, base=None, available: float | None = None) -> None:
    """Refuse a design above :data:`MAX_VARIANTS` or one that does not fit in memory.

    Raises
    ------
    CztInputError
        ``key 'design.n': ... would be N variants needing X GiB ...`` naming the sweep file.
    """
    from ..scenario.schema import _available_memory

    n = n_variants(spec)
    need = memory_estimate(spec, base)
    avail = _available_memory() if available is None else available
    what = (f"{spec.design.method} with n = {spec.design.n:,} and {len(spec.parameters)} parameters would be "
            f"{n:,} variants needing about {need / 2**30:,.1f} GiB of memory")
    if spec.design.method == "sobol":
        boot = float(spec.design.n) * spec.design.bootstrap * SOBOL_BOOTSTRAP_BYTES
        what += f" ({boot / 2**30:,.1f} GiB of it for the {spec.design.bootstrap:,} bootstrap resamples, design.bootstrap)"
    if n > MAX_VARIANTS:
        raise CztInputError(spec.where, f"key 'design.n': {what}; the limit is {MAX_VARIANTS:,} variants")
    if avail is not None and need > avail:
        raise CztInputError(spec.where, f"key 'design.n': {what}; {avail / 2**30:,.1f} GiB is available")


# ----------------------------------------------------------------------------------------------
# loading


def _validation_error(where: str, exc: ValidationError, raw: dict) -> CztInputError:
    """One line naming the file and key of pydantic's first error (as :func:`model.scenario.load_scenario`)."""
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ")
    # a model-level check: its message starts with the key (relative to the model that raised it)
    if ": " in msg and (m := re.match(r"^([A-Za-z_][\w.]*): (.*)$", msg)):
        loc, msg = loc + m.group(1).split("."), m.group(2)
    key = ".".join(loc)
    msg = msg.replace("Extra inputs are not permitted", "unknown key")
    if len(loc) >= 2 and loc[0] == "parameters" and loc[1].isdigit():
        items = raw.get("parameters")
        i = int(loc[1])
        if isinstance(items, list) and i < len(items) and isinstance(items[i], dict) and "key" in items[i] \
                and loc[2:3] != ["key"]:
            msg = f"{msg} ({items[i]['key']})"
    got = ("" if err["type"] in ("missing", "extra_forbidden") or isinstance(err.get("input"), (dict, list))
           else f" (got {err.get('input')!r})")
    return CztInputError(where, f"key '{key}': {msg}{got}")


def resolve_base(base: str, sweep_file: Path) -> Path:
    """The scenario file ``base = "<name>"`` in ``sweep_file`` names.

    The rules of :func:`model.scenario.resolve_parent`: a bare scenario name
    (optionally ending ``.toml``), the file ``<name>.toml`` beside the sweep
    file if there is one, else the preset ``scenarios/<name>.toml``; no paths,
    no ``..``, no symbolic links. Errors name the sweep file and key ``base``.
    """
    from ..scenario import resolve_parent

    return resolve_parent(base, sweep_file, key="base", what="scenario", suggest=True)


def _schema_error(exc: CztInputError) -> str:
    """The scenario schema's complaint from an :func:`apply_overrides` error, without its key prefix."""
    return re.sub(r"^key '[^']*': ", "", exc.what)


def _check_parameter(where: str, i: int, p: Parameter, base, ok: dict) -> None:
    """Step 2 for one parameter: the scenario schema accepts its key and every value it can take.

    ``ok`` is :func:`model.sweep.variant.sweepable` of the base (the real-valued
    keys the variant engine can vary); it only words the refusals, the check of
    existence and range is the scenario schema's (:func:`apply_overrides`).
    """
    from ..scenario.overrides import apply_overrides
    from ..suggest import did_you_mean
    from .variant import NOT_SWEEPABLE

    if p.key in NOT_SWEEPABLE:
        raise CztInputError(where, f"key 'parameters.{i}.key': '{p.key}' cannot be swept: {NOT_SWEEPABLE[p.key]}")
    try:
        apply_overrides(base, {p.key: p.typical})
    except CztInputError as exc:
        if exc.what.endswith("unknown key"):
            m = did_you_mean(p.key, sorted(ok))
            raise CztInputError(where, f"key 'parameters.{i}.key': '{p.key}' is not a key of scenario "
                                       f"'{base.name}'" + (f" — did you mean '{m}'?" if m else "")) from None
    if p.key not in ok:
        why = NOT_SWEEPABLE.get(p.key, "not a real-valued setting (a sweep varies continuous parameters)")
        raise CztInputError(where, f"key 'parameters.{i}.key': '{p.key}' cannot be swept: {why}")
    field = "range" if p.range is not None else "bounds"
    for end, side in zip(p.support, ("low", "high")):
        # an unbounded side must be unbounded in the schema too: any value on it can be drawn
        probe = end if math.isfinite(end) else math.copysign(1e300, end)
        if p.distribution == "lognormal" and side == "low":
            probe = math.nextafter(0.0, 1.0)       # the support is open at 0: a lognormal never draws 0
        try:
            apply_overrides(base, {p.key: probe})
        except CztInputError as exc:
            if math.isfinite(end):
                raise CztInputError(where, f"key 'parameters.{i}.{field}': {side} end {end:g} is outside the "
                                           f"scenario's range for {p.key} ({_schema_error(exc)})") from None
            raise CztInputError(where, f"key 'parameters.{i}.dist': '{p.distribution}' can draw any {side} value "
                                       f"but the scenario bounds {p.key} ({_schema_error(exc)}); use truncnorm "
                                       f"or a range inside the bounds") from None
    _check_structural(p, i, where, field)


def _check_structural(p, i: int, where, field: str) -> None:
    """Limits the structural model sets beyond the scenario schema, checked at load (not per variant).

    ``optimisation.depreciation_rate``: the structural LP requires δ ≤ ``max_cluster_decline`` of
    ``calibration/optimisation/parameters.toml`` (:class:`model.opt.structural.StructuralParams`: with
    no new investment capacity falls by δ a year, which the realism bound must allow), so a range
    above it would only produce refused variants.
    """
    if p.key != "optimisation.depreciation_rate":
        return
    from ..opt.config import OPT_PARAMS_FILE, load_opt_config

    cap = float(load_opt_config()["max_cluster_decline"])
    hi = p.support[1]
    if hi > cap:
        raise CztInputError(where, f"key 'parameters.{i}.{field}': high end {hi:g} is above max_cluster_decline "
                                   f"{cap:g} (calibration/optimisation/{OPT_PARAMS_FILE.name}): the structural model refuses a depreciation "
                                   f"rate above it (every such variant would fail)")


def _modelled_targets(base) -> list[str]:
    from ..scenario.targets import load_targets

    return [t.id for t in load_targets(extra=[t.as_target_dict() for t in base.targets_2035]) if t.modelled]


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and validate a sweep file (module docstring: structure, then against the base scenario).

    Parameters
    ----------
    path : str or Path
        The sweep file (TOML).

    Returns
    -------
    SweepSpec
        With ``seed`` and ``outputs`` filled in, ``source_file``/``base_file``
        recorded and the base scenario at :attr:`SweepSpec.base_scenario`.

    Raises
    ------
    CztInputError
        One line naming the sweep file (or the base scenario's file, for an
        error in it) and the key at fault.
    """
    from ..scenario import load_scenario

    path = Path(path)
    where = str(path)
    if path.is_symlink():
        raise CztInputError(where, "is a symbolic link (not followed); give the sweep file itself")
    raw = read_toml(path)
    if not raw:
        raise CztInputError(where, "empty sweep file (needs at least name, base, [design] and [[parameters]])")
    for k in _LOADER_KEYS:
        if k in raw:
            raise CztInputError(where, f"key '{k}': unknown key")
    data = dict(raw, source_file=where)
    data.setdefault("name", path.stem)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(where, exc, raw) from None
    base_file = resolve_base(spec.base, path)
    base = load_scenario(base_file)
    from .variant import MEDIAN_VARIABLES, sweepable

    ok = sweepable(base)
    for i, p in enumerate(spec.parameters):
        _check_parameter(where, i, p, base, ok)
    modelled = _modelled_targets(base)
    o = spec.outputs
    for i, t in enumerate(o.targets or ()):
        if t not in modelled:
            from ..suggest import did_you_mean

            m = did_you_mean(t, modelled)
            raise CztInputError(where, f"key 'outputs.targets.{i}': '{t}' is not a modelled target of scenario "
                                       f"'{base.name}'" + (f" — did you mean '{m}'?" if m else
                                                           f" (modelled: {', '.join(modelled)})"))
    targets = list(o.targets or modelled)
    if o.flip_target is not None and o.flip_target not in targets:
        raise CztInputError(where, f"key 'outputs.flip_target': '{o.flip_target}' is not a modelled target of "
                                   f"scenario '{base.name}' (modelled: {', '.join(modelled)})")
    for i, v in enumerate(o.variables or ()):
        if v not in MEDIAN_VARIABLES:
            raise CztInputError(where, f"key 'outputs.variables.{i}': '{v}' is not a headline variable of a sweep "
                                       f"(one of: {', '.join(MEDIAN_VARIABLES)})")
    outputs = Outputs(targets=targets, flip_target=o.flip_target or targets[0],
                      variables=list(o.variables or MEDIAN_VARIABLES))
    spec = spec.model_copy(update={"seed": base.seed if spec.seed is None else spec.seed, "outputs": outputs,
                                   "base_file": str(base_file)})
    spec._base = base
    check_memory(spec, base)
    return spec
