"""The sweep's fast path: one variant of a scenario, re-solved with new data only.

A sweep evaluates thousands of variants of one base scenario that differ only
in a few numeric scenario keys (labelled assumptions, levers, optimisation
parameters). :class:`SweepContext` holds everything those keys do not touch,
built once per process; :func:`evaluate_variant` applies one variant's values
(through :func:`model.scenario.overrides.apply_overrides`, so the schema validates
them) and returns the result columns of :mod:`model.sweep` — the same numbers
as a full :func:`model.runner.run_scenario` with the same overrides, the same
``n_paths`` and ``n_lp_paths`` (``tests/test_sweep_variant.py`` checks the
identity).

Common random numbers
---------------------
Every variant runs with the base scenario's seed: the sample paths of two
variants differ only through the varied keys, not through fresh noise. This
is the standard variance-reduction choice for comparing simulation variants
(common random numbers; Law 2015, *Simulation Modeling and Analysis*, ch. 11),
and it is what sensitivity indices computed from finite Monte-Carlo samples
need: a difference between variants is the keys' effect.

Reproducible to the bit
-----------------------
The LP instances are re-solved from a warm basis (the previous variant's).
So that a variant's numbers do not depend on which variants a process
evaluated before it (Dask batches, a resumed sweep), every optimum is
re-solved from a fresh factorisation of its optimal basis
(``PathLP.fresh_factor``: 0 iterations, ~0.75 ms; not for the trial solves
of a bisection, which report only whether a slack is below a tolerance far
above rounding noise), and the best-value bisections start from the
variant's own plan solution. That leaves differences in the last digits
(~1e-11 relative: a degenerate optimum reached from another basis), so a
batch starts from a canonical state (:meth:`SweepContext.reset_solvers`,
called by :meth:`model.sweep.execute.EngineEvaluator.begin_batch`): every
instance of every built LP goes back to the build's data
(:meth:`PathLP.snapshot` before any solve, passed to HiGHS anew, which drops
its factorisation, scaling and edge weights) with the starting basis its
role (median path, sample paths, simulation) reached in the
context's warm-up on the base scenario; a new build starts from the same
state. A batch's bytes then depend on the batch only. Against a full run
(whose single instance solves the sample paths one after another) values
agree to ~1e-14 relative.

Stages a key invalidates
------------------------
:meth:`SweepContext.build` classifies each varied key:

``panel``       the panel's energy / high-tech assumption blocks
                (``assumptions.energy.*``, ``assumptions.hightech.*``;
                :func:`model.data.panel.with_assumption_blocks`)
``control``     the time-series control paths of GDP, deflator, population
                (``assumptions.gdp.*``, ``assumptions.population.*``; :func:`model.engine.projection.project`
                with its prepared forecast inputs: only the simulation is repeated)
``assumption``  the assumption-driven energy / high-tech paths (any of the above;
                :func:`model.engine.projection.with_assumption_paths` when only the panel blocks changed)
``lp_data``     data of the built LP (:data:`LP_DATA_KEYS`: κ scale, investment envelope)
``lp_targets``  target values of the built LP (:data:`LP_TARGET_KEYS`)
``levers``      the scenario's levers (lever arrays, no rebuild)
``slow``        keys that force a rebuild: ``io.flq_delta`` (IO system and LP) and the other
                ``optimisation.*`` keys (``depreciation_rate``, ``penalty``, ``discount_rate``,
                ``max_cluster_growth``, ``max_share_shift``): the LP is rebuilt per value
                (cached, up to 4 builds, ~0.3 s each; a build the model refuses is cached
                as refused); listed in ``ctx.slow_keys``

``optimisation.energy_efficiency_gain`` is not sweepable: no model code read it,
and the scenario schema now refuses it (:data:`NOT_SWEEPABLE`); the efficiency
lever is ``levers.efficiency_gain_pct``.

Cost (``plan``, 500 paths, 8 LP sample paths, the shipped sweep's seven
assumption and optimisation keys, one core, batches of 25): about 73 ms per
variant — panel blocks 4 ms and paths 3 ms (a forecast is computed for about
half of the variants, the rest reuse a cached one), LP 65 ms (HiGHS 49 ms: 8
sample-path solves 25 ms plus their fresh factorisations 6 ms, median-path
plan 7 ms, best values 12 ms; the rest Python around the solves), scorecard
0.5 ms; a GDP key adds ~25 ms (real GDP re-simulated) where it misses the
cache. ``ctx.timings`` accumulates this split.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np

from ..errors import CztInputError

#: Headline variables and years of the ``median.<variable>.<year>`` columns.
MEDIAN_VARIABLES = ("GDP|Nominal", "GDP per capita", "Population|Urban", "Urbanisation rate", "High-tech VA",
                    "High-tech VA|Share of GDP", "Energy intensity")
MEDIAN_YEARS = (2025, 2035)

#: Numeric scenario keys a sweep may not vary, and why (they move no output, or are not a modelling value).
NOT_SWEEPABLE = {
    "seed": "the seed is held fixed across variants (common random numbers)",
    "optimisation.energy_efficiency_gain": "removed from the scenario schema: no model code read it (the "
                                           "structural LP calibrates the energy path per sample path; the "
                                           "efficiency lever is levers.efficiency_gain_pct)",
    "optimisation.frontier_points": "only the frontier output of a full run uses it",
}


def _cluster_codes() -> list[str]:
    """Cluster codes of ``calibration/io/cluster_map.csv`` (keys of the dict-valued levers)."""
    import csv

    from ..paths import CALIBRATION

    with open(CALIBRATION / "io" / "cluster_map.csv", encoding="utf-8") as f:
        return sorted({r["cluster"] for r in csv.DictReader(f)})


def _bounds(finfo) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for m in finfo.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = float(getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = float(getattr(m, attr))
    return lo, hi


def _is_float_field(annotation) -> bool:
    import typing

    if annotation is float:
        return True
    args = typing.get_args(annotation)
    return bool(args) and float in args and all(a in (float, type(None)) for a in args)


def sweepable(base) -> dict[str, tuple[float, float]]:
    """Every numeric scenario key a sweep may vary, with its schema bounds.

    Parameters
    ----------
    base : model.scenario.Scenario
        The base scenario (its sections define the keys).

    Returns
    -------
    dict
        Dotted key -> ``(low, high)`` from the pydantic schema (``ge``/``gt`` and
        ``le``/``lt``; open bounds are given as their limit, ``±inf`` where the
        schema has none). Float-valued keys of ``assumptions``, ``io``,
        ``optimisation`` and ``levers``, plus ``levers.extra_investment.<cluster>``
        and ``levers.demand_shock.<cluster>`` for every cluster code; without
        the keys of :data:`NOT_SWEEPABLE`.
    """
    from pydantic import BaseModel

    out: dict[str, tuple[float, float]] = {}

    def walk(model: BaseModel, prefix: str) -> None:
        for name, finfo in type(model).model_fields.items():
            key = f"{prefix}{name}"
            val = getattr(model, name)
            if isinstance(val, BaseModel):
                walk(val, key + ".")
            elif _is_float_field(finfo.annotation) and key not in NOT_SWEEPABLE:
                out[key] = _bounds(finfo)

    for section in ("assumptions", "io", "optimisation", "levers"):
        walk(getattr(base, section), section + ".")
    for lever in ("extra_investment", "demand_shock"):
        for c in _cluster_codes():
            out[f"levers.{lever}.{c}"] = (-1e5, 1e5)
    return out


#: Optimisation keys changed by data on the built LP (no rebuild).
LP_DATA_KEYS = ("optimisation.kappa_scale", "optimisation.investment_share_of_gdp")
#: Target values of the LP (set on the built LP while the set of targets is unchanged).
LP_TARGET_KEYS = ("optimisation.energy_cut_2025", "optimisation.hightech_share_2025",
                  "optimisation.hightech_level_2025", "optimisation.gdp_target_2025")
#: Stages of the forecast (panel, control paths, state): a pure function of the values of the keys that touch them.
FORECAST_STAGES = frozenset({"panel", "control", "assumption"})
#: Memory for the forecasts of recent variants (:meth:`SweepContext._remember_forecast`; ~0.5 MB each for
#: assumption keys at 500 paths, ~5 MB for GDP / population keys).
FORECAST_CACHE_MB = 64
#: Bisection tolerance of :func:`model.opt.planner.best_reachable` (its default), replayed by :func:`_best_ratio`.
BEST_TOL = 0.01


def _stages_of(key: str) -> set[str]:
    """The stages a key invalidates (module docstring)."""
    if key.startswith(("assumptions.energy.", "assumptions.hightech.")):
        return {"panel", "assumption"}
    if key.startswith(("assumptions.gdp.", "assumptions.population.")):
        return {"control", "assumption"}
    if key in LP_DATA_KEYS:
        return {"lp_data"}
    if key in LP_TARGET_KEYS:
        return {"lp_targets"}
    if key.startswith("levers."):
        return {"levers"}
    return {"slow"}       # io.flq_delta (IO system + LP), other optimisation keys (LP rebuilt, cached by value)


def _lp_key(sc) -> tuple:
    """What the built LP depends on beyond the data :func:`_set_lp_data` changes (cache key)."""
    o = sc.optimisation
    fixed = o.model_dump(exclude={"kappa_scale", "investment_share_of_gdp", "energy_cut_2025", "hightech_share_2025",
                                  "hightech_level_2025", "gdp_target_2025", "frontier_points"})
    present = (o.gdp_target_2025 is not None and o.gdp_target_2025 > 0, o.energy_cut_2025 > 0,
               o.hightech_share_2025 > 0, o.hightech_level_2025 > 0)
    return (sc.io.model_dump_json(), repr(sorted(fixed.items())), present,
            repr([t.model_dump() for t in sc.targets_2035]))


@dataclass
class _LPSet:
    """One build of the structural LP and its three instances.

    ``main`` solves the control's median path (plan, best values); ``path`` solves the sample paths,
    one after another in rank order, as a run's single instance does (each path starts from the
    optimum of its neighbour in rank: ~23 dual simplex iterations, against ~86 from the same slot's
    optimum of the previous variant when each slot had its own instance); ``sim`` simulates an
    optimised allocation with given upgrading (created when a variant needs it).

    Every instance starts from the build's canonical state (module docstring, "Reproducible"): the
    build's data (:meth:`PathLP.snapshot`, taken before any solve) and the canonical basis of its
    role (none: a cold start). :meth:`restore` puts every instance back there; an instance created
    later starts there too, then takes the set's current parameters ``q`` (:func:`_set_lp_data`).
    """

    main: object
    path: object = None
    sim_: object = None
    snap: object = None
    bases: dict = field(default_factory=dict)
    q: object = None
    epoch: int = -1

    def __post_init__(self):
        self.main.fresh_factor = True      # inherited by the twins (module docstring, "Reproducible")
        self.snap = self.main.snapshot()

    def _new(self, role: str):
        lp = self.main.twin()
        lp.restore(self.snap, self.bases.get(role))
        if self.q is not None:
            _apply_params(lp, self.q)
        return lp

    def slot(self, _j: int):
        """The instance that solves sample path ``_j`` (one for all, in rank order)."""
        if self.path is None:
            self.path = self._new("path")
        return self.path

    def sim(self, _j: int):
        """The instance that simulates sample path ``_j``'s optimised allocation with given upgrading."""
        if self.sim_ is None:
            self.sim_ = self._new("sim")
        return self.sim_

    def roles(self) -> list:
        """``(role, instance)`` of every instance created so far."""
        return [(r, lp) for r, lp in (("main", self.main), ("path", self.path), ("sim", self.sim_))
                if lp is not None]

    def instances(self) -> list:
        return [lp for _, lp in self.roles()]

    def restore(self, bases: dict, shape: tuple | None) -> None:
        """Every instance back to the build's data with the canonical basis of its role (``bases``, of an
        LP of ``shape`` = (columns, rows); an LP of another shape starts cold)."""
        self.bases = bases if (self.snap.lp.num_col_, self.snap.lp.num_row_) == shape else {}
        self.q = None
        for role, lp in self.roles():
            lp.restore(self.snap, self.bases.get(role))


