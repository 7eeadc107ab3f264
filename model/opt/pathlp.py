"""The structural model and investment LP, built once and re-solved per forecast path.

Formulation (money in 亿元 at constant prices of ``t0``; c cluster, t ∈ D = years[1:];
quantities with a bar are the path's structural CONTROL run, computed in numpy):

* control     Ī_t = s0 Ȳ_t split by σ0;  O_t = ω o_t with o_t from
              :func:`~model.opt.structural.control_demand_scale` so that
              v'X̄_t = Ȳ_t (the path's real GDP);  X̄_t = L (O_t + g Ī_t);
              K̄_t = (1 − δ) K̄_{t−1} + Ī_t,  K_{t0} = κ ∘ VA_{t0}
* IO balance  X_t − A X_t − g Itot_t − Z_t = O_t + shock_t          (O exogenous)
* capacity    κ_c v_c Z_ct ≤ K_ct − K̄_ct + H                          (import substitution
              needs capital beyond the control's; demand-driven output, as in
              any Leontief model, is met by the control's capacity, so capital
              below the control's is a conflict H reported in 亿元; elastic)
* capital     K_ct = (1 − δ) K_c,t−1 + I_ct
* import sub. 0 ≤ Z_ct ≤ z_step (t − t0) · M_c Ȳ_t / Ȳ_t0   (M = base inflows/imports;
              the plan never cuts regional output to flatter a ratio target)
              Z_ct − Z_c,t−1 ≤ z_step · M_c Ȳ_t / Ȳ_t0   (ramp: substitution builds up
              one year's step a year, so room left unused is not caught up in one
              jump — without it the LP switched the energy cluster on in 2031 at
              once, +2.3 energy-index points in a year)
* upgrading   U_ct ≤ (h̄_c − h_c) VA_ct,  Σ_c U_ct ≤ Δ (t − t0) GDP_t,  J_ct = ψ κ_c (U_ct − U_c,t−1) ≥ 0
              (Δ: the fastest observed gain of a high-tech share of GDP,
              :mod:`model.opt.evidence`; the scenario lever obeys the same Δ)
* high-tech   HT_t = η_t Σ_c h_c VA_ct + Σ_c U_ct  (η_t makes the control match the path's share)
* energy      E_t = ε_t (m_t Σ_c e_c X_ct + e_h GDP_t)  (ε_t makes the control match the path's index;
              m_t the efficiency lever, 1 in the control)
* investment  Itot_t = Σ_c (I_ct + J_ct) ≤ s_t GDP_t;  share drift |I_ct − σ0_c ΣI| ≤ m (t−t0) ΣI
* realism     (1 − d) VA_c,t−1 − H ≤ VA_ct ≤ (1 + g_max) VA_c,t−1 + H      (elastic; they bound
              the optimiser's choices and are off in a simulation, where the
              control path is exogenous)
* terminal    I_cT − Ī_cT ≥ (ḡ_T + δ)(K_c,T−1 − K̄_c,T−1) − H_c                (elastic)
              — the steady-state requirement: in the last year the capital
              deviation from the control keeps growing at least at the path's
              growth rate ḡ_T (not run down because the horizon cuts off its
              future), so the final year is not an artefact of the horizon. An
              inequality: as an equality it pinned the final year's investment
              below the envelope, and the plan's GDP effect grew by +41亿 in
              2035 after ~550亿/yr (and the slack went to upgrading in 2035 only)
              (terminal conditions of multi-sector planning models:
              Chakravarty 1969; Manne 1970).
* targets     elastic rows with slacks S ≥ 0 (see :func:`_target_rows`)
* objective   max Σ_t (1+r)^−(t−t0) GDP_t − penalty ΣS − hard_penalty ΣH

With investment fixed at the control (and no other lever) the only solution is
the control itself: then K = K̄, capacity needs Z ≤ 0, so Z = 0 and X = X̄ (targets are measured, not pursued, in a
simulation). A final-demand shock ΔO moves GDP by exactly v'L ΔO (the Leontief
multiplier), a given investment by v'L g ΔI plus its supply effect. The deviation of a zero lever is exactly zero on every path.

Per-path data enter as row bounds, column bounds and a few coefficients of one
``highspy.Highs`` instance compiled from the Pyomo model once; a re-solve starts
from the previous basis.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..errors import CztInputError
from .params import TARGET_SENSE, TARGET_UNITS, Target
from .structural import StructuralParams, control_demand_scale


# --------------------------------------------------------------------------- inputs / outputs
@dataclass(frozen=True)
class PathInputs:
    """One sample path of the control forecast (see ``model.opt`` docstring)."""

    years: tuple
    gdp_real: np.ndarray
    deflator: np.ndarray
    energy_index: np.ndarray
    hightech_share: np.ndarray
    gdp_real_ref: dict = field(default_factory=dict)
    kappa_scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        T = len(self.years)
        for name in ("gdp_real", "deflator", "energy_index", "hightech_share"):
            a = np.asarray(getattr(self, name), float)
            object.__setattr__(self, name, a)
            if a.shape != (T,):
                raise CztInputError("path inputs", f"{name}: shape {a.shape}, expected ({T},)")
            if not np.all(np.isfinite(a)) or np.any(a < 0) or (name != "hightech_share" and np.any(a == 0)):
                raise CztInputError("path inputs", f"{name}: values must be finite and > 0"
                                    + (" (>= 0 for the high-tech share)" if name == "hightech_share" else ""))
        if np.any(self.hightech_share >= 1):
            raise CztInputError("path inputs", "hightech_share must be a fraction < 1")
        if not (0.2 < self.kappa_scale < 5):
            raise CztInputError("path inputs", f"kappa_scale {self.kappa_scale} outside (0.2, 5)")


@dataclass
class PathSolution:
    """Result of one (re-)solve; arrays over ``years``, clusters in order."""

    years: tuple
    clusters: tuple
    status: str
    objective: float
    gdp_real: np.ndarray
    gdp_nominal: np.ndarray
    hightech_va: np.ndarray
    hightech_va_nominal: np.ndarray
    hightech_share: np.ndarray
    energy_index: np.ndarray
    investment: np.ndarray
    investment_total: np.ndarray
    va: np.ndarray
    output: np.ndarray
    capital: np.ndarray
    upgrading: np.ndarray
    import_substitution: np.ndarray
    targets: pd.DataFrame
    conflicts: pd.DataFrame
    solve_time_s: float = 0.0
    target_slack: dict = field(default_factory=dict)    # target id -> its slack S (own row units)

    FIELDS = ("gdp_real", "gdp_nominal", "hightech_va", "hightech_va_nominal", "hightech_share", "energy_index",
              "investment", "investment_total", "va", "output", "capital", "upgrading", "import_substitution")

    def deviation(self, other: "PathSolution") -> dict:
        """``self − other`` for every array field (same years and clusters)."""
        if self.years != other.years or self.clusters != other.clusters:
            raise CztInputError("deviation", "solutions over different years or clusters")
        return {f: np.asarray(getattr(self, f)) - np.asarray(getattr(other, f)) for f in self.FIELDS}

    def summary(self) -> str:
        """One line: how many targets are met/missed and by how much."""
        return status_line(self.targets, self.conflicts)


@dataclass(frozen=True)
class LPSnapshot:
    """A :class:`PathLP` instance's model data (:meth:`PathLP.snapshot`): HiGHS's ``HighsLp`` copy, the
    structural parameters it was written from and the objective it carries."""

    lp: object
    p: object
    obj: str


def status_line(targets: pd.DataFrame, conflicts: pd.DataFrame | None = None) -> str:
    """E.g. ``LP solved — targets: 1 met, 4 missed (GDP short 2 872亿 …)``."""
    if targets is None or targets.empty:
        head = "LP solved — no targets"
    else:
        miss = targets[targets["status"] == "missed"]
        met = len(targets) - len(miss)
        parts = [f"{r.target} short {_fmt_short(r)}" for r in miss.itertuples()]
        head = f"LP solved — targets: {met} met, {len(miss)} missed" + (f" ({'; '.join(parts)})" if parts else "")
    if conflicts is not None and not conflicts.empty:
        per_year = conflicts.groupby(["row", "year"])["amount"].sum().reset_index()
        worst = per_year.loc[per_year.groupby("row")["amount"].idxmax()]
        head += "; hard constraints in conflict: " + ", ".join(
            f"{r.row} by up to {r.amount:,.0f}亿 ({r.year})" for r in worst.itertuples())
    return head


def _fmt_short(r) -> str:
    if r.unit.startswith("100m"):
        return f"{r.shortfall:,.0f}亿"
    if r.kind == "energy_intensity":
        return f"{r.shortfall:.1f} index points"
    if r.kind == "hightech_share":
        return f"{r.shortfall:.1f} pp"
    return f"{r.shortfall:.2f} pp/yr"


# --------------------------------------------------------------------------- path construction
def _row_path(proj, var, years, i=None, region="CZT"):
    arr = proj.get(var, region)
    idx = [int(np.searchsorted(proj.years, y)) for y in years]
    sub = arr[:, idx]
    return sub if i is None else sub[i]


def paths_from_projection(proj, state, years, index=None, kappa_scale=None) -> list:
    """:class:`PathInputs` for sample paths of a ``model.engine.projection.Projection``.

    Real GDP is rescaled to 亿元 at ``t0`` prices (``t0 = years[0]`` = the
    state year; path value of ``t0`` ↦ observed nominal GDP of ``t0``); the
    deflator is relative to ``t0``; the high-tech share is ``High-tech VA`` /
    ``GDP|Nominal`` (a path's negative high-tech VA — the assumption's random
    walk can cross zero — is read as 0); the energy-intensity index is
    ``Energy intensity``. ``kappa_scale`` (one value per returned path, e.g.
    :func:`model.engine.kappa.kappa_scales`, built on
    :func:`model.opt.capital.kappa_scales_from_investment`) carries κ uncertainty;
    default 1.
    """
    from .params import OptState
    st = OptState.from_mapping(state)
    years = tuple(int(y) for y in years)
    t0 = years[0]
    real = _row_path(proj, "GDP|Real", years)
    defl = _row_path(proj, "GDP|Deflator", years)
    nom = _row_path(proj, "GDP|Nominal", years)
    ei = _row_path(proj, "Energy intensity", years)
    ht = _row_path(proj, "High-tech VA", years)
    rows = range(real.shape[0]) if index is None else index
    full_real = proj.get("GDP|Real")
    ref_years = [y for y in (2019, 2020) if y in set(int(x) for x in proj.years)]
    out = []
    rows = list(rows)
    ks = np.ones(len(rows)) if kappa_scale is None else np.asarray(kappa_scale, float)
    if ks.shape != (len(rows),):
        raise CztInputError("kappa_scale", f"{ks.shape[0] if ks.ndim else 1} values for {len(rows)} paths")
    for i, kscale in zip(rows, ks):
        gdp0 = st.gdp_nominal
        scale = gdp0 / real[i, 0]
        ref = {y: float(full_real[i, int(np.searchsorted(proj.years, y))]) * scale for y in ref_years}
        out.append(PathInputs(years=years, gdp_real=real[i] * scale, deflator=defl[i] / defl[i, 0],
                              energy_index=ei[i], hightech_share=np.maximum(ht[i], 0.0) / nom[i], gdp_real_ref=ref,
                              kappa_scale=float(kscale)))
    return out


def median_path(proj, state, years) -> PathInputs:
    """The per-year median of the projection's paths as one :class:`PathInputs`."""
    from .params import OptState
    st = OptState.from_mapping(state)
    years = tuple(int(y) for y in years)
    med = {v: proj.stat(v) for v in ("GDP|Real", "GDP|Deflator", "GDP|Nominal", "Energy intensity", "High-tech VA")}
    real = med["GDP|Real"].reindex(years).to_numpy(float)
    scale = st.gdp_nominal / real[0]
    ref = {y: float(med["GDP|Real"][y]) * scale for y in (2019, 2020) if y in med["GDP|Real"].index}
    defl = med["GDP|Deflator"].reindex(years).to_numpy(float)
    return PathInputs(years=years, gdp_real=real * scale, deflator=defl / defl[0],
                      energy_index=med["Energy intensity"].reindex(years).to_numpy(float),
                      hightech_share=(med["High-tech VA"].reindex(years) / med["GDP|Nominal"].reindex(years)).to_numpy(float),
                      gdp_real_ref=ref)


