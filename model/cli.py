"""Command-line interface: ``czt run | backtest | data | targets | io | compare | sweep``.

Bad input is reported as one line on stderr (``error: <file>: <key>: <what>``)
with exit code 2 and no traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import CztError, CztInputError, Interrupted, Terminated

app = typer.Typer(add_completion=True, no_args_is_help=True,
                  help="czt-model: forecasts, input-output and investment optimisation for the "
                       "Changsha-Zhuzhou-Xiangtan city cluster, scored against the 2021 plan targets.")


def _progress(msg: str) -> None:
    typer.echo(msg, err=True)


def _fail(exc: BaseException, code: int = 2) -> None:
    if _debug():
        import traceback

        traceback.print_exception(exc)
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "exit_code", code))


_DEBUG = {"on": False}  # set by --debug for this invocation (reset by main)


def _debug() -> bool:
    """Show tracebacks (``czt --debug ...`` or ``CZT_DEBUG=1``)."""
    import os

    return _DEBUG["on"] or os.environ.get("CZT_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def _complete_preset(incomplete: str) -> list[str]:
    from .suggest import presets

    return [n for n in presets() if n.startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        from .results.manifest import code_version

        try:
            v = version("czt-model")
        except PackageNotFoundError:  # pragma: no cover - not installed
            v = "unknown"
        sha = (code_version() or {}).get("git_sha")
        typer.echo(f"czt-model {v}" + (f" (git {sha[:10]})" if sha else ""))
        raise typer.Exit()


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an error "
                                                               "(same as CZT_DEBUG=1)."),
             version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")) -> None:
    _DEBUG["on"] = bool(debug)


@app.command()
def run(scenario: Optional[str] = typer.Argument(None, help="Preset name (see `czt list`) or path to a scenario TOML.",
                                                 autocompletion=_complete_preset),
        all_: bool = typer.Option(False, "--all", help="Run every preset in scenarios/ and print a summary."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default outputs/<scenario>)."),
        paths: Optional[int] = typer.Option(None, "--paths", help="Override the number of simulated paths (100-100000)."),
        force: bool = typer.Option(False, "--force", help="Replace a czt-model output folder of another scenario "
                                                          "at --out (never a folder that is not a czt-model output)."),
        as_of: Optional[int] = typer.Option(None, "--as-of", help="Forecast origin T: use only data for years <= T "
                                                                  "(2005 to the latest year; output outputs/<scenario>-asof-T)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages.")) -> None:
    """Run a scenario and write outputs/<scenario>/ (forecasts, scorecard, charts, run.json)."""
    from .runner import run_scenario
    from .paths import SCENARIOS

    if all_ and scenario is not None:
        _fail(ValueError("give a scenario name/path or --all, not both"))
    if not all_ and scenario is None:
        from .suggest import presets

        _fail(ValueError(f"give a scenario: a preset ({', '.join(presets())}), a scenario TOML path, or --all; "
                         "`czt list` describes the presets"))
    if all_ and out is not None:
        _fail(ValueError("--out: not with --all (every preset writes its own folder outputs/<name>/)"))
    names = sorted(p.stem for p in SCENARIOS.glob("*.toml")) if all_ else [scenario]
    rows = []
    from .progress import progress_bar

    for i, name in enumerate(progress_bar(names, desc="presets", disable=quiet or not all_), 1):
        if all_ and not quiet:
            typer.echo(f"== [{i}/{len(names)}] {name}", err=True)
        try:
            res = run_scenario(name, out_dir=None if all_ else out, n_paths=paths,
                               progress=None if quiet else _progress, force=force, as_of=as_of)
        except CztError as exc:
            _fail(exc)
        rows.append(res)
    for res in rows:
        sc = res.scorecard
        if not all_:
            typer.echo(f"\nScorecard ({res.scenario.name}) -> {res.out_dir}")
            for r in sc.itertuples():
                p = "   –  " if r.prob_meet is None or r.prob_meet != r.prob_meet else f"{r.prob_meet:6.3f}"  # NaN-safe
                typer.echo(f"  {r.target:<18} {r.status:<13} P={p}  {r.name}")
            opt = res.optimisation
            if opt:
                from .report.scorecard import lp_status_line

                lp = res.alternative.lp_status if getattr(res, "alternative", None) is not None else None
                typer.echo(f"\nOptimisation ({opt.get('mode')}): {lp_status_line(opt, lp)} — targets_feasibility.csv")
                for tid, t in (opt.get("targets") or {}).items():
                    typer.echo(f"  {tid:<22} {t['status']:<9} required {t['required']:>10,.1f}  achieved "
                               f"{t['achieved']:>10,.1f}  shortfall {t['shortfall']:>9,.1f}  {t['unit']}")
    if all_:
        typer.echo(f"\n{'scenario':<16}{'GDP 2025 median':>16}{'P(GDP)':>8}{'P(energy)':>10}{'P(HT level)':>12}{'P(HT share)':>12}  optimisation")
        for res in rows:
            s = res.scorecard.set_index("target")
            med = s.at["gdp_level", "forecast_median"]
            from .report.scorecard import lp_status_line

            opt = lp_status_line(res.optimisation)
            typer.echo(f"{res.scenario.name:<16}{med:>16,.0f}{s.at['gdp_level','prob_meet']:>8.3f}"
                       f"{s.at['energy_intensity','prob_meet']:>10.3f}{s.at['hightech_level','prob_meet']:>12.3f}"
                       f"{s.at['hightech_share','prob_meet']:>12.3f}  {opt}")


@app.command()
def backtest(scenario: str = typer.Argument("baseline", help="Scenario whose forecast settings to use.", autocompletion=_complete_preset),
             out: Optional[Path] = typer.Option(None, "--out", help="CSV path (default outputs/backtest.csv)."),
             store: bool = typer.Option(False, "--store", help="Recompute and store in calibration/backtests/ "
                                                                 "(the tables runs reuse while data, settings and code are unchanged).")) -> None:
    """Rolling-origin backtests of every method: MASE, sMAPE, interval coverage."""
    import pandas as pd

    from .paths import OUTPUTS

    try:
        if store:
            from .data import build_panel, load_sources
            from .engine.projection import store_backtests
            from .scenario import load_scenario

            sc = load_scenario(scenario)
            _progress("recomputing rolling-origin backtests (hundreds of model fits; about a minute)")
            bt = pd.concat(store_backtests(build_panel(load_sources(), sc), sc).values(), ignore_index=True)
        else:
            from .runner import run_scenario

            bt = run_scenario(scenario, write=False, progress=_progress).backtest
    except CztError as exc:
        _fail(exc)
    cols = [c for c in ("variable", "region", "method") if c in bt.columns]
    num = [c for c in ("mase", "rel_mae_vs_drift", "smape", "coverage_80", "coverage_90") if c in bt.columns]
    summary = bt.groupby(cols)[num].mean().reset_index() if len(bt) else bt
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        typer.echo(summary.round(3).to_string(index=False))
    from .results.fileio import check_output_file, write_text_atomic

    path = out or OUTPUTS / "backtest.csv"
    text = bt.to_csv(index=False, float_format="%.6g")
    try:  # never overwrite a file that is not an earlier backtest table
        check_output_file(path, header=text.split("\n", 1)[0].rstrip("\r"))
    except CztError as exc:
        _fail(exc)
    write_text_atomic(path, text)
    typer.echo(f"\nwritten: {path}")


@app.command()
def evaluate(scenario: str = typer.Argument("baseline", help="Scenario whose forecast settings to evaluate.", autocompletion=_complete_preset),
             first: int = typer.Option(2005, "--from", help="First forecast origin."),
             last: int = typer.Option(2019, "--to", help="Last forecast origin (outcomes must exist after it)."),
             paths: Optional[int] = typer.Option(1000, "--paths", help="Simulated paths per origin (100-100000)."),
             out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default outputs/evaluate)."),
             force: bool = typer.Option(False, "--force", help="Replace a czt-model output folder of another kind at --out."),
             store: bool = typer.Option(False, "--store", help="Also store the summary in calibration/backtests/ "
                                                                 "(keyed by data, settings and code; README's table).")) -> None:
    """Rolling-origin evaluation of the delivered forecast (as `czt run --as-of T` for every origin T):
    MAPE, MASE vs drift, CRPS, bias, 80/90% coverage, PIT -> outputs/evaluate/."""
    import pandas as pd

    from .engine.evaluate import evaluate as run_evaluation
    from .engine.evaluate import store_summary, write_evaluation
    from .paths import OUTPUTS
    from .results.fileio import atomic_dir, check_output_dir
    from .results.manifest import code_version, package_versions
    from .scenario import check_n_paths, load_scenario

    try:
        sc = load_scenario(scenario)
        if paths is not None:
            sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": check_n_paths(paths, sc)})})
        if not 2005 <= first <= last:
            raise CztInputError("--from/--to", f"origins must satisfy 2005 <= from <= to (got {first}, {last})")
        final = out or OUTPUTS / "evaluate"
        check_output_dir(final, kind="evaluate", name="evaluate", force=force)
        ev = run_evaluation(sc, (first, last), progress=_progress)
        with atomic_dir(final, kind="evaluate", name="evaluate", force=force) as tmp:
            write_evaluation(ev, tmp, {"scenario": sc.name, "seed": sc.seed, "n_paths": sc.forecast.n_paths,
                                       "code": code_version(), "packages": package_versions(),
                                       "command": " ".join(sys.argv)})
        if store:
            typer.echo(f"stored: {store_summary(ev, sc)}")
    except CztError as exc:
        _fail(exc)
    s = ev.summary
    s = s[s.group.isin(["cities", "CZT"]) & (s.horizon <= 5)]
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        typer.echo(s.round(3).to_string(index=False))
    typer.echo(f"\nwritten: {final}")


@app.command()
def data(scenario: str = typer.Argument("baseline", help="Scenario whose panel settings to use.", autocompletion=_complete_preset)) -> None:
    """Print the modelling panel's coverage (variable x region x years, observed/derived counts)."""
    import pandas as pd

    from .data import build_panel, load_sources
    from .scenario import load_scenario

    try:
        panel = build_panel(load_sources(), load_scenario(scenario))
    except CztError as exc:
        _fail(exc)
    cov = panel.coverage()
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        typer.echo(cov.to_string(index=False))
    counts = panel.long.basis.value_counts()
    typer.echo("\n" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + f" (total {len(panel.long)} rows)")