@dataclass
class SweepContext:
    """What the varied keys of a sweep do not touch, built once per process (module docstring).

    Attributes
    ----------
    base : model.scenario.Scenario
        The base scenario with ``n_paths`` set.
    keys : tuple of str
        The varied keys (dotted).
    n_paths, n_lp_paths : int
        Forecast sample paths and structural-LP sample paths of every variant.
    stages : dict
        Key -> the stages it invalidates.
    slow_keys : tuple of str
        Varied keys that force a rebuild of the LP (cached by value) or of the IO system per variant.
    output_columns : list of str
        The result columns in a fixed order (``error`` last).
    timings : dict
        Seconds spent per stage over the variants evaluated so far (``panel``, ``paths``, ``lp``,
        ``scorecard``, ``other``) and ``n``.
    """

    base: object
    keys: tuple
    n_paths: int
    n_lp_paths: int
    stages: dict = field(default_factory=dict)
    slow_keys: tuple = ()
    output_columns: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict, repr=False)
    targets: list = field(default_factory=list, repr=False)
    panel: object = field(default=None, repr=False)
    control: object = field(default=None, repr=False)
    prepared: dict = field(default_factory=dict, repr=False)
    _io: dict = field(default_factory=dict, repr=False)
    _lps: dict = field(default_factory=dict, repr=False)
    _kappa: dict = field(default_factory=dict, repr=False)
    _lp_refused: dict = field(default_factory=dict, repr=False)
    _bases: dict = field(default_factory=dict, repr=False)
    _bases_shape: tuple | None = field(default=None, repr=False)
    _forecasts: dict = field(default_factory=dict, repr=False)
    _epoch: int = field(default=0, repr=False)

    @classmethod
    def build(cls, base, keys: Sequence[str], *, n_paths: int = 500, n_lp_paths: int = 8) -> "SweepContext":
        """Build the context of a sweep of ``base`` over ``keys``.

        Parameters
        ----------
        base : Scenario or str
            The base scenario (object, preset name or file).
        keys : sequence of str
            The dotted keys the sweep varies (members of :func:`sweepable`).
        n_paths : int
            Forecast paths per variant.
        n_lp_paths : int
            Sample paths on which the structural LP is re-solved per variant.

        Raises
        ------
        CztInputError
            ``("sweep", "key '<k>': ...")`` for a key that is unknown or not numeric; a base scenario
            the engine refuses.
        """
        from ..data.loader import load_context_gdp, load_sources
        from ..data.panel import build_panel
        from ..engine.projection import project
        from ..scenario import Scenario, check_horizons, check_n_paths, load_scenario
        from ..scenario.targets import load_targets

        base = base if isinstance(base, Scenario) else load_scenario(base)
        ok = sweepable(base)
        keys = tuple(keys)
        for k in keys:
            if k in NOT_SWEEPABLE:
                raise CztInputError("sweep", f"key '{k}': not sweepable ({NOT_SWEEPABLE[k]})")
            if k not in ok:
                raise CztInputError("sweep", f"key '{k}': not a numeric scenario key a sweep may vary "
                                    "(see model.sweep.variant.sweepable)")
        if len(set(keys)) != len(keys):
            raise CztInputError("sweep", "a key is listed twice")
        n_lp_paths = int(n_lp_paths)
        if n_lp_paths < 1:
            raise CztInputError("sweep", f"n_lp_paths: {n_lp_paths} must be >= 1")
        stages = {k: _stages_of(k) for k in keys}
        sc = _prepare(base, {}, int(n_paths))
        check_n_paths(sc.forecast.n_paths, sc)
        ctx = cls(base=sc, keys=keys, n_paths=sc.forecast.n_paths, n_lp_paths=n_lp_paths, stages=stages,
                  slow_keys=tuple(k for k in keys if "slow" in stages[k]))
        ctx.sources = {**load_sources(), "context_gdp": load_context_gdp()}
        ctx.targets = load_targets(extra=[t.as_target_dict() for t in sc.targets_2035])
        ctx.panel = build_panel(ctx.sources, sc)
        check_horizons(sc, ctx.panel.latest("gdp_nominal", "CZT")[0])
        ctx.control = project(ctx.panel, sc, prepared=ctx.prepared)
        ctx.output_columns = _columns_layout(ctx, sc)
        ctx.timings = {"panel": 0.0, "paths": 0.0, "lp": 0.0, "scorecard": 0.0, "other": 0.0, "n": 0}
        if ctx._lps:          # warm up: the LP instances on the base scenario; their bases become canonical
            _evaluate(ctx, {})
            base_set = ctx._lps[_lp_key(sc)]
            ctx._bases = {role: lp.h.getBasis() for role, lp in base_set.roles()}
            ctx._bases = {role: b for role, b in ctx._bases.items() if b.valid}
            ctx._bases_shape = (base_set.snap.lp.num_col_, base_set.snap.lp.num_row_)
            ctx.reset_solvers()
            ctx.timings = {"panel": 0.0, "paths": 0.0, "lp": 0.0, "scorecard": 0.0, "other": 0.0, "n": 0}
        return ctx

    # ------------------------------------------------------------------ cached stages
    def io_system(self, sc):
        """The IO system of ``sc`` (cached by its IO settings)."""
        from ..engine.state import io_system as _io_system

        key = sc.io.model_dump_json()
        if key not in self._io:
            self._io[key] = _io_system(sc)
        return self._io[key]

    def lps(self, sc, state) -> _LPSet:
        """The built LP of ``sc`` (cached by :func:`_lp_key`; at most 4 kept), its data set to ``sc``'s.

        At its first use after :meth:`reset_solvers` (and when new) every instance of the set is put
        back to its canonical state (:meth:`_LPSet.restore`). A build the structural model refuses (e.g.
        a depreciation rate above ``max_cluster_decline``) is remembered and refused again without a
        second build.
        """
        from ..opt import PathLP

        key = _lp_key(sc)
        if key in self._lp_refused:
            cls, where, what = self._lp_refused[key]
            raise cls(where, what)
        if key not in self._lps:
            if len(self._lps) >= 4:
                self._lps.pop(next(iter(self._lps)))
            try:
                self._lps[key] = _LPSet(PathLP.build(sc, state, self.io_system(sc)))
            except CztInputError as exc:
                self._lp_refused[key] = (type(exc), exc.where, exc.what)
                raise
        lps = self._lps[key]
        if lps.epoch != self._epoch:
            lps.restore(self._bases, self._bases_shape)
            lps.epoch = self._epoch
        _set_lp_data(lps, sc, state, any("lp_targets" in self.stages[k] for k in self.keys))
        return lps

    def reset_solvers(self) -> None:
        """Forget the solver state earlier variants left behind (the start of a batch).

        Every built LP's instances go back, at their next use, to the build's data and the canonical
        starting basis of their role: the bases the base scenario's instances reached in the warm-up
        of :meth:`build` (for a build whose size differs — another set of targets — a cold start). A
        new build starts from the same state, so what a batch computes does not depend on what the
        process evaluated before it, nor on which builds it kept.
        """
        self._epoch += 1

    def _remember_forecast(self, key: tuple, entry: list) -> list:
        """Keep a variant's panel, control paths and state by the values of its forecast keys (the most
        recently used, up to :data:`FORECAST_CACHE_MB` of arrays not shared with the base's control)."""
        base = {id(a) for a in self.control.paths.values()}
        entry.append(sum(a.nbytes for a in entry[1].paths.values() if id(a) not in base))
        self._forecasts[key] = entry
        while len(self._forecasts) > 1 and sum(e[3] for e in self._forecasts.values()) > FORECAST_CACHE_MB * 2**20:
            self._forecasts.pop(next(iter(self._forecasts)))
        return entry

    def kappa(self, sc, state, m: int):
        """The κ draws of ``m`` sample paths (:func:`model.engine.kappa.kappa_scales`; cached by δ and IO)."""
        from ..engine.kappa import kappa_scales

        key = (sc.optimisation.depreciation_rate, sc.io.model_dump_json(), m, sc.seed)
        if key not in self._kappa:
            self._kappa[key] = kappa_scales(state, self.io_system(sc), m, sc.seed,
                                            sc.optimisation.depreciation_rate)[0]
        return self._kappa[key]


