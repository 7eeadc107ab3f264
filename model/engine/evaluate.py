r"""Rolling-origin evaluation of the delivered forecast (``czt evaluate``).

For every origin T the control forecast is produced exactly as ``czt run``
produces it — :func:`model.engine.control.control`: :func:`model.data.build_panel` as of T, then
:func:`model.engine.projection.project` (backtests, method weights and interval
calibration all computed from the as-of-T panel, so from outcomes <= T only) —
and its simulated paths at T + h are scored against what was later observed
(latest vintage):

* ``GDP|Nominal`` by city and CZT (the published CZT aggregate where it exists);
* ``GDP|Real`` by city and CZT as cumulative real growth from T (the as-of
  panel prices real GDP in min(2019, T), so levels are compared as
  ``real_{T+h} / real_T``, scaled by the as-of level at T);
  The nominal error is split off its part that no model of real growth and
  prices can forecast: ``revision`` :math:`= -(\rho_{T+h} - \rho_T)`, with
  :math:`\rho_y = \log N_y - \log(R_y D_y / 100)` the gap between the published
  nominal level and real GDP x deflator in the latest-vintage panel. The gap
  changes only in the census-break years (``panel.deflator_break_years``, where
  the deflator takes Hunan CPI), so it is attributed to the economic-census
  rebasing of the published nominal level (> 0: the level was later revised
  down, so the forecast reads too high by that much); in a break year it also
  holds any difference between Hunan CPI and the city's implicit deflator. For CZT the gap of the aggregate also
  drifts with the city mix (< 0.1 log points a year between breaks);
* ``Population|Resident`` only on genuine observations (the 2020 census count
  and post-census year-end estimates; CZT where all three cities are
  observed), at origins whose panel has the census-basis series (T >= 2020).

Per forecast: the median and central 80 %/90 % intervals of the paths, the log
error ``e = log(median) - log(actual)``, the absolute percentage error of the
median, the CRPS of the path ensemble on ``100·log`` values
(:func:`scoringrules.crps_ensemble`; in log points, ≈ percent), the PIT value
(share of paths at or below the outcome), and the error of the random walk with
drift on the as-of history (Hyndman & Athanasopoulos, *FPP3* §5.2).

Summaries per variable, region group (``cities`` pooled, ``CZT``, each city)
and horizon: ``n``, ``mape`` (mean |median/actual - 1| in %), ``mase_drift``
(mean |e| over the drift benchmark's mean |e| on the same forecasts), ``crps``,
``bias`` (mean e x 100, > 0 = forecast too high), ``bias_revision`` (mean
``revision`` x 100: the part of ``bias`` that is census rebasing), ``coverage_80``,
``coverage_90``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.panel import CITIES, CZT

__all__ = ["EVAL_VARIABLES", "FORECAST_COLUMNS", "SUMMARY_COLUMNS", "evaluate_origin", "evaluate",
           "summarise", "pit_chart", "Evaluation"]

EVAL_VARIABLES = ("GDP|Nominal", "GDP|Real", "Population|Resident")
_PANEL_VAR = {"GDP|Nominal": "gdp_nominal", "GDP|Real": "gdp_real", "Population|Resident": "pop_resident"}
FORECAST_COLUMNS = ["variable", "region", "origin", "horizon", "year", "actual", "median", "q05", "q10",
                    "q90", "q95", "log_error", "ape", "drift_log_error", "crps", "pit", "in_80", "in_90", "revision"]
SUMMARY_COLUMNS = ["variable", "group", "origins", "horizon", "n", "mape", "mase_drift", "crps", "bias",
                   "bias_revision", "coverage_80", "coverage_90"]


@dataclass
class Evaluation:
    """Per-forecast rows, summaries and run facts of one evaluation."""

    forecasts: pd.DataFrame
    summary: pd.DataFrame
    origins: tuple[int, int]
    horizons: tuple[int, ...]
    notes: list[str] = field(default_factory=list)


def _genuine(full_panel, variable: str, region: str) -> pd.Series:
    """Outcomes to score against: every year for GDP; for population only genuine observations."""
    s = full_panel.series(_PANEL_VAR[variable], region)
    if variable != "Population|Resident":
        return s
    lg = full_panel.long
    obs = lg[(lg.variable == "pop_resident") & (lg.basis == "observed")]
    if region != CZT:
        years = set(obs[obs.region_code == region].year)
    else:
        per = [set(obs[obs.region_code == c].year) for c in CITIES]
        years = set.intersection(*per)
    return s[s.index.isin(years)]


def _revision_gap(full_panel, region: str) -> pd.Series:
    r""":math:`\rho_y = \log N_y - \log(R_y D_y / 100)` (see the module docstring); for CZT the
    published aggregate over the sum of the cities' real x deflator."""
    nom = full_panel.series("gdp_nominal", region)
    cities = CITIES if region == CZT else [region]
    rd = sum(full_panel.series("gdp_real", c) * full_panel.series("gdp_deflator", c) / 100.0 for c in cities)
    return np.log(nom / rd).dropna()


