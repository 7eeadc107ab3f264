"""Entry point of the optimisation stage and its output files.

:func:`run_optimisation` is what ``czt run plan`` calls (via
``model.runner``). It builds the structural LP once (:class:`~model.opt.PathLP`),
solves it on the forecast-median path carried by the state and writes into
``out_dir``:

* ``allocation.csv`` – IAMC long: investment (capacity + upgrading),
  investment share, capital, VA, output, import substitution and high-tech
  upgrading by cluster and year, CZT totals of the plan and of the structural
  control (``Optimisation|Control|…``);
* ``targets_feasibility.csv`` – per target: required, achieved, shortfall in
  its own units, status (met / binding / missed), the best value reachable
  within the bounds, the extra investment (亿元) that meeting it would take or
  "unreachable within the bounds", and for binding targets only the marginal
  cost with its validity range from HiGHS ranging (a penalty is never shown
  as a price);
* ``conflicts.csv`` – hard rows the LP had to violate, with by how much;
* ``frontier.csv`` and ``frontier.png`` – ε-constraint GDP-vs-energy-intensity
  frontier over a cap range that includes the target (no timing column);
* ``model.mps`` – the exact LP solved (median path).

Timings go to the returned summary (``run.json``) only.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..results.iamc import to_iamc, write_iamc


def allocation_frame(lp, sol, ctl, scenario_name: str) -> pd.DataFrame:
    """IAMC long frame of a solution (see module docstring); ``ctl`` is the control solution."""
    p = lp.p
    t0 = p.years[0]
    money = f"100m CNY ({t0} prices)"
    years = list(p.years)
    rows = []
    itot = np.nansum(sol.investment, axis=0)
    share = np.divide(100 * sol.investment, itot, out=np.full_like(sol.investment, np.nan), where=itot > 0)
    spec = [(sol.investment, "Investment", money), (share, "Investment share", "%"),
            (sol.capital, "Capital stock", money), (sol.va, "Value added", money), (sol.output, "Gross output", money),
            (sol.import_substitution, "Import substitution", money), (sol.upgrading, "High-tech upgrading", money)]
    for arr, name, unit in spec:
        for i, c in enumerate(p.clusters):
            for k, y in enumerate(years):
                v = arr[i, k]
                if np.isfinite(v):
                    rows.append({"region": "CZT", "variable": f"Optimisation|{name}|{c}", "unit": unit, "year": y,
                                 "value": float(v), "basis": "derived" if y == t0 else "assumption"})
    for s, prefix in ((sol, "Optimisation"), (ctl, "Optimisation|Control")):
        tspec = [(s.gdp_real, "GDP|Real", money), (s.gdp_nominal, "GDP|Nominal", "100m CNY"),
                 (s.investment_total, "Investment", money), (s.energy_index, "Energy intensity", "index (2019 = 100)"),
                 (s.hightech_va_nominal, "High-tech VA", "100m CNY"),
                 (100 * s.hightech_share, "High-tech VA|Share of GDP", "%")]
        for arr, name, unit in tspec:
            for k, y in enumerate(years):
                if np.isfinite(arr[k]):
                    basis = ("observed" if name.startswith("GDP") else "assumption") if y == t0 else "assumption"
                    rows.append({"region": "CZT", "variable": f"{prefix}|{name}", "unit": unit, "year": y,
                                 "value": float(arr[k]), "basis": basis})
    df = pd.DataFrame(rows)
    return to_iamc(df[["region", "variable", "unit", "year", "value", "basis"]], scenario_name)


def _clean(x):
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def run_optimisation(scenario, state, out_dir, io_system=None, lp=None) -> dict:
    """Solve the scenario's investment LP on the forecast-median path and write its outputs.

    Parameters
    ----------
    scenario : model.scenario.Scenario
        Uses ``optimisation``, ``io`` and ``targets_2035``.
    state : dict
        The runner's state (:func:`model.runner._state`): latest observed
        values and the forecast medians (the control path).
    out_dir : path
        Existing folder to write into.
    io_system : model.io.system.IOSystem, optional
        Prebuilt IO system (default: built from the calibration).
    lp : model.opt.PathLP, optional
        The scenario's structural LP already built (by the scenario engine,
        :func:`model.engine.alternative.run_alternative`, from the same
        scenario and state): re-used, not rebuilt — one build serves the run.

    Returns
    -------
    dict
        Summary for ``run.json``: ``status`` (HiGHS), ``status_line``
        ("LP solved — targets: 1 met, 4 missed (…)"), ``targets`` {id: …},
        ``conflicts``, frontier range, sizes, times and calibration notes.

    Raises
    ------
    CztInputError
        Bad state or parameters.
    SolverUnavailableError
        HiGHS (highspy) missing.
    """
    settings = scenario.optimisation
    if settings.mode == "none":
        return {"mode": "none", "status": "skipped"}
    from .pathlp import PathLP, path_from_state, status_line
    from .planner import energy_frontier, planner_table, plot_frontier
    from .structural import calibrate_structural

    t_all = time.perf_counter()
    out = Path(out_dir)
    if not out.is_dir():
        raise CztInputError(out, "output folder does not exist")
    if io_system is not None and not hasattr(io_system, "cluster_accounts"):
        io_system = None          # accounts objects of the older API: rebuild from the calibration
    t = time.perf_counter()
    if lp is None:
        sp = calibrate_structural(scenario, state, io_system)
        calib_time = time.perf_counter() - t
        lp = PathLP(sp)
        built = "here"
    else:
        sp, calib_time, built = lp.p, 0.0, "re-used from the scenario engine"
    path = path_from_state(state, lp.years)
    ctl = lp.control(path)
    sol = lp.solve(path)
    if sol.status != "optimal":
        raise CztInputError("optimisation", f"HiGHS returned '{sol.status}' on the median path")
    lp.write_mps(out / "model.mps")
    t = time.perf_counter()
    feas = planner_table(lp, sol)
    planner_time = time.perf_counter() - t
    write_iamc(allocation_frame(lp, sol, ctl, scenario.name), out / "allocation.csv")
    feas.to_csv(out / "targets_feasibility.csv", index=False, encoding="utf-8-sig")
    sol.conflicts.to_csv(out / "conflicts.csv", index=False, encoding="utf-8-sig")
    t = time.perf_counter()
    fr = energy_frontier(lp, n_points=settings.frontier_points) if sp.targets else pd.DataFrame()
    frontier_time = time.perf_counter() - t
    front = None
    if len(fr):
        fr.to_csv(out / "frontier.csv", index=False, encoding="utf-8-sig")
        gdp_t = next((t.value for t in sp.targets if t.kind == "gdp_level" and t.year == fr["year"].iloc[0]), None)
        plot_frontier(fr, out / "frontier.png", gdp_target=gdp_t)
        ok = fr[fr["status"] == "optimal"]
        front = {"points": int(len(fr)), "reachable_points": int(len(ok)), "ei_min": fr.attrs["ei_min"],
                 "ei_free": fr.attrs["ei_free"], "cap_range": [float(fr["ei_cap"].min()), float(fr["ei_cap"].max())],
                 "target": fr.attrs["required"]}
    final = lp.solve(path)               # leave the LP at the plan (and check it is unchanged)
    k25 = sp.years.index(2025) if 2025 in sp.years else 1
    summary = {
        "mode": settings.mode, "solver": "highs (highspy, direct)", "status": final.status,
        "status_line": status_line(final.targets, final.conflicts), "objective": final.objective,
        "objective_unit": ("100m yuan of discounted GDP minus penalties (base-year prices)" if settings.mode == "max_gdp"
                           else "minus 100m yuan of total investment minus penalties (base-year prices)"),
        "path": "forecast median",
        "years": [sp.years[0], sp.years[-1]], "buffer_years": sp.buffer_years,
        "clusters": len(sp.clusters), "rows": int(lp.h.getNumRow()), "columns": int(lp.h.getNumCol()),
        "gdp_2025": {"plan": float(final.gdp_nominal[k25]), "control": float(ctl.gdp_nominal[k25])},
        "targets": {r.target: {"kind": r.kind, "status": r.status, "required": r.required, "achieved": r.achieved,
                               "shortfall": r.shortfall, "unit": r.unit, "best_reachable": r.best_reachable,
                               "extra_investment": r.extra_investment, "verdict": r.verdict}
                    for r in feas.itertuples()},
        "hard_conflicts": final.conflicts.to_dict("records"),
        "frontier": front,
        "times_s": {"calibrate": calib_time, "build": lp.build_time_s, "compile": lp.compile_time_s,
                    "solve": sol.solve_time_s, "planner": planner_time, "frontier": frontier_time,
                    "total": time.perf_counter() - t_all},
        "solves": lp.n_solves, "lp_built": built,
        "notes": list(sp.notes),
    }
    return _clean(summary)