def _prepare(base, values: Mapping[str, float], n_paths: int):
    """The variant's scenario, as :func:`model.runner.run_scenario` prepares it (overrides, paths, origin)."""
    from ..scenario.overrides import apply_overrides
    from ..scenario import check_n_paths

    sc = apply_overrides(base, dict(values))
    if sc.forecast.n_paths != n_paths:
        sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": check_n_paths(n_paths, sc)})})
    if sc.forecast.as_of is not None:
        from ..engine.projection import with_origin

        sc = with_origin(sc, sc.forecast.as_of)
    return sc


def _set_lp_data(lps: _LPSet, sc, state, targets_vary: bool) -> None:
    """Set the data of :data:`LP_DATA_KEYS` and :data:`LP_TARGET_KEYS` on every instance of a built LP.

    κ scale: ``StructuralParams.kappa_scale`` (read by every path load); envelope: the coefficient of
    GDP in each envelope row, ``Itot_t − s GDP_t ≤ 0``; targets (when a target key varies):
    :meth:`PathLP.set_target_value` with the values :func:`model.opt.targets.plan_targets` gives.
    """
    o = sc.optimisation
    env = float(o.investment_share_of_gdp) if o.investment_share_of_gdp is not None else float(lps.main.p.inv_rate0)
    want = _target_values(sc, state, lps.main.p) if targets_vary else {}
    q = lps.main.p                      # every instance holds the same parameters (set here, together)
    if q.kappa_scale != float(o.kappa_scale):
        q = q.with_(kappa_scale=float(o.kappa_scale))
    if q.envelope[-1] != env:
        q = q.with_(envelope=np.full(len(q.years), env))
    targets = tuple(replace(t, value=float(want[t.id])) if want.get(t.id, t.value) != t.value else t
                    for t in q.targets)
    if targets != q.targets:
        q = q.with_(targets=targets)
    lps.q = q
    for lp in lps.instances():
        _apply_params(lp, q)


