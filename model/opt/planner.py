"""What a planner asks of the LP: reachable values, extra investment, prices, frontier.

All functions work on a :class:`~model.opt.pathlp.PathLP` with one path
loaded and leave it re-solved at the plan (default objective, bounds restored).

* :func:`best_reachable` – the largest (smallest, for a cap) value of a target
  reachable within the bounds (envelope, realism bounds, capacity, import
  substitution and upgrading limits), all other targets ignored;
* :func:`extra_investment` – the investment (亿元, ``t0`` prices, summed to
  the target year) that meeting a target would take beyond the plan's, with
  the investment envelope lifted, or ``None`` = unreachable within the other
  bounds;
* :func:`shadow_prices` – for BINDING targets only (met, with a non-zero dual
  below the penalty): the marginal cost of tightening by one unit and its
  validity range from HiGHS ranging. A missed target's dual is the penalty,
  which is never reported as a price;
* :func:`energy_frontier` – the ε-constraint GDP-vs-energy-intensity frontier
  over a cap range that includes the target.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .pathlp import PathLP, achieved

TOL = 1e-6


def _hard_cost(lp: PathLP) -> np.ndarray:
    """Objective keeping only the hard-row penalties (maximisation form)."""
    c = np.zeros_like(lp.c0)
    for k in ("Hup", "Hdn", "Hcap", "Hterm", "Hterm2"):
        idx = np.asarray(lp.idx[k]).ravel()
        c[idx] = lp.c0[idx]
    return c


def _restore(lp: PathLP, envelope=None) -> None:
    lp.set_objective(None)
    lp._obj = "opt"
    if envelope is not None:
        lp._set_rows(lp.rows["envelope"], envelope[0], envelope[1])
    lp.resolve()


def _target(lp: PathLP, target_id: str):
    return next(t for t in lp.p.targets if t.id == target_id)


def _current(lp: PathLP):
    return lp._solution("optimal", float(lp.h.getInfo().objective_function_value), 0.0)


def _bisect_reachable(ok, lo: float, hi: float, tol: float, cap: bool) -> float:
    """Bisection on a target value whose feasibility ``ok(v)`` is monotone.

    For a cap (``cap=True``) feasibility holds from some value up: return the
    lowest feasible value within ``tol``; for a floor it holds up to some value:
    return the highest. NaN when even the loosest end (``hi`` for a cap, ``lo``
    for a floor) is infeasible.
    """
    if not ok(hi if cap else lo):
        return float("nan")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if ok(mid) == cap:
            hi = mid
        else:
            lo = mid
    return hi if cap else lo


def best_reachable(lp: PathLP, target_id: str, tol: float = 0.01) -> float:
    """Best value of a target reachable within the bounds (its own units)."""
    t = _target(lp, target_id)
    k = lp.p.years.index(t.year) - 1
    v0 = t.value
    try:
        if t.kind in ("gdp_level", "gdp_growth", "hightech_level"):
            c = _hard_cost(lp)
            col = lp.idx["GDP"][k] if t.kind != "hightech_level" else lp.idx["HT"][k]
            c[col] = 1.0
            lp.set_objective(c)
            st, _ = lp.resolve()
            return achieved(t, _current(lp), lp._path) if st == "optimal" else float("nan")
        c = _hard_cost(lp)
        c[lp.idx["S"][t.id]] = -1.0
        lp.set_objective(c)
        scale = 1e-7 * max(1.0, lp.p.gdp0)

        def ok(v):
            lp.set_target_value(t.id, v)
            st, _ = lp.resolve()
            return st == "optimal" and lp.values()[lp.idx["S"][t.id]] <= scale
        cap = t.kind == "energy_intensity"        # a cap: lowest reachable; otherwise a floor: highest reachable
        return _bisect_reachable(ok, 1.0, 400.0, tol, cap) if cap else _bisect_reachable(ok, 0.0, 99.0, tol, cap)
    finally:
        lp.set_target_value(t.id, v0)
        _restore(lp)


def extra_investment(lp: PathLP, target_id: str, plan_investment: np.ndarray, big: float = 1e6) -> float | None:
    """Investment beyond the plan's (亿元, t0 prices, years ``t0+1 … target year``) that meeting the target takes.

    The envelope is lifted; cumulative investment to the target year is
    minimised with the target made hard (weight ``big``). ``None`` when the
    target cannot be met even so (other bounds bind: growth limits, import
    substitution, upgrading steps); 0 when the plan already meets it.
    """
    t = _target(lp, target_id)
    k = lp.p.years.index(t.year)
    inf = lp.hs.kHighsInf
    rows = lp.rows["envelope"]
    lp._set_rows(rows, np.full(len(rows), -inf), np.full(len(rows), inf))
    try:
        c = _hard_cost(lp)
        c[lp.idx["Itot"][:k]] = -1.0
        c[lp.idx["S"][t.id]] = -big
        lp.set_objective(c)
        st, _ = lp.resolve()
        if st != "optimal":
            return None
        x = lp.values()
        if x[lp.idx["S"][t.id]] > 1e-6 * max(1.0, lp.p.gdp0):
            return None
        need = float(x[lp.idx["Itot"][:k]].sum())
        return max(0.0, need - float(np.nansum(plan_investment[1:k + 1])))
    finally:
        _restore(lp, (np.full(len(rows), -inf), np.zeros(len(rows))))


def _rhs_per_unit(t, sol, path) -> float:
    """Change of the row's right-hand side (亿元, t0 prices) per unit of tightening."""
    k = sol.years.index(t.year)
    if t.kind in ("gdp_level", "hightech_level"):
        return 1.0 / path.deflator[k]
    if t.kind == "gdp_growth":
        n = t.year - t.base_year
        base = path.gdp_real_ref.get(t.base_year, sol.gdp_real[0] * (t.base_real_ratio or 1.0))
        return base * n * (1 + t.value / 100.0) ** (n - 1) / 100.0
    return sol.gdp_real[k] / 100.0     # ratio rows, first order


