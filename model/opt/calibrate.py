"""Calibrate :class:`~model.opt.params.OptParams` from IO accounts, the state and the scenario.

Two sources of cluster accounts:

* :func:`params_from_io` – from the IO module's ``cluster_accounts`` (preferred);
  fields that object does not provide are filled from the vendored table;
* :func:`vendored_accounts` – directly from ``calibration/data/io/hunan_2017_42``
  (used when ``model.io`` is unavailable, and by tests/benchmarks).

Both produce :class:`ClusterAccounts` (ratios of the Hunan 2017 table, levels
in 亿元 of 2017), turned into LP parameters by :func:`params_from_accounts`.
See ``calibration/optimisation/README.md`` for the calibration of κ, δ,
the envelope, energy and high-tech coefficients.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..paths import CALIBRATION, DATA
from .params import OptParams, OptState, Target

OPT_PARAMS_FILE = CALIBRATION / "optimisation" / "parameters.toml"
IO_DIR = DATA / "io" / "hunan_2017_42"
CLUSTER_MAP = CALIBRATION / "io" / "cluster_map.csv"
HIGHTECH_WEIGHTS = CALIBRATION / "io" / "hightech_weights.csv"
WAN_PER_YI = 1e4  # 1 亿元 = 10 000 万元


@dataclass
class ClusterAccounts:
    """Base-table accounts by cluster (levels in 亿元 of the table year).

    Attributes
    ----------
    codes, names : list of str
    Zr : ndarray (n, n)
        Regional intermediate flows (imports and inflows removed).
    x, va, dep : ndarray (n,)
        Gross output, value added, depreciation (VA003).
    gfcf_r : ndarray (n,)
        Regionally supplied gross fixed capital formation by product.
    gfcf_total : float
        Total GFCF (all origins) – the investment total.
    energy : ndarray (n,)
        Energy use by cluster in base-table 亿元-proxy units (only shares matter).
    energy_hh : float
        Household energy use, same units.
    ht_weight_va : ndarray (n,)
        Unscaled high-tech VA (Σ weight × VA of the sectors), 亿元.
    sector_ht : tuple or None
        (sector VA, sector weight, sector→cluster index) for exact capped scaling.
    source : str
    ht_share : ndarray, optional
        Already calibrated high-tech share of VA by cluster (IO module); when
        given, ``sector_ht`` is not used.
    ht_tilt : ndarray, optional
        Weights of the final-demand tilt (default: ``ht_share``).
    """

    codes: list
    names: list
    Zr: np.ndarray
    x: np.ndarray
    va: np.ndarray
    dep: np.ndarray
    gfcf_r: np.ndarray
    gfcf_total: float
    energy: np.ndarray
    energy_hh: float
    ht_weight_va: np.ndarray
    sector_ht: tuple | None
    source: str
    ht_share: np.ndarray | None = None
    ht_tilt: np.ndarray | None = None


def load_opt_config(path: Path = OPT_PARAMS_FILE) -> dict:
    """Read and validate ``calibration/optimisation/parameters.toml`` (:mod:`model.opt.config`)."""
    from .config import load_opt_config as _load
    return _load(path)


def vendored_accounts(level: str = "cluster", cfg: dict | None = None) -> ClusterAccounts:
    """Cluster (or sector) accounts of the Hunan 2017 table without regionalisation.

    Built by the IO module (``IOSystem.from_calibration(region="Hunan")``), so
    energy, high-tech content and depreciation come from the one source the
    regional accounts use. ``level = "sector"`` keeps the 41 products with
    output (03 has none).
    """
    from ..io.system import IOSystem
    if level not in ("cluster", "sector"):
        raise CztInputError("io.level", f"'{level}' not one of cluster, sector")
    acc = accounts_from_io(IOSystem.from_calibration(region="Hunan").cluster_accounts(level=level))
    acc.source = f"Hunan 2017 table without regionalisation ({level}; model.io)"
    return acc


def _bisect(f, lo: float, hi: float, goal: float) -> float:
    """Root of the increasing function ``f(x) = goal`` on [lo, hi]."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) < goal else (lo, mid)
    return 0.5 * (lo + hi)