def _apply_params(lp, q) -> None:
    """Write the envelope coefficients and target values of parameters ``q`` into instance ``lp`` (then ``lp.p = q``)."""
    if lp.p is q:
        return
    env = q.envelope[-1]
    if lp.p.envelope[-1] != env:
        for j, row in enumerate(lp.rows["envelope"]):
            lp._coef(row, lp.idx["GDP"][j], -env)
    old = {t.id: t.value for t in lp.p.targets}
    lp.p = q
    for t in q.targets:
        if old[t.id] != t.value:
            lp.write_target(t, t.value)


def _target_values(sc, state, p) -> dict:
    """The LP target values of ``sc`` (:func:`model.opt.targets.plan_targets`) by id."""
    from ..opt.params import OptState
    from ..opt.targets import plan_targets

    tg, _ = plan_targets(sc.optimisation, OptState.from_mapping(state), p.years, sc.targets_2035)
    return {t.id: t.value for t in tg}


def _columns_layout(ctx: SweepContext, sc) -> list[str]:
    """The fixed column order (module :mod:`model.sweep` docstring), from the base scenario."""
    from ..engine.state import structural_state as _state

    proj = ctx.control
    modelled = [t.id for t in ctx.targets
                if t.modelled and (t.variable, t.region) in proj.paths and t.year <= proj.years[-1]]
    cols = [f"p_meet.{t}" for t in modelled] + [f"p_meet_se.{t}" for t in modelled]
    cols += [f"verdict.{t}" for t in modelled]
    cols += [f"median.{v}.{y}" for v in MEDIAN_VARIABLES for y in MEDIAN_YEARS]
    if sc.optimisation.mode != "none":
        lp_t = [t.id for t in ctx.lps(sc, _state(ctx.panel, proj, sc)).main.p.targets]
        cols += [f"lp_shortfall.{t}" for t in lp_t] + [f"lp_best.{t}" for t in lp_t]
        cols += [f"lp_reachable.{t}" for t in lp_t]
    return cols + ["error"]


