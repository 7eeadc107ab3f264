"""Investment-allocation optimisation (Pyomo + HiGHS) against the plan's targets.

Build-once, re-solve-many API (the structural model of the scenario engine)
---------------------------------------------------------------------------
Contract for ``model.engine.alternative`` (issue #9 part B). Stable: fields may
be added, none renamed or removed.

``from model.opt import PathLP, PathInputs, PathSolution, paths_from_projection``

PathInputs  (frozen dataclass; one sample path of the control forecast)
    ``years``          tuple of int, ``t0 … T`` (``t0`` = latest data year = LP base year)
    ``gdp_real``       ndarray (T,): control real GDP, 亿元 at ``t0`` prices
                       (``gdp_real[0]`` = observed GDP of ``t0``)
    ``deflator``       ndarray (T,): ``P_t / P_t0`` (``deflator[0] = 1``)
    ``energy_index``   ndarray (T,): control energy-intensity index (2019 = 100)
    ``hightech_share`` ndarray (T,): control high-tech VA / GDP (fraction)
    ``gdp_real_ref``   dict {year: real GDP 亿元 at t0 prices} for years before
                       ``t0`` that growth targets refer to (2019, 2020)
    ``kappa_scale``    float = 1.0: multiplies every capital–output ratio
                       (κ uncertainty; 1 = calibrated value), on top of the
                       scenario's ``optimisation.kappa_scale``
                       (``StructuralParams.kappa_scale``)

paths_from_projection(proj, state, years, index=None, kappa_scale=None) -> list[PathInputs]
    Sample paths (all, or the rows ``index``) of a ``model.engine.projection.Projection``;
    ``kappa_scale``: one κ multiplier per path, e.g.
    ``model.opt.capital.kappa_scales_from_investment(...)`` (uncertainty of the initial
    capital stock, seeded);
    ``median_path(proj, state, years)`` gives the per-year median as one path.

PathLP.build(scenario, state, io_system=None) -> PathLP
    Calibrates the structural model (IO accounts, κ/δ by perpetual inventory,
    base structure scaled to the latest three-sector shares) and builds the
    Pyomo model ONCE; it is compiled to one ``highspy.Highs`` instance.
    ``scenario`` is a ``model.scenario.Scenario`` (uses ``optimisation``,
    ``io``, ``assumptions``, ``targets_2035``); ``state`` the runner's state
    dict or an ``OptState``.

PathLP.simulate(path, investment=None, demand_shock=None, upgrading=None, efficiency=None) -> PathSolution
    The structural model with investment GIVEN (no optimisation of the
    allocation): ``investment`` ndarray (n_clusters, T) in 亿元 at ``t0``
    prices (column 0 ignored) or None = the CONTROL allocation (trend
    investment rate × base-year shares). ``demand_shock`` ndarray
    (n_clusters, T) of extra final demand (亿元, t0 prices; default 0);
    ``upgrading`` ndarray (n_clusters, T) of high-tech VA added by
    within-cluster upgrading (default 0); ``efficiency`` ndarray (T,) ``m_t``
    multiplying every cluster's energy per unit of output (default 1;
    households' energy unchanged). ``simulate(path)`` with all levers
    None IS the structural control run: its GDP equals ``path.gdp_real``
    (calibrated exactly) and deviations are measured from it.

PathLP.solve(path, demand_shock=None, upgrading=True, efficiency=None, tables=True) -> PathSolution
    Re-solves the LP after changing only data (row bounds / coefficients of the
    one HiGHS instance): the optimal allocation for this path; ``upgrading``
    True lets the LP use the costed, bounded upgrading lever. ``tables=False``
    (also on ``simulate``) skips the pandas ``targets``/``conflicts`` tables
    (``target_slack`` is always filled; a target is missed iff its slack >
    ``PathLP.target_tolerance()``).

PathLP.set_target_value(id, value) / write_target(target, value)
    Change a target's required value (the parameters and the row), or only
    the row (trial values of a bisection).
PathLP.fresh_factor (bool, default False)
    Re-solve every optimum from a fresh factorisation of its optimal basis
    (0 iterations), so that values do not depend on the warm-start history
    (the sweep's instances, :mod:`model.sweep.variant`).

PathLP.control(path) -> PathSolution   (= ``simulate(path)``)
PathLP.clusters, PathLP.names, PathLP.years, PathLP.write_mps(path)
PathLP.p
    The :class:`~model.opt.structural.StructuralParams` (arrays: ``A, v, g,
    kappa, delta, va0, hightech, hightech_cap, inv_share0, …``).

path_from_state(state, years) -> PathInputs
    The forecast medians carried by the runner's state as one path.
model.opt.planner
    ``planner_table(lp, sol)`` (best reachable value, extra investment or
    "unreachable within the bounds", ranged prices of binding targets only),
    ``energy_frontier(lp)``, ``plot_frontier``.

PathSolution  (dataclass; arrays over ``years``, clusters in ``PathLP.clusters`` order)
    ``years``, ``clusters``
    ``status``           "optimal" or the HiGHS status; ``objective``
    ``gdp_real``         (T,) 亿元 t0 prices; ``gdp_nominal`` (T,)
    ``hightech_va``      (T,) real; ``hightech_va_nominal`` (T,); ``hightech_share`` (T,) fraction
    ``energy_index``     (T,) energy-intensity index (2019 = 100)
    ``investment``       (n, T) by cluster, capacity + upgrading investment (column 0 = base
                         year, NaN); ``investment_total`` (T,)
    ``upgrading``, ``import_substitution`` (n, T): high-tech VA upgraded; output
                         replacing inflows (both 0 in the control)
    ``va``, ``output``, ``capital`` (n, T)
    ``targets``          DataFrame: target, kind, year, sense, required, achieved,
                         unit, shortfall, status ("met"/"binding"/"missed")
    ``target_slack``     dict {target id: slack S} (own row units)
    ``conflicts``        DataFrame of violated hard rows: row, cluster, year,
                         amount, unit (empty when the hard rows are consistent)
    ``summary()``        "LP solved — targets: 1 met, 4 missed (…)" (+ conflicts)
    ``solve_time_s``     wall time of this (re-)solve
    ``deviation(other)`` dict of arrays ``self − other`` for the fields above

Older entry point (kept as a thin wrapper)
------------------------------------------
run_optimisation(scenario, state, out_dir, io_system=None, lp=None) -> dict
    Used by ``czt run plan`` (``model.runner``); ``lp``: the engine's PathLP,
    re-used instead of a second build; writes ``allocation.csv``,
    ``targets_feasibility.csv``, ``frontier.csv/png`` and ``model.mps``
    (median path) and returns the summary for ``run.json``.

Importing this package is cheap: pyomo, numpy-heavy calibration and pandas
are imported only by the submodules.
"""
from __future__ import annotations

from .params import OptState, Target

__all__ = ["OptState", "Target", "run_optimisation", "PathLP", "PathInputs", "PathSolution",
           "paths_from_projection", "median_path", "path_from_state"]

_LAZY = {"PathLP": "pathlp", "PathInputs": "pathlp", "PathSolution": "pathlp",
         "paths_from_projection": "pathlp", "median_path": "pathlp", "path_from_state": "pathlp"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_optimisation(scenario, state, out_dir, io_system=None, lp=None) -> dict:
    """Run the optimisation of ``scenario`` and write its outputs.

    See :func:`model.opt.outputs.run_optimisation` for parameters and outputs.
    """
    from .outputs import run_optimisation as _run
    return _run(scenario, state, out_dir, io_system=io_system, lp=lp)