def path_from_state(state, years) -> PathInputs:
    """The forecast medians carried by the runner's state as one :class:`PathInputs`.

    ``state["forecast_median"]`` holds ``GDP|Real``, ``GDP|Deflator``,
    ``GDP|Nominal``, ``Energy intensity`` and ``High-tech VA`` by year
    (:func:`model.runner._state`).
    """
    years = tuple(int(y) for y in years)
    med = state.get("forecast_median") if isinstance(state, dict) else None
    need = ("GDP|Real", "GDP|Deflator", "GDP|Nominal", "Energy intensity", "High-tech VA")
    if not med or any(k not in med for k in need):
        raise CztInputError("optimisation state", f"forecast medians {list(need)} needed for the control path")

    def arr(k):
        d = {int(y): float(v) for y, v in med[k].items()}
        miss = [y for y in years if y not in d]
        if miss:
            raise CztInputError("optimisation state", f"no forecast median of {k} for {miss[0]}")
        return np.array([d[y] for y in years])
    real, defl = arr("GDP|Real"), arr("GDP|Deflator")
    gdp0 = float(state["gdp_nominal"])
    scale = gdp0 / real[0]
    rp = {int(y): float(v) for y, v in med["GDP|Real"].items()}
    ref = {y: rp[y] * scale for y in (2019, 2020) if y in rp}
    return PathInputs(years=years, gdp_real=real * scale, deflator=defl / defl[0], energy_index=arr("Energy intensity"),
                      hightech_share=arr("High-tech VA") / arr("GDP|Nominal"), gdp_real_ref=ref)