def _failed(ctx: SweepContext, message: str) -> dict[str, float | str]:
    out: dict[str, float | str] = {c: math.nan for c in ctx.output_columns}
    for c in ctx.output_columns:
        if c.startswith("verdict."):
            out[c] = ""
    out["error"] = message
    return out


def evaluate_variant(ctx: SweepContext, values: Mapping[str, float]) -> dict[str, float | str]:
    """The result columns of one variant (module docstring).

    The variant's scenario is ``ctx.base`` with ``values`` applied through
    :func:`model.scenario.overrides.apply_overrides` (validated like a scenario file),
    run with the base seed (common random numbers), ``ctx.n_paths`` forecast
    paths and ``ctx.n_lp_paths`` LP sample paths. Only the stages its keys
    invalidate are recomputed; the numbers are those of
    ``run_scenario(ctx.base, write=False, overrides=values, n_paths=ctx.n_paths,
    n_lp_paths=ctx.n_lp_paths)`` (:func:`columns_from_run` of it).

    Parameters
    ----------
    ctx : SweepContext
    values : mapping
        Varied key -> value (each one of ``ctx.keys``; keys left out keep the base value).

    Returns
    -------
    dict
        ``ctx.output_columns`` -> value. A variant the engine refuses (a
        :class:`CztInputError` for its values) gives NaNs, empty verdicts and
        ``error`` = the one-line message instead of raising.

    Raises
    ------
    CztInputError
        A key that is not one of ``ctx.keys`` (a caller's error, not a variant's).
    """
    extra = [k for k in values if k not in ctx.keys]
    if extra:
        raise CztInputError("sweep", f"key '{extra[0]}': not one of the sweep's varied keys {list(ctx.keys)}")
    try:
        return _evaluate(ctx, values)
    except CztInputError as exc:
        return _failed(ctx, str(exc))