@app.command(name="list")
def list_presets() -> None:
    """List the preset scenarios (scenarios/*.toml) with a one-line description each."""
    from .suggest import preset_descriptions

    rows = preset_descriptions()
    w = max(len(n) for n, _ in rows)
    for name, desc in rows:
        typer.echo(f"{name:<{w}}  {desc}")
    typer.echo("\nczt run NAME runs one; czt run --all runs every preset.")


@app.command()
def export(run_name: str = typer.Argument(..., metavar="NAME", help="A run folder or a run name (outputs/NAME/).",
                                          autocompletion=_complete_preset),
           xlsx: bool = typer.Option(False, "--xlsx", help="Write workbook.xlsx (bilingual, 亿元/万人) into the run folder."),
           pyam: bool = typer.Option(False, "--pyam", help="Write iamc_quantiles.csv and iamc_mean.csv (pyam-ready).")) -> None:
    """Re-export an existing run: the Excel workbook and/or the pyam-ready IAMC tables."""
    import pandas as pd

    from .paths import OUTPUTS
    from .suggest import run_hint

    if not (xlsx or pyam):
        _fail(ValueError("choose what to export: --xlsx and/or --pyam"))
    p = Path(run_name)
    folder = p if (p / "run.json").exists() else OUTPUTS / run_name
    from .results.fileio import read_marker

    # only into a czt run folder (its marker/manifest): never over a user's own run.json/workbook.xlsx
    if not (folder / "run.json").exists() or (read_marker(folder) or {}).get("kind") != "run":
        _fail(ValueError(f"{run_name}: no run folder with run.json (looked for {p} and {OUTPUTS / run_name}); "
                         + run_hint(run_name)))
    if xlsx:
        from .results.excel import write_workbook

        typer.echo(f"written: {write_workbook(folder)}")
    if pyam:
        from .results.pyam_io import write_pyam_files

        fc = pd.read_csv(folder / "forecasts.csv", dtype={"quantile": str}, keep_default_na=False,
                         na_values={"value": [""]})
        for name in write_pyam_files(fc, folder):
            typer.echo(f"written: {folder / name}")