def _drift_point(hist: pd.Series, h: int) -> float:
    """Random walk with drift on logs: log y_T + h * mean(Δ log y)."""
    lg = np.log(hist.dropna().to_numpy(dtype=float))
    return float(lg[-1] + h * np.mean(np.diff(lg)))


def evaluate_origin(sources: dict, scenario, origin: int, full_panel, horizons=(1, 2, 3, 4, 5, 10)) -> pd.DataFrame:
    """Score the delivered control forecast made as of ``origin`` (one row per variable, region, horizon)."""
    import scoringrules as sr

    from .control import control

    sc, panel, proj = control(sources, scenario, int(origin))
    rows = []
    for var in EVAL_VARIABLES:
        for region in CITIES + [CZT]:
            key = (var, region)
            if key not in proj.paths:
                continue
            hist_asof = panel.series(_PANEL_VAR[var], region)
            if hist_asof.empty:
                continue
            last = int(hist_asof.index.max())
            gap = _revision_gap(full_panel, region) if var == "GDP|Nominal" else None
            actual_s = _genuine(full_panel, var, region)
            full_s = full_panel.series(_PANEL_VAR[var], region)
            for h in horizons:
                y = last + h
                if y not in actual_s.index or y > proj.years[-1]:
                    continue
                act = float(actual_s[y])
                if var == "GDP|Real":  # cumulative real growth from the origin, in the as-of price base
                    act = float(hist_asof[last]) * act / float(full_s[last])
                x = proj.at(var, y, region)
                x = x[np.isfinite(x)]
                if x.size == 0:
                    continue
                lx = 100 * np.log(x)
                la = 100 * np.log(act)
                med = float(np.median(x))
                q05, q10, q90, q95 = np.quantile(x, [0.05, 0.10, 0.90, 0.95])
                rows.append((var, region, int(origin), int(h), int(y), act, med, q05, q10, q90, q95,
                             float(np.log(med) - np.log(act)), abs(med / act - 1) * 100,
                             _drift_point(hist_asof.loc[:last], h) - float(np.log(act)),
                             float(sr.crps_ensemble(la, lx)), float(np.mean(x <= act)),
                             bool(q10 <= act <= q90), bool(q05 <= act <= q95),
                             float(gap[last] - gap[y]) if gap is not None and {last, y} <= set(gap.index)
                             else np.nan))
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


