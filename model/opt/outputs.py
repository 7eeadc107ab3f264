"""Entry point of the optimisation stage and its output files.

:func:`run_optimisation` is what ``czt run plan`` calls (via
``model.runner``). It writes into ``out_dir``:

* ``allocation.csv`` – IAMC long: investment, investment share, capital, VA,
  output and energy by cluster and year, plus CZT totals;
* ``targets_feasibility.csv`` – per target: required, achieved, shortfall
  (``slack``, own units) and LP slack (亿元), status (met/binding/violated),
  shadow price ``dual`` (d objective / d required value) with unit, its
  verified range, the effect of tightening by one unit on the objective and on
  GDP of the target year, the best value reachable when only that target is
  pursued, conflicting targets, and a one-line interpretation;
* ``frontier.csv`` and ``frontier.png`` – ε-constraint GDP-vs-energy-intensity
  frontier of the energy target's year;
* ``model.mps`` – the exact LP that was solved (free MPS, symbolic names); its
  optimal objective is in the returned summary (→ ``run.json``).
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..iamc import to_iamc, write_iamc
from .calibrate import io_accounts_for, params_from_io
from .params import OptParams, OptState


def allocation_frame(m, scenario_name: str) -> pd.DataFrame:
    """IAMC long frame of the solution (see module docstring)."""
    from .solve import cluster_results, totals
    p: OptParams = m._params
    t0 = p.years[0]
    money = f"100m CNY ({t0} prices)"
    cr = cluster_results(m)
    tot = totals(m)
    itot = cr.groupby("year")["I"].transform("sum")
    cr["I_share"] = 100 * cr["I"] / itot
    rows = []
    spec = [("I", "Investment", money), ("I_share", "Investment share", "%"), ("K", "Capital stock", money),
            ("VA", "Value added", money), ("X", "Gross output", money),
            ("E", "Energy", "2019-intensity 100m CNY")]
    for col, name, unit in spec:
        d = cr[["cluster", "year", col]].dropna()
        for r in d.itertuples(index=False):
            rows.append({"region": "CZT", "variable": f"Optimisation|{name}|{r.cluster}", "unit": unit,
                         "year": r.year, "value": getattr(r, col),
                         "basis": "derived" if r.year == t0 else "assumption"})
    tspec = [("gdp", "GDP|Real", money), ("gdp_nominal", "GDP|Nominal", "100m CNY"),
             ("investment", "Investment", money), ("energy_intensity_index", "Energy intensity", "index (2019 = 100)"),
             ("hightech_va_nominal", "High-tech VA", "100m CNY"),
             ("hightech_share_pct", "High-tech VA|Share of GDP", "%")]
    for col, name, unit in tspec:
        for r in tot[["year", col]].dropna().itertuples(index=False):
            basis = ("observed" if col in ("gdp", "gdp_nominal") else "assumption") if r.year == t0 else "assumption"
            rows.append({"region": "CZT", "variable": f"Optimisation|{name}", "unit": unit, "year": r.year,
                         "value": getattr(r, col), "basis": basis})
    df = pd.DataFrame(rows)
    # deterministic: no quantile column (pyam rejects empty extra-column cells)
    return to_iamc(df[["region", "variable", "unit", "year", "value", "basis"]], scenario_name)


def write_mps(m, path: Path) -> dict:
    """Write the model as free MPS with symbolic names (the exact LP solved).

    Returns
    -------
    dict
        MPS column/row name → Pyomo component data object.
    """
    _, smap_id = m.write(str(path), format="mps", io_options={"symbolic_solver_labels": True})
    smap = m.solutions.symbol_map[smap_id]
    return {sym: ref() if callable(ref) else ref for sym, ref in smap.bySymbol.items()}


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


def run_optimisation(scenario, state, out_dir, io_system=None) -> dict:
    """Solve the scenario's investment-allocation LP and write its outputs.

    Parameters
    ----------
    scenario : model.scenario.Scenario
        Uses ``scenario.optimisation`` (mode, solver, bounds, targets),
        ``scenario.io`` (level, FLQ settings) and ``scenario.targets_2035``.
    state : OptState or dict
        Latest observed state (:class:`~model.opt.params.OptState` fields or
        the runner's state dict, see :meth:`OptState.from_mapping`).
    out_dir : path
        Existing folder to write into.
    io_system : model.io.system.IOSystem or cluster accounts, optional
        Prebuilt IO system (its ``cluster_accounts(level=scenario.io.level)``
        is used) or accounts object; default builds ``IOSystem`` from the
        calibration, falling back to the vendored table.

    Returns
    -------
    dict
        Solver summary for ``run.json``: status, objective (of ``model.mps``),
        iterations, times, sizes, target statuses, conflicts, frontier summary,
        calibration notes.

    Raises
    ------
    CztInputError
        Bad state/parameters, or infeasible hard constraints.
    SolverUnavailableError
        HiGHS (highspy) missing.
    """
    settings = scenario.optimisation
    if settings.mode == "none":
        return {"mode": "none", "status": "skipped"}
    from .build import build_model
    from .frontier import energy_gdp_frontier, plot_frontier
    from .solve import _require_optimal, diagnose_conflicts, dual_range_check, make_runner, target_table

    t_all = time.perf_counter()
    out = Path(out_dir)
    if not out.is_dir():
        raise CztInputError(out, "output folder does not exist")
    st = OptState.from_mapping(state)
    t = time.perf_counter()
    if io_system is None:
        acc, acc_note = io_accounts_for(scenario, st.year)
    elif hasattr(io_system, "cluster_accounts"):
        acc, acc_note = io_system.cluster_accounts(level=scenario.io.level), "IO system passed by the caller"
    else:
        acc, acc_note = io_system, "accounts passed by the caller"
    p = params_from_io(acc, st, settings, scenario.targets_2035)
    calib_time = time.perf_counter() - t

    t = time.perf_counter()
    m = build_model(p)
    build_time = time.perf_counter() - t
    t = time.perf_counter()
    runner = make_runner(m, settings.solver)
    info = runner.solve()
    info["wall_time_s"] = time.perf_counter() - t
    _require_optimal(info, "plan LP")
    write_mps(m, out / "model.mps")
    feas = target_table(m)
    ranges = {}
    if p.targets:
        for tid in feas["target"]:
            ranges[tid] = dual_range_check(runner, tid)
        conflicts = diagnose_conflicts(runner)
        best = _best_alone(runner)
    else:
        conflicts, best = {}, {}
    feas["dual_valid_from"] = feas["target"].map(lambda k: ranges[k]["valid_from"])
    feas["dual_valid_to"] = feas["target"].map(lambda k: ranges[k]["valid_to"])
    feas["gdp_change_per_unit"] = feas["target"].map(lambda k: ranges[k]["gdp_target_year_change_per_unit"])
    feas["best_alone"] = feas["target"].map(lambda k: best.get(k))
    sign = feas["sense"].map({">=": 1.0, "<=": -1.0})
    # effect of tightening the target by one of its units (>=: value + 1; <=: value - 1)
    feas["tighten_one_unit_objective"] = sign * feas["dual"]
    feas["tighten_one_unit_gdp_target_year"] = sign * feas["gdp_change_per_unit"]
    feas["interpretation"] = [_interpret(r, p) for r in feas.itertuples()]
    feas["conflicts_with"] = feas["target"].map(
        lambda k: ";".join(b if a == k else a for a, b, _ in conflicts.get("conflicting_pairs", []) if k in (a, b)))
    feas.to_csv(out / "targets_feasibility.csv", index=False, float_format="%.10g")
    write_iamc(allocation_frame(m, scenario.name), out / "allocation.csv")

    front_summary = None
    if any(tg.kind == "energy_intensity" for tg in p.targets):
        fr = energy_gdp_frontier(runner, n_points=settings.frontier_points)
        fr.to_csv(out / "frontier.csv", index=False, float_format="%.6g")
        fy = int(fr["year"].iloc[0])
        gt = next((tg.value for tg in p.targets if tg.kind == "gdp_level" and tg.year == fy), None)
        plot_frontier(fr, out / "frontier.png", title=f"{scenario.name}: GDP vs energy intensity {fy}", gdp_target=gt)
        front_summary = {k: fr.attrs[k] for k in ("ei_min", "ei_free", "total_time_s", "solves", "target")}
        front_summary["points"] = int(len(fr))
    final = runner.solve()   # restore the plan solution in the model
    ok = final["status"] == "optimal" and abs(final["objective"] - info["objective"]) <= 1e-6 * max(1, abs(info["objective"]))
    summary = {
        "mode": settings.mode, "lp_objective": p.mode, "solver": info["solver"], "status": info["status"],
        "objective": info["objective"], "objective_unit": ("100m yuan, discounted GDP minus penalty x slack"
                                                           if p.mode == "max_gdp" else
                                                           "100m yuan, investment plus penalty x slack"),
        "iterations": info["iterations"], "solver_time_s": info["solver_time_s"], "solve_wall_time_s": info["wall_time_s"],
        "build_time_s": build_time, "calibration_time_s": calib_time,
        "compile_time_s": getattr(runner, "compile_time_s", None),
        "n_clusters": p.n, "years": [p.years[0], p.years[-1]], "n_variables": m.nvariables(),
        "n_constraints": m.nconstraints(), "price_basis": f"constant {p.years[0]} prices (亿元); nominal targets "
        f"deflated with P_t/P_{p.years[0]}: " + ", ".join(f"{y}: {d:.4f}" for y, d in zip(p.years[1:3], p.deflator[1:3])),
        "mps": "model.mps", "mps_objective": info["objective"], "resolved_consistently": ok,
        "targets": {r.target: {"status": r.status, "required": r.required, "achieved": r.achieved,
                               "shortfall": r.slack, "unit": r.unit} for r in feas.itertuples()},
        "conflicts": conflicts, "frontier": front_summary, "resolves": runner.n_solves,
        "accounts": acc_note, "notes": list(p.notes), "wall_time_s": time.perf_counter() - t_all,
    }
    return _clean(summary)


def _interpret(r, p: OptParams) -> str:
    """One sentence per target for reviewers."""
    unit = "index point (= 1 pp more cut vs 2019)" if r.kind == "energy_intensity" else (
        "pp of GDP" if r.kind == "hightech_share" else ("pp/yr" if r.kind == "gdp_growth" else "亿元 (nominal)"))
    what = "discounted GDP" if p.mode == "max_gdp" else "investment"
    if r.status == "violated":
        best = f"; best reachable when pursued alone: {r.best_alone:.6g}" if r.best_alone is not None else ""
        return (f"missed by {r.slack:.6g} {r.unit}{best}; its dual is the penalty, not an economic price")
    if r.status == "binding":
        return (f"binding: tightening by 1 {unit} changes {what} by {r.tighten_one_unit_objective:.6g} 亿元 "
                f"and {r.year} GDP by {r.tighten_one_unit_gdp_target_year:.6g} 亿元 (base-year prices); "
                f"verified for required values {r.dual_valid_from:.6g} to {r.dual_valid_to:.6g}")
    margin = (r.achieved - r.required) if r.sense == ">=" else (r.required - r.achieved)
    return f"met with a margin of {margin:.6g} {r.unit}; not binding (price 0)"


def _best_alone(runner) -> dict:
    """Best value of each target reachable when only it is pursued (phase 1, own units)."""
    from .build import set_penalties, set_objective
    from .solve import achieved_value
    import pyomo.environ as pyo
    m = runner.model
    p: OptParams = m._params
    out = {}
    try:
        for t in p.targets:
            # level targets: maximise the target's quantity alone
            if t.kind in ("gdp_level", "gdp_growth", "hightech_level"):
                expr, sense = m.GDP[t.year] if t.kind != "hightech_level" else m.HT[t.year], pyo.maximize
            else:
                expr, sense = None, None
            if expr is not None:
                set_objective(m, expr, sense)
                info = runner.solve()
                out[t.id] = achieved_value(m, t) if info["status"] == "optimal" else None
            else:
                # ratio targets: bisection on the value with a phase-1 LP
                from .frontier import lowest_reachable_intensity
                set_objective(m, None)
                if t.kind == "energy_intensity":
                    out[t.id] = lowest_reachable_intensity(runner, t.id, lo=1.0, hi=200.0)
                else:
                    out[t.id] = _highest_share(runner, t.id)
    finally:
        set_penalties(m, None)
    runner.solve()
    return out


def _highest_share(runner, target_id: str, tol: float = 0.01) -> float:
    """Highest high-tech share (%) whose slack can be driven to zero."""
    from .frontier import reachable_limit

    return reachable_limit(runner, target_id, 0.0, 99.0, feasible_high=False, tol=tol)
