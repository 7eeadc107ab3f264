"""The sweep's fast path: one variant of a scenario, re-solved with new data only.

A sweep evaluates thousands of variants of one base scenario that differ only
in a few numeric scenario keys (labelled assumptions, levers, optimisation
parameters). :class:`SweepContext` holds everything those keys do not touch,
built once per process; :func:`evaluate_variant` applies one variant's values
(through :func:`model.overrides.apply_overrides`, so the schema validates
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

Stages a key invalidates
------------------------
``STAGE_*`` below; :meth:`SweepContext.build` classifies each varied key:

``panel``       the panel's energy / high-tech assumption blocks
                (``assumptions.energy.*``, ``assumptions.hightech.*``)
``control``     the time-series control paths of GDP, deflator, population
                (``assumptions.gdp.*``, ``assumptions.population.*``, ``forecast.*``)
``assumption``  the assumption-driven energy / high-tech paths (any of the above)
``lp_data``     structural LP data changed by data on the built LP
                (``optimisation.kappa_scale``, ``optimisation.investment_share_of_gdp``)
``lp_targets``  target values of the LP (``optimisation.*_2025``, ``penalty``, …)
``levers``      the scenario's levers (lever arrays, no rebuild)
``slow``        keys that force a rebuild of the LP or of the IO system
                (listed in ``ctx.slow_keys``)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
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
    "optimisation.energy_efficiency_gain": "no model code reads it (the structural LP calibrates the energy "
                                           "path per sample path; the efficiency lever is "
                                           "levers.efficiency_gain_pct)",
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


def _stages_of(key: str) -> set[str]:
    """The stages a key invalidates (module docstring)."""
    if key.startswith(("assumptions.energy.", "assumptions.hightech.")):
        return {"panel", "assumption"}
    if key.startswith(("assumptions.gdp.", "assumptions.population.")):
        return {"control", "assumption"}
    if key in ("optimisation.kappa_scale", "optimisation.investment_share_of_gdp"):
        return {"lp_data"}
    if key.startswith("optimisation."):
        return {"lp_targets"}
    if key.startswith("levers."):
        return {"levers"}
    return {"slow"}


@dataclass
class SweepContext:
    """What the varied keys of a sweep do not touch, built once per process (module docstring).

    Attributes
    ----------
    base : model.scenario.Scenario
    keys : tuple of str
        The varied keys (dotted).
    n_paths, n_lp_paths : int
        Forecast sample paths and structural-LP sample paths of every variant.
    stages : dict
        Key -> the stages it invalidates.
    slow_keys : tuple of str
        Varied keys that force a rebuild (of the LP or the IO system) per variant.
    output_columns : list of str
        The result columns in a fixed order.
    """

    base: object
    keys: tuple
    n_paths: int
    n_lp_paths: int
    stages: dict = field(default_factory=dict)
    slow_keys: tuple = ()
    output_columns: list = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, base, keys: Sequence[str], *, n_paths: int = 500, n_lp_paths: int = 8) -> "SweepContext":
        """Build the context of a sweep of ``base`` over ``keys``.

        Raises
        ------
        CztInputError
            ``("sweep", "key '<k>': ...")`` for a key that is unknown or not numeric.
        """
        from ..scenario import Scenario, check_n_paths, load_scenario

        base = base if isinstance(base, Scenario) else load_scenario(base)
        ok = sweepable(base)
        keys = tuple(keys)
        for k in keys:
            if k in NOT_SWEEPABLE:
                raise CztInputError("sweep", f"key '{k}': not sweepable ({NOT_SWEEPABLE[k]})")
            if k not in ok:
                raise CztInputError("sweep", f"key '{k}': not a numeric scenario key a sweep may vary "
                                    "(see model.sweep.variant.sweepable)")
        n_paths = check_n_paths(int(n_paths), base)
        if int(n_lp_paths) < 1:
            raise CztInputError("sweep", f"n_lp_paths: {n_lp_paths} must be >= 1")
        stages = {k: _stages_of(k) for k in keys}
        ctx = cls(base=base, keys=keys, n_paths=n_paths, n_lp_paths=int(n_lp_paths), stages=stages,
                  slow_keys=tuple(k for k in keys if "slow" in stages[k]))
        ref = _full_run(ctx, {})
        ctx.output_columns = _columns_layout(ref)
        return ctx


def _full_run(ctx: SweepContext, values: Mapping[str, float]):
    from ..runner import run_scenario

    return run_scenario(ctx.base, write=False, overrides=dict(values), n_paths=ctx.n_paths,
                        n_lp_paths=ctx.n_lp_paths)


def _columns_layout(result) -> list[str]:
    """The fixed column order, from a run of the base scenario."""
    card = result.scorecard
    modelled = [t for t, s in zip(card["target"], card["status"]) if s != "not modelled"]
    cols = [f"p_meet.{t}" for t in modelled] + [f"p_meet_se.{t}" for t in modelled]
    cols += [f"verdict.{t}" for t in modelled]
    cols += [f"median.{v}.{y}" for v in MEDIAN_VARIABLES for y in MEDIAN_YEARS]
    if result.feasibility is not None:
        lp_t = list(result.feasibility["target"])
        cols += [f"lp_shortfall.{t}" for t in lp_t] + [f"lp_best.{t}" for t in lp_t]
        cols += [f"lp_reachable.{t}" for t in lp_t]
    return cols + ["error"]


def columns_from_run(result, columns: Sequence[str]) -> dict[str, float | str]:
    """The result columns of a full :func:`model.runner.run_scenario` result (the reference).

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
            x = proj.at(var, int(y)) if (var, "CZT") in proj.paths else np.array([np.nan])
            out[c] = float(np.median(x))
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


def _failed(ctx: SweepContext, message: str) -> dict[str, float | str]:
    out: dict[str, float | str] = {c: math.nan for c in ctx.output_columns}
    for c in ctx.output_columns:
        if c.startswith("verdict."):
            out[c] = ""
    out["error"] = message
    return out


def evaluate_variant(ctx: SweepContext, values: Mapping[str, float]) -> dict[str, float | str]:
    """The result columns of one variant (module docstring).

    Parameters
    ----------
    ctx : SweepContext
    values : mapping
        Varied key -> value (keys must be ``ctx.keys``' members).

    Returns
    -------
    dict
        ``ctx.output_columns`` -> value; a variant the engine refuses
        (a :class:`CztInputError` for its values) gives NaNs and ``error`` =
        the one-line message instead of raising.
    """
    extra = [k for k in values if k not in ctx.keys]
    if extra:
        raise CztInputError("sweep", f"key '{extra[0]}': not one of the sweep's varied keys")
    try:
        return columns_from_run(_full_run(ctx, values), ctx.output_columns)
    except CztInputError as exc:
        return _failed(ctx, str(exc))