def _tilted_structure(A: np.ndarray, v: np.ndarray, gfcf_r: np.ndarray, gfcf_total: float, o_tab: np.ndarray,
                      h: np.ndarray, w: np.ndarray, target_share: float) -> tuple[np.ndarray, np.ndarray, float]:
    """IO-consistent base-year structure with a given high-tech share.

    Other final demand (consumption, inventories, net outflows) of the table is
    tilted by (1 + τ w_c) towards clusters with high-tech weight; investment
    demand keeps the table's composition and its share ``s`` of GDP; output
    follows from the Leontief inverse. τ solves Σ h VA / Σ VA = target_share.

    Returns
    -------
    (va_structure, x_structure, tau) with va_structure summing to 1 and
    x_structure on the same scale (X = VA / v).
    """
    n = len(v)
    L = np.linalg.inv(np.eye(n) - A)
    s = gfcf_total / float(v @ L @ (gfcf_r + o_tab))  # table investment share of GDP
    vLg = float(v @ L @ gfcf_r)

    def structure(tau):
        o = o_tab * (1 + tau * w)
        vLo = float(v @ L @ o)
        a = s * vLo / (gfcf_total - s * vLg)      # investment scaled to keep I/GDP = s
        x = L @ (a * gfcf_r + o)
        va = v * x
        return va / va.sum(), x / va.sum()

    share = lambda tau: float(h @ structure(tau)[0])  # noqa: E731
    lo = -0.999 / max(float(w.max()), 1e-12)
    hi = 1e6
    if not (share(lo) < target_share < share(hi)):
        raise CztInputError("high-tech calibration", f"base-year high-tech share {100 * target_share:.1f}% outside "
                            f"what tilting final demand can give ({100 * share(lo):.1f}-{100 * share(hi):.1f}%)")
    tau = _bisect(share, lo, hi, target_share)
    va_st, x_st = structure(tau)
    return va_st, x_st, tau


def _real_ratio(state: OptState, base_year: int) -> float | None:
    """Real GDP of ``base_year`` / real GDP of the state year, if the state allows it."""
    path = state.gdp_real_path or {}
    if base_year in path and state.year in path and path[state.year] > 0:
        return float(path[base_year]) / float(path[state.year])
    if base_year == 2019 and state.gdp_real_ratio_2019:
        return 1.0 / state.gdp_real_ratio_2019
    return None


def _growth_target(tid: str, year: int, base_year: int, avg_growth_pct: float, state: OptState,
                   source: str, notes: list) -> Target | None:
    ratio = _real_ratio(state, base_year)
    if ratio is None and base_year == 2020 and state.gdp_real_ratio_2019:
        # no 2020 real level: approximate the 2020-based average by the 2019-based one
        notes.append(f"{tid}: real GDP {base_year} not in the state; average growth measured from 2019 instead")
        base_year, ratio = 2019, 1.0 / state.gdp_real_ratio_2019
    if ratio is None:
        notes.append(f"{tid} skipped: real GDP of {base_year} relative to {state.year} not in the state")
        return None
    return Target(tid, "gdp_growth", year, avg_growth_pct, base_year=base_year, base_real_ratio=ratio, source=source)


