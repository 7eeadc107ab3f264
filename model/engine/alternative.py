"""The alternative: a scenario's levers applied to the control, path by path.

REMI-style control vs alternative::

    alternative_p = control_p × (structural model with levers_p / structural control_p)

for every sample path ``p`` of the control forecast (:mod:`model.projection`).
The structural model (:mod:`model.engine.structural`) is calibrated on each
path so that its control run reproduces that path's GDP exactly; the levers
(:mod:`model.engine.levers`) move it; only the ratio alternative / control
reaches the forecast. A zero lever gives a ratio of exactly 1 on every path,
so a lever-free scenario is its control to the last bit.

What changes on each path (every region; the cities take CZT's ratio so that
CZT stays the sum of the cities):

* ``GDP|Real``, ``GDP|Nominal``, ``GDP per capita`` × GDP ratio (the deflator
  is unchanged); ``GDP|Real growth`` recomputed from the new real path;
* ``High-tech VA`` × high-tech ratio; its share × high-tech ratio / GDP ratio;
* ``Energy intensity`` × energy-intensity ratio.

Optimised investment (``levers.investment = "optimised"``)
----------------------------------------------------------
The investment LP is re-solved on ``m`` sample paths (default 200,
:data:`N_LP_PATHS`): the control paths ranked by real GDP in the last year,
the ones at ranks ``⌊(i + ½) n / m⌋``. On each, other final demand is the
path's structural control demand (exogenous) and nominal targets use the
path's deflator. The lever is ``ΔI_j = I_LP,j − I_control,j``. Every control
path takes the ``ΔI`` of the sample path nearest to it in that ranking, and
the structural response is computed on every path. Years after the LP
horizon keep the last year's ratio.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import CztInputError

N_LP_PATHS = 200
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
GDP_SCALED = ("GDP|Real", "GDP|Nominal", "GDP per capita")


@dataclass
class Alternative:
    """Result of :func:`run_alternative`."""

    projection: object                    # the alternative's paths (a Projection)
    ratios: dict                          # "gdp", "hightech", "energy_intensity": (n_paths, n_years) over proj.years
    effects: pd.DataFrame                 # deviation from control by variable and year (quantiles)
    lp: pd.DataFrame | None = None        # per LP sample path outcome
    lp_summary: pd.DataFrame | None = None
    investment_fan: pd.DataFrame | None = None
    lp_status: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    lp_model: object = None               # (model, runner, median sample row) for model.mps


def structural_setup(sc, state, io_system=None):
    """LP parameters, control-rate parameters and the structure for a scenario.

    The one place that chooses the LP calibration API (today
    :func:`model.opt.calibrate.params_from_io`).
    """
    from ..opt.calibrate import params_from_io
    from .structural import structure_from_params

    acc = None
    if io_system is not None:
        try:
            acc = io_system.cluster_accounts(level=sc.io.level)
        except Exception:  # the LP core falls back on the vendored table
            acc = None
    settings = sc.optimisation
    if settings.mode == "none" or settings.mode == "frontier":
        settings = settings.model_copy(update={"mode": "max_gdp"})
    p = params_from_io(acc, state, settings, sc.targets_2035)
    p_ctl = params_from_io(acc, state, settings.model_copy(update={"investment_share_of_gdp": None}), ())
    if acc is not None and hasattr(acc, "final_demand"):
        fd = acc.final_demand["exports_outflows"].reindex(list(p.clusters)).fillna(0.0).to_numpy(float)
        phi = fd / acc.X.reindex(list(p.clusters)).to_numpy(float)
    else:  # vendored table: exports + outflows over output
        from ..opt.calibrate import vendored_accounts
        va = vendored_accounts("cluster")
        phi = np.clip((va.x - va.Zr.sum(axis=1) - va.gfcf_r) / va.x, 0, 1)
    return p, structure_from_params(p_ctl, phi)


def _sample(real_last: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank-stratified sample of ``m`` paths and each path's assigned sample (see module docstring)."""
    n = len(real_last)
    m = min(m, n)
    order = np.argsort(real_last, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    picks = np.floor((np.arange(m) + 0.5) * n / m).astype(int)
    sample = order[picks]
    assign = np.abs(rank[:, None] - picks[None, :]).argmin(axis=1)
    return sample, assign


def _quantile_frame(arr: np.ndarray, years, variable: str, unit: str) -> list[dict]:
    rows = []
    q = np.nanquantile(arr, QUANTILES, axis=0)
    for k, y in enumerate(years):
        for qi, qq in enumerate(QUANTILES):
            rows.append({"variable": variable, "unit": unit, "year": int(y), "quantile": qq, "value": q[qi, k]})
        rows.append({"variable": variable, "unit": unit, "year": int(y), "quantile": "mean",
                     "value": float(np.nanmean(arr[:, k]))})
    return rows


def apply_ratios(proj, gdp: np.ndarray, ht: np.ndarray, ei: np.ndarray):
    """A copy of ``proj`` with the ratios (``(n_paths, n_years)`` over ``proj.years``) applied."""
    from ..projection import REGIONS

    P = dict(proj.paths)
    for r in REGIONS:
        for var in GDP_SCALED:
            if (var, r) in P:
                P[(var, r)] = P[(var, r)] * gdp
        if ("GDP|Real growth", r) in P and ("GDP|Real", r) in P:
            g = P[("GDP|Real growth", r)].copy()
            real = P[("GDP|Real", r)]
            changed = np.any(gdp != 1.0, axis=0)
            changed[0] = False
            g[:, changed] = (real[:, changed] / real[:, np.flatnonzero(changed) - 1] - 1) * 100
            P[("GDP|Real growth", r)] = g
    if ("High-tech VA", "CZT") in P:
        P[("High-tech VA", "CZT")] = P[("High-tech VA", "CZT")] * ht
        P[("High-tech VA|Share of GDP", "CZT")] = P[("High-tech VA|Share of GDP", "CZT")] * (ht / gdp)
    if ("Energy intensity", "CZT") in P:
        P[("Energy intensity", "CZT")] = P[("Energy intensity", "CZT")] * ei
    return replace(proj, paths=P, notes=list(proj.notes))


def run_alternative(proj, sc, state, io_system=None, n_lp_paths: int = N_LP_PATHS,
                    backend: str | None = None) -> Alternative | None:
    """The scenario's alternative to the control ``proj`` (``None`` if it has no levers).

    Parameters
    ----------
    proj : model.projection.Projection
        The control sample paths.
    sc : model.scenario.Scenario
    state : dict
        The runner's latest-observed state (:func:`model.runner._state`).
    io_system : model.io.IOSystem, optional
    n_lp_paths : int
        Sample paths on which the structural model / LP is solved.
    backend : {"pathlp", "numpy"}, optional
        ``"pathlp"`` (default when available): :class:`model.opt.PathLP`, the
        LP core's structural model, re-solved per sample path; ``"numpy"``:
        :mod:`model.engine.structural` with the older LP.
    """
    lv = sc.levers
    if lv.is_zero():
        return None
    if backend is None:
        backend = "pathlp" if pathlp_available() else "numpy"
    if backend == "pathlp":
        return _run_pathlp(proj, sc, state, io_system, n_lp_paths)
    return _run_numpy(proj, sc, state, io_system, n_lp_paths)


def pathlp_available() -> bool:
    """True if the LP core offers the build-once, re-solve-many :class:`model.opt.PathLP`."""
    try:
        from ..opt import PathLP  # noqa: F401
    except Exception:  # not there (older core) or not importable
        return False
    return True


def _run_numpy(proj, sc, state, io_system, n_lp_paths):
    """Fallback backend: :mod:`model.engine.structural` + the older LP (:mod:`model.engine.lp_paths`)."""
    from .levers import lever_arrays
    from .structural import control, respond

    lv = sc.levers
    p, st = structural_setup(sc, state, io_system)
    years = np.asarray(st.years)
    py = np.asarray(proj.years)
    if years[0] not in py or years[-1] > py[-1] + 100:
        raise CztInputError("optimisation", f"LP years {years[0]}-{years[-1]} outside the forecast years")
    cols = np.searchsorted(py, years[years <= py[-1]])
    real = proj.get("GDP|Real")[:, cols]
    if len(cols) < len(years):  # LP horizon beyond the forecast: hold the last growth factor
        raise CztInputError("optimisation.end_year", f"{years[-1]} after forecast.end_year {py[-1]}")
    R = real / real[:, :1]
    ctl = control(st, R)
    arrays = lever_arrays(lv, st, ctl, source=sc.source_files[-1] if sc.source_files else sc.name)
    notes = list(arrays["notes"])
    alt = Alternative(projection=None, ratios={}, effects=pd.DataFrame(), notes=notes)
    dI = arrays["dI"]
    if lv.investment == "optimised":
        from .lp_paths import solve_paths

        sample, assign = _sample(real[:, -1], n_lp_paths)
        defl = proj.get("GDP|Deflator")[:, cols]
        defl = defl / defl[:, :1]
        out, model, runner = solve_paths(p, ctl.O[sample], defl[sample], sample, sc.optimisation.solver)
        ok = np.array([s == "optimal" for s in out.status])
        dI_lp = np.where(ok[:, None, None], out.investment - ctl.I[sample], 0.0)
        dI_lp[:, :, 0] = 0.0
        on = (years >= lv.start_year)[None, None, :]
        dI = dI + (dI_lp * on)[assign]
        alt.lp_status = {"paths": int(len(sample)), "optimal": int(ok.sum()),
                         "build_s": round(out.build_time_s, 4),
                         "mean_resolve_s": round(float(out.solve_time_s.mean()), 5)}
        if not ok.all():
            notes.append(f"LP not optimal on {int((~ok).sum())} of {len(sample)} sample paths "
                         f"({sorted(set(s for s in out.status if s != 'optimal'))}); their lever is 0")
        alt.lp, alt.lp_summary, alt.investment_fan = _lp_tables(out, years, ok)
        med = int(np.argsort(real[sample, -1])[len(sample) // 2])
        alt.lp_model = (model, runner, out, med, ctl.O[sample[med]], defl[sample[med]])
    res = respond(st, ctl, dI=dI, dO=arrays["dO"], efficiency=arrays["efficiency"], dh=arrays["dh"])
    n_p = proj.n_paths
    full = {}
    for key, r in (("gdp", res.gdp_ratio), ("hightech", res.ht_ratio), ("energy_intensity", res.ei_ratio)):
        a = np.ones((n_p, len(py)))
        a[:, cols] = r
        a[:, cols[-1] + 1:] = r[:, -1:]
        full[key] = a
    alt.ratios = full
    alt.projection = apply_ratios(proj, full["gdp"], full["hightech"], full["energy_intensity"])
    alt.projection.notes.append("Alternative = control path x (structural model with levers / structural control), "
                                "path by path (model.engine.alternative).")
    alt.effects = _effects(proj, alt.projection, years, res, ctl)
    return alt


def _effects(proj, altp, years, res, ctl) -> pd.DataFrame:
    """Deviation alternative − control by year (quantiles across paths), CZT."""
    py = np.asarray(proj.years)
    cols = np.searchsorted(py, years)
    rows = []
    for var, unit in (("GDP|Nominal", "100m CNY"), ("GDP|Real", "100m CNY (2019 prices)"),
                      ("High-tech VA|Share of GDP", "pp"), ("Energy intensity", "index points (2019 = 100)")):
        d = altp.get(var)[:, cols] - proj.get(var)[:, cols]
        rows += _quantile_frame(d, years, f"Deviation|{var}", unit)
    inv = res.investment - ctl.I.sum(axis=1)
    rows += _quantile_frame(inv, years, "Deviation|Investment", "100m CNY (base-year prices)")
    return pd.DataFrame(rows)


def _lp_tables(out, years, ok) -> tuple:
    """Per-path LP outcomes, their distribution, and the fan of investment under the best allocation."""
    rows = []
    for j in range(len(out.index)):
        r = {"path": int(out.index[j]), "status": out.status[j]}
        for y in (2025, int(years[-1])):
            if y in years:
                k = int(np.searchsorted(years, y))
                r[f"gdp_nominal_{y}"] = out.gdp_nominal[j, k]
                r[f"hightech_share_{y}"] = out.hightech_share[j, k]
                r[f"energy_index_{y}"] = out.energy_index[j, k]
        for tid, s in out.shortfall.items():
            r[f"reachable_{tid}"] = bool(ok[j] and s[j] <= 1e-6 * max(1.0, out.gdp_real[j, 0]))
        rows.append(r)
    per = pd.DataFrame(rows)
    good = per[per.status == "optimal"]
    summ = []
    for c in per.columns:
        if c.startswith(("gdp_nominal_", "hightech_share_", "energy_index_")):
            v = good[c].to_numpy(float)
            row = {"quantity": f"best achievable {c}", "n_paths": len(v)}
            row.update({f"q{int(round(q * 100)):02d}": float(np.quantile(v, q)) if len(v) else np.nan
                        for q in QUANTILES})
            summ.append(row)
        if c.startswith("reachable_"):
            summ.append({"quantity": f"P({c[len('reachable_'):]} reachable under the best allocation)",
                         "n_paths": len(per), "q50": float(per[c].mean())})
    inv = out.investment.sum(axis=1)[ok]
    fan = pd.DataFrame([{"year": int(y), **{f"q{int(round(q * 100)):02d}": float(np.quantile(inv[:, k], q))
                                            for q in QUANTILES}}
                        for k, y in enumerate(years) if k > 0]) if ok.any() else pd.DataFrame()
    return per, pd.DataFrame(summ), fan


def _expand(r: np.ndarray, assign: np.ndarray, cols: np.ndarray, n_years: int) -> np.ndarray:
    """Sample-path ratios ``(m, T)`` → every control path over the forecast years (held after the horizon)."""
    out = np.ones((len(assign), n_years))
    out[:, cols] = r[assign]
    out[:, cols[-1] + 1:] = r[assign][:, -1:]
    return out


def _run_pathlp(proj, sc, state, io_system, n_lp_paths) -> Alternative:
    """Levers through :class:`model.opt.PathLP`, solved on rank-stratified sample paths.

    Per sample path ``j`` (:func:`model.opt.paths_from_projection`), the
    structural control is the path itself (PathLP calibrates its control run
    to the path's GDP, high-tech share and energy index exactly), and:

    * ``investment = "optimised"``: ``PathLP.solve(path, demand_shock)`` gives
      the best allocation; with an upgrading lever the allocation is then
      simulated with the given upgrading;
    * ``"trend"``: ``PathLP.simulate(path, control investment + extra,
      demand_shock, upgrading)``.

    Ratios alternative / control of GDP, high-tech VA and the energy index go
    to every control path through the sample assignment (module docstring).
    The efficiency lever scales the clusters' part of energy use by ``m_t``
    (households' part unchanged).
    """
    from ..opt import PathLP, paths_from_projection
    from .levers import fastest_observed_share_gain

    lv = sc.levers
    src = sc.source_files[-1] if sc.source_files else sc.name
    t_build = time.perf_counter()
    lp = PathLP.build(sc, state, io_system)
    build_s = time.perf_counter() - t_build
    years = np.asarray(lp.years)
    py = np.asarray(proj.years)
    if years[-1] > py[-1]:
        raise CztInputError("optimisation.end_year", f"{years[-1]} after forecast.end_year {py[-1]}")
    cols = np.searchsorted(py, years)
    real = proj.get("GDP|Real")[:, cols]
    sample, assign = _sample(real[:, -1], n_lp_paths)
    paths = []
    for i in sample:  # a path the LP core rejects (e.g. a high-tech share clipped at 0) keeps deviation 0
        try:
            paths.append(paths_from_projection(proj, state, lp.years, index=[int(i)])[0])
        except CztInputError:
            paths.append(None)
    P = lp.p
    n, T = P.n, len(years)
    idx = {c: i for i, c in enumerate(lp.clusters)}

    def by_cluster(mapping, key):
        out = np.zeros(n)
        for c, val in mapping.items():
            if c not in idx:
                raise CztInputError(src, f"key 'levers.{key}.{c}': not a cluster (one of: {', '.join(lp.clusters)})")
            out[idx[c]] = float(val)
        return out

    on = (years >= lv.start_year) & (years > years[0])
    n_on = np.cumsum(on)
    dI = by_cluster(lv.extra_investment, "extra_investment")[:, None] * on[None, :]
    dO = by_cluster(lv.demand_shock, "demand_shock")[:, None] * on[None, :]
    shock = dO if dO.any() else None
    eff = (1.0 - lv.efficiency_gain_pct / 100.0) ** n_on
    notes = []
    dh = None
    if lv.hightech_upgrade_pp > 0:
        bound, where = fastest_observed_share_gain()
        if lv.hightech_upgrade_pp > bound + 1e-12:
            raise CztInputError(src, f"key 'levers.hightech_upgrade_pp': {lv.hightech_upgrade_pp} pp/yr is faster than "
                                f"any observed gain of a high-tech share ({bound:.3f} pp/yr, {where})")
        eligible = P.hightech > 0
        step = lv.hightech_upgrade_pp / 100.0 * float(P.va0.sum()) / float(P.va0[eligible].sum())
        room = np.maximum(P.hightech_cap - P.hightech, 0.0)
        dh = np.where(eligible[:, None], np.minimum(step * n_on[None, :], room[:, None]), 0.0)
        notes.append(f"high-tech upgrading {lv.hightech_upgrade_pp} pp/yr of GDP at the base structure, within each "
                     f"cluster's high-tech ceiling (bound {bound:.3f} pp/yr: {where}); costed by the LP core")
    m = len(paths)
    R = {k: np.ones((m, T)) for k in ("gdp", "hightech", "energy_intensity")}
    status, lp_rows, inv_tot = [], [], np.full((m, T), np.nan)
    solve_s = np.zeros(m)
    optimise = lv.investment == "optimised"
    for j, path in enumerate(paths):
        t = time.perf_counter()
        if path is None:
            status.append("invalid path inputs")
            lp_rows.append({"path": int(sample[j]), "status": "invalid path inputs"})
            continue
        ctl = lp.load_path(path)
        U = None if dh is None else dh * ctl.VA[:, :T]
        if optimise:
            sol = lp.solve(path, demand_shock=shock, upgrading=False)
            lp_rows.append(_lp_row(int(sample[j]), sol, years))
            if sol.status == "optimal":
                inv_tot[j] = sol.investment_total
                if U is not None:
                    sol = lp.simulate(path, investment=np.nan_to_num(sol.investment), demand_shock=shock, upgrading=U)
        else:
            sol = lp.simulate(path, investment=ctl.I[:, :T] + dI, demand_shock=shock, upgrading=U)
        solve_s[j] = time.perf_counter() - t
        status.append(sol.status)
        if sol.status != "optimal":
            continue
        gdp_c = path.gdp_real
        R["gdp"][j] = sol.gdp_real / gdp_c
        ht_c = path.hightech_share * gdp_c       # a path whose share hit 0 keeps it (no ratio of 0/0)
        R["hightech"][j] = np.divide(sol.hightech_va, ht_c, out=np.ones(T), where=ht_c > 1e-9 * gdp_c)
        e_cl = P.energy_coef @ sol.output
        e_hh = P.energy_hh * sol.gdp_real
        R["energy_intensity"][j] = sol.energy_index / path.energy_index * (eff * e_cl + e_hh) / (e_cl + e_hh)
    for v in R.values():
        v[:, 0] = 1.0          # the base year is observed: no lever moves it
    ok = np.array([s_ == "optimal" for s_ in status])
    if not ok.all():
        notes.append(f"structural model not solved on {int((~ok).sum())} of {m} sample paths "
                     f"({sorted(set(s_ for s_ in status if s_ != 'optimal'))}); their deviation is 0")
    alt = Alternative(projection=None, ratios={}, effects=pd.DataFrame(), notes=notes)
    alt.lp_status = {"backend": "model.opt.PathLP", "paths": int(m), "optimal": int(ok.sum()),
                     "build_s": round(build_s, 4), "mean_path_s": round(float(solve_s.mean()), 5)}
    if optimise:
        alt.lp, alt.lp_summary, alt.investment_fan = _lp_tables_pathlp(lp_rows, inv_tot, years)
    full = {k: _expand(v, assign, cols, len(py)) for k, v in R.items()}
    alt.ratios = full
    alt.projection = apply_ratios(proj, full["gdp"], full["hightech"], full["energy_intensity"])
    alt.projection.notes.append("Alternative = control path x (structural model with levers / structural control), "
                                f"path by path; structural model solved on {m} rank-stratified sample paths "
                                "(model.engine.alternative, model.opt.PathLP).")
    alt.effects = _effects_generic(proj, alt.projection, years)
    return alt


def _lp_row(path_index: int, sol, years) -> dict:
    r = {"path": path_index, "status": sol.status}
    for y in (2025, int(years[-1])):
        if y in years:
            k = int(np.searchsorted(years, y))
            r[f"gdp_nominal_{y}"] = float(sol.gdp_nominal[k])
            r[f"hightech_share_{y}"] = 100 * float(sol.hightech_share[k])
            r[f"energy_index_{y}"] = float(sol.energy_index[k])
    tg = sol.targets
    if tg is not None and len(tg):
        for t in tg.itertuples():
            r[f"reachable_{t.target}"] = bool(sol.status == "optimal" and t.status in ("met", "binding"))
    return r


def _lp_tables_pathlp(rows, inv_tot, years) -> tuple:
    per = pd.DataFrame(rows)
    good = per[per.status == "optimal"]
    summ = []
    for c in per.columns:
        if c.startswith(("gdp_nominal_", "hightech_share_", "energy_index_")):
            v = good[c].to_numpy(float)
            row = {"quantity": f"best achievable {c}", "n_paths": len(v)}
            row.update({f"q{int(round(q * 100)):02d}": float(np.quantile(v, q)) if len(v) else np.nan
                        for q in QUANTILES})
            summ.append(row)
        if c.startswith("reachable_"):
            summ.append({"quantity": f"P({c[len('reachable_'):]} reachable under the best allocation)",
                         "n_paths": len(per), "q50": float(per[c].fillna(False).astype(bool).mean())})
    ok = np.isfinite(inv_tot[:, 1:]).all(axis=1)
    inv = inv_tot[ok]
    fan = pd.DataFrame([{"year": int(y), **{f"q{int(round(q * 100)):02d}": float(np.quantile(inv[:, k], q))
                                            for q in QUANTILES}}
                        for k, y in enumerate(years) if k > 0]) if ok.any() else pd.DataFrame()
    return per, pd.DataFrame(summ), fan


def _effects_generic(proj, altp, years) -> pd.DataFrame:
    """Deviation alternative − control by year (quantiles across paths), CZT."""
    py = np.asarray(proj.years)
    cols = np.searchsorted(py, years)
    rows = []
    for var, unit in (("GDP|Nominal", "100m CNY"), ("GDP|Real", "100m CNY (2019 prices)"),
                      ("High-tech VA", "100m CNY"), ("High-tech VA|Share of GDP", "pp"),
                      ("Energy intensity", "index points (2019 = 100)")):
        d = altp.get(var)[:, cols] - proj.get(var)[:, cols]
        rows += _quantile_frame(d, years, f"Deviation|{var}", unit)
    return pd.DataFrame(rows)
