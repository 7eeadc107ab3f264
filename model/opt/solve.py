"""Solve the LP with HiGHS and read results: allocation, targets, duals, conflicts.

Three persistent HiGHS paths, all through highspy (choose with
:func:`make_runner`):

* ``"highs"`` (default) – :class:`DirectHighsRunner`: the Pyomo model is
  compiled once with Pyomo's ``LinearStandardFormCompiler`` into sparse
  arrays and passed to ``highspy.Highs`` with ``passModel``; re-solves update
  only the target rows (coefficients/bounds) and the objective. This is the
  fast path (the Pyomo → HiGHS transfer of the interfaces below takes longer
  than HiGHS itself).
* ``"appsi_highs"`` – Pyomo's persistent ``pyomo.contrib.appsi.solvers.Highs``.
* ``"pyomo_highs"`` – Pyomo's ``pyomo.contrib.solver.solvers.highs.Highs`` (what
  ``SolverFactory('highs')`` wraps in Pyomo ≥ 6.9); for benchmarks.

All keep the HiGHS instance between solves, so re-solves (dual range checks,
frontier, conflict diagnosis) skip the model rebuild.
"""
from __future__ import annotations

import contextlib
import os
import sys

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..errors import CztInputError, SolverUnavailableError
from .build import rhs_derivative, set_penalties, set_target_value
from .params import OptParams

SOLVERS = ("highs", "appsi_highs", "pyomo_highs")



