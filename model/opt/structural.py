"""Calibration of the structural model behind the investment LP (pure numbers out).

The structural model is a demand-driven regional Leontief model with capital
(see :mod:`model.opt.pathlp` for the LP). This module turns the IO accounts,
the latest observed state, the perpetual-inventory capital stock and the
scenario settings into :class:`StructuralParams` — arrays only, no Pyomo.

Base-year structure
-------------------
The IO accounts are taken at the structure of the base year ``t0``: the IO
module RAS-updates the Hunan table to Hunan's three-sector VA of ``t0`` and
regionalises it with each city's latest observed three-sector VA (scaled to
its ``t0`` GDP) — so CZT starts at ~41 % secondary, not the 2017 table's 47 %.
Levels are scaled to CZT nominal GDP of ``t0``.

Other final demand
------------------
Final demand other than investment (consumption, inventories, net outflows)
is exogenous: ``O_t = ω · o_t`` with the base-year composition ``ω`` of the
accounts and a scale ``o_t`` set per forecast path so that the control run
reproduces that path's real GDP exactly (see :func:`control_demand_scale`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import CztInputError
from .params import OptState

YI = 1e4  # 10k yuan per 亿元


@dataclass(frozen=True)
class StructuralParams:
    """Everything the path LP needs that does not change across forecast paths.

    Money in 亿元 at constant prices of the base year ``years[0]``.

    Parameters
    ----------
    clusters, names : tuple of str
    years : tuple of int
        ``t0 … T``.
    A : ndarray (n, n)
        Regional technical coefficients.
    v : ndarray (n,)
        Value-added coefficients.
    g : ndarray (n,)
        Regional output of each cluster per 亿元 of total investment (regional
        part of the GFCF column; sums to < 1, the rest is imported).
    omega : ndarray (n,)
        Composition of other final demand (sums to 1; entries may be negative
        where net inflows exceed consumption).
    kappa : ndarray (n,)
        Capital–output ratios K/VA (perpetual inventory).
    delta : float
        The one depreciation rate.
    va0 : ndarray (n,)
        Base-year VA (sums to GDP of ``t0``).
    inv_rate0 : float
        Control investment rate I/GDP (perpetual-inventory series, base year).
    inv_share0 : ndarray (n,)
        Control allocation of investment by destination cluster (∝ capital).
    imports0 : ndarray (n,)
        Base-year supply of each cluster's products from outside CZT (inflows
        and imports), 亿元 — the room for import substitution.
    energy_coef : ndarray (n,)
        Energy per unit of output (relative units; the level is calibrated per
        path to the forecast's energy-intensity index).
    energy_hh : float
        Household energy per unit of GDP, same units.
    hightech : ndarray (n,)
        High-tech share of each cluster's VA in the base year.
    hightech_cap : ndarray (n,)
        Ceiling of a cluster's high-tech share under upgrading: its VA share in
        sectors of a high-tech field (weight > 0) plus the residual share of
        the others.
    upgrade_step : float
        Largest rise per year of the high-tech share of GDP by upgrading
        (fraction of GDP; ``[upgrading] max_share_gain_per_year``, derived in
        :mod:`model.opt.evidence`).
    upgrade_cost : ndarray (n,)
        Investment per 亿元 of VA upgraded to high-tech (ψ κ_c).
    import_sub_step : float
        Import substitution may replace at most ``step (t − t0)`` of a
        cluster's control inflows/imports (and capacity short of the control
        may be made up by as much more inflow).
    envelope : ndarray (T,)
        Investment envelope I/GDP per year (index 0 unused).
    max_growth, max_decline : float
        Realism bounds on a cluster's annual real VA change.
    max_share_shift : float
        Drift per year of a cluster's investment share from its control share.
    discount_rate, penalty, hard_penalty : float
    targets : tuple of Target
    mode : {"max_gdp", "min_investment"}
    buffer_years : int
        Years solved beyond ``years[-1]`` (paths continued at their last
        growth rates) and not reported, so the reported horizon is free of end
        effects; the terminal condition applies at the end of the buffer.
    kappa_scale : float
        Scenario multiplier of κ (``optimisation.kappa_scale``), applied like a
        path's own ``PathInputs.kappa_scale`` (initial stock and capacity rows;
        the upgrading cost ψκ keeps the calibrated κ); 1 = as calibrated.
    notes : tuple of str
    """

    clusters: tuple
    names: tuple
    years: tuple
    A: np.ndarray
    v: np.ndarray
    g: np.ndarray
    omega: np.ndarray
    kappa: np.ndarray
    delta: float
    va0: np.ndarray
    inv_rate0: float
    inv_share0: np.ndarray
    imports0: np.ndarray
    energy_coef: np.ndarray
    energy_hh: float
    hightech: np.ndarray
    hightech_cap: np.ndarray
    upgrade_step: float
    upgrade_cost: np.ndarray
    import_sub_step: float
    envelope: np.ndarray
    max_growth: float
    max_decline: float
    max_share_shift: float
    discount_rate: float
    penalty: float
    hard_penalty: float
    targets: tuple
    mode: str = "max_gdp"
    buffer_years: int = 0
    kappa_scale: float = 1.0
    notes: tuple = field(default=(), compare=False)

    def __post_init__(self):
        n = len(self.clusters)
        T = len(self.years)
        w = "structural parameters"
        for name, shp in {"A": (n, n), "v": (n,), "g": (n,), "omega": (n,), "kappa": (n,), "va0": (n,),
                          "inv_share0": (n,), "imports0": (n,), "energy_coef": (n,), "hightech": (n,),
                          "hightech_cap": (n,), "upgrade_cost": (n,), "envelope": (T,)}.items():
            a = np.asarray(getattr(self, name), float)
            object.__setattr__(self, name, a)
            if a.shape != shp:
                raise CztInputError(w, f"{name}: shape {a.shape}, expected {shp}")
            if not np.all(np.isfinite(a)):
                raise CztInputError(w, f"{name}: non-finite values")
        if np.any(self.A.sum(axis=0) >= 1) or np.any(self.A < 0):
            raise CztInputError(w, "A: not productive (a column sums to >= 1) or negative")
        if np.any(self.v <= 0) or np.any(self.v > 1):
            raise CztInputError(w, "v: value-added coefficients must be in (0, 1]")
        if np.any(self.kappa <= 0):
            raise CztInputError(w, "kappa: capital-output ratios must be > 0")
        if not (0 < self.kappa_scale < np.inf):
            raise CztInputError(w, f"kappa_scale {self.kappa_scale} must be > 0")
        if not (0 < self.delta < 1):
            raise CztInputError(w, f"delta {self.delta} not in (0, 1)")
        if self.max_decline < self.delta:
            raise CztInputError(w, f"max_decline {self.max_decline} below delta {self.delta}")
        if np.any((self.hightech < 0) | (self.hightech > 1)) or np.any(self.hightech_cap < self.hightech - 1e-12):
            raise CztInputError(w, "hightech shares must be in [0, 1] and not above their cap")
        if np.any(self.envelope[1:] <= 0) or np.any(self.envelope >= 1):
            raise CztInputError(w, "envelope: investment share of GDP must be in (0, 1)")
        if abs(self.inv_share0.sum() - 1) > 1e-9 or abs(self.omega.sum() - 1) > 1e-9:
            raise CztInputError(w, "inv_share0 and omega must sum to 1")

    @property
    def n(self) -> int:
        return len(self.clusters)

    @property
    def lp_years(self) -> tuple:
        """Years of the LP: ``years`` plus the buffer."""
        return tuple(range(self.years[0], self.years[-1] + self.buffer_years + 1))

    @property
    def gdp0(self) -> float:
        return float(self.va0.sum())

    @property
    def L(self) -> np.ndarray:
        """Leontief inverse ``(I − A)⁻¹``."""
        return np.linalg.inv(np.eye(self.n) - self.A)

    def with_(self, **kw) -> "StructuralParams":
        from dataclasses import replace
        return replace(self, **kw)


def control_demand_scale(p: StructuralParams, gdp_real: np.ndarray, inv_rate: float | None = None) -> np.ndarray:
    r"""Scale ``o_t`` of other final demand that reproduces a GDP path.

    With ``O_t = ω o_t`` and control investment ``I_t = s Y_t``:

    .. math:: Y_t = v^\top L (\omega o_t + g s Y_t)
              \;\Rightarrow\; o_t = Y_t \frac{1 - s\, v^\top L g}{v^\top L \omega}
    """
    s = p.inv_rate0 if inv_rate is None else inv_rate
    L = p.L
    vl = p.v @ L
    return np.asarray(gdp_real, float) * (1 - s * float(vl @ p.g)) / float(vl @ p.omega)


def _opt_cfg(cfg):
    from .config import load_opt_config
    return cfg if cfg is not None else load_opt_config()


def _sector_hightech_cap(io_system, accounts_codes, level: str, year: int) -> np.ndarray:
    """Cluster ceiling of the high-tech share (see :class:`StructuralParams`)."""
    from ..io.params import read_code_csv
    sysy = io_system if io_system.year == year else io_system.updated(year)
    w = read_code_csv("hightech_weights.csv", ["weight", "judgement"])["weight"].astype(float).reindex(sysy.codes).fillna(0)
    cap_s = np.where(w.to_numpy() > 0, 1.0, sysy.hightech)
    va = sysy.va
    if level == "sector":
        lab = np.array(sysy.codes)
    else:
        lab = sysy.cluster_map["cluster"].reindex(sysy.codes).to_numpy()
    out = []
    for c in accounts_codes:
        m = lab == c
        out.append(float((cap_s[m] * va[m]).sum() / va[m].sum()))
    return np.array(out)


def calibrate_structural(scenario, state, io_system=None, cfg: dict | None = None, panel=None) -> StructuralParams:
    """Structural parameters for a scenario and the latest observed state.

    Parameters
    ----------
    scenario : model.scenario.Scenario
        Uses ``optimisation`` (envelope, bounds, targets, penalty, mode), ``io``
        (Flegg δ, method, level) and ``targets_2035``.
    state : dict or OptState
        The runner's state (``model.runner._state``); needs the real GDP path
        (history) back to the IO table year for the perpetual inventory.
    io_system : model.io.system.IOSystem, optional
        Prebuilt system (default: built from the calibration with the
        scenario's IO settings).
    cfg : dict, optional
        Validated ``calibration/optimisation/parameters.toml``.
    panel : DataFrame, optional
        Long macro panel (default ``macro/czt_best_panel_long.csv``).
    """
    from ..io.params import load_parameters, read_long_csv
    from ..io.system import IOSystem
    from ..paths import DATA
    from .targets import plan_targets
    from .capital import calibrate_capital, cluster_kappa

    cfg = _opt_cfg(cfg)
    st = OptState.from_mapping(state)
    settings = scenario.optimisation
    t0 = int(st.year)
    T = int(settings.end_year)
    if T <= t0:
        raise CztInputError("optimisation.end_year", f"{T} not after the base year {t0}")
    years = tuple(range(t0, T + 1))
    level = scenario.io.level
    if io_system is None:
        io_system = IOSystem.from_calibration(flq_delta=scenario.io.flq_delta, method=scenario.io.regionalisation.upper())
    acc = io_system.cluster_accounts(year=t0, level=level)
    notes = [f"IO accounts: {level} level, structure of {t0} (Hunan RAS to {t0}; city three-sector VA, latest "
             f"observed year per city)"]
    codes = [c for c in acc.codes if float(acc.X[c]) > 0 and float(acc.VA[c]) > 0]
    if len(codes) < len(acc.codes):
        notes.append(f"dropped codes without output: {[c for c in acc.codes if c not in codes]}")
    X = acc.X.reindex(codes).to_numpy(float)
    VA = acc.VA.reindex(codes).to_numpy(float)
    A = acc.A.loc[codes, codes].to_numpy(float)
    v = VA / X
    fd = acc.final_demand.reindex(codes)
    gfcf_total = float(acc.final_demand["gfcf_total"].sum())
    g = fd["gfcf"].to_numpy(float) / gfcf_total
    s_tab = gfcf_total / float(acc.VA.sum())

    # one delta, the IO module's (unless the scenario sets the LP's own, optimisation.depreciation_rate)
    iop = load_parameters()
    delta = (float(iop["capital"]["depreciation_rate"]) if settings.depreciation_rate is None
             else float(settings.depreciation_rate))
    panel = panel if panel is not None else read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    path = st.gdp_real_path or {}
    table_year = int(iop["base_year"])
    if not all(y in path for y in range(table_year, t0 + 1)):
        raise CztInputError("optimisation state", f"real GDP path {table_year}-{t0} needed for the perpetual "
                            "inventory (state.gdp_real_path)")
    # the Hunan 2017 table's GFCF/GDP (unchanged by regional scaling) is the investment rate of the table year
    tab = io_system.table
    s_2017 = float(tab.fd["FU201"].sum() / tab.va[["VA001", "VA002", "VA003", "VA004"]].to_numpy().sum())
    cap = calibrate_capital(panel, path, s_2017, table_year, t0, delta)
    notes += cap.notes
    s0 = float(cap.investment_rate[t0])
    notes.append(f"control investment rate {t0} = {s0:.4f} of GDP (perpetual-inventory series); IO table {s_tab:.4f}")

    gdp0 = float(st.gdp_nominal)
    scale = gdp0 / VA.sum()
    X0, VA0 = X * scale, VA * scale
    o0 = X0 - A @ X0 - g * s0 * gdp0
    omega = o0 / o0.sum()
    dep = acc.capital["depreciation"].reindex(codes).to_numpy(float)
    kappa = cluster_kappa(dep, VA0, cap.capital_output)
    inv_share0 = dep / dep.sum()
    notes.append(f"kappa by cluster: K_c proportional to IO depreciation (one delta = {delta}), aggregate K/Y "
                 f"{cap.capital_output:.3f}; control investment allocated in proportion to capital")
    imports0 = np.maximum(fd["imports_inflows"].to_numpy(float) * scale, 0.0)
    energy_coef = acc.energy.reindex(codes).to_numpy(float) / X
    energy_hh = float(acc.energy_households) / float(acc.VA.sum())
    ht = acc.hightech_share.reindex(codes).fillna(0.0).to_numpy(float)
    ht_cap = _sector_hightech_cap(io_system, codes, level, t0)
    ht_cap = np.maximum(ht_cap, ht)
    up = cfg["upgrading"]
    psi = float(up["cost_capital_multiple"])
    env = settings.investment_share_of_gdp if settings.investment_share_of_gdp is not None else s0
    if settings.investment_share_of_gdp is None:
        notes.append(f"investment envelope = control investment rate {s0:.4f}")
    targets, tnotes = plan_targets(settings, st, years, scenario.targets_2035)
    notes += tnotes
    mode = settings.mode if settings.mode in ("max_gdp", "min_investment") else "max_gdp"
    return StructuralParams(
        clusters=tuple(codes), names=tuple(acc.names.reindex(codes)["name_en"]) if hasattr(acc, "names") else tuple(codes),
        years=years, A=A, v=v, g=g, omega=omega, kappa=kappa, delta=delta, va0=VA0, inv_rate0=s0,
        inv_share0=inv_share0, imports0=imports0, energy_coef=energy_coef, energy_hh=energy_hh, hightech=ht,
        hightech_cap=ht_cap, upgrade_step=float(up["max_share_gain_per_year"]), upgrade_cost=psi * kappa,
        import_sub_step=float(cfg["import_substitution"]["step_per_year"]),
        envelope=np.full(len(years), float(env)), max_growth=settings.max_cluster_growth,
        max_decline=float(cfg["max_cluster_decline"]), max_share_shift=settings.max_share_shift,
        discount_rate=settings.discount_rate, penalty=settings.penalty, hard_penalty=float(cfg["hard_penalty"]),
        targets=tuple(targets), mode=mode, buffer_years=int(cfg["terminal"]["buffer_years"]),
        kappa_scale=float(settings.kappa_scale), notes=tuple(notes))