def summarise(forecasts: pd.DataFrame, origins: tuple[int, int] | None = None) -> pd.DataFrame:
    """Accuracy and calibration by variable, region group and horizon (see the module docstring)."""
    f = forecasts
    if origins is not None:
        f = f[(f.origin >= origins[0]) & (f.origin <= origins[1])]
    label = f"{int(f.origin.min())}-{int(f.origin.max())}" if len(f) else ""
    if origins is not None:
        label = f"{origins[0]}-{origins[1]}"
    parts = [f.assign(group=np.where(f.region == CZT, CZT, "cities"))]
    parts.append(f[f.region != CZT].assign(group=f.region[f.region != CZT]))
    g = pd.concat(parts, ignore_index=True)
    rows = []
    for (var, grp, h), d in g.groupby(["variable", "group", "horizon"], sort=True):
        den = float(np.mean(np.abs(d.drift_log_error)))
        rows.append((var, grp, label, int(h), len(d), float(d.ape.mean()),
                     float(np.mean(np.abs(d.log_error)) / den) if den > 0 else np.nan,
                     float(d.crps.mean()), float(100 * d.log_error.mean()),
                     float(100 * d.revision.mean()) if d.revision.notna().any() else np.nan,
                     float(d.in_80.mean()), float(d.in_90.mean())))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def evaluate(scenario, origins: tuple[int, int] = (2005, 2019), horizons=(1, 2, 3, 4, 5, 10),
             progress=None, sources: dict | None = None) -> Evaluation:
    """Rolling-origin evaluation of the delivered control forecast.

    Parameters
    ----------
    scenario : model.scenario.Scenario
        Forecast settings (its ``forecast.as_of`` is replaced by each origin).
    origins : (int, int)
        First and last origin, inclusive. Population is also scored at origins
        after the last GDP origin where genuine observations exist (>= 2020).
    horizons : iterable of int
    progress : callable, optional
    sources : dict, optional
        Source frames (default :func:`model.data.load_sources`); tests plant data here.
    """
    from ..data import build_panel, load_sources

    sources = load_sources() if sources is None else sources
    full = build_panel(sources, scenario.model_copy(
        update={"forecast": scenario.forecast.model_copy(update={"as_of": None})}))
    last = int(full.constants["last_year"])
    frames = []
    t0 = time.perf_counter()
    extra = [t for t in range(max(origins[1] + 1, 2020), last) if t > origins[1]]
    from ..progress import progress_bar

    all_origins = list(range(int(origins[0]), int(origins[1]) + 1)) + extra
    for T in progress_bar(all_origins, desc="evaluation origins", disable=progress is None):
        fr = evaluate_origin(sources, scenario, T, full, horizons)
        if T in extra:
            fr = fr[fr.variable == "Population|Resident"]
        frames.append(fr)
        if progress is not None:
            progress(f"[{time.perf_counter() - t0:5.1f}s] origin {T}: {len(fr)} forecasts scored")
    fc = pd.concat(frames, ignore_index=True)
    summ = [summarise(fc, tuple(origins))]
    if origins[0] < 2010 <= origins[1]:
        summ.append(summarise(fc, (2010, int(origins[1]))))
    pop = fc[fc.variable == "Population|Resident"]
    if len(pop):
        summ.append(summarise(pop, (int(pop.origin.min()), int(pop.origin.max()))))
    summary = pd.concat(summ, ignore_index=True).drop_duplicates(["variable", "group", "origins", "horizon"])
    summary = summary[~((summary.variable == "Population|Resident")
                        & (summary.origins != (f"{int(pop.origin.min())}-{int(pop.origin.max())}" if len(pop) else "")))]
    notes = ["Outcomes are the vendored (latest-vintage) figures; the as-of panels drop later years but cannot "
             "restore first-published values.",
             "Population is scored only on genuine observations (2020 census, post-census year-end estimates)."]
    return Evaluation(forecasts=fc, summary=summary.reset_index(drop=True), origins=tuple(origins),
                      horizons=tuple(horizons), notes=notes)


def pit_chart(forecasts: pd.DataFrame, path) -> None:
    """PIT histograms (10 bins) of nominal and real GDP, cities and CZT; flat = calibrated."""
    from matplotlib.figure import Figure

    panels = [(v, g) for v in ("GDP|Nominal", "GDP|Real") for g in ("cities", CZT)]
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    axs = fig.subplots(2, 2)
    for ax, (v, g) in zip(axs.ravel(), panels):
        d = forecasts[(forecasts.variable == v) & ((forecasts.region == CZT) if g == CZT else (forecasts.region != CZT))]
        d = d[d.horizon <= 5]
        ax.hist(d.pit, bins=np.linspace(0, 1, 11), color="#4c72b0", edgecolor="white")
        if len(d):
            ax.axhline(len(d) / 10, color="k", lw=1, ls="--")
        ax.set_title(f"{v}, {g} (h = 1-5, n = {len(d)})", fontsize=10)
        ax.set_xlabel("PIT (share of paths <= outcome)")
    fig.suptitle("Probability integral transform of the delivered forecast (flat = calibrated)")
    fig.savefig(path, dpi=110)