def _evaluate(ctx: SweepContext, values: Mapping[str, float]) -> dict[str, float | str]:
    import time

    from ..data.panel import with_assumption_blocks
    from ..engine.projection import project, with_assumption_paths
    from ..engine.state import structural_state as _state

    tm = ctx.timings
    t0 = time.perf_counter()
    sc = _prepare(ctx.base, values, ctx.n_paths)
    stages = set().union(*(ctx.stages[k] for k in values)) if values else set()
    t1 = time.perf_counter()
    fkey = tuple(sorted((k, float(v).hex()) for k, v in values.items() if ctx.stages[k] & FORECAST_STAGES))
    fc = ctx._forecasts.get(fkey)
    if fc is None:
        panel = with_assumption_blocks(ctx.panel, ctx.sources, sc) if "panel" in stages else ctx.panel
        t2 = time.perf_counter()
        if "control" in stages:
            control = project(panel, sc, prepared=ctx.prepared)
        elif "assumption" in stages:
            control = with_assumption_paths(ctx.control, panel, sc)
        else:
            control = ctx.control
        fc = ctx._remember_forecast(fkey, [panel, control, None])
    else:
        ctx._forecasts[fkey] = ctx._forecasts.pop(fkey)        # most recently used last
        t2 = time.perf_counter()
    panel, control = fc[0], fc[1]
    if fc[2] is None and (sc.optimisation.mode != "none" or not sc.levers.is_zero()):
        fc[2] = _state(panel, control, sc)
    state = fc[2] if (sc.optimisation.mode != "none" or not sc.levers.is_zero()) else None
    t3 = time.perf_counter()
    lps = ctx.lps(sc, state) if state is not None else None
    proj, lp_rows = (control, None) if sc.levers.is_zero() else _alternative(ctx, sc, control, state, lps)
    lp_cols = _lp_columns(sc, state, lps) if sc.optimisation.mode != "none" else {}
    t4 = time.perf_counter()
    out = _scorecard_columns(ctx, proj)
    out.update(lp_cols)
    if lp_rows is not None:
        for c in ctx.output_columns:
            if c.startswith("lp_reachable."):
                key = "reachable_" + c.partition(".")[2]
                out[c] = float(np.mean([bool(r.get(key, False)) for r in lp_rows]))
    for c in ctx.output_columns:
        out.setdefault(c, math.nan)
    out["error"] = ""
    t5 = time.perf_counter()
    tm["other"] += t1 - t0
    tm["panel"] += t2 - t1
    tm["paths"] += t3 - t2
    tm["lp"] += t4 - t3
    tm["scorecard"] += t5 - t4
    tm["n"] += 1
    return {c: out[c] for c in ctx.output_columns}


def _scorecard_columns(ctx: SweepContext, proj) -> dict:
    """p_meet, its standard error, verdict and medians: :func:`model.report.scorecard.scorecard`'s rule."""
    from ..report.scorecard import metric_paths, status_of
    from ..scenario.targets import meets

    out: dict[str, float | str] = {}
    by_id = {t.id: t for t in ctx.targets}
    for c in ctx.output_columns:
        kind, _, rest = c.partition(".")
        if kind == "p_meet":
            m = metric_paths(by_id[rest], proj)
            m = m[np.isfinite(m)]
            p = float(meets(m, by_id[rest]).mean())
            out[c] = p
            out[f"p_meet_se.{rest}"] = math.sqrt(p * (1 - p) / proj.n_paths)
            out[f"verdict.{rest}"] = status_of(p)
        elif kind == "median":
            var, _, y = rest.rpartition(".")
            out[c] = float(np.median(proj.at(var, int(y)))) if (var, "CZT") in proj.paths else math.nan
    return out