def shadow_prices(lp: PathLP, sol) -> pd.DataFrame:
    """Marginal cost of tightening each BINDING target, with its validity range (HiGHS ranging).

    Columns: ``target, marginal_cost, cost_unit, valid_from, valid_to, note``.
    Targets that are met but not binding, or missed (their dual is the
    penalty), get no price.
    """
    p = lp.p
    rows = []
    # what the objective counts (pathlp's objective): discounted GDP, or total investment (min_investment)
    objective = "discounted GDP" if p.mode == "max_gdp" else "investment"
    duals = np.asarray(lp.h.getSolution().row_dual)
    rng = None
    for t, r in zip(p.targets, sol.targets.itertuples()):
        if r.status != "binding":
            continue
        if rng is None:
            rng = lp.h.getRanging()
            rng = rng[1] if isinstance(rng, tuple) else rng
        row = lp.rows["tgt"][t.id]
        lam = float(duals[row])
        if abs(lam) >= p.penalty * (1 - 1e-6):
            continue                                   # at the penalty: no price
        per = _rhs_per_unit(t, sol, lp._path)
        cost = -lam * per
        up, dn = float(rng.row_bound_up.value_[row]), float(rng.row_bound_dn.value_[row])
        lo_b = float(lp.h.getLp().row_lower_[row])
        sign = 1.0 if t.kind != "energy_intensity" else -1.0
        v_hi = t.value + sign * (up - lo_b) / per if np.isfinite(up) else (np.inf if sign > 0 else -np.inf)
        v_lo = t.value + sign * (dn - lo_b) / per if np.isfinite(dn) else (-np.inf if sign > 0 else np.inf)
        lo_v, hi_v = sorted((v_lo, v_hi))
        rows.append({"target": t.id, "marginal_cost": cost,
                     "cost_unit": f"100m yuan of {objective} ({p.years[0]} prices) per {r.unit} of tightening",
                     "valid_from": lo_v, "valid_to": hi_v,
                     "note": "HiGHS ranging of the target row" + (" (first order in GDP)" if t.kind in (
                         "energy_intensity", "hightech_share") else "")})
    return pd.DataFrame(rows, columns=["target", "marginal_cost", "cost_unit", "valid_from", "valid_to", "note"])