# --------------------------------------------------------------------------- control run (numpy)
def extend_path(path: PathInputs, years) -> PathInputs:
    """Continue a path through extra years at its last-year growth rates (the LP's horizon buffer)."""
    years = tuple(years)
    k = len(years) - len(path.years)
    if k <= 0:
        return path
    steps = np.arange(1, k + 1)

    def cont(a):
        return np.concatenate([a, a[-1] * (a[-1] / a[-2]) ** steps])
    hs = np.minimum(cont(path.hightech_share), 0.99)
    return PathInputs(years=years, gdp_real=cont(path.gdp_real), deflator=cont(path.deflator),
                      energy_index=cont(path.energy_index), hightech_share=hs, gdp_real_ref=path.gdp_real_ref,
                      kappa_scale=path.kappa_scale)


@dataclass
class Control:
    """The structural control of one path (arrays n × T or T)."""

    O: np.ndarray
    X: np.ndarray
    VA: np.ndarray
    I: np.ndarray
    K: np.ndarray
    k0: np.ndarray
    eff: np.ndarray
    eta: np.ndarray
    eb: np.ndarray
    htb: np.ndarray
    zmax: np.ndarray
    g_last: float
    zramp: np.ndarray | None = None


def control_run(p: StructuralParams, path: PathInputs, demand_shock=None) -> Control:
    """The structural control of ``path`` in closed form (see module docstring)."""
    if tuple(path.years) != tuple(p.years):
        raise CztInputError("path inputs", f"years {path.years[0]}-{path.years[-1]} differ from the LP's "
                            f"{p.years[0]}-{p.years[-1]}")
    path = extend_path(path, p.lp_years)
    Y = path.gdp_real * (p.gdp0 / path.gdp_real[0])
    o = control_demand_scale(p, Y)
    O = np.outer(p.omega, o)
    Itot = p.inv_rate0 * Y
    I = np.outer(p.inv_share0, Itot)
    X = p.L @ (O + np.outer(p.g, Itot))
    VA = p.v[:, None] * X
    kappa = p.kappa * (p.kappa_scale * path.kappa_scale)
    k0 = kappa * p.va0
    K = np.empty_like(X)
    K[:, 0] = k0
    for t in range(1, len(p.lp_years)):
        K[:, t] = (1 - p.delta) * K[:, t - 1] + I[:, t]
    eb = p.energy_coef @ X + p.energy_hh * Y
    eff = path.energy_index * Y / (100.0 * eb)
    htb = p.hightech @ VA
    eta = path.hightech_share * Y / htb
    steps = np.arange(len(p.lp_years))
    zshare = p.import_sub_step * steps
    zmax = np.outer(p.imports0, zshare * Y / Y[0])
    g_last = float(Y[-1] / Y[-2] - 1)
    if demand_shock is not None:
        sh = np.asarray(demand_shock, float)
        if sh.shape != (p.n, len(p.years)):
            raise CztInputError("demand_shock", f"shape {sh.shape}, expected ({p.n}, {len(p.years)})")
        O = O + np.concatenate([sh, np.repeat(sh[:, -1:], p.buffer_years, axis=1)], axis=1)
    zramp = np.outer(p.imports0, p.import_sub_step * Y / Y[0])
    return Control(O=O, X=X, VA=VA, I=I, K=K, k0=k0, eff=eff, eta=eta, eb=eb, htb=htb, zmax=zmax, g_last=g_last,
                   zramp=zramp)


# --------------------------------------------------------------------------- the LP
#: HiGHS ``simplex_strategy`` values: the dual simplex (its default) for path solves, the primal for re-solves
SIMPLEX_DUAL, SIMPLEX_PRIMAL = 1, 4
#: objective cost per 亿元 of upgraded VA (a tie-breaker, see build_pyomo; far below any GDP effect)
UPGRADE_TIEBREAK = 1e-4

def _target_rhs(t: Target, path: PathInputs, years: tuple) -> float:
    """Right-hand side of a level/growth target row for this path (亿元 t0 prices)."""
    k = years.index(t.year)
    if t.kind in ("gdp_level", "hightech_level"):
        return t.value / path.deflator[k]
    if t.kind == "gdp_growth":
        base = path.gdp_real_ref.get(t.base_year)
        if base is None:
            base = path.gdp_real[0] * t.base_real_ratio
        return base * (1 + t.value / 100.0) ** (t.year - t.base_year)
    return 0.0