def _alternative(ctx: SweepContext, sc, control, state, lps: _LPSet):
    """The levers on the sample paths (:func:`model.engine.alternative.run_alternative`'s steps, one LP
    instance for the sample paths as in a run, no tables): the alternative projection and the per-path LP rows."""
    from ..engine.alternative import _expand, _sample, apply_ratios, sample_paths, solve_sample
    from ..engine.levers import lever_arrays

    lp = lps.main
    years = np.asarray(lp.years)
    py = np.asarray(control.years)
    if years[-1] > py[-1]:
        raise CztInputError("optimisation.end_year", f"{years[-1]} after forecast.end_year {py[-1]}")
    P = lp.p
    src = sc.source_files[-1] if sc.source_files else sc.name
    arr = lever_arrays(sc.levers, lp.clusters, years, P.hightech, P.hightech_cap, P.va0, source=src)
    cols = np.searchsorted(py, years)
    sample, assign = _sample(control.get("GDP|Real")[:, cols][:, -1], ctx.n_lp_paths)
    paths = sample_paths(control, state, lp.years, sample, ctx.kappa(sc, state, len(sample)))
    R, _, rows, _, _ = solve_sample(lps.slot, lps.sim, paths, sample, arr, sc.levers.investment == "optimised", src,
                                    years, tables=False, progress=False)
    full = {k: _expand(v, assign, cols, len(py)) for k, v in R.items()}
    return apply_ratios(control, full["gdp"], full["hightech"], full["energy_intensity"]), rows


def _lp_columns(sc, state, lps: _LPSet) -> dict:
    """lp_shortfall and lp_best on the control's median path (:func:`model.opt.run_optimisation`'s
    solve and :func:`model.opt.planner.best_reachable`, whose bisection is replayed by :func:`_best_ratio`)."""
    from ..opt.pathlp import path_from_state

    lp = lps.main
    path = path_from_state(state, lp.years)
    sol = lp.solve(path, tables=False)
    if sol.status != "optimal":
        raise CztInputError("optimisation", f"HiGHS returned '{sol.status}' on the median path")
    out: dict[str, float] = {f"lp_shortfall.{r['target']}": float(r["shortfall"]) for r in lp.target_rows(sol)}
    plan_basis = lp.h.getBasis()
    out.update({f"lp_best.{k}": v for k, v in _best_values(lps, lp, path, sol).items()})
    # the next variant's plan starts from this plan's basis, not from the last best-value solve's
    # (another objective: ~240 instead of ~90 iterations)
    lp.h.setBasis(plan_basis)
    return out


def _best_values(lps: _LPSet, lp, path, plan) -> dict:
    """:func:`model.opt.planner.best_reachable` of every target of ``lp`` (loaded with ``path``; ``plan`` its solution)."""
    from ..opt.pathlp import achieved
    from ..opt.planner import _hard_cost

    out: dict[str, float] = {}
    by_col: dict[int, object] = {}
    for t in lp.p.targets:
        k = lp.p.years.index(t.year) - 1
        if t.kind in ("gdp_level", "gdp_growth", "hightech_level"):
            col = int(lp.idx["GDP"][k] if t.kind != "hightech_level" else lp.idx["HT"][k])
            if col not in by_col:            # gdp_level and gdp_growth of one year: the same LP
                c = _hard_cost(lp)
                c[col] = 1.0
                lp.set_objective(c)
                lp._obj = "custom"
                st, obj = lp.resolve()
                by_col[col] = lp._solution("optimal", obj, 0.0, tables=False) if st == "optimal" else None
            sol = by_col[col]
            out[t.id] = achieved(t, sol, path) if sol is not None else math.nan
        else:
            # trial solves of a bisection report only "slack <= tolerance", far from rounding noise:
            # no fresh factorisation needed (module docstring, "Reproducible")
            fresh, lp.fresh_factor = lp.fresh_factor, False
            try:
                out[t.id] = _best_ratio(lp, t, _ratio_guess(lp, t, achieved(t, plan, path)))
            finally:
                lp.fresh_factor = fresh
    return out


def _ratio_guess(lp, t, start: float, steps: int = 1) -> float | None:
    """Dinkelbach iterations for the best value of a ratio target (a guess for :func:`_best_ratio`).

    The energy index ``100 ε_k Eb_k / GDP_k`` is minimised (the high-tech share
    ``100 HT_k / GDP_k`` maximised) by solving ``min 100 ε_k Eb_k − λ GDP_k``
    (``max 100 HT_k − λ GDP_k``) with the hard-row penalties and updating λ to
    the ratio at the solution (Dinkelbach 1967); one step from the plan's
    value lands close to the optimum (in the plan sweep a second step left
    the bracket's trial solves unchanged: 8.66 a variant either way, same
    values). Only a starting point: the value reported is the planner's
    bisection's.
    """
    from ..opt.planner import _hard_cost

    k = lp.p.years.index(t.year) - 1
    cap = t.kind == "energy_intensity"
    gdp, num = lp.idx["GDP"][k], (lp.idx["Eb"][k] if cap else lp.idx["HT"][k])
    w = 100.0 * (lp._ctl.eff[k + 1] if cap else 1.0)
    lam = float(start)
    for _ in range(steps):
        c = _hard_cost(lp)
        c[num] = -w if cap else w
        c[gdp] = lam if cap else -lam
        lp.set_objective(c)
        lp._obj = "custom"
        st, _ = lp.resolve()
        if st != "optimal":
            return None
        x = lp.h.getSolution().col_value
        lam = w * x[num] / x[gdp]
    return lam