@app.command()
def screen(names: Optional[list[str]] = typer.Argument(None, help="Preset scenarios (default: every preset).",
                                                     autocompletion=_complete_preset),
           store: bool = typer.Option(False, "--store", help="Recompute and store calibration/sweeps/screen_<name>.csv "
                                                             "(the stored Morris screens behind the scorecard's "
                                                             "flips_with notes; ~5 s a preset).")) -> None:
    """The stored Morris screens: which labelled assumption can flip each target's status (scorecard flips_with)."""
    from .sweep import screen as scr

    try:
        if store:
            for p in scr.store_screens(names or None, progress=_progress):
                typer.echo(f"stored {p}")
            return
        for name in names or scr.presets():
            current = scr.load_screen(name) is not None
            typer.echo(f"{name}: {'current' if current else 'missing or stale (czt screen --store ' + name + ')'}")
            if current:
                for target, note in scr.flips_with(name).items():
                    typer.echo(f"  {target}: {note}")
    except CztError as exc:
        _fail(exc)


@app.command()
def sweep(spec: Path = typer.Argument(..., metavar="SPEC.toml", help="Sweep file, or the name of one in "
                                                                     "scenarios/sweeps/ (e.g. plan_assumptions)."),
          workers: int = typer.Option(1, "--workers", "-w", help="Worker processes (more than 1: a Dask LocalCluster)."),
          scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                  help="inprocess | local | the address of a running Dask scheduler "
                                                       "(tcp://host:8786). Default: inprocess for 1 worker, else local."),
          out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default outputs/sweep_<name>)."),
          force: bool = typer.Option(False, "--force", help="Replace a czt-model output folder of another kind or "
                                                            "name at --out (never a folder that is not a czt-model output)."),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages.")) -> None:
    """Evaluate many variants of a scenario (a SALib design over scenario keys) and write outputs/sweep_<name>/:
    variants (Parquet + CSV), sensitivity indices, tornado charts, flip frontier, report. A killed sweep resumes."""
    from .paths import SCENARIOS
    from .sweep.analyse import no_sensitivity_reason
    from .sweep.execute import run_sweep
    from .sweep.report import no_sensitivity_line

    sweeps = SCENARIOS / "sweeps"
    if not spec.exists() and spec.name == str(spec):      # a bare name: a shipped sweep file?
        shipped = sweeps / f"{spec.name.removesuffix('.toml')}.toml"
        if shipped.is_file():
            spec = shipped
        else:
            from .suggest import did_you_mean

            known = sorted(q.stem for q in sweeps.glob("*.toml"))
            m = did_you_mean(spec.name.removesuffix(".toml"), known)
            _fail(CztInputError(str(spec), "no such sweep file" + (f" — did you mean '{m}'?" if m else "")
                                + f" (shipped sweeps in scenarios/sweeps/: {', '.join(known)})"))
    try:
        res = run_sweep(spec, workers=workers, scheduler=scheduler, out_dir=out, force=force,
                        progress=None if quiet else _progress)
    except CztError as exc:
        _fail(exc)
    except (KeyboardInterrupt, Terminated) as exc:  # finished batches kept for a resume: say so, even with -q
        kept = getattr(exc, "kept", None)
        if not kept:
            raise
        raise Interrupted(exc, kept) from None
    n_err = int((res.results["error"] != "").sum())
    typer.echo(f"\nSweep {res.spec.name}: {len(res.results)} variants"
               + (f" ({n_err} refused)" if n_err else "") + f" -> {res.out_dir}")
    flip_target = res.manifest.get("flip_target")
    if res.flip is not None and flip_target:
        typer.echo(f"  flip frontier of {flip_target} (flip_frontier.csv): {res.flip_sentence}")
    s = res.sensitivity
    none = no_sensitivity_reason(res.spec, s, res.results)
    if none:  # a warning, not a failure: the folder is written; said even with -q
        typer.echo(f"warning: {no_sensitivity_line(res.spec.name, none)}", err=True)
    elif s is not None and len(s):
        typer.echo(f"  sensitivity indices: sensitivity.csv ({s['output'].nunique()} outputs x "
                   f"{s['parameter'].nunique()} parameters)")