def plan_targets(settings, state: OptState, years: tuple[int, ...], targets_2035=()) -> tuple[list[Target], list[str]]:
    """The plan's 2025 targets (from ``settings``) plus modelled scenario goals.

    The growth target "年均增长8%左右" is read from ``calibration/targets.toml``
    (id ``gdp_growth``: value 8, tolerance 0.5, base 2020); the LP asks for
    the lower edge of the band (7.5 %/yr), consistent with the scorecard's
    reading of "左右". Scenario ``targets_2035`` entries on ``GDP|Nominal``,
    ``GDP|Real`` (change_vs_base / avg_growth), ``High-tech VA``,
    ``High-tech VA|Share of GDP`` and ``Energy intensity`` become LP targets;
    others are listed in the notes as not modelled.

    Returns the targets inside the decision years and notes on skipped ones.
    """
    notes: list[str] = []
    out: list[Target] = []
    y = 2025
    src = "plan outline 2021 (calibration/parameters.toml [optimisation])"
    if settings.gdp_target_2025 is not None and settings.gdp_target_2025 > 0:
        out.append(Target("gdp_level_2025", "gdp_level", y, float(settings.gdp_target_2025), source=src))
    try:
        from ..targets import load_targets
        gt = next((t for t in load_targets() if t.id == "gdp_growth"), None)
    except Exception as exc:  # targets file unavailable or invalid
        gt = None
        notes.append(f"growth target not read from calibration/targets.toml ({exc})")
    if gt is not None:
        lower = gt.value - (gt.tolerance or 0.0) if gt.comparator == "~" else gt.value
        tg = _growth_target("gdp_growth_2025", gt.year, gt.base_year or 2020, lower, state,
                            f"{gt.source} (calibration/targets.toml; LP asks for the lower edge {lower:g} %/yr)", notes)
        if tg is not None:
            out.append(tg)
    if settings.energy_cut_2025 > 0:
        out.append(Target("energy_intensity_2025", "energy_intensity", y, 100 * (1 - settings.energy_cut_2025),
                          source=src))
    if settings.hightech_share_2025 > 0:
        out.append(Target("hightech_share_2025", "hightech_share", y, 100 * settings.hightech_share_2025, source=src))
    if settings.hightech_level_2025 > 0:
        out.append(Target("hightech_level_2025", "hightech_level", y, float(settings.hightech_level_2025), source=src))
    kind_of = {"GDP|Nominal": "gdp_level", "High-tech VA": "hightech_level",
               "High-tech VA|Share of GDP": "hightech_share", "Energy intensity": "energy_intensity"}
    for t in targets_2035:
        var, comp = t.variable, t.comparator
        kind = getattr(t, "kind", "level")
        src35 = f"scenario targets_2035: {getattr(t, 'note', '')}"
        if comp == "~":
            notes.append(f"scenario target '{t.id}' (~) not modelled by the LP")
            continue
        if var == "GDP|Real" and kind in ("change_vs_base", "avg_growth") and comp in (">=", ">"):
            n = t.year - t.base_year
            g = t.value if kind == "avg_growth" else 100 * ((1 + t.value / 100) ** (1 / n) - 1)
            tg = _growth_target(t.id, t.year, t.base_year, g, state, src35, notes)
            if tg is not None:
                out.append(tg)
            continue
        k = kind_of.get(var)
        sense_ok = k is not None and kind == "level" and (
            (k == "energy_intensity" and comp in ("<=", "<")) or (k != "energy_intensity" and comp in (">=", ">")))
        if not sense_ok:
            notes.append(f"scenario target '{t.id}' ({var} {comp}, {kind}) not modelled by the LP")
            continue
        out.append(Target(t.id, k, t.year, float(t.value), source=src35))
    kept = [t for t in out if t.year in years[1:]]
    for t in out:
        if t not in kept:
            notes.append(f"target '{t.id}' ({t.year}) outside decision years {years[1]}-{years[-1]}")
    return kept, notes


