"""The investment LP re-solved across sample paths of the control forecast.

Adapter between the scenario engine and the LP core (:mod:`model.opt`): the
one place that knows which LP API is used. The model is built once and
compiled to one ``highspy.Highs`` instance
(:class:`model.opt.solve.DirectHighsRunner`); each sample path changes only
data in that instance:

* other final demand ``O[c,t]`` is fixed to the path's structural control
  demand (column bounds ``lb = ub``: exogenous, never a planner's choice);
* nominal targets (GDP level, high-tech VA level) are deflated with the
  path's own deflator (row bounds).

Per path it returns the optimal investment by cluster and year, the LP's GDP,
high-tech share, energy index, and which targets are reachable (slack 0).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass
class PathOutcome:
    """LP results over the sample paths (arrays ``(m, …)`` over the LP years)."""

    index: np.ndarray            # control-path rows solved
    status: list                 # "optimal" or the HiGHS status, per path
    investment: np.ndarray       # (m, n, T) by cluster; column 0 = 0
    gdp_real: np.ndarray         # (m, T) 亿元 base-year prices
    gdp_nominal: np.ndarray      # (m, T)
    hightech_share: np.ndarray   # (m, T) percent
    energy_index: np.ndarray     # (m, T) 2019 = 100
    shortfall: dict              # target id -> (m,) LP slack, 亿元 base-year prices
    target_meta: dict            # target id -> (kind, year, value)
    solve_time_s: np.ndarray     # (m,)
    build_time_s: float


def solve_paths(p, O_ctl: np.ndarray, deflator: np.ndarray, index: np.ndarray, solver: str = "highs") -> tuple:
    """Build the LP once and solve it for every sample path.

    Parameters
    ----------
    p : model.opt.OptParams
    O_ctl : ndarray (m, n, T)
        Other final demand of each sample path (structural control).
    deflator : ndarray (m, T)
        ``P_t / P_t0`` of each sample path.
    index : ndarray (m,)
        Rows of the control paths these samples are.

    Returns
    -------
    (PathOutcome, model, runner)
        The runner is left at the last path's solution; re-solve the median
        path on it before writing ``model.mps``.
    """
    import pyomo.environ as pyo

    from ..opt.build import build_model
    from ..opt.solve import make_runner

    t = time.perf_counter()
    m = build_model(p)
    runner = make_runner(m, solver)
    build_s = time.perf_counter() - t
    C, D = list(p.clusters), list(p.years[1:])
    n, T = len(C), len(p.years)
    h = getattr(runner, "h", None)
    direct = h is not None and hasattr(runner, "colmap")
    if direct:
        ocols = np.array([runner.colmap[id(m.O[c, y])] for c in C for y in D], dtype=np.int32)
    tg = {t_.id: t_ for t_ in p.targets}
    mm = len(index)
    out = PathOutcome(index=np.asarray(index), status=[], investment=np.zeros((mm, n, T)),
                      gdp_real=np.full((mm, T), np.nan), gdp_nominal=np.full((mm, T), np.nan),
                      hightech_share=np.full((mm, T), np.nan), energy_index=np.full((mm, T), np.nan),
                      shortfall={k: np.full(mm, np.nan) for k in tg},
                      target_meta={k: (x.kind, x.year, x.value) for k, x in tg.items()},
                      solve_time_s=np.zeros(mm), build_time_s=build_s)
    e0 = float(p.energy_coef @ p.x0 + p.energy_hh * p.gdp0)
    for j in range(mm):
        t = time.perf_counter()
        o = O_ctl[j][:, 1:].reshape(-1)
        if direct:
            h.changeColsBounds(len(ocols), ocols, o, o)
        else:  # a Pyomo persistent interface: fix through the variables' bounds
            for (c, y), val in zip(((c, y) for c in C for y in D), o):
                m.O[c, y].setlb(val)
                m.O[c, y].setub(val)
        for k, x in tg.items():
            if x.kind in ("gdp_level", "hightech_level"):
                m.trhs[k] = x.value / float(deflator[j, p.years.index(x.year)])
        info = runner.solve()
        out.status.append(info["status"])
        out.solve_time_s[j] = time.perf_counter() - t
        if info["status"] != "optimal":
            continue
        out.investment[j, :, 1:] = np.array([[pyo.value(m.I[c, y]) for y in D] for c in C])
        gdp = np.array([p.gdp0] + [pyo.value(m.GDP[y]) for y in D])
        ht = np.array([float(p.hightech_share @ p.va0)] + [pyo.value(m.HT[y]) for y in D])
        en = np.array([e0] + [pyo.value(m.Etot[y]) for y in D])
        out.gdp_real[j] = gdp
        out.gdp_nominal[j] = gdp * deflator[j]
        out.hightech_share[j] = 100 * ht / gdp
        out.energy_index[j] = 100 * en / gdp
        for k in tg:
            out.shortfall[k][j] = pyo.value(m.S[k])
    return out, m, runner
