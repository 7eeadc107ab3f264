"""ε-constraint sweep: the GDP-vs-energy-intensity frontier in a target year.

For a grid of caps ε on the energy-intensity index (2019 = 100) in the target
year, maximise GDP of that year subject to EI ≤ ε (the cap is made hard by a
slack weight of 100 × penalty; the other targets are left out of the
objective, so this is the two-objective GDP/energy-intensity frontier; their
slacks at each point are reported). The grid runs from the lowest reachable
intensity (found by bisection on a phase-1 LP) to the intensity reached when
energy is unconstrained. All solves reuse one persistent HiGHS instance.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..errors import CztInputError
from .build import set_objective, set_penalties, set_target_value
from .params import OptParams
from .solve import achieved_value


def _energy_target(p: OptParams, target_id: str | None):
    cands = [t for t in p.targets if t.kind == "energy_intensity" and (target_id is None or t.id == target_id)]
    if not cands:
        raise CztInputError("frontier", "no energy-intensity target in the model (needed for the ε-constraint)")
    return cands[0]


def reachable_limit(runner, target_id: str, lo: float, hi: float, *, feasible_high: bool,
                    tol: float = 0.01) -> float:
    """Bisection on a phase-1 LP: the limit of a target value whose slack can reach zero.

    With only this target's slack in the objective, a value is reachable when
    the optimal objective is ~0. ``feasible_high=True`` (a cap, e.g. energy
    intensity ≤ v) returns the lowest reachable ``v`` in [lo, hi];
    ``feasible_high=False`` (a floor, e.g. high-tech share ≥ v) the highest.
    The model's penalties and target value are restored afterwards.
    """
    m = runner.model
    scale = 1e-7 * max(1.0, m._params.gdp0)
    v0 = next(t.value for t in m._params.targets if t.id == target_id)

    def reachable(v: float) -> bool:
        set_target_value(m, target_id, v)
        info = runner.solve()
        return info["status"] == "optimal" and info["objective"] <= scale

    set_penalties(m, {target_id: 1.0})
    try:
        if feasible_high and not reachable(hi):
            raise CztInputError("frontier", f"{target_id} = {hi} not reachable – check parameters")
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            if reachable(mid) == feasible_high:
                hi = mid
            else:
                lo = mid
    finally:
        set_penalties(m, None)
        set_target_value(m, target_id, v0)
    return hi if feasible_high else lo


def lowest_reachable_intensity(runner, target_id: str, lo: float = 1.0, hi: float = 200.0,
                               tol: float = 0.01) -> float:
    """Lowest energy-intensity cap whose slack can be driven to zero (bisection on phase 1)."""
    return reachable_limit(runner, target_id, lo, hi, feasible_high=True, tol=tol)


def energy_gdp_frontier(runner, n_points: int = 50, target_id: str | None = None) -> pd.DataFrame:
    """Sweep the energy-intensity cap and maximise target-year GDP at each point.

    Parameters
    ----------
    runner : DirectHighsRunner or HighsRunner
        Bound to a model built by :func:`model.opt.build.build_model`.
    n_points : int
        Grid points (≥ 2).
    target_id : str, optional
        Energy-intensity target to sweep (default: the first one).

    Returns
    -------
    DataFrame
        One row per point: ``point, year, ei_cap, ei_achieved, gdp`` (base-year
        prices), ``gdp_nominal, hightech_share_pct, hightech_va_nominal,
        other_slack`` (亿元 of slack on the other targets), ``status``,
        ``pareto`` (not dominated), ``marginal_gdp_per_point`` (ΔGDP per index
        point of the cap, from neighbouring points). No timing column (same seed ->
        same bytes); ``df.attrs`` holds ``ei_min``, ``ei_free``, ``total_time_s``, ``solves``.
    """
    if n_points < 2:
        raise CztInputError("frontier", f"n_points must be >= 2, got {n_points}")
    m = runner.model
    t0 = time.perf_counter()
    p: OptParams = m._params
    tgt = _energy_target(p, target_id)
    y = tgt.year
    v0 = tgt.value
    n0 = runner.n_solves
    others = [t.id for t in p.targets if t.id != tgt.id]
    try:
        hard = 100.0 * p.penalty
        set_objective(m, m.GDP[y] - hard * m.S[tgt.id], pyo.maximize)
        set_target_value(m, tgt.id, 1000.0)           # energy unconstrained
        info = runner.solve()
        if info["status"] != "optimal":
            raise CztInputError("frontier", f"unconstrained solve returned {info['status']}")
        ei_free = achieved_value(m, m._params.targets[[t.id for t in m._params.targets].index(tgt.id)])
        set_objective(m, None)
        ei_min = lowest_reachable_intensity(runner, tgt.id, lo=1.0, hi=max(ei_free, 1.0) + 1.0)
        set_objective(m, m.GDP[y] - hard * m.S[tgt.id], pyo.maximize)
        rows = []
        caps = np.linspace(ei_min, ei_free, n_points)
        set_target_value(m, tgt.id, float(ei_free))
        runner.solve()                                  # start at the loose end and tighten step by step
        for k in range(n_points - 1, -1, -1):
            cap = caps[k]
            set_target_value(m, tgt.id, float(cap))
            info = runner.solve()
            row = {"point": k, "year": y, "ei_cap": float(cap), "status": info["status"]}
            if info["status"] == "optimal":
                gdp = pyo.value(m.GDP[y])
                k_y = p.years.index(y)
                row.update(ei_achieved=100 * pyo.value(m.Etot[y]) / gdp, gdp=gdp,
                           gdp_nominal=gdp * p.deflator[k_y],
                           hightech_share_pct=100 * pyo.value(m.HT[y]) / gdp,
                           hightech_va_nominal=pyo.value(m.HT[y]) * p.deflator[k_y],
                           energy_slack=pyo.value(m.S[tgt.id]),
                           other_slack=sum(pyo.value(m.S[o]) for o in others),
                           **{f"slack_{o}": pyo.value(m.S[o]) for o in others})
            rows.append(row)
    finally:
        set_objective(m, None)
        set_target_value(m, tgt.id, v0)
    df = pd.DataFrame(rows).sort_values("point").reset_index(drop=True)
    ok = df["status"] == "optimal"
    g = df["gdp"].to_numpy(float)
    e = df["ei_achieved"].to_numpy(float)
    df["pareto"] = [bool(ok[i]) and not any(ok[j] and g[j] >= g[i] + 1e-6 and e[j] <= e[i] - 1e-6
                                            for j in range(len(df))) for i in range(len(df))]
    df["marginal_gdp_per_point"] = np.gradient(g, df["ei_cap"].to_numpy(float)) if len(df) > 1 else np.nan
    df.attrs.update(ei_min=ei_min, ei_free=ei_free, total_time_s=time.perf_counter() - t0,
                    solves=runner.n_solves - n0, target=tgt.id, required=v0)
    runner.solve()   # leave the model at the original optimum
    return df


def plot_frontier(df: pd.DataFrame, path, title: str = "", gdp_target: float | None = None) -> None:
    """Save the frontier as a PNG (GDP of the target year vs energy-intensity index).

    ``gdp_target`` (nominal 亿元) is drawn as a horizontal line when given.
    """
    # object API on an Agg canvas: no pyplot state, and the caller's backend (e.g. a notebook's inline) untouched
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ok = df[df["status"] == "optimal"]
    ax.plot(ok["ei_achieved"], ok["gdp_nominal"], "o-", ms=3, label="max GDP at each energy-intensity cap")
    req = df.attrs.get("required")
    if req is not None:
        ax.axvline(req, color="tab:red", ls="--", lw=1, label=f"energy-intensity target ({req:g})")
    if gdp_target is not None:
        ax.axhline(gdp_target, color="tab:gray", ls=":", lw=1, label=f"GDP target ({gdp_target:g})")
    y = int(df["year"].iloc[0])
    ax.set_xlabel(f"energy-intensity index {y} (2019 = 100)")
    ax.set_ylabel(f"GDP {y}, 100m yuan (nominal)")
    ax.set_title(title or f"GDP vs energy intensity, {y} (ε-constraint frontier)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