def params_from_accounts(acc: ClusterAccounts, state: OptState | dict, settings, targets_2035=(),
                         cfg: dict | None = None) -> OptParams:
    """Turn cluster accounts + state + scenario settings into LP parameters.

    Parameters
    ----------
    acc : ClusterAccounts
    state : OptState or dict
        Latest observed state; ``state.year`` becomes the base year.
    settings : model.scenario.OptimisationSettings
    targets_2035 : sequence of model.scenario.Target2035
    cfg : dict, optional
        Contents of ``calibration/optimisation/parameters.toml``.
    """
    cfg = cfg or load_opt_config()
    state = OptState.from_mapping(state)
    notes = [f"accounts: {acc.source}"]
    t0 = int(state.year)
    if settings.start_year != t0:
        notes.append(f"optimisation.start_year {settings.start_year} replaced by the state year {t0}")
    T = int(settings.end_year)
    if T <= t0:
        raise CztInputError("optimisation.end_year", f"{T} not after the base year {t0}")
    years = tuple(range(t0, T + 1))
    x, va = np.asarray(acc.x, float), np.asarray(acc.va, float)
    if np.any(x <= 0) or np.any(va <= 0):
        bad = [c for c, a, b in zip(acc.codes, x, va) if a <= 0 or b <= 0]
        raise CztInputError("IO accounts", f"clusters with non-positive output or VA: {bad}")
    n = len(acc.codes)
    A = acc.Zr / x[None, :]
    v = va / x
    gdp_tab = va.sum()
    s_tab = acc.gfcf_total / gdp_tab
    g = acc.gfcf_r / acc.gfcf_total
    s = settings.investment_share_of_gdp if settings.investment_share_of_gdp is not None else s_tab
    if settings.investment_share_of_gdp is None:
        notes.append(f"investment envelope s = GFCF/GDP of the IO table = {s_tab:.4f}")
    # capital: one delta (the IO module's), kappa by perpetual inventory (model.opt.capital)
    from ..io.params import load_parameters
    from .capital import calibrate_capital, cluster_kappa
    iop = load_parameters()
    delta = np.full(n, float(iop["capital"]["depreciation_rate"]))
    dep = np.asarray(acc.dep, float)
    if np.any(dep <= 0):
        bad = [c for c, d in zip(acc.codes, dep) if d <= 0]
        raise CztInputError("IO accounts", f"clusters without depreciation (VA003 <= 0): {bad}")
    if acc.ht_share is None:
        raise CztInputError("IO accounts", "no high-tech share of VA by cluster (ht_share); build the accounts with "
                            "model.io (accounts_from_io / vendored_accounts)")
    ht_share = np.asarray(acc.ht_share, float)
    w_c = np.asarray(acc.ht_tilt if acc.ht_tilt is not None else ht_share, float)
    o_tab = np.maximum(x - acc.Zr.sum(axis=1) - acc.gfcf_r, 0.0)   # other regional final demand, clipped at 0
    va_st, x_st, tau = _tilted_structure(A, v, acc.gfcf_r, acc.gfcf_total, o_tab, ht_share, w_c,
                                         state.hightech_va / state.gdp_nominal)
    notes.append("high-tech content from the IO accounts; " +
                 f"other final demand tilted by tau = {tau:.3f} towards weighted clusters to reach the "
                 f"base-year CZT share {100 * state.hightech_va / state.gdp_nominal:.1f}%")
    gdp0 = float(state.gdp_nominal)
    va0 = gdp0 * va_st
    path = state.gdp_real_path or {}
    t_tab = int(iop["base_year"])
    if not all(y in path for y in range(t_tab, t0 + 1)):
        raise CztInputError("optimisation state", f"real GDP path {t_tab}-{t0} needed for the perpetual inventory "
                            "of capital (state.gdp_real_path)")
    from ..io.params import read_long_csv
    from ..paths import DATA
    capcal = calibrate_capital(read_long_csv(DATA / "macro" / "czt_best_panel_long.csv"), path, s_tab, t_tab, t0,
                               float(delta[0]))
    notes += capcal.notes
    kappa = cluster_kappa(dep, va0, capcal.capital_output)
    inv_share0 = dep / dep.sum()                   # control allocation in proportion to capital (one delta)
    # energy: units such that the 2019 intensity = 1 per 亿元; base-year total = index/100 * GDP0.
    # Energy per unit of output of each cluster is kept from the table; the total is matched by
    # scaling cluster and household coefficients by one factor.
    e_share = np.asarray(acc.energy, float)
    x0 = va0 / v
    e_raw = e_share / x                            # energy per unit output, table units
    e_hh_raw = acc.energy_hh / gdp_tab             # household energy per unit GDP, table units
    E0 = state.energy_intensity_index / 100.0 * gdp0
    scale = E0 / float(e_raw @ x0 + e_hh_raw * gdp0)
    energy_coef = scale * e_raw
    energy_hh = scale * e_hh_raw
    x0 = va0 / v
    other_fd0 = np.maximum(x0 - A @ x0 - g * s_tab * gdp0, 0.0)
    # other final demand is exogenous (no band): its trend is the control path's mean real growth
    rp = {int(k): float(v) for k, v in path.items()}
    if T in rp and t0 in rp and rp[t0] > 0:
        g_dem = (rp[T] / rp[t0]) ** (1.0 / (T - t0)) - 1
        notes.append(f"other final demand exogenous at the control path's mean real growth {100 * g_dem:.2f}%/yr")
    else:
        g_dem = 0.0
        notes.append("other final demand exogenous, held at its base level (no control GDP path in the state)")
    band = np.zeros(len(years))
    g_def = float(cfg["default_deflator_growth"])
    defl = np.array([float((state.deflator or {}).get(y, (1 + g_def) ** (y - t0))) for y in years])
    defl[0] = 1.0
    targets, tnotes = plan_targets(settings, state, years, targets_2035)
    notes += tnotes
    mode = settings.mode if settings.mode in ("max_gdp", "min_investment") else "max_gdp"
    return OptParams(
        clusters=tuple(acc.codes), names=tuple(acc.names), years=years, A=A, v=v, g=g, kappa=kappa,
        delta=delta, va0=va0, inv_share0=inv_share0, energy_coef=energy_coef, energy_hh=energy_hh,
        hightech_share=ht_share, envelope=np.full(len(years), s), deflator=defl,
        other_fd0=other_fd0, demand_band=band, demand_growth=float(g_dem),
        max_growth=settings.max_cluster_growth, max_decline=float(cfg["max_cluster_decline"]),
        max_share_shift=settings.max_share_shift, efficiency_gain=settings.energy_efficiency_gain,
        discount_rate=settings.discount_rate, targets=tuple(targets), mode=mode,
        penalty=settings.penalty, notes=tuple(notes))