def build_pyomo(p: StructuralParams) -> pyo.ConcreteModel:
    """The LP of the module docstring as a Pyomo model with placeholder data.

    Per-path data are mutable Params (``io_rhs``, ``cap_rhs``, ``k0_rhs``,
    ``term_rhs``, ``eff``, ``eta``, ``tr``, ``tc``) and variable bounds; the
    values set here are placeholders that :class:`PathLP` overwrites in HiGHS.
    """
    n = p.n
    years = list(p.lp_years)
    t0, T = years[0], years[-1]
    D = years[1:]
    C = list(range(n))
    qs = pyo.quicksum
    m = pyo.ConcreteModel(name="czt_structural_lp")
    m.C = pyo.Set(initialize=C, ordered=True)
    m.D = pyo.Set(initialize=D, ordered=True)
    m.TG = pyo.Set(initialize=[t.id for t in p.targets], ordered=True)
    nn = pyo.NonNegativeReals
    for name in ("I", "J", "K", "X", "VA", "U"):
        setattr(m, name, pyo.Var(m.C, m.D, within=nn))
    m.Z = pyo.Var(m.C, m.D)
    m.Hup = pyo.Var(m.C, m.D, within=nn)
    m.Hdn = pyo.Var(m.C, m.D, within=nn)
    m.Hcap = pyo.Var(m.C, m.D, within=nn)
    m.Hterm = pyo.Var(m.C, within=nn)
    m.Hterm2 = pyo.Var(m.C, within=nn)
    for name in ("Itot", "Icap", "GDP", "Eb", "Ec", "HTb", "HT"):
        setattr(m, name, pyo.Var(m.D, within=nn))
    m.S = pyo.Var(m.TG, within=nn)
    ph = {(c, t): 1.0 + 1e-3 * c + 1e-5 * (t - t0) for c in C for t in D}   # distinct placeholders
    m.io_rhs = pyo.Param(m.C, m.D, initialize=ph, mutable=True)
    m.cap_rhs = pyo.Param(m.C, m.D, initialize=ph, mutable=True)
    m.cap_coef = pyo.Param(m.C, initialize={c: float(p.kappa[c] * p.v[c]) for c in C}, mutable=True)
    m.k0_rhs = pyo.Param(m.C, initialize={c: 1.0 + c for c in C}, mutable=True)
    m.term_rhs = pyo.Param(m.C, initialize={c: 1.0 + c for c in C}, mutable=True)
    m.term_coef = pyo.Param(initialize=0.15, mutable=True)
    m.eff = pyo.Param(m.D, initialize={t: 1.0 for t in D}, mutable=True)
    m.eta = pyo.Param(m.D, initialize={t: 1.0 for t in D}, mutable=True)
    tg = {t.id: t for t in p.targets}
    m.tr = pyo.Param(m.TG, initialize={k: 1.0 for k in tg}, mutable=True)
    m.tc = pyo.Param(m.TG, initialize={k: t.value / 100.0 for k, t in tg.items()}, mutable=True)

    A = p.A
    nz = [[(j, float(A[i, j])) for j in C if A[i, j] != 0.0] for i in C]
    first = D[0]

    m.itot_def = pyo.Constraint(m.D, rule=lambda m, t: m.Itot[t] - qs(m.I[c, t] + m.J[c, t] for c in C) == 0)
    m.icap_def = pyo.Constraint(m.D, rule=lambda m, t: m.Icap[t] - qs(m.I[c, t] for c in C) == 0)
    m.gdp_def = pyo.Constraint(m.D, rule=lambda m, t: m.GDP[t] - qs(m.VA[c, t] for c in C) == 0)
    # energy: clusters' part Ec (per unit of output e_c) scaled by the efficiency lever m_t, plus households'
    m.effl = pyo.Param(m.D, initialize={t: 1.0 for t in D}, mutable=True)
    m.ec_def = pyo.Constraint(m.D, rule=lambda m, t: m.Ec[t] - qs(float(p.energy_coef[c]) * m.X[c, t] for c in C)
                              == 0)
    m.eb_def = pyo.Constraint(m.D, rule=lambda m, t: m.Eb[t] - m.effl[t] * m.Ec[t] - p.energy_hh * m.GDP[t] == 0)
    m.htb_def = pyo.Constraint(m.D, rule=lambda m, t: m.HTb[t] - qs(float(p.hightech[c]) * m.VA[c, t]
                                                                   for c in C if p.hightech[c] > 0) == 0)
    m.ht_def = pyo.Constraint(m.D, rule=lambda m, t: m.HT[t] - m.eta[t] * m.HTb[t] - qs(m.U[c, t] for c in C) == 0)
    m.va_def = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.VA[c, t] - float(p.v[c]) * m.X[c, t] == 0)

    def io_rule(m, c, t):
        e = m.X[c, t] - qs(a * m.X[j, t] for j, a in nz[c]) - m.Z[c, t]
        if p.g[c] > 0:
            e = e - float(p.g[c]) * m.Itot[t]
        return e == m.io_rhs[c, t]
    m.io = pyo.Constraint(m.C, m.D, rule=io_rule)

    def kacc(m, c, t):
        if t == first:
            return m.K[c, t] - m.I[c, t] == m.k0_rhs[c]
        return m.K[c, t] - (1 - p.delta) * m.K[c, t - 1] - m.I[c, t] == 0
    m.cap_acc = pyo.Constraint(m.C, m.D, rule=kacc)
    # import substitution builds up at most one year's step a year (no catch-up of unused room)
    m.z_ramp = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.Z[c, t] - (0 if t == first else m.Z[c, t - 1])
                              <= m.cap_rhs[c, t])
    m.capacity = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.cap_coef[c] * m.Z[c, t] - m.K[c, t] - m.Hcap[c, t]
                                <= m.cap_rhs[c, t])

    def prev_va(m, c, t):
        return float(p.va0[c]) if t == first else m.VA[c, t - 1]
    m.grow_up = pyo.Constraint(m.C, m.D, rule=lambda m, c, t:
                               m.VA[c, t] - (1 + p.max_growth) * prev_va(m, c, t) - m.Hup[c, t] <= 0)
    m.grow_dn = pyo.Constraint(m.C, m.D, rule=lambda m, c, t:
                               m.VA[c, t] - (1 - p.max_decline) * prev_va(m, c, t) + m.Hdn[c, t] >= 0)
    m.envelope = pyo.Constraint(m.D, rule=lambda m, t: m.Itot[t] - float(p.envelope[min(years.index(t), len(p.years) - 1)]) * m.GDP[t]
                               <= 0)

    def share_up(m, c, t):
        hi = p.inv_share0[c] + p.max_share_shift * (t - t0)
        return pyo.Constraint.Skip if hi >= 1 else m.I[c, t] - float(hi) * m.Icap[t] <= 0

    def share_lo(m, c, t):
        lo = p.inv_share0[c] - p.max_share_shift * (t - t0)
        return pyo.Constraint.Skip if lo <= 0 else m.I[c, t] - float(lo) * m.Icap[t] >= 0
    m.share_up = pyo.Constraint(m.C, m.D, rule=share_up)
    m.share_lo = pyo.Constraint(m.C, m.D, rule=share_lo)

    # upgrading: U_ct <= (hbar_c - h_c) VA_ct, sum_c U_ct <= Delta (t - t0) GDP_t,
    # J_ct = psi kappa_c (U_ct - U_c,t-1) >= 0
    m.up_cap = pyo.Constraint(m.C, m.D, rule=lambda m, c, t: m.U[c, t]
                              - float(p.hightech_cap[c] - p.hightech[c]) * m.VA[c, t] <= 0)
    m.up_pace = pyo.Constraint(m.D, rule=lambda m, t: qs(m.U[c, t] for c in C)
                               - float(p.upgrade_step * (t - t0)) * m.GDP[t] <= 0)

    def up_cost(m, c, t):
        prev = 0 if t == first else m.U[c, t - 1]
        return m.J[c, t] - float(p.upgrade_cost[c]) * (m.U[c, t] - prev) == 0
    m.up_cost = pyo.Constraint(m.C, m.D, rule=up_cost)

    # terminal steady-state requirement on the deviation from the control (elastic)
    m.terminal = pyo.Constraint(m.C, rule=lambda m, c: m.I[c, T] - m.term_coef * m.K[c, T - 1] + m.Hterm[c]
                                - m.Hterm2[c] == m.term_rhs[c]) if T - 1 > t0 else pyo.Constraint(m.C, rule=lambda m, c:
                                m.I[c, T] + m.Hterm[c] - m.Hterm2[c] == m.term_rhs[c])

    def tgt_rule(m, k):
        t = tg[k]
        y = t.year
        if t.kind in ("gdp_level", "gdp_growth"):
            return m.GDP[y] + m.S[k] >= m.tr[k]
        if t.kind == "hightech_level":
            return m.HT[y] + m.S[k] >= m.tr[k]
        if t.kind == "energy_intensity":       # (value/100) GDP - eff Eb + S >= 0
            return m.tc[k] * m.GDP[y] - m.eff[y] * m.Eb[y] + m.S[k] >= 0
        return m.HT[y] - m.tc[k] * m.GDP[y] + m.S[k] >= 0
    m.tgt = pyo.Constraint(m.TG, rule=tgt_rule)

    disc = {t: (1 + p.discount_rate) ** -(t - t0) for t in D}
    hard = qs(m.Hup[c, t] + m.Hdn[c, t] + m.Hcap[c, t] for c in C for t in D) + qs(m.Hterm[c] + m.Hterm2[c] for c in C)
    pen = sum(m.S[k] for k in m.TG) if p.targets else 0
    # tie-break: upgrading investment J and capacity investment I have the same demand effect, so where
    # capital has no further use (last years) the LP was indifferent and upgraded in 2035 only; a cost of
    # UPGRADE_TIEBREAK per 亿 of U makes it upgrade only for what upgrading buys (a target)
    pen_u = UPGRADE_TIEBREAK * qs(m.U[c, t] for c in C for t in D)
    if p.mode == "max_gdp":
        m.obj = pyo.Objective(expr=sum(disc[t] * m.GDP[t] for t in D) - p.penalty * pen - p.hard_penalty * hard
                              - pen_u, sense=pyo.maximize)
    else:
        m.obj = pyo.Objective(expr=-sum(m.Itot[t] for t in D) - p.penalty * pen - p.hard_penalty * hard - pen_u,
                              sense=pyo.maximize)
    return m