def coverage_chart(summary: pd.DataFrame, path, origins: str) -> None:
    """Reliability by horizon: empirical 80%/90% coverage of nominal GDP vs the nominal level."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4), layout="constrained")
    axs = fig.subplots(1, 2, sharey=True)
    for ax, g in zip(axs, ("cities", CZT)):
        d = summary[(summary.variable == "GDP|Nominal") & (summary.group == g) & (summary.origins == origins)]
        d = d[d.horizon <= 5]
        ax.plot(d.horizon, d.coverage_80, "o-", label="80% interval")
        ax.plot(d.horizon, d.coverage_90, "s-", label="90% interval")
        ax.axhline(0.8, color="C0", ls=":")
        ax.axhline(0.9, color="C1", ls=":")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"GDP|Nominal, {g}, origins {origins}", fontsize=10)
        ax.set_xlabel("horizon (years)")
    axs[0].set_ylabel("empirical coverage")
    axs[0].legend(loc="lower left")
    fig.savefig(path, dpi=110)


def write_evaluation(ev: Evaluation, folder, manifest: dict) -> None:
    """Write the evaluation's CSVs, charts and manifest into ``folder`` (an atomic temp folder)."""
    from pathlib import Path

    folder = Path(folder)
    ev.forecasts.to_csv(folder / "evaluation_forecasts.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
    ev.summary.to_csv(folder / "evaluation_summary.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
    pit_chart(ev.forecasts, folder / "pit.png")
    lab = (f"2010-{ev.origins[1]}" if ev.origins[0] < 2010 <= ev.origins[1] else f"{ev.origins[0]}-{ev.origins[1]}")
    coverage_chart(ev.summary, folder / "coverage.png", lab)
    manifest = {**manifest, "origins": list(ev.origins), "horizons": list(ev.horizons), "notes": ev.notes,
                "outputs": sorted(p.name for p in folder.iterdir()) + ["run.json"]}
    (folder / "run.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def evaluation_key(scenario, origins, horizons) -> str:
    """Key of a stored evaluation: the vendored data, the forecast settings and the forecasting code."""
    import hashlib

    from .backtest_store import code_hash
    from ..data.loader import SOURCE_FILES
    from ..paths import DATA, ROOT

    h = hashlib.sha256()
    for rel in sorted(SOURCE_FILES.values()):
        h.update((DATA / rel).read_bytes())
    h.update(scenario.forecast.model_dump_json(exclude={"as_of"}).encode())
    h.update(scenario.panel.model_dump_json().encode())
    h.update(scenario.assumptions.model_dump_json().encode())
    h.update(repr((tuple(origins), tuple(horizons), scenario.seed)).encode())
    h.update(code_hash().encode())
    for rel in ("model/engine/projection.py", "model/data/panel.py", "model/data/transforms.py", "model/engine/evaluate.py"):
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()


EVALUATION_TABLE = "evaluation_summary.csv"


def store_summary(ev: Evaluation, scenario):
    """Store the summary in ``calibration/backtests/evaluation_summary.csv`` under its key."""
    from .backtest_store import STORE
    from ..results.fileio import write_text_atomic

    key = evaluation_key(scenario, ev.origins, ev.horizons)
    STORE.mkdir(parents=True, exist_ok=True)
    path = STORE / EVALUATION_TABLE
    write_text_atomic(path, f"# key={key}\n" + ev.summary.to_csv(index=False, float_format="%.6g"))
    return path


#: what ``czt evaluate --store`` evaluates by default (README's table)
DEFAULT_ORIGINS = (2005, 2019)
DEFAULT_HORIZONS = (1, 2, 3, 4, 5, 10)
DEFAULT_PATHS = 1000


def stored_summary_current(scenario) -> bool:
    """Whether the stored summary's key matches ``czt evaluate --store`` with the default
    origins, horizons and paths on this scenario's data, settings and code."""
    from .backtest_store import STORE

    path = STORE / EVALUATION_TABLE
    sc = scenario.model_copy(update={"forecast": scenario.forecast.model_copy(update={"n_paths": DEFAULT_PATHS})})
    key = evaluation_key(sc, DEFAULT_ORIGINS, DEFAULT_HORIZONS)
    return path.exists() and path.read_text(encoding="utf-8").partition("\n")[0] == f"# key={key}"


def load_stored_summary() -> pd.DataFrame | None:
    """The stored evaluation summary (whatever its key), or None."""
    import io

    from .backtest_store import STORE

    path = STORE / EVALUATION_TABLE
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text.partition("\n")[2]))