def _best_ratio(lp, t, guess: float | None) -> float:
    """Best reachable value of a ratio target (energy cap, high-tech share floor), as the planner finds it.

    :func:`model.opt.planner.best_reachable` bisects on the target value with
    ``ok(v)`` = "the slack can be 0" (monotone in ``v``) over [1, 400] (cap)
    or [0, 99] (floor) to :data:`BEST_TOL`. Here the same bisection
    (:func:`model.opt.planner._bisect_reachable`) runs on the same ``ok``, but a
    call whose answer follows from a bracket already solved (monotonicity) is
    not re-solved; the bracket is first found around ``guess`` (from
    :func:`_ratio_guess`) with steps doubling from :data:`BEST_TOL`. Same result
    (up to a trial value within solver tolerance of the threshold, where ``ok``
    itself is not sharp), about 5 (one guess, ~4 trials) instead of 17 solves.
    """
    from ..opt.planner import _bisect_reachable, _hard_cost

    cap = t.kind == "energy_intensity"
    lo, hi = (1.0, 400.0) if cap else (0.0, 99.0)
    scale = 1e-7 * max(1.0, lp.p.gdp0)
    s_col = lp.idx["S"][t.id]
    below, above = -math.inf, math.inf     # g(v) = "v is on the reachable side" for a cap, its negation for a floor
    objective_set = False

    def g(v: float) -> bool:
        nonlocal below, above, objective_set
        if v >= above:
            return True
        if v <= below:
            return False
        if not objective_set:
            c = _hard_cost(lp)
            c[s_col] = -1.0
            lp.set_objective(c)
            lp._obj = "custom"
            objective_set = True
        lp.write_target(t, v)
        st, _ = lp.resolve()
        ok = st == "optimal" and float(lp.h.getSolution().col_value[s_col]) <= scale
        r = ok if cap else not ok
        if r:
            above = v
        else:
            below = v
        return r

    try:
        if guess is not None and np.isfinite(guess) and lo < guess < hi:
            step = BEST_TOL / 2
            x = guess + (step if cap else -step)       # just on the reachable side of the guess
            x = min(max(x, lo + step), hi - step)
            sign = -1.0 if g(x) else 1.0
            while lo < x + sign * step < hi and g(x + sign * step) == (sign < 0):
                x += sign * step
                step *= 2
        return _bisect_reachable(lambda v: g(v) if cap else not g(v), lo, hi, BEST_TOL, cap)
    finally:
        lp.write_target(t, t.value)


def columns_from_run(result, columns: Sequence[str]) -> dict[str, float | str]:
    """The result columns of a full :func:`model.runner.run_scenario` result (the reference of the identity).

    ``p_meet`` and ``verdict`` from its scorecard, medians from its (alternative)
    projection, ``lp_shortfall``/``lp_best`` from its feasibility table (LP on
    the control's median path, :func:`model.opt.run_optimisation`),
    ``lp_reachable`` from the alternative's per-sample-path LP table.
    """
    card = result.scorecard.set_index("target")
    proj = result.projection
    feas = result.feasibility.set_index("target") if result.feasibility is not None else None
    lp = getattr(result.alternative, "lp", None)
    out: dict[str, float | str] = {}
    for c in columns:
        kind, _, rest = c.partition(".")
        if kind == "p_meet":
            out[c] = float(card.loc[rest, "prob_meet"])
        elif kind == "p_meet_se":
            p = float(card.loc[rest, "prob_meet"])
            out[c] = math.sqrt(p * (1 - p) / proj.n_paths)
        elif kind == "verdict":
            out[c] = str(card.loc[rest, "status"])
        elif kind == "median":
            var, _, y = rest.rpartition(".")
            out[c] = float(np.median(proj.at(var, int(y)))) if (var, "CZT") in proj.paths else math.nan
        elif kind == "lp_shortfall":
            out[c] = float(feas.loc[rest, "shortfall"]) if feas is not None else math.nan
        elif kind == "lp_best":
            out[c] = float(feas.loc[rest, "best_reachable"]) if feas is not None else math.nan
        elif kind == "lp_reachable":
            col = f"reachable_{rest}"
            out[c] = (float(lp[col].fillna(False).astype(bool).mean()) if lp is not None and col in lp
                      else math.nan)
        elif c == "error":
            out[c] = ""
    return out