def planner_table(lp: PathLP, sol) -> pd.DataFrame:
    """Per target: required, achieved, shortfall, status, best reachable, extra investment, price.

    ``sol`` is the plan's solution (left loaded in ``lp``).
    """
    tab = sol.targets.copy()
    prices = shadow_prices(lp, sol).set_index("target")
    best, extra, verdict = [], [], []
    for t in lp.p.targets:
        b = best_reachable(lp, t.id)
        e = extra_investment(lp, t.id, sol.investment_total)
        best.append(b)
        extra.append(np.nan if e is None else e)
        verdict.append("unreachable within the bounds" if e is None else
                       ("met by the plan" if e == 0 else f"needs {e:,.0f}亿 more investment to {t.year}"))
    tab["best_reachable"] = best
    tab["extra_investment"] = extra
    tab["extra_investment_unit"] = f"100m yuan ({lp.p.years[0]} prices), cumulative to the target year"
    tab["verdict"] = verdict
    for c in ("marginal_cost", "cost_unit", "valid_from", "valid_to", "note"):
        tab[c] = tab["target"].map(prices[c]) if len(prices) else np.nan
    tab = tab.rename(columns={"note": "price_note"})
    return tab


def energy_frontier(lp: PathLP, target_id: str | None = None, n_points: int = 50, big: float = 1e5) -> pd.DataFrame:
    """GDP of the target year vs the energy-intensity cap (ε-constraint), range including the target.

    For each cap (index, 2019 = 100) on a grid from ``min(lowest reachable,
    target)`` to ``max(intensity at unconstrained GDP, target)``, maximise GDP
    of the target year with the cap made hard (weight ``big``) and the other
    targets ignored. Caps below the lowest reachable intensity are reported
    with ``status = "unreachable"``. No timing columns (same seed → same bytes).
    """
    tg = [t for t in lp.p.targets if t.kind == "energy_intensity" and (target_id is None or t.id == target_id)]
    if not tg:
        return pd.DataFrame()
    t = tg[0]
    k = lp.p.years.index(t.year)
    v0 = t.value
    e_min = best_reachable(lp, t.id)
    try:
        c = _hard_cost(lp)
        c[lp.idx["GDP"][k - 1]] = 1.0
        lp.set_objective(c)
        lp.set_target_value(t.id, 1000.0)
        lp.resolve()
        e_free = float(_current(lp).energy_index[k])
        lo, hi = min(e_min, v0), max(e_free, v0)
        c[lp.idx["S"][t.id]] = -big
        lp.set_objective(c)
        rows = []
        for i, cap in enumerate(np.linspace(hi, lo, n_points)):
            lp.set_target_value(t.id, float(cap))
            st, _ = lp.resolve()
            x = lp.values()
            row = {"point": n_points - 1 - i, "year": t.year, "ei_cap": float(cap)}
            if st != "optimal" or x[lp.idx["S"][t.id]] > 1e-6 * lp.p.gdp0 or cap < e_min - 1e-9:
                row["status"] = "unreachable"
            else:
                s = _current(lp)
                row.update(status="optimal", ei_achieved=float(s.energy_index[k]), gdp=float(s.gdp_real[k]),
                           gdp_nominal=float(s.gdp_nominal[k]), hightech_share_pct=float(100 * s.hightech_share[k]),
                           investment=float(s.investment_total[k]))
            rows.append(row)
    finally:
        lp.set_target_value(t.id, v0)
        _restore(lp)
    df = pd.DataFrame(rows).sort_values("point").reset_index(drop=True)
    df.attrs.update(ei_min=e_min, ei_free=e_free, target=t.id, required=v0)
    return df


def plot_frontier(df: pd.DataFrame, path, gdp_target: float | None = None) -> None:
    """PNG of the frontier (matplotlib object API; no backend is switched)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ok = df[df["status"] == "optimal"]
    ax.plot(ok["ei_cap"], ok["gdp_nominal"], "o-", ms=3, label="max GDP at each energy-intensity cap")
    bad = df[df["status"] != "optimal"]
    if len(bad):
        ax.axvspan(bad["ei_cap"].min(), bad["ei_cap"].max(), color="tab:gray", alpha=0.15,
                   label="cap not reachable within the bounds")
    req = df.attrs.get("required")
    if req is not None:
        ax.axvline(req, color="tab:red", ls="--", lw=1, label=f"energy-intensity target ({req:g})")
    if gdp_target is not None:
        ax.axhline(gdp_target, color="tab:gray", ls=":", lw=1, label=f"GDP target ({gdp_target:g})")
    y = int(df["year"].iloc[0])
    ax.set_xlabel(f"energy-intensity cap {y} (index, 2019 = 100)")
    ax.set_ylabel(f"GDP {y}, 100m yuan (nominal)")
    ax.set_title(f"GDP vs energy intensity, {y} (ε-constraint frontier)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