@app.command()
def targets() -> None:
    """List the plan targets (calibration/targets.toml)."""
    from .scenario.targets import load_targets

    try:
        ts = load_targets()
    except CztError as exc:
        _fail(exc)
    for t in ts:
        typer.echo(f"{t.id:<18} {t.comparator:>2} {t.value:>10g} {t.unit:<12} {t.year}  "
                   f"{'modelled: ' + t.variable if t.modelled else 'not modelled'}")


def _mount_optional() -> None:
    """Attach sub-command groups that live in their own modules."""
    try:
        from .io.cli import app as io_app

        app.add_typer(io_app, name="io", help="Input-output tables: multipliers, linkages, clusters.")
    except ImportError:
        pass
    try:
        from .report.compare import compare_command

        app.command(name="compare")(compare_command)
    except ImportError:
        pass


_mount_optional()


def _on_sigterm(signum, frame) -> None:
    from .errors import Terminated

    raise Terminated()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``czt`` console script: the one top-level error handler.

    Every exception becomes one line on stderr (:func:`model.errors.describe`)
    and an exit code: 2 bad input, 1 environment/internal, 130 Ctrl-C, 143
    SIGTERM. SIGTERM cleans up like Ctrl-C (temporary folders are removed; a sweep keeps its
    finished batches for a resume and says so).
    ``--debug`` or ``CZT_DEBUG=1`` also prints the traceback.
    """
    import signal

    from .errors import describe

    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    if argv is None:
        argv = sys.argv[1:]
    _DEBUG["on"] = False
    try:
        rv = app(args=list(argv), prog_name="czt", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == 130:  # typer turns Ctrl-C into Exit(130)
            typer.echo("error: interrupted; nothing was written (partial output removed)", err=True)
    except SystemExit:
        raise
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        code = 1
    except BaseException as exc:  # noqa: BLE001 - the one place every fault becomes one line
        if _debug() or "--debug" in argv:
            import traceback

            traceback.print_exception(exc)
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # a usage error (bad argument/option)
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()
                sys.exit(exc.exit_code)
            where = ctx.command_path if ctx is not None else "czt"
            code, msg = exc.exit_code, f"{exc.format_message()} (see '{where} --help')"
        else:
            code, msg = describe(exc)
        typer.echo(f"error: {' '.join(str(msg).split())}", err=True)
    sys.exit(code)