@contextlib.contextmanager
def _c_stdout_silenced():
    """Silence C-level stdout (file descriptor 1) for the duration of the block."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. captured by pytest
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)

def _import_highspy():
    try:
        import highspy
    except Exception as exc:
        raise SolverUnavailableError(f"HiGHS solver unavailable: cannot import highspy ({exc}); "
                                     "install it with 'pip install highspy'") from None
    return highspy


def make_runner(model: pyo.ConcreteModel, solver: str = "highs"):
    """Return a persistent runner for ``model`` (see module docstring)."""
    if solver == "highs":
        return DirectHighsRunner(model)
    return HighsRunner(model, solver)


class HighsRunner:
    """A persistent HiGHS solver through a Pyomo solver interface.

    Parameters
    ----------
    model : ConcreteModel
        Built by :func:`model.opt.build.build_model`.
    solver : {"appsi_highs", "pyomo_highs"}

    Raises
    ------
    SolverUnavailableError
        If highspy or the Pyomo interface is missing.
    """

    def __init__(self, model: pyo.ConcreteModel, solver: str = "highs"):
        if solver not in SOLVERS:
            raise CztInputError("optimisation.solver", f"'{solver}' not one of {SOLVERS}")
        self.model, self.name = model, solver
        try:
            _import_highspy()
            if solver == "pyomo_highs":
                from pyomo.contrib.solver.solvers.highs import Highs
            else:
                from pyomo.contrib.appsi.solvers import Highs
            self.opt = Highs()
            ok = self.opt.available()
        except SolverUnavailableError:
            raise
        except Exception as exc:  # ImportError or a broken highspy
            raise SolverUnavailableError(f"HiGHS solver '{solver}' unavailable: {exc}") from None
        if not ok:
            raise SolverUnavailableError(f"HiGHS solver '{solver}' unavailable (is highspy installed? "
                                         "pip install highspy)")
        if solver == "appsi_highs":
            self.opt.config.load_solution = False
        self.n_solves = 0

    def solve(self) -> dict:
        """Solve (or re-solve) and load primal and dual values into the model.

        Returns
        -------
        dict
            ``status`` ("optimal" or the termination condition), ``objective``,
            ``iterations`` (simplex + IPM), ``solver_time_s`` (HiGHS run time),
            ``wall_time_s`` (incl. Pyomo → HiGHS transfer), ``solver``.
        """
        m = self.model
        t = time.perf_counter()
        h = getattr(self.opt, "_solver_model", None)
        rt0 = float(h.getRunTime()) if h is not None else 0.0
        if self.name == "pyomo_highs":
            res = self.opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
            term = str(res.termination_condition).split(".")[-1]
            ok = term == "convergenceCriteriaSatisfied"
        else:
            res = self.opt.solve(m)
            term = str(res.termination_condition).split(".")[-1]
            ok = term == "optimal"
        wall = time.perf_counter() - t
        out = {"solver": self.name, "status": "optimal" if ok else term, "objective": None,
               "iterations": None, "solver_time_s": None, "wall_time_s": wall}
        h = getattr(self.opt, "_solver_model", None)
        if h is not None:
            info = h.getInfo()
            out["iterations"] = int(info.simplex_iteration_count + max(info.ipm_iteration_count, 0))
            out["solver_time_s"] = float(h.getRunTime()) - rt0
        self.n_solves += 1
        if not ok:
            return out
        if self.name == "pyomo_highs":
            res.solution_loader.load_vars()
            duals = res.solution_loader.get_duals()
            out["objective"] = float(res.incumbent_objective)
        else:
            res.solution_loader.load_vars()
            duals = res.solution_loader.get_duals()
            out["objective"] = float(res.best_feasible_objective)
        m.dual.clear()
        for con, val in duals.items():
            m.dual[con] = val
        return out


class DirectHighsRunner:
    """Pyomo model → standard-form arrays → ``highspy.Highs`` (persistent).

    The model is compiled once by Pyomo's ``LinearStandardFormCompiler``
    (rows keep their sense; variable bounds become column bounds). Before each
    solve the target rows are re-synchronised with the mutable parameters
    ``tcoef``/``trhs`` and the objective with the active Pyomo objective (the
    original one, or the phase-1 objective of the conflict diagnosis).
    Primal values and row duals are loaded back into the Pyomo model
    (``m.dual``), with the same sign convention as Pyomo's interfaces
    (d objective / d right-hand side).
    """

    def __init__(self, model: pyo.ConcreteModel, resolve_strategy: int = 4):
        hs = _import_highspy()
        self.resolve_strategy = resolve_strategy
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
        self.model, self.name, self.n_solves = model, "highs", 0
        t = time.perf_counter()
        sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.compile_time_s = time.perf_counter() - t
        self.sf = sf
        self.cols = list(sf.columns)
        self.colmap = {id(v): j for j, v in enumerate(self.cols)}
        self.rowmap = {id(r.constraint): i for i, r in enumerate(sf.rows)}
        A = sf.A.tocsc()
        inf = hs.kHighsInf
        nr, nc = A.shape
        rhs = np.asarray(sf.rhs, dtype=float)
        bt = np.array([r.bound_type for r in sf.rows])
        lo = np.where(bt >= 0, rhs, -inf) if nr else np.zeros(0)
        lo = np.where(bt == 1, -inf, rhs) if nr else lo
        up = np.where(bt == -1, inf, rhs) if nr else np.zeros(0)
        self.c0 = np.asarray(sf.c.toarray()[0] if hasattr(sf.c, "toarray") else sf.c[0], dtype=float)
        self.sense0 = model.obj.sense
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = nc, nr
        lp.col_cost_ = self.c0
        lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in self.cols], dtype=float)
        lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in self.cols], dtype=float)
        lp.row_lower_, lp.row_upper_ = lo, up
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        lp.sense_ = hs.ObjSense.kMaximize if self.sense0 == pyo.maximize else hs.ObjSense.kMinimize
        off = np.asarray(sf.c_offset, dtype=float).ravel()
        self.offset0 = float(off[0]) if off.size else 0.0
        lp.offset_ = self.offset0
        with _c_stdout_silenced():  # HiGHS prints its licence banner on construction
            self.h = hs.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(lp)
        self.hs = hs
        self._phase1 = None
        self._last: dict = {}

    def _sync(self) -> None:
        m, h = self.model, self.h
        p = m._params
        for t in p.targets:
            i = self.rowmap[id(m.tgt[t.id])]
            if t.kind in ("energy_intensity", "hightech_share"):
                val = pyo.value(m.tcoef[t.id])
                val = val if t.kind == "energy_intensity" else -val
                if self._last.get(t.id) != val:          # touch HiGHS only when the value changed
                    h.changeCoeff(i, self.colmap[id(m.GDP[t.year])], val)
            else:
                val = pyo.value(m.trhs[t.id])
                if self._last.get(t.id) != val:
                    h.changeRowBounds(i, val, self.hs.kHighsInf)
            self._last[t.id] = val
        ph = getattr(m, "obj_alt", None)
        ph = ph if (ph is not None and ph.active) else None
        if ph is not None:
            from pyomo.repn import generate_standard_repn
            rep = generate_standard_repn(ph.expr)
            cost = np.zeros(len(self.cols))
            for v, a in zip(rep.linear_vars, rep.linear_coefs):
                cost[self.colmap[id(v)]] += a
            key = (tuple(np.flatnonzero(cost)), tuple(cost[cost != 0]), ph.sense)
            if self._phase1 != key:
                h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
                h.changeObjectiveSense(self.hs.ObjSense.kMaximize if ph.sense == pyo.maximize
                                       else self.hs.ObjSense.kMinimize)
                h.changeObjectiveOffset(float(rep.constant or 0.0))
                self._phase1 = key
        elif self._phase1 is not None:
            h.changeColsCost(len(self.c0), np.arange(len(self.c0), dtype=np.int32), self.c0)
            h.changeObjectiveSense(self.hs.ObjSense.kMaximize if self.sense0 == pyo.maximize
                                   else self.hs.ObjSense.kMinimize)
            h.changeObjectiveOffset(self.offset0)
            self._phase1 = None

    def solve(self) -> dict:
        """Solve (or re-solve); load primal values and duals. Same dict as :meth:`HighsRunner.solve`."""
        m, h = self.model, self.h
        t = time.perf_counter()
        self._sync()
        if self.n_solves == 1:
            # re-solves after small changes: primal simplex from the previous basis was several
            # times faster than HiGHS' default (dual) in benchmarks/bench_opt.py (frontier sweeps)
            h.setOptionValue("simplex_strategy", self.resolve_strategy)
        rt0 = h.getRunTime()
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        out = {"solver": self.name, "status": "optimal" if status == self.hs.HighsModelStatus.kOptimal
               else h.modelStatusToString(status), "objective": None,
               "iterations": int(info.simplex_iteration_count + max(info.ipm_iteration_count, 0)),
               "solver_time_s": float(h.getRunTime() - rt0), "wall_time_s": None}
        self.n_solves += 1
        if out["status"] == "optimal":
            sol = h.getSolution()
            for v, x in zip(self.cols, sol.col_value):
                v.set_value(x, skip_validation=True)
            m.dual.clear()
            for r, y in zip(self.sf.rows, sol.row_dual):
                m.dual[r.constraint] = y
            out["objective"] = float(info.objective_function_value)
        out["wall_time_s"] = time.perf_counter() - t
        return out


def _require_optimal(info: dict, what: str) -> None:
    if info["status"] != "optimal":
        raise CztInputError("optimisation", f"{what}: solver returned '{info['status']}' – the hard constraints "
                            "(capacity, realism bounds, IO balance) are inconsistent; check the parameters")


def cluster_results(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Per cluster and year: I, K, VA, X, E (base year included as observed)."""
    p: OptParams = m._params
    rows = []
    t0 = p.years[0]
    for i, c in enumerate(p.clusters):
        rows.append({"cluster": c, "year": t0, "I": np.nan, "K": p.k0[i], "VA": p.va0[i],
                     "X": p.x0[i], "E": p.energy_coef[i] * p.x0[i]})
        for t in m.D:
            rows.append({"cluster": c, "year": t, "I": pyo.value(m.I[c, t]), "K": pyo.value(m.K[c, t]),
                         "VA": pyo.value(m.VA[c, t]), "X": pyo.value(m.X[c, t]), "E": pyo.value(m.E[c, t])})
    return pd.DataFrame(rows)