class PathLP:
    """Build once, re-solve per path (see the ``model.opt`` package docstring)."""

    def __init__(self, p: StructuralParams):
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

        from .highs import _c_stdout_silenced, _import_highspy
        hs = _import_highspy()
        self.p = p
        t = time.perf_counter()
        self.model = m = build_pyomo(p)
        self.build_time_s = time.perf_counter() - t
        t = time.perf_counter()
        sf = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
        self.cols = list(sf.columns)
        col = {id(v): j for j, v in enumerate(self.cols)}
        row = {id(r.constraint): i for i, r in enumerate(sf.rows)}
        A = sf.A.tocsc()
        inf = hs.kHighsInf
        rhs = np.asarray(sf.rhs, float)
        bt = np.array([r.bound_type for r in sf.rows])
        lo = np.where(bt == 1, -inf, rhs)
        up = np.where(bt == -1, inf, rhs)
        c0 = np.asarray(sf.c.toarray()[0] if hasattr(sf.c, "toarray") else sf.c[0], float)
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
        lp.col_cost_ = c0
        self.col_lo = np.array([-inf if v.lb is None else v.lb for v in self.cols], float)
        self.col_up = np.array([inf if v.ub is None else v.ub for v in self.cols], float)
        lp.col_lower_, lp.col_upper_ = self.col_lo.copy(), self.col_up.copy()
        lp.row_lower_, lp.row_upper_ = lo, up
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        lp.sense_ = hs.ObjSense.kMaximize
        off = np.asarray(sf.c_offset, float).ravel()
        lp.offset_ = float(off[0]) if off.size else 0.0
        with _c_stdout_silenced():
            self.h = hs.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(lp)
        self.hs = hs
        self.c0 = c0
        self.row_lo0, self.row_up0 = lo.copy(), up.copy()
        self.compile_time_s = time.perf_counter() - t
        self.n_solves = 0
        n, D = p.n, list(p.lp_years[1:])
        ix = lambda var, c, t: col[id(getattr(m, var)[c, t])]   # noqa: E731
        self.idx = {v: np.array([[ix(v, c, t) for t in D] for c in range(n)]) for v in
                    ("I", "J", "K", "X", "VA", "Z", "U", "Hup", "Hdn", "Hcap")}
        for v in ("Itot", "Icap", "GDP", "Eb", "Ec", "HTb", "HT"):
            self.idx[v] = np.array([col[id(getattr(m, v)[t])] for t in D])
        self.idx["Hterm"] = np.array([col[id(m.Hterm[c])] for c in range(n)])
        self.idx["Hterm2"] = np.array([col[id(m.Hterm2[c])] for c in range(n)])
        self.idx["S"] = {k: col[id(m.S[k])] for k in m.TG}
        self.rows = {name: np.array([[row[id(getattr(m, name)[c, t])] for t in D] for c in range(n)])
                     for name in ("io", "capacity", "cap_acc", "grow_up", "grow_dn", "z_ramp")}
        self.rows["terminal"] = np.array([row[id(m.terminal[c])] for c in range(n)])
        self.rows["ht_def"] = np.array([row[id(m.ht_def[t])] for t in D])
        self.rows["eb_def"] = np.array([row[id(m.eb_def[t])] for t in D])
        self.rows["up_cap"] = np.array([[row[id(m.up_cap[c, t])] for t in D] for c in range(n)])
        self.rows["up_pace"] = np.array([row[id(m.up_pace[t])] for t in D])
        self.rows["envelope"] = np.array([row[id(m.envelope[t])] for t in D])
        self.rows["tgt"] = {k: row[id(m.tgt[k])] for k in m.TG}
        self._last_coef: dict = {}
        self._fixed = None
        self._obj = "default"
        #: re-solve every optimum from a fresh factorisation of its basis, so that the values do not
        #: depend on the warm-start history (a sweep's instances; off in a run: identical outputs)
        self.fresh_factor = False

    # ------------------------------------------------------------ construction
    @classmethod
    def build(cls, scenario, state, io_system=None) -> "PathLP":
        """Calibrate (:func:`~model.opt.structural.calibrate_structural`) and build."""
        from .structural import calibrate_structural
        return cls(calibrate_structural(scenario, state, io_system))

    @property
    def clusters(self) -> tuple:
        return self.p.clusters

    @property
    def names(self) -> tuple:
        return self.p.names

    @property
    def years(self) -> tuple:
        return self.p.years

    # ------------------------------------------------------------ data updates
    def _coef(self, r: int, c: int, val: float) -> None:
        key = (r, c)
        if self._last_coef.get(key) != val:
            self.h.changeCoeff(int(r), int(c), float(val))
            self._last_coef[key] = val

    def _set_rows(self, rows, lo, up) -> None:
        rows = np.asarray(rows, dtype=np.int32).ravel()
        self.h.changeRowsBounds(len(rows), rows, np.asarray(lo, float).ravel(), np.asarray(up, float).ravel())

    def _set_cols(self, cols, lo, up) -> None:
        cols = np.asarray(cols, dtype=np.int32).ravel()
        self.h.changeColsBounds(len(cols), cols, np.asarray(lo, float).ravel(), np.asarray(up, float).ravel())

    def load_path(self, path: PathInputs, demand_shock=None) -> Control:
        """Write one path's data into the HiGHS instance; return its control run."""
        p, inf = self.p, self.hs.kHighsInf
        ctl = control_run(p, path, demand_shock)
        D = slice(1, None)
        io = ctl.O[:, D]
        self._set_rows(self.rows["io"], io, io)
        kappa = p.kappa * (p.kappa_scale * path.kappa_scale)
        capc = kappa * p.v
        last = self._last_coef.get("capacity")       # all capacity coefficients as last written
        if last is None or not np.array_equal(last, capc):
            rows, cols, change = self.rows["capacity"].tolist(), self.idx["Z"].tolist(), self.h.changeCoeff
            for c in range(p.n):
                v = float(capc[c])
                for r, z in zip(rows[c], cols[c]):
                    change(r, z, v)
            self._last_coef["capacity"] = capc
        cap_rhs = -ctl.K[:, D]
        self._set_rows(self.rows["capacity"], np.full(cap_rhs.shape, -inf), cap_rhs)
        k0r = (1 - p.delta) * ctl.k0
        self._set_rows(self.rows["cap_acc"][:, 0], k0r, k0r)
        coef = ctl.g_last + p.delta
        if len(p.lp_years) > 2:
            for c in range(p.n):
                self._coef(self.rows["terminal"][c], self.idx["K"][c, -2], -coef)
            term = ctl.I[:, -1] - coef * ctl.K[:, -2]
        else:
            term = ctl.I[:, -1]
        self._set_rows(self.rows["terminal"], term, np.full(len(term), inf))
        for j in range(len(p.lp_years) - 1):
            self._coef(self.rows["ht_def"][j], self.idx["HTb"][j], -ctl.eta[j + 1])
        for tg in p.targets:
            r = self.rows["tgt"][tg.id]
            k = p.years.index(tg.year)
            if tg.kind == "energy_intensity":
                self._coef(r, self.idx["Eb"][k - 1], -ctl.eff[k])
            elif tg.kind != "hightech_share":
                v = _target_rhs(tg, path, p.years)
                self.h.changeRowBounds(int(r), float(v), inf)
        self._zmax = ctl.zmax[:, D]
        self._set_rows(self.rows["z_ramp"], np.full(io.shape, -inf), ctl.zramp[:, D])
        self._ctl, self._path = ctl, path
        return ctl

    def set_target_value(self, target_id: str, value: float) -> None:
        """Change a target's required value (own units) for subsequent solves."""
        from dataclasses import replace
        p = self.p
        tg = next((t for t in p.targets if t.id == target_id), None)
        if tg is None:
            raise CztInputError("targets", f"no target '{target_id}'")
        new = replace(tg, value=float(value))
        self.p = p.with_(targets=tuple(new if t.id == target_id else t for t in p.targets))
        self.write_target(new, value)

    def write_target(self, tg: Target, value: float) -> None:
        """Write target ``tg``'s row for ``value`` into HiGHS only (``self.p`` unchanged).

        A bisection on a target value (:mod:`model.opt.planner`, :mod:`model.sweep.variant`) sets
        trial values this way and restores with :meth:`set_target_value`.
        """
        r = self.rows["tgt"][tg.id]
        k = self.p.years.index(tg.year)
        if tg.kind == "energy_intensity":
            self._coef(r, self.idx["GDP"][k - 1], value / 100.0)
        elif tg.kind == "hightech_share":
            self._coef(r, self.idx["GDP"][k - 1], -value / 100.0)
        elif self._path is not None:
            from dataclasses import replace
            self.h.changeRowBounds(int(r), float(_target_rhs(replace(tg, value=float(value)), self._path,
                                                             self.p.years)), self.hs.kHighsInf)

    def _levers(self, investment=None, upgrading=None, optimise: bool = True, allow_upgrading: bool = True) -> None:
        """Column bounds of I, U, Z for a simulate/solve."""
        p, inf = self.p, self.hs.kHighsInf
        D = slice(1, None)
        zi = self.idx["Z"]
        self._set_cols(zi, np.zeros(zi.shape), self._zmax)
        # targets are measured, not pursued, when the investment is given
        cost = self.c0.copy()
        if not optimise:
            for j in self.idx["S"].values():
                cost[j] = 0.0
        key = "sim" if not optimise else "opt"
        if self._obj != key:
            self.set_objective(cost)
            self._obj = key
        Ii, Ui = self.idx["I"], self.idx["U"]
        env = self.rows["envelope"]
        self._set_rows(env, np.full(len(env), -inf), np.full(len(env), 0.0 if optimise else inf))
        # realism bounds and the upgrading bounds restrict the optimiser's choices, not the exogenous
        # control path or a given lever (checked against the same bound in model.engine.levers): off in a simulation
        for name in ("grow_up", "grow_dn", "up_cap", "up_pace"):
            r = self.rows[name].ravel()
            if optimise:
                self._set_rows(r, self.row_lo0[r], self.row_up0[r])      # as built (first year: VA0 on the right)
            else:
                self._set_rows(r, np.full(r.shape, -inf), np.full(r.shape, inf))
        if optimise:
            self._set_cols(Ii, np.zeros(Ii.shape), np.full(Ii.shape, inf))
        else:
            inv = self._ctl.I[:, D] if investment is None else self._extend(investment, "investment", D)
            if inv.shape != Ii.shape or np.any(inv < 0) or not np.all(np.isfinite(inv)):
                raise CztInputError("investment", f"expected non-negative finite array ({p.n}, {len(p.years)})")
            self._set_cols(Ii, inv, inv)
        if upgrading is not None:
            u = self._extend(upgrading, "upgrading", D)
            self._set_cols(Ui, u, u)
        elif optimise and allow_upgrading:
            self._set_cols(Ui, np.zeros(Ui.shape), np.full(Ui.shape, inf))
        else:
            self._set_cols(Ui, np.zeros(Ui.shape), np.zeros(Ui.shape))

    def _extend(self, arr, what, D):
        """A lever array over the reported years, continued through the buffer (control growth)."""
        p = self.p
        a = np.asarray(arr, float)
        if a.shape != (p.n, len(p.years)):
            raise CztInputError(what, f"shape {a.shape}, expected ({p.n}, {len(p.years)})")
        if p.buffer_years == 0:
            return a[:, D]
        ratio = self._ctl.I[:, len(p.years):] / self._ctl.I[:, [len(p.years) - 1]]
        ext = a[:, [-1]] * ratio
        return np.concatenate([a, ext], axis=1)[:, D]

    def set_objective(self, cost: np.ndarray | None) -> None:
        """Replace the objective coefficients (``None`` restores the default)."""
        c = self.c0 if cost is None else np.asarray(cost, float)
        self.h.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), c)

    # ------------------------------------------------------------ solving
    def twin(self) -> "PathLP":
        """A second HiGHS instance of the same compiled LP (no second Pyomo build or compile).

        Each instance keeps its own warm basis: the engine solves the allocation on one and simulates
        it (with given upgrading) on the other, path after path.
        """
        import copy

        from .highs import _c_stdout_silenced
        tw = copy.copy(self)
        with _c_stdout_silenced():
            tw.h = self.hs.Highs()
        tw.h.setOptionValue("output_flag", False)
        tw.h.passModel(self.h.getLp())
        tw._last_coef = {}
        tw._obj = "default"
        tw.n_solves = 0
        if self._obj != "default":
            tw.set_objective(None)
        return tw

    def snapshot(self) -> "LPSnapshot":
        """The instance's model data as they stand (HiGHS's copy and ``p``), for :meth:`restore`.

        Taken right after the build (before any solve), it is the canonical state of the build.
        """
        return LPSnapshot(lp=self.h.getLp(), p=self.p, obj=self._obj)

    def restore(self, snap: "LPSnapshot", basis=None) -> None:
        """Reset the instance to ``snap``: its data passed to HiGHS anew (which drops every solver state —
        basis, factorisation, scaling, edge weights) and, if given, ``basis`` as the starting basis.

        Afterwards the instance behaves exactly as a fresh twin of the build loaded with ``basis``,
        whatever it solved before (:meth:`model.sweep.variant.SweepContext.lps`).
        """
        self.h.passModel(snap.lp)
        if basis is not None:
            self.h.setBasis(basis)
        self.p = snap.p
        self._obj = snap.obj
        self._last_coef = {}
        self._ctl = self._path = self._zmax = None

    def _run(self) -> tuple[str, float]:
        self.h.run()
        self.n_solves += 1
        st = self.h.getModelStatus()
        ok = st == self.hs.HighsModelStatus.kOptimal
        if ok and self.fresh_factor:     # the optimal basis re-factorised from scratch (0 iterations)
            b = self.h.getBasis()
            self.h.clearSolver()
            self.h.setBasis(b)
            self.h.run()
            st = self.h.getModelStatus()
            ok = st == self.hs.HighsModelStatus.kOptimal
        return ("optimal" if ok else self.h.modelStatusToString(st)), float(self.h.getInfo().objective_function_value)

    def _set_efficiency(self, efficiency) -> None:
        """Efficiency lever ``m_t`` (T,) over the reported years (None = 1): coefficient of Ec in the energy row.

        Years of the horizon buffer continue at the last year's rate of change.
        """
        p = self.p
        T = len(p.years)
        if efficiency is None:
            mt = np.ones(T)
        else:
            mt = np.asarray(efficiency, float)
            if mt.shape != (T,) or not np.all(np.isfinite(mt)) or np.any(mt <= 0):
                raise CztInputError("efficiency", f"expected positive finite array ({T},), got shape {mt.shape}")
        if p.buffer_years:
            r = mt[-1] / mt[-2] if T > 1 else 1.0
            mt = np.concatenate([mt, mt[-1] * r ** np.arange(1, p.buffer_years + 1)])
        for j, r_ in enumerate(self.rows["eb_def"]):
            self._coef(r_, self.idx["Ec"][j], -float(mt[j + 1]))

    def simulate(self, path: PathInputs, investment=None, demand_shock=None, upgrading=None,
                 efficiency=None, tables: bool = True) -> "PathSolution":
        """The structural model with investment given (None = control); see the package docstring.

        ``efficiency`` (T,): multiplies the clusters' energy per unit of output in each year (the
        scenario's efficiency lever ``m_t``; None = 1, the control). ``tables=False`` leaves the
        solution's ``targets`` and ``conflicts`` empty (``target_slack`` is always filled): the
        arrays are the same, without the pandas tables (a sweep's inner loop).
        """
        t = time.perf_counter()
        self.load_path(path, demand_shock)
        self._set_efficiency(efficiency)
        self._levers(investment=investment, upgrading=upgrading, optimise=False)
        status, obj = self._run()
        return self._solution(status, obj, time.perf_counter() - t, tables)

    def control(self, path: PathInputs) -> "PathSolution":
        """The structural control run of ``path`` (= :meth:`simulate` without levers)."""
        return self.simulate(path)

    def solve(self, path: PathInputs, demand_shock=None, upgrading: bool = True, efficiency=None,
              tables: bool = True) -> "PathSolution":
        """Optimise the allocation for ``path`` (re-solve after a data change only).

        ``efficiency`` and ``tables`` as in :meth:`simulate`: the LP's energy rows (and the energy
        target) see the efficiency lever.
        """
        t = time.perf_counter()
        self.load_path(path, demand_shock)
        self._set_efficiency(efficiency)
        self._levers(optimise=True, allow_upgrading=upgrading)
        status, obj = self._run()
        return self._solution(status, obj, time.perf_counter() - t, tables)

    def resolve(self) -> tuple[str, float]:
        """Re-run HiGHS on the loaded data (after target/objective changes), with the primal simplex.

        After a change of objective the current basis stays primal feasible (a target value moves one
        coefficient of one row): the primal simplex continues from it in a few iterations, where the
        dual simplex (HiGHS's default, kept for :meth:`solve` and :meth:`simulate`, whose path data
        move bounds and keep the basis dual feasible) first sets up its edge weights and then takes
        ~90 iterations (plan sweep, best-value solves: 0.7 instead of 4.1 ms a solve). The same in a
        run and in a sweep (:mod:`model.opt.planner`, :mod:`model.sweep.variant`).
        """
        self.h.setOptionValue("simplex_strategy", SIMPLEX_PRIMAL)
        try:
            return self._run()
        finally:
            self.h.setOptionValue("simplex_strategy", SIMPLEX_DUAL)

    # ------------------------------------------------------------ results
    def values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)

    def target_tolerance(self) -> float:
        """Slack above which a target counts as missed (``status`` "missed"; else met or binding)."""
        return 1e-6 * max(1.0, self.p.gdp0)

    def _solution(self, status: str, obj: float, dt: float, tables: bool = True) -> PathSolution:
        p, ctl, path = self.p, self._ctl, self._path
        T = len(p.years)
        n = p.n
        if status != "optimal":
            nan = np.full(T, np.nan)
            nanm = np.full((n, T), np.nan)
            return PathSolution(p.years, p.clusters, status, np.nan, nan, nan, nan, nan, nan, nan, nanm, nan, nanm,
                                nanm, nanm, nanm, nanm, pd.DataFrame(), pd.DataFrame(), dt)
        x = self.values()
        nT = T - 1
        X = lambda v: x[self.idx[v]][..., :nT]   # noqa: E731
        col0 = lambda a0, a: np.concatenate([np.atleast_1d(a0)[..., None] if np.ndim(a) == 2 else [a0], a],  # noqa: E731
                                            axis=-1)
        gdp = col0(p.gdp0, X("GDP"))
        va = np.concatenate([p.va0[:, None], X("VA")], axis=1)
        out = np.concatenate([(p.va0 / p.v)[:, None], X("X")], axis=1)
        cap = np.concatenate([ctl.k0[:, None], X("K")], axis=1)
        inv = np.concatenate([np.full((n, 1), np.nan), X("I") + X("J")], axis=1)
        itot = col0(np.nan, X("Itot"))
        up = np.concatenate([np.zeros((n, 1)), X("U")], axis=1)
        zz = np.concatenate([np.zeros((n, 1)), X("Z")], axis=1)
        eb = col0(ctl.eb[0], X("Eb"))
        htb = col0(ctl.htb[0], X("HTb"))
        ht = ctl.eta[:T] * htb + up.sum(axis=0)
        ei = 100 * ctl.eff[:T] * eb / gdp
        sol = PathSolution(
            years=p.years, clusters=p.clusters, status=status, objective=obj, gdp_real=gdp,
            gdp_nominal=gdp * path.deflator, hightech_va=ht, hightech_va_nominal=ht * path.deflator,
            hightech_share=ht / gdp, energy_index=ei, investment=inv, investment_total=itot, va=va, output=out,
            capital=cap, upgrading=up, import_substitution=zz, targets=pd.DataFrame(), conflicts=pd.DataFrame(),
            solve_time_s=dt, target_slack={t.id: float(x[self.idx["S"][t.id]]) for t in p.targets})
        if tables:
            sol.targets = self._target_table(sol, x)
            sol.conflicts = self._conflicts(x)
        return sol

    def _target_table(self, sol: PathSolution, x: np.ndarray) -> pd.DataFrame:
        cols = ["target", "kind", "year", "sense", "required", "achieved", "unit", "shortfall", "status", "source"]
        return pd.DataFrame(self.target_rows(sol, x), columns=cols)

    def target_rows(self, sol: PathSolution, x: np.ndarray | None = None) -> list[dict]:
        """The rows of the solution's target table (``PathSolution.targets``) as dicts, without pandas.

        ``sol`` must be the solution loaded in HiGHS (its duals decide "binding" vs "met"); ``x`` its
        column values (default: read from HiGHS).
        """
        p = self.p
        x = self.values() if x is None else x
        duals = None
        rows = []
        for t in p.targets:
            k = p.years.index(t.year)
            ach = achieved(t, sol, self._path)
            short = max(0.0, (t.value - ach) if TARGET_SENSE[t.kind] == ">=" else (ach - t.value))
            s = float(x[self.idx["S"][t.id]])
            tol = self.target_tolerance()
            if s > tol:
                status = "missed"
            else:
                if duals is None:
                    duals = np.asarray(self.h.getSolution().row_dual)
                status = "binding" if abs(duals[self.rows["tgt"][t.id]]) > 1e-9 else "met"
                short = 0.0 if short < 1e-6 * max(1.0, abs(t.value)) else short
            rows.append({"target": t.id, "kind": t.kind, "year": t.year, "sense": TARGET_SENSE[t.kind],
                         "required": t.value, "achieved": ach, "unit": TARGET_UNITS[t.kind], "shortfall": short,
                         "status": status, "source": t.source})
        return rows

    def _conflicts(self, x: np.ndarray) -> pd.DataFrame:
        p = self.p
        rows = []
        tol = 1e-6 * max(1.0, p.gdp0)
        for name, label, unit in (("Hup", "max cluster growth", "100m yuan of VA (t0 prices)"),
                                  ("Hdn", "max cluster decline", "100m yuan of VA (t0 prices)"),
                                  ("Hcap", "capacity (capital short of what exogenous demand needs)",
                                   "100m yuan of capital stock (t0 prices)")):
            a = x[self.idx[name]]
            a = a[:, :len(p.years) - 1]        # reported years only (not the horizon buffer)
            for c, j in zip(*np.nonzero(a > tol)):
                rows.append({"row": label, "cluster": p.clusters[c], "year": p.years[j + 1], "amount": float(a[c, j]),
                             "unit": unit})
        a = x[self.idx["Hterm"]] + x[self.idx["Hterm2"]]
        for c in np.flatnonzero(a > tol):
            rows.append({"row": "terminal steady-state investment", "cluster": p.clusters[c], "year": p.lp_years[-1],
                         "amount": float(a[c]), "unit": "100m yuan of investment (t0 prices)"})
        return pd.DataFrame(rows, columns=["row", "cluster", "year", "amount", "unit"])

    def write_mps(self, path) -> None:
        """Write the LP as currently loaded in HiGHS (free MPS)."""
        self.h.writeModel(str(path))


def achieved(t: Target, sol: PathSolution, path: PathInputs) -> float:
    """Achieved value of a target in its own units."""
    k = sol.years.index(t.year)
    gdp = sol.gdp_real[k]
    if t.kind == "gdp_level":
        return float(sol.gdp_nominal[k])
    if t.kind == "gdp_growth":
        base = path.gdp_real_ref.get(t.base_year)
        if base is None:
            base = sol.gdp_real[0] * t.base_real_ratio
        return 100 * ((gdp / base) ** (1.0 / (t.year - t.base_year)) - 1)
    if t.kind == "energy_intensity":
        return float(sol.energy_index[k])
    if t.kind == "hightech_share":
        return float(100 * sol.hightech_share[k])
    return float(sol.hightech_va_nominal[k])
