"""The alternative: a scenario's levers applied to the control, path by path.

REMI-style control vs alternative::

    alternative_p = control_p × (structural model with levers_p / structural control_p)

for every sample path ``p`` of the control forecast (:mod:`model.engine.projection`).
The structural model is the LP core's :class:`model.opt.PathLP` (Leontief
with capital, exogenous non-investment demand, import substitution on new
capacity, costed high-tech upgrading), built once and re-solved per path. Its
control run reproduces each path's GDP, high-tech share and energy index
exactly, so the structural control of path ``p`` *is* path ``p``; the levers
(:mod:`model.engine.levers`) move it, and only the ratio alternative /
control reaches the forecast. A lever-free scenario is not run through the
structural model at all: it is its control to the last bit.

Sample paths
------------
The structural model is solved on ``m`` sample paths (default 200,
:data:`N_LP_PATHS`): the control paths ranked by real GDP in the last LP year,
the ones at ranks ``⌊(i + ½) n / m⌋``. Every control path takes the ratios of
the sample path nearest to it in that ranking (with ``n ≤ m`` every path is
its own sample). On each sample path:

* ``investment = "optimised"``: ``PathLP.solve(path, demand_shock)`` — the
  best allocation for that path (its demand, deflator, efficiency and
  high-tech paths); with an upgrading lever that allocation is then simulated
  with the given upgrading;
* ``"trend"``: ``PathLP.simulate(path, control investment + extra_investment,
  demand_shock, upgrading)``.

Each sample path also carries its own draw of a scale on the capital–output
ratios κ (:mod:`model.engine.kappa`: the sampling uncertainty of the perpetual
inventory's initial stock), so κ uncertainty runs through the chain too. A
path the LP core rejects or cannot solve keeps a deviation of 0 (counted in
the notes).

What changes on each path (every region; the cities take CZT's ratio so that
CZT stays the sum of the cities):

* ``GDP|Real``, ``GDP|Nominal``, ``GDP per capita`` × GDP ratio (the deflator
  is unchanged); ``GDP|Real growth`` recomputed from the new real path;
* ``High-tech VA`` × high-tech ratio; its share × high-tech ratio / GDP ratio;
* ``Energy intensity`` × energy-intensity ratio; the efficiency lever ``m_t``
  enters the structural model (``PathLP.simulate/solve(efficiency=)``: the
  clusters' energy per unit of output × ``m_t``, households' part unchanged),
  so an optimised allocation and its energy target see it too.

Years after the LP horizon keep the last year's ratio; the base year is
never moved.

As-of origins
-------------
The structural model starts from the high-tech state (CZT high-tech VA in
the last data year) and the 2019 base. As of an origin T where the panel's
high-tech block is not modelled (before 2019: no 2019 anchor; 2019-2021:
fewer than two changes of Hunan's published share for its s.d., see
:func:`model.data.panel.build_hightech`), a scenario with levers or an
optimisation is refused with one line naming ``forecast.as_of`` and the key
that would make it run (:func:`require_structural_state`, called by
:func:`model.engine.projection.project` before any simulation).
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
    lp: pd.DataFrame | None = None        # per LP sample path outcome (optimised investment)
    lp_summary: pd.DataFrame | None = None
    investment_fan: pd.DataFrame | None = None
    lp_status: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    pathlp: object = None                 # the structural LP built for this run (re-used by the optimisation)


def _sample(real_last: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank-stratified sample of ``m`` paths and each path's assigned sample (see module docstring)."""
    n = len(real_last)
    m = min(m, n)
    order = np.argsort(real_last, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    picks = np.floor((np.arange(m) + 0.5) * n / m).astype(int)       # increasing ranks
    sample = order[picks]
    # nearest pick in rank (ties to the lower one), O(n log m) memory-light for 100 000 paths
    hi = np.clip(np.searchsorted(picks, rank), 0, m - 1)
    lo = np.clip(hi - 1, 0, m - 1)
    assign = np.where(np.abs(rank - picks[lo]) <= np.abs(picks[hi] - rank), lo, hi)
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
    from .projection import REGIONS

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


def require_structural_state(panel, sc) -> None:
    """Refuse (one line) a scenario whose structural model has no high-tech state as of its origin.

    Parameters
    ----------
    panel : model.data.panel.Panel
        The scenario's panel (its high-tech constants say whether the block is
        modelled as of ``forecast.as_of``).
    sc : model.scenario.Scenario

    Raises
    ------
    CztInputError
        Naming the scenario file and ``forecast.as_of``, the reason, and the key
        that would make it run (none before 2019: use an origin >= 2019 or a
        lever-free scenario).
    """
    from ..data.panel import BASE_YEAR

    ht = panel.constants.get("hightech") or {}
    why = ht.get("not_modelled")
    if not why:
        return
    where = sc.source_files[-1] if sc.source_files else sc.name
    T = sc.forecast.as_of
    if T is not None and int(T) < BASE_YEAR:
        raise CztInputError(where, f"forecast.as_of: {T} is before {BASE_YEAR}, and the structural model behind "
                                   f"[levers] and [optimisation] is calibrated on data from {BASE_YEAR} on; use an "
                                   f"origin >= {BASE_YEAR}, or a lever-free scenario (e.g. baseline) for earlier origins")
    keys = tuple(ht.get("keys") or ())
    raise CztInputError(where, f"forecast.as_of: {T}: high-tech VA is not modelled as of {T} ({ht.get('why') or why}), "
                               "and the structural model behind [levers] and [optimisation] needs it; "
                               + (f"set {' and '.join(keys)} to run it, or use" if keys else "use")
                               + " a lever-free scenario (e.g. baseline)")


def run_alternative(proj, sc, state, io_system=None, n_lp_paths: int = N_LP_PATHS) -> Alternative | None:
    """The scenario's alternative to the control ``proj`` (``None`` if it has no levers).

    Parameters
    ----------
    proj : model.engine.projection.Projection
        The control sample paths.
    sc : model.scenario.Scenario
    state : dict
        The runner's latest-observed state (:func:`model.runner._state`).
    io_system : model.io.IOSystem, optional
    n_lp_paths : int
        Sample paths on which the structural model is solved (module docstring).
    """
    if sc.levers.is_zero():
        return None
    return _run_pathlp(proj, sc, state, io_system, n_lp_paths)


def _expand(r: np.ndarray, assign: np.ndarray, cols: np.ndarray, n_years: int) -> np.ndarray:
    """Sample-path ratios ``(m, T)`` → every control path over the forecast years (held after the horizon)."""
    out = np.ones((len(assign), n_years))
    out[:, cols] = r[assign]
    out[:, cols[-1] + 1:] = r[assign][:, -1:]
    return out


def _run_pathlp(proj, sc, state, io_system, n_lp_paths) -> Alternative:
    """Levers through :class:`model.opt.PathLP` on rank-stratified sample paths (module docstring)."""
    from ..opt import PathLP
    from .kappa import kappa_scales
    from .levers import lever_arrays

    lv = sc.levers
    src = sc.source_files[-1] if sc.source_files else sc.name
    t_build = time.perf_counter()
    lp = PathLP.build(sc, state, io_system)
    build_s = time.perf_counter() - t_build
    years = np.asarray(lp.years)
    py = np.asarray(proj.years)
    if years[-1] > py[-1]:
        raise CztInputError("optimisation.end_year", f"{years[-1]} after forecast.end_year {py[-1]}")
    P = lp.p
    arr = lever_arrays(lv, lp.clusters, years, P.hightech, P.hightech_cap, P.va0, source=src)
    notes = list(arr["notes"])
    cols = np.searchsorted(py, years)
    real = proj.get("GDP|Real")[:, cols]
    sample, assign = _sample(real[:, -1], n_lp_paths)
    if io_system is not None:
        kscale, knote = kappa_scales(state, io_system, len(sample), sc.seed, sc.optimisation.depreciation_rate)
    else:
        kscale, knote = np.ones(len(sample)), "kappa uncertainty not applied (no IO system given)"
    notes.append(knote)
    paths = sample_paths(proj, state, lp.years, sample, kscale)
    m = len(paths)
    twin: list = []
    optimise = lv.investment == "optimised"

    def sim_of(_j):        # a twin instance of the one build keeps its own warm basis
        if not twin:
            twin.append(lp.twin())
        return twin[0]
    R, status, lp_rows, inv_tot, solve_s = solve_sample(lambda _j: lp, sim_of, paths, sample, arr, optimise, src, years)
    ok = np.array([s_ == "optimal" for s_ in status])
    if not ok.all():
        notes.append(f"structural model not solved on {int((~ok).sum())} of {m} sample paths "
                     f"({sorted(set(s_ for s_ in status if s_ != 'optimal'))}); their deviation is 0")
    alt = Alternative(projection=None, ratios={}, effects=pd.DataFrame(), notes=notes)
    alt.pathlp = lp                # built once: model.opt.run_optimisation re-uses it
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


def sample_paths(proj, state, years, sample, kscale) -> list:
    """:class:`~model.opt.PathInputs` of the sample paths with their κ draws (None: rejected by the LP core)."""
    from ..opt import paths_from_projection

    try:
        return paths_from_projection(proj, state, years, index=[int(i) for i in sample],
                                     kappa_scale=np.asarray(kscale, float))
    except CztInputError:
        pass
    paths = []
    for i, ks in zip(sample, kscale):  # a path the LP core rejects (e.g. a share clipped at 0) keeps deviation 0
        try:
            paths.append(replace(paths_from_projection(proj, state, years, index=[int(i)])[0], kappa_scale=float(ks)))
        except CztInputError:
            paths.append(None)
    return paths


def solve_sample(lp_of, sim_of, paths, sample, arr, optimise: bool, src: str, years, tables: bool = True,
                 progress: bool = True) -> tuple:
    """The structural model with levers on each sample path (module docstring).

    Parameters
    ----------
    lp_of, sim_of : callable
        Sample slot ``j`` -> the :class:`~model.opt.PathLP` instance that solves it, and the one that
        simulates an optimised allocation with given upgrading (a run and a sweep: one instance and one
        twin for every slot, so each path starts from the optimum of its neighbour in rank).
    paths : list of PathInputs or None
        The sample paths (None: rejected by the LP core, deviation 0).
    sample : ndarray
        Their control path indices.
    arr : dict
        :func:`model.engine.levers.lever_arrays` of the scenario's levers.
    optimise : bool
        ``levers.investment == "optimised"``.
    tables : bool
        Build the solutions' target tables (False: reachability from the slacks, same rule).
    progress : bool
        Show a progress bar (TTY only).

    Returns
    -------
    (ratios, statuses, per-path LP rows, total investment (m, T), solve seconds (m,))
    """
    from ..opt.pathlp import control_run

    years = np.asarray(years)
    T = len(years)
    lp0 = lp_of(0)
    P = lp0.p
    dI = arr["dI"]
    shock = arr["dO"] if arr["dO"].any() else None
    effl = arr["efficiency"] if np.any(arr["efficiency"] != 1.0) else None   # efficiency lever m_t
    dh = arr["dh"] if arr["dh"].any() else None
    m = len(paths)
    R = {k: np.ones((m, T)) for k in ("gdp", "hightech", "energy_intensity")}
    status, lp_rows, inv_tot = [], [], np.full((m, T), np.nan)
    solve_s = np.zeros(m)
    from ..progress import progress_bar

    for j, path in enumerate(progress_bar(paths, desc="alternative across sample paths", total=m,
                                                 disable=not progress)):
        t = time.perf_counter()
        if path is None:
            status.append("invalid path inputs")
            lp_rows.append({"path": int(sample[j]), "status": "invalid path inputs"})
            continue
        lp = lp_of(j)
        # the path's structural control in closed form (no solver call) when a lever needs its VA or investment
        ctl = control_run(P, path) if (dh is not None or not optimise) else None
        U = None if dh is None else dh * ctl.VA[:, :T]
        if optimise:
            sol = lp.solve(path, demand_shock=shock, upgrading=False, efficiency=effl, tables=tables)
            lp_rows.append(_lp_row(int(sample[j]), sol, years, None if tables else lp.target_tolerance()))
            if sol.status == "optimal":
                inv_tot[j] = sol.investment_total
                if U is not None:
                    sol = sim_of(j).simulate(path, investment=np.nan_to_num(sol.investment), demand_shock=shock,
                                             upgrading=U, efficiency=effl, tables=tables)
        else:
            inv = ctl.I[:, :T] + dI
            if (inv[:, 1:] < 0).any():
                c, y = np.argwhere(inv[:, 1:] < 0)[0]
                raise CztInputError(src, f"key 'levers.extra_investment.{lp.clusters[c]}': cuts investment below 0 "
                                    f"in {years[y + 1]} (control {ctl.I[c, y + 1]:,.0f} 亿元, lever "
                                    f"{dI[c, y + 1]:+,.0f})")
            sol = lp.simulate(path, investment=inv, demand_shock=shock, upgrading=U, efficiency=effl, tables=tables)
        solve_s[j] = time.perf_counter() - t
        status.append(sol.status)
        if sol.status != "optimal":
            continue
        gdp_c = path.gdp_real
        R["gdp"][j] = sol.gdp_real / gdp_c
        ht_c = path.hightech_share * gdp_c       # a path whose share hit 0 keeps it (no ratio of 0/0)
        R["hightech"][j] = np.divide(sol.hightech_va, ht_c, out=np.ones(T), where=ht_c > 1e-9 * gdp_c)
        R["energy_intensity"][j] = sol.energy_index / path.energy_index
    for v in R.values():
        v[:, 0] = 1.0          # the base year is observed: no lever moves it
    return R, status, lp_rows, inv_tot, solve_s


def _lp_row(path_index: int, sol, years, tol: float | None = None) -> dict:
    """One sample path's LP outcome; reachability from the target table (or, ``tol`` given, the slacks)."""
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
    elif tol is not None and sol.status == "optimal":
        for tid, s_ in sol.target_slack.items():
            r[f"reachable_{tid}"] = bool(s_ <= tol)     # the target table's rule: "missed" iff slack > tol
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
