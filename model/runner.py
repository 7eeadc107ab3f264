"""Run a scenario end to end and write its outputs atomically.

``run_scenario("baseline")`` loads the scenario, validates and loads the data,
builds the flagged panel, simulates the paths, scores the plan targets,
optionally runs the investment optimisation, and writes everything into
``outputs/<scenario>/``. Files are written into a hidden temporary folder that
is renamed into place only when complete, so a run killed midway leaves no
folder that looks complete (and never a half-written ``run.json``).
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

# the structural state and the IO system (model.engine.state; the sweep's fast path uses them too)
from .engine.state import io_system as _io_system, structural_state as _state
from .paths import CALIBRATION, DATA, OUTPUTS
from .results.fileio import atomic_dir, check_output_dir
from .results.iamc import write_csv, write_iamc
from .scenario import check_horizons, check_n_paths


@dataclass
class RunResult:
    """Everything a run produced (also what notebooks use)."""

    scenario: object
    panel: object
    projection: object
    forecasts: pd.DataFrame
    scorecard: pd.DataFrame
    backtest: pd.DataFrame
    weights: pd.DataFrame
    assumptions: pd.DataFrame
    io_projection: pd.DataFrame | None = None
    optimisation: dict | None = None
    alternative: object | None = None      # model.engine.alternative.Alternative (None: the control)
    allocation: pd.DataFrame | None = None
    feasibility: pd.DataFrame | None = None
    manifest: dict = field(default_factory=dict)
    out_dir: Path | None = None

    def to_pyam(self, statistic: str = "quantiles"):
        """The forecasts as a ``pyam.IamDataFrame`` (numeric ``quantile``; see :mod:`model.results.pyam_io`)."""
        from .results.pyam_io import to_pyam

        return to_pyam(self, statistic)

    def prob(self, target_id: str) -> float:
        """Probability of meeting one target (NaN if not modelled)."""
        r = self.scorecard.set_index("target").loc[target_id]
        return float(r.prob_meet) if r.prob_meet is not None else float("nan")


def _stage(progress: Callable[[str], None] | None, msg: str, t0: float) -> None:
    if progress is not None:
        progress(f"[{time.perf_counter() - t0:5.1f}s] {msg}")


def assumptions_table(scenario) -> pd.DataFrame:
    """Every labelled assumption in force, its value and the outputs resting on it."""
    from .engine.projection import ASSUMPTION_DEPENDENCIES

    rows = []
    deps: dict[str, list[str]] = {}
    for out, keys in ASSUMPTION_DEPENDENCIES.items():
        for k in keys:
            deps.setdefault(k, []).append(out)
    a = scenario.assumptions.model_dump()
    for section, vals in a.items():
        for k, v in vals.items():
            key = f"assumptions.{section}.{k}"
            rows.append({"key": key, "value": "derived default" if v is None else v,
                         "outputs": "; ".join(deps.get(key, [])) or f"{section} history/forecast"})
    return pd.DataFrame(rows)


def run_scenario(scenario, *, out_dir: Path | None = None, write: bool = True,
                 n_paths: int | None = None, progress: Callable[[str], None] | None = None,
                 force: bool = False, overrides: dict | None = None, as_of: int | None = None,
                 n_lp_paths: int | None = None) -> RunResult:
    """Run one scenario (preset name or TOML path).

    Parameters
    ----------
    scenario : str, Path or Scenario
        Preset name (``baseline``, ``plan``, …), path to a scenario file, or a
        :class:`~model.scenario.Scenario` object (e.g. from ``load_scenario``).
    out_dir : Path, optional
        Output folder (default ``outputs/<scenario name>``).
    write : bool
        Write the output files (False: compute only, for notebooks/tests).
    n_paths : int, optional
        Override the number of simulated paths.
    progress : callable, optional
        Receives one-line progress messages.
    force : bool
        Also replace a czt-model output folder of another scenario or kind at
        ``out_dir`` (a folder that is not a czt-model output is never replaced;
        see :func:`model.results.fileio.atomic_dir`).
    overrides : dict, optional
        Scenario values to replace, as dotted keys or nested dicts, e.g.
        ``{"assumptions.gdp.growth_adjustment_pp": -1.0}``; validated like a
        scenario file (:func:`model.scenario.overrides.apply_overrides`).
    as_of : int, optional
        Forecast origin T (sets ``forecast.as_of``): only data for years <= T
        are used; the default output folder is then ``outputs/<name>-asof-<T>``.
    n_lp_paths : int, optional
        Sample paths on which the structural model (levers, LP) is re-solved
        (default :data:`model.engine.alternative.N_LP_PATHS`); a sweep's
        variants use a smaller sample, and this gives the full run to compare.
    """
    from .report.charts import all_fan_charts
    from .data.loader import SOURCE_FILES, load_plan_figures, load_sources
    from .data.panel import build_panel
    from .results.manifest import code_version, input_hashes, package_versions
    from .results.outputs import forecast_table
    from .report.html import write_report
    from .results.excel import write_workbook
    from .results.pyam_io import write_pyam_files
    from .engine.projection import project
    from .scenario import PARAMETERS_FILE, load_scenario
    from .report.scorecard import scorecard, scorecard_markdown
    from .scenario.targets import TARGETS_FILE, load_targets

    t0 = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    from .scenario.overrides import apply_overrides
    from .scenario import Scenario

    sc = apply_overrides(scenario if isinstance(scenario, Scenario) else load_scenario(scenario), overrides)
    if n_paths is not None:
        sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": check_n_paths(n_paths, sc)})})
    if as_of is not None:
        sc = apply_overrides(sc, {"forecast.as_of": int(as_of)})
    if sc.forecast.as_of is not None:
        from .engine.projection import with_origin

        sc = with_origin(sc, sc.forecast.as_of)
    if sc.forecast.as_of is not None and out_dir is None:
        out_dir = OUTPUTS / f"{sc.name}-asof-{sc.forecast.as_of}"
    if write:  # refuse an unsafe output folder before any work (atomic_dir checks again at the end)
        check_output_dir(Path(out_dir) if out_dir else OUTPUTS / sc.name, kind="run", name=sc.name, force=force)
    targets = load_targets(extra=[t.as_target_dict() for t in sc.targets_2035])
    _stage(progress, f"scenario '{sc.name}' loaded ({len(targets)} targets)", t0)
    sources = load_sources()
    plan_figures = load_plan_figures()  # validated and checked against VENDORED.csv
    panel = build_panel(sources, sc)
    check_horizons(sc, panel.latest("gdp_nominal", "CZT")[0])
    _stage(progress, f"panel built ({len(panel.long)} rows)", t0)
    proj = project(panel, sc)
    _stage(progress, f"simulated {proj.n_paths} paths to {sc.forecast.end_year}", t0)
    control_proj = proj                       # the control; proj becomes the alternative when levers act
    io_system = _io_system(sc)
    alt = _alternative(sc, panel, proj, io_system, n_lp_paths)
    if alt is not None:
        proj = alt.projection
        _stage(progress, "alternative: levers applied through the structural model on every path"
               + (f" (LP re-solved on {alt.lp_status['paths']} paths)" if alt.lp_status else ""), t0)
    fc = forecast_table(panel, proj, sc.name)
    from .report.scorecard import flips_notes, screen_base_verdicts
    from .sweep.screen import flips_with, load_screen

    screen = load_screen(sc)                  # the stored screen if current (keyed), else None; read once
    card = scorecard(targets, panel, proj, plan_figures, flips=flips_with(sc, screen))
    # a note whose screen base status differs from this run's says both, in every output (csv, Excel, reports)
    card["flips_with"] = flips_notes(card, screen_base_verdicts(card, screen))
    last = panel.latest("gdp_nominal", "CZT")[0]
    hist_years = last - sc.forecast.history_start + 1
    horizon_note = (f"Horizon: {sc.forecast.end_year - last} years beyond the last GDP data year {last}, "
                    f"from {hist_years} years of history ({sc.forecast.history_start}-{last}); "
                    + (f"population history {int(panel.wide('pop_resident').index.min())}-"
                       f"{proj.first_forecast_year['Population|Resident'] - 1} (census basis)."
                       if "Population|Resident" in proj.first_forecast_year else
                       "population not modelled (no census-basis series before the 2020 census).")
                    + (f" Forecast origin: as of {sc.forecast.as_of} (only data for years <= {sc.forecast.as_of})."
                       if sc.forecast.as_of is not None else f" Forecast origin: {last} (latest data)."))
    assumptions = assumptions_table(sc)
    result = RunResult(scenario=sc, panel=panel, projection=proj, forecasts=fc, scorecard=card,
                       backtest=proj.backtest, weights=proj.weights, assumptions=assumptions)
    inputs = [DATA / rel for rel in SOURCE_FILES.values()] + [DATA / "plan" / "plan_figures.csv",
              DATA / "hightech" / "context_gdp_denominators.csv", PARAMETERS_FILE, TARGETS_FILE,
              *[Path(p) for p in sc.source_files],
              *sorted((DATA / "io" / "hunan_2017_42").glob("*.csv")), *sorted((CALIBRATION / "io").glob("*.*")),
              *sorted((CALIBRATION / "backtests").glob("*.csv"))]
    if sc.optimisation.mode != "none":
        inputs.append(CALIBRATION / "optimisation" / "parameters.toml")
    result.alternative = alt
    io_system, result.io_projection = io_projection(sc, proj, io_system)
    if not write:
        if sc.optimisation.mode != "none":
            import tempfile

            with tempfile.TemporaryDirectory() as d:  # the optimisation writes its own files
                _optimise(result, panel, control_proj, sc, Path(d), io_system)
            _stage(progress, f"optimisation ({sc.optimisation.mode}) solved", t0)
        result.manifest = {"horizon": horizon_note}
        return result

    final = Path(out_dir) if out_dir else OUTPUTS / sc.name
    with atomic_dir(final, kind="run", name=sc.name, force=force) as tmp:
        write_iamc(fc, tmp / "forecasts.csv")
        write_pyam_files(fc, tmp)
        write_csv(card, tmp / "scorecard.csv", float_format="%.6g")
        (tmp / "scorecard.md").write_text(scorecard_markdown(card, sc.name, horizon_note, proj.n_paths), encoding="utf-8")
        write_csv(proj.backtest, tmp / "backtest.csv", float_format="%.6g")
        write_csv(proj.weights, tmp / "method_weights.csv", float_format="%.6g")
        write_csv(panel.long, tmp / "panel.csv", float_format="%.8g")
        write_csv(assumptions, tmp / "assumptions.csv")
        charts = all_fan_charts(proj, panel, targets, tmp)
        _stage(progress, "forecasts, scorecard, backtests and fan charts written", t0)
        write_iamc(result.io_projection, tmp / "io_projection.csv")
        _stage(progress, f"input-output projection by {sc.io.level} written", t0)
        if alt is not None:
            from .engine.outputs import write_alternative
            charts += write_alternative(alt, tmp, sc.name)
        if sc.optimisation.mode != "none":
            _optimise(result, panel, control_proj, sc, tmp, io_system)
            _stage(progress, f"optimisation ({sc.optimisation.mode}) solved", t0)
        opt_summary = result.optimisation
        manifest = {
            "scenario": sc.name, "scenario_files": list(sc.source_files), "seed": sc.seed,
            "n_paths": proj.n_paths, "started_utc": started,
            "code": code_version(), "packages": package_versions(),
            "inputs_sha256": input_hashes(inputs),
            "horizon": horizon_note, "forecast_origin": proj.origin, "as_of": sc.forecast.as_of,
            "notes": proj.notes,
            "outputs": sorted(p.name for p in tmp.iterdir()) + ["run.json"],
            "charts": charts, "optimisation": opt_summary,
            "alternative": None if alt is None else {"lp": alt.lp_status, "notes": alt.notes},
            "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else None,
        }
        manifest["outputs"] += ["report.html", "report.md", "report_zh.html", "workbook.xlsx"]
        manifest["wall_time_s"] = round(time.perf_counter() - t0, 3)
        (tmp / "run.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        write_report(tmp, result)
        write_workbook(tmp)
    result.manifest, result.out_dir = manifest, final
    _stage(progress, f"done: {final}", t0)
    return result


def _optimise(result: RunResult, panel, proj, sc, folder: Path, io_system) -> None:
    """Run the investment LP, writing its files into ``folder``; keep its tables on ``result``."""
    from .opt import run_optimisation

    alt = getattr(result, "alternative", None)     # the engine's structural LP, built once for the run
    result.optimisation = run_optimisation(sc, _state(panel, proj, sc), folder, io_system=io_system,
                                           lp=getattr(alt, "pathlp", None))
    result.allocation = pd.read_csv(folder / "allocation.csv")
    result.feasibility = pd.read_csv(folder / "targets_feasibility.csv")


def _alternative(sc, panel, proj, io_system, n_lp_paths: int | None = None):
    """The scenario's levers applied to the control paths (None for a lever-free scenario)."""
    if sc.levers.is_zero():
        return None
    from .engine.alternative import N_LP_PATHS, run_alternative

    return run_alternative(proj, sc, _state(panel, proj, sc), io_system,
                           N_LP_PATHS if n_lp_paths is None else int(n_lp_paths))


def io_projection(sc, proj, system=None):
    """Sector/cluster output, VA, energy and high-tech VA along the median macro path."""
    from .io.projection import macro_path_from_paths

    system = system if system is not None else _io_system(sc)
    return system, system.project(macro_path_from_paths(proj), level=sc.io.level, scenario=sc.name,
                                  unobserved_yoy_pct=sc.assumptions.energy.unobserved_yoy_change_pct,
                                  as_of=sc.forecast.as_of)
