"""The OLDER investment-allocation LP as a Pyomo ConcreteModel (pure function).

Superseded by :mod:`model.opt.pathlp` (``PathLP``), which ``czt run`` and the
scenario engine use. Kept only for the engine's numpy fallback
(``model.engine.lp_paths``) and its tests; with the calibration of
:func:`model.opt.calibrate.params_from_accounts` other final demand is
exogenous (band β = 0), κ comes from the perpetual inventory and δ is the
project's one rate.

Formulation (all money in 亿元 at base-year prices; c cluster, t ∈ D = years[1:],
t−1 = base year uses the observed constants VA0, X0 = VA0/v, K0 = κ·VA0):

* capital      K[c,t] = (1 − δ_c) K[c,t−1] + I[c,t]         (no gestation lag)
* capacity     κ_c VA[c,t] ≤ K[c,t]
* value added  VA[c,t] = v_c X[c,t]
* IO balance   X[c,t] − Σ_j A[c,j] X[j,t] − g_c Σ_j I[j,t] = O[c,t]
               (1 − β_t) Ō[c,t] ≤ O[c,t] ≤ (1 + β_t) Ō[c,t],  Ō = O0 (1 + g_D)^(t − t0)
               (O = other regional final demand: consumption, inventories and
               net outflows, within a band around its trend path)
* realism      (1 − d_max) VA[c,t−1] ≤ VA[c,t] ≤ (1 + g_max) VA[c,t−1]
               |I[c,t] − σ0_c Σ_j I[j,t]| ≤ m (t − t0) Σ_j I[j,t]
* envelope     Σ_c I[c,t] ≤ s_t GDP_t,   GDP_t = Σ_c VA[c,t]
* energy       E[c,t] = e_c (1 − γ)^(t − t0) X[c,t];
               E_t = Σ_c E[c,t] + e_h (1 − γ)^(t − t0) GDP_t
* high-tech    HT_t = Σ_c h_c VA[c,t]
* targets (elastic, slack S_k ≥ 0, all rows in 亿元):
    gdp_level       GDP_t + S ≥ value / P_t
    gdp_growth      GDP_t + S ≥ GDP_base (1 + value/100)^(t − base)
    energy_int.     (value/100) GDP_t − E_t + S ≥ 0
    hightech_share  HT_t − (value/100) GDP_t + S ≥ 0
    hightech_level  HT_t + S ≥ value / P_t
* aggregates   Itot_t, GDP_t, E_t, HT_t are variables with defining rows
* objective    max Σ_t (1+r)^−(t−t0) GDP_t − penalty Σ_k S_k     (max_gdp)
               min Σ_t Σ_c I[c,t] + penalty Σ_k S_k                (min_investment)

Target values enter through mutable parameters ``tcoef``/``trhs`` so that
persistent solvers can re-solve after :func:`set_target_value`.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from .params import OptParams, Target


def target_coefficients(t: Target, p: OptParams) -> tuple[float, float]:
    """Return ``(tcoef, trhs)`` of a target row for the value ``t.value``."""
    k = p.years.index(t.year)
    if t.kind == "gdp_level" or t.kind == "hightech_level":
        return 0.0, t.value / p.deflator[k]
    if t.kind == "gdp_growth":
        return 0.0, p.gdp0 * t.base_real_ratio * (1 + t.value / 100.0) ** (t.year - t.base_year)
    return t.value / 100.0, 0.0  # energy_intensity, hightech_share


def rhs_derivative(t: Target, p: OptParams, gdp_t: float) -> float:
    """d(effective right-hand side)/d(value) of a target row at GDP ``gdp_t``.

    The shadow price per unit of the target's value is ``dual * rhs_derivative``
    (first order; GDP_t taken at the optimum).
    """
    k = p.years.index(t.year)
    if t.kind in ("gdp_level", "hightech_level"):
        return 1.0 / p.deflator[k]
    if t.kind == "gdp_growth":
        n = t.year - t.base_year
        return p.gdp0 * t.base_real_ratio * n * (1 + t.value / 100.0) ** (n - 1) / 100.0
    if t.kind == "energy_intensity":
        return -gdp_t / 100.0
    return gdp_t / 100.0  # hightech_share


def build_model(p: OptParams) -> pyo.ConcreteModel:
    """Build the LP for parameters ``p`` (does not solve it).

    Parameters
    ----------
    p : OptParams
        Validated parameters.

    Returns
    -------
    pyomo.environ.ConcreteModel
        With sets ``C`` (clusters), ``Y`` (all years), ``D`` (decision years),
        ``TG`` (targets); variables ``I, K, VA, X, E`` (indexed C×D) and ``S``
        (target slacks); expressions ``GDP, Itot, Etot, HT`` (indexed D);
        constraints named as in the module docstring (``tgt[k]`` for targets);
        a ``dual`` import suffix; ``m._params`` keeps ``p``.
    """
    n = p.n
    years = list(p.years)
    t0 = years[0]
    dec = years[1:]
    C = list(p.clusters)
    idx = {c: i for i, c in enumerate(C)}
    x0 = p.x0
    k0 = p.k0
    A = p.A

    m = pyo.ConcreteModel(name="czt_investment_allocation")
    m._params = p
    m.C = pyo.Set(initialize=C, ordered=True)
    m.Y = pyo.Set(initialize=years, ordered=True)
    m.D = pyo.Set(initialize=dec, ordered=True)
    m.TG = pyo.Set(initialize=[t.id for t in p.targets], ordered=True)

    nn = pyo.NonNegativeReals
    m.I = pyo.Var(m.C, m.D, within=nn, doc="investment by destination cluster, 亿元")
    m.K = pyo.Var(m.C, m.D, within=nn, doc="capital stock, 亿元")
    m.VA = pyo.Var(m.C, m.D, within=nn, doc="value added, 亿元")
    m.X = pyo.Var(m.C, m.D, within=nn, doc="gross output, 亿元")
    m.E = pyo.Var(m.C, m.D, within=nn, doc="energy use, 2019-intensity 亿元")
    m.S = pyo.Var(m.TG, within=nn, doc="target slack, 亿元 (base-year prices)")

    def prev(var, c, t):
        i = idx[c]
        if t - 1 == t0:
            return {"K": k0[i], "VA": p.va0[i], "X": x0[i]}[var]
        return getattr(m, var)[c, t - 1]

    # aggregates as variables with defining rows (keeps the matrix sparse)
    trend = {(c, t): float(p.other_fd0[idx[c]]) * (1 + p.demand_growth) ** (t - t0) for c in C for t in dec}
    band = {t: float(p.demand_band[years.index(t)]) for t in dec}
    m.O = pyo.Var(m.C, m.D, bounds=lambda m, c, t: ((1 - band[t]) * trend[c, t], (1 + band[t]) * trend[c, t]),
                  doc="other final demand (consumption, inventories, net outflows), 亿元")
    m.Itot = pyo.Var(m.D, within=nn, doc="total investment, 亿元")
    m.GDP = pyo.Var(m.D, within=nn, doc="GDP = sum of VA, 亿元 (base-year prices)")
    m.Etot = pyo.Var(m.D, within=nn, doc="total energy use incl. households, 2019-intensity 亿元")
    m.HT = pyo.Var(m.D, within=nn, doc="high-tech value added, 亿元")
    eff = {t: (1.0 - p.efficiency_gain) ** (t - t0) for t in dec}
    m.itot_def = pyo.Constraint(m.D, rule=lambda m, t: m.Itot[t] == sum(m.I[c, t] for c in C))
    m.gdp_def = pyo.Constraint(m.D, rule=lambda m, t: m.GDP[t] == sum(m.VA[c, t] for c in C))
    m.etot_def = pyo.Constraint(m.D, rule=lambda m, t: m.Etot[t] == sum(m.E[c, t] for c in C)
                                + p.energy_hh * eff[t] * m.GDP[t])
    m.ht_def = pyo.Constraint(m.D, rule=lambda m, t: m.HT[t] == sum(float(p.hightech_share[idx[c]]) * m.VA[c, t]
                                                                  for c in C if p.hightech_share[idx[c]] > 0))

    m.cap_acc = pyo.Constraint(m.C, m.D, rule=lambda m, c, t:
                               m.K[c, t] == (1 - float(p.delta[idx[c]])) * prev("K", c, t) + m.I[c, t])
    m.capacity = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: float(p.kappa[idx[c]]) * m.VA[c, t] <= m.K[c, t])
    m.va_def = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.VA[c, t] == float(p.v[idx[c]]) * m.X[c, t])
    nz = [[(C[j], float(A[i, j])) for j in range(n) if A[i, j] != 0.0] for i in range(n)]

    def io_rule(m, c, t):
        i = idx[c]
        e = m.X[c, t] - sum(a * m.X[cj, t] for cj, a in nz[i]) - m.O[c, t]
        if p.g[i] > 0:
            e = e - float(p.g[i]) * m.Itot[t]
        return e == 0
    m.io = pyo.Constraint(m.C, m.D, rule=io_rule)
    m.grow_up = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.VA[c, t] <= (1 + p.max_growth) * prev("VA", c, t))
    m.grow_down = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.VA[c, t] >= (1 - p.max_decline) * prev("VA", c, t))
    m.energy_def = pyo.Constraint(m.C, m.D, rule=lambda m, c, t:
                                  m.E[c, t] == float(p.energy_coef[idx[c]]) * eff[t] * m.X[c, t])
    env = {t: float(p.envelope[years.index(t)]) for t in dec}
    m.envelope = pyo.Constraint(m.D, rule=lambda m, t: m.Itot[t] <= env[t] * m.GDP[t])

    def share_up(m, c, t):
        hi = p.inv_share0[idx[c]] + p.max_share_shift * (t - t0)
        return pyo.Constraint.Skip if hi >= 1 else m.I[c, t] <= float(hi) * m.Itot[t]

    def share_lo(m, c, t):
        lo = p.inv_share0[idx[c]] - p.max_share_shift * (t - t0)
        return pyo.Constraint.Skip if lo <= 0 else m.I[c, t] >= float(lo) * m.Itot[t]
    m.share_up = pyo.Constraint(m.C, m.D, rule=share_up)
    m.share_lo = pyo.Constraint(m.C, m.D, rule=share_lo)

    tg = {t.id: t for t in p.targets}
    coefs = {k: target_coefficients(t, p) for k, t in tg.items()}
    m.tcoef = pyo.Param(m.TG, initialize={k: v[0] for k, v in coefs.items()}, mutable=True)
    m.trhs = pyo.Param(m.TG, initialize={k: v[1] for k, v in coefs.items()}, mutable=True)

    def tgt_rule(m, k):
        t = tg[k]
        y = t.year
        if t.kind in ("gdp_level", "gdp_growth"):
            return m.GDP[y] + m.S[k] >= m.trhs[k]
        if t.kind == "hightech_level":
            return m.HT[y] + m.S[k] >= m.trhs[k]
        if t.kind == "energy_intensity":
            return m.tcoef[k] * m.GDP[y] - m.Etot[y] + m.S[k] >= 0
        return m.HT[y] - m.tcoef[k] * m.GDP[y] + m.S[k] >= 0  # hightech_share
    m.tgt = pyo.Constraint(m.TG, rule=tgt_rule)

    disc = {t: (1 + p.discount_rate) ** -(t - t0) for t in dec}
    pen = sum(m.S[k] for k in m.TG) if p.targets else 0
    if p.mode == "max_gdp":
        m.obj = pyo.Objective(expr=sum(disc[t] * m.GDP[t] for t in dec) - p.penalty * pen, sense=pyo.maximize)
    else:
        m.obj = pyo.Objective(expr=sum(m.Itot[t] for t in dec) + p.penalty * pen, sense=pyo.minimize)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    return m


def set_target_value(m: pyo.ConcreteModel, target_id: str, value: float) -> None:
    """Change a target's required value in a built model (mutable params).

    Keeps ``m._params`` in sync so that reports use the new value.
    """
    p: OptParams = m._params
    p2 = p.with_target(target_id, value)
    t = next(t for t in p2.targets if t.id == target_id)
    c, r = target_coefficients(t, p2)
    m.tcoef[target_id] = c
    m.trhs[target_id] = r
    m._params = p2


def set_objective(m: pyo.ConcreteModel, expr=None, sense=pyo.minimize) -> None:
    """Replace the objective by ``expr`` (linear, over the model's variables).

    ``expr=None`` restores the original objective ``m.obj``. Used by the
    conflict diagnosis (phase-1: minimise slacks) and the frontier
    (maximise GDP in the target year).
    """
    if hasattr(m, "obj_alt"):
        m.del_component(m.obj_alt)
    if expr is None:
        m.obj.activate()
        return
    m.obj.deactivate()
    m.obj_alt = pyo.Objective(expr=expr, sense=sense)


def set_penalties(m: pyo.ConcreteModel, weights: dict[str, float] | None) -> None:
    """Phase-1 objective: minimise Σ w_k S_k (``None`` restores the original)."""
    if weights is None:
        set_objective(m, None)
    else:
        set_objective(m, sum(w * m.S[k] for k, w in weights.items()), pyo.minimize)