def params_from_io(acc, state: OptState | dict, settings, targets_2035=()) -> OptParams:
    """Adapter: LP parameters from the IO module's cluster accounts.

    Parameters
    ----------
    acc : model.io.system.ClusterAccounts, ClusterAccounts or None
        Result of ``IOSystem.cluster_accounts(level=...)``. ``None`` → use
        :func:`vendored_accounts` (Hunan table, no regionalisation).
    state : OptState or dict
        Latest observed state (fields of :class:`OptState` or the runner dict).
    settings : model.scenario.OptimisationSettings
    targets_2035 : sequence of model.scenario.Target2035

    Returns
    -------
    OptParams
    """
    if acc is None:
        return params_from_accounts(vendored_accounts("cluster"), state, settings, targets_2035)
    return params_from_accounts(accounts_from_io(acc), state, settings, targets_2035)


def accounts_from_io(acc) -> ClusterAccounts:
    """Map ``model.io`` cluster accounts to :class:`ClusterAccounts`.

    Field mapping: regional flows Zr = A · diag(X); x = X; va = VA; dep =
    capital.depreciation (VA003); gfcf_r = final_demand.gfcf (regionally
    supplied GFCF); energy = energy (10k tce) and energy_households; high-tech
    content = hightech_share (already scaled to Hunan's share by the IO
    module). Total GFCF (all origins) is not in the accounts: it is the IO
    module's regional GDP times Hunan's GFCF/GDP (0.506 in 2017), which is
    how the IO module scales regional final use (``final_use_scale``).
    """
    if isinstance(acc, ClusterAccounts):
        return acc
    need = ["codes", "A", "X", "VA", "final_demand", "capital", "energy", "energy_households", "hightech_share"]
    miss = [k for k in need if not hasattr(acc, k)]
    if miss:
        raise CztInputError("model.io accounts", f"missing fields {miss}")
    codes = [c for c in acc.codes if float(acc.X.get(c, 0.0)) > 0 and float(acc.VA.get(c, 0.0)) > 0]
    dropped = [c for c in acc.codes if c not in codes]   # e.g. sector 03: zero output in Hunan
    X = acc.X.reindex(codes).to_numpy(float)
    VA = acc.VA.reindex(codes).to_numpy(float)
    A = acc.A.loc[codes, codes].to_numpy(float)
    fd = acc.final_demand.reindex(codes)
    names = list(acc.names.reindex(codes)["name_en"]) if hasattr(acc, "names") else codes
    fdv = pd.read_csv(IO_DIR / "final_demand.csv", dtype={"code": str})
    vav = pd.read_csv(IO_DIR / "value_added.csv", dtype={"code": str})
    s_hunan = float(fdv["FU201"].sum() / vav["TVA"].sum())
    ht = acc.hightech_share.reindex(codes).fillna(0.0).to_numpy(float)
    return ClusterAccounts(
        codes=codes, names=names, Zr=A * X[None, :], x=X, va=VA,
        dep=acc.capital.reindex(codes)["depreciation"].to_numpy(float),
        gfcf_r=fd["gfcf"].to_numpy(float), gfcf_total=s_hunan * float(VA.sum()),
        energy=acc.energy.reindex(codes).to_numpy(float), energy_hh=float(acc.energy_households),
        ht_weight_va=ht * VA, sector_ht=None, ht_share=ht,
        source="model.io cluster accounts (FLQ-regionalised CZT table)"
               + (f"; dropped codes without output: {dropped}" if dropped else ""))


def io_accounts_for(scenario, year: int | None = None):
    """Cluster accounts from ``model.io`` for a scenario, or ``(None, reason)``.

    Tries ``IOSystem.from_calibration`` with the scenario's ``io`` settings and
    ``cluster_accounts(year, level)`` (RAS-updated to ``year`` when the data
    allow, else the 2017 structure).
    """
    try:
        from ..io.system import IOSystem
    except Exception as exc:  # module missing or broken
        return None, f"model.io unavailable ({type(exc).__name__}: {exc}); vendored table used"
    try:
        sysio = IOSystem.from_calibration(flq_delta=scenario.io.flq_delta, method=scenario.io.regionalisation.upper())
    except Exception as exc:
        return None, f"IOSystem.from_calibration failed ({exc}); vendored table used"
    level = scenario.io.level
    if year is not None:
        try:
            return sysio.cluster_accounts(year=year, level=level), f"model.io accounts, structure RAS-updated to {year}"
        except Exception as exc:
            note = f"RAS update to {year} failed ({exc}); 2017 structure used"
            return sysio.cluster_accounts(level=level), note
    return sysio.cluster_accounts(level=level), "model.io accounts, 2017 structure"