def totals(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Per year: GDP (real, base-year prices), nominal GDP, investment, energy, EI index, high-tech."""
    p: OptParams = m._params
    t0 = p.years[0]
    e0 = float(p.energy_coef @ p.x0 + p.energy_hh * p.gdp0)
    rows = [{"year": t0, "gdp": p.gdp0, "gdp_nominal": p.gdp0, "investment": np.nan, "energy": e0,
             "hightech_va": float(p.hightech_share @ p.va0)}]
    for t in m.D:
        rows.append({"year": t, "gdp": pyo.value(m.GDP[t]),
                     "gdp_nominal": pyo.value(m.GDP[t]) * p.deflator[p.years.index(t)],
                     "investment": pyo.value(m.Itot[t]), "energy": pyo.value(m.Etot[t]),
                     "hightech_va": pyo.value(m.HT[t])})
    df = pd.DataFrame(rows)
    df["energy_intensity_index"] = 100 * df["energy"] / df["gdp"]
    df["hightech_share_pct"] = 100 * df["hightech_va"] / df["gdp"]
    df["hightech_va_nominal"] = df["hightech_va"] * df["year"].map(dict(zip(p.years, p.deflator)))
    df["investment_share_of_gdp"] = df["investment"] / df["gdp"]
    return df


def achieved_value(m: pyo.ConcreteModel, target) -> float:
    """Achieved value of a target in its own units at the current solution."""
    p: OptParams = m._params
    y = target.year
    k = p.years.index(y)
    gdp = pyo.value(m.GDP[y])
    if target.kind == "gdp_level":
        return gdp * p.deflator[k]
    if target.kind == "gdp_growth":
        base = p.gdp0 * target.base_real_ratio
        return 100 * ((gdp / base) ** (1.0 / (y - target.base_year)) - 1)
    if target.kind == "energy_intensity":
        return 100 * pyo.value(m.Etot[y]) / gdp
    if target.kind == "hightech_share":
        return 100 * pyo.value(m.HT[y]) / gdp
    return pyo.value(m.HT[y]) * p.deflator[k]


def objective_unit(p: OptParams) -> str:
    return ("100m yuan of discounted cumulative GDP (base-year prices)" if p.mode == "max_gdp"
            else "100m yuan of cumulative investment (base-year prices)")


def target_table(m: pyo.ConcreteModel, tol: float = 1e-6) -> pd.DataFrame:
    """Feasibility of every target at the current solution.

    Columns: ``target, kind, year, sense, required, achieved, unit, slack``
    (shortfall in the target's own units, 0 if met), ``slack_model`` (LP slack,
    亿元 base-year prices), ``status`` (``met``/``binding``/``violated``),
    ``dual`` (d objective / d required value, first order), ``dual_unit``,
    ``dual_note``.
    """
    p: OptParams = m._params
    rows = []
    for t in p.targets:
        ach = achieved_value(m, t)
        s = pyo.value(m.S[t.id])
        lam = m.dual.get(m.tgt[t.id], 0.0) or 0.0
        gdp_t = pyo.value(m.GDP[t.year])
        d = lam * rhs_derivative(t, p, gdp_t)
        short = max(0.0, (t.value - ach) if t.sense == ">=" else (ach - t.value))
        scale = max(1.0, abs(t.value))
        if s > tol * max(1.0, p.gdp0):
            status = "violated"
        elif abs(lam) > 1e-9:
            status = "binding"
        else:
            status = "met"
        note = ("penalty-determined (target violated: dual = penalty x rhs sensitivity)"
                if status == "violated" else ("" if status == "binding" else "not binding"))
        rows.append({"target": t.id, "kind": t.kind, "year": t.year, "sense": t.sense, "required": t.value,
                     "achieved": ach, "unit": t.unit, "slack": short if short > tol * scale else 0.0,
                     "slack_model": s, "status": status, "dual": d,
                     "dual_unit": f"{objective_unit(p)} per {t.unit}", "dual_note": note, "source": t.source})
    cols = ["target", "kind", "year", "sense", "required", "achieved", "unit", "slack", "slack_model", "status",
            "dual", "dual_unit", "dual_note", "source"]
    return pd.DataFrame(rows, columns=cols)


def dual_range_check(runner, target_id: str,
                     steps: tuple[float, ...] = (0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0),
                     rel_tol: float = 0.02, refine: int = 6) -> dict:
    """Check a target's shadow price by re-solving with the target moved.

    For each step Δ (in the target's own units; relative to ``max(1, |value|/100)``
    for level targets so steps scale with the target), the target is moved to
    ``value ± Δ`` and re-solved. The finite-difference slope ``Δobj/Δ`` is
    compared with the dual-based shadow price; the range over which they agree
    within ``rel_tol`` (or 1e-6 of the objective) is reported, its edge refined
    by ``refine`` bisection steps between the last agreeing and the first
    disagreeing step. The model is restored afterwards.

    Returns
    -------
    dict
        ``dual`` (shadow price), ``slope_up``/``slope_down`` at the smallest
        step, ``valid_from``/``valid_to`` (target values bounding the verified
        range), ``gdp_first_target_year_per_unit`` (finite-difference change of
        GDP in the target year per unit, smallest step), ``resolves``.
    """
    m = runner.model
    p: OptParams = m._params
    t = next(x for x in p.targets if x.id == target_id)
    base_info = runner.solve()
    _require_optimal(base_info, "dual range check")
    obj0 = base_info["objective"]
    tab = target_table(m).set_index("target")
    dual = float(tab.loc[target_id, "dual"])
    gdp0 = pyo.value(m.GDP[t.year])
    unit = 1.0 if t.kind in ("energy_intensity", "hightech_share", "gdp_growth") else max(1.0, abs(t.value) / 100)
    v0 = t.value
    ok_up, ok_down = 0.0, 0.0
    slope_up = slope_down = None
    dg_up = None
    resolves = 0
    def agrees(direction, delta):
        """Re-solve at value0 + direction*delta; True if the slope matches the dual."""
        nonlocal resolves
        nv = v0 + direction * delta
        if nv < 0 or (t.kind == "hightech_share" and nv >= 100):
            return None, False
        set_target_value(m, target_id, nv)
        info = runner.solve()
        resolves += 1
        if info["status"] != "optimal":
            return None, False
        slope = (info["objective"] - obj0) / (direction * delta)
        tol = max(rel_tol * abs(dual), 1e-6 * max(1.0, abs(obj0)) / delta)
        return slope, abs(slope - dual) <= tol

    for direction in (+1, -1):
        ok, bad = 0.0, None
        for st in steps:
            delta = st * unit
            slope, good = agrees(direction, delta)
            if direction > 0 and slope_up is None and slope is not None:
                slope_up = slope
                dg_up = (pyo.value(m.GDP[t.year]) - gdp0) / delta
            if direction < 0 and slope_down is None and slope is not None:
                slope_down = slope
            if good:
                ok = delta
            else:
                bad = delta
                break
        if bad is not None and ok > 0:          # refine the edge between the last good and first bad step
            for _ in range(refine):
                mid = 0.5 * (ok + bad)
                _, good = agrees(direction, mid)
                ok, bad = (mid, bad) if good else (ok, mid)
        if direction > 0:
            ok_up = ok
        else:
            ok_down = ok
    set_target_value(m, target_id, v0)
    runner.solve()
    return {"target": target_id, "dual": dual, "slope_up": slope_up, "slope_down": slope_down,
            "valid_from": v0 - ok_down, "valid_to": v0 + ok_up,
            "gdp_target_year_change_per_unit": dg_up, "resolves": resolves + 2}


def diagnose_conflicts(runner, tol: float = 1e-6) -> dict:
    """Which targets are unreachable alone, and which pairs conflict.

    Phase-1 LPs (objective: minimise slacks in 亿元, GDP ignored) on the same
    hard constraints. Target k is *reachable alone* if min S_k = 0. A pair
    (k, l) *conflicts* if min (S_k + S_l) > min S_k + min S_l, i.e. the two
    cannot both be at their best at once; the excess (亿元 of extra joint
    shortfall, base-year prices) measures how much they compete. Pairs of
    reachable targets that conflict are the "contradictory" case. The
    original objective is restored afterwards.

    Returns
    -------
    dict
        ``unreachable_alone`` {id: min shortfall 亿元}, ``conflicting_pairs``
        [[k, l, extra joint shortfall 亿元]], ``all_jointly_reachable``,
        ``min_total_slack`` (亿元).
    """
    m = runner.model
    p: OptParams = m._params
    ids = [t.id for t in p.targets]
    scale = tol * max(1.0, p.gdp0)
    alone: dict[str, float] = {}
    pairs = []
    try:
        for k in ids:
            set_penalties(m, {k: 1.0})
            info = runner.solve()
            _require_optimal(info, "conflict diagnosis")
            alone[k] = max(0.0, info["objective"])
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                set_penalties(m, {ids[a]: 1.0, ids[b]: 1.0})
                info = runner.solve()
                _require_optimal(info, "conflict diagnosis")
                extra = info["objective"] - alone[ids[a]] - alone[ids[b]]
                if extra > scale:
                    pairs.append([ids[a], ids[b], extra])
        set_penalties(m, {k: 1.0 for k in ids})
        info = runner.solve()
        joint = info["objective"]
    finally:
        set_penalties(m, None)
    runner.solve()
    return {"unreachable_alone": {k: v for k, v in alone.items() if v > scale},
            "conflicting_pairs": pairs,
            "all_jointly_reachable": bool(joint <= scale),
            "min_total_slack": joint}


@dataclass
class SolveOutcome:
    """Result of :func:`solve_params`."""

    model: pyo.ConcreteModel
    runner: object
    info: dict
    build_time_s: float


def solve_params(p: OptParams, solver: str = "highs") -> SolveOutcome:
    """Build and solve; raise if the hard constraints are infeasible."""
    from .build import build_model
    t = time.perf_counter()
    m = build_model(p)
    bt = time.perf_counter() - t
    t = time.perf_counter()
    runner = make_runner(m, solver)
    info = runner.solve()
    info["wall_time_s"] = time.perf_counter() - t   # incl. transfer to HiGHS
    _require_optimal(info, "solve")
    info["build_time_s"] = bt
    return SolveOutcome(m, runner, info, bt)
