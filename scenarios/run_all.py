"""Policy teams' preset script: run every preset, then compare them with the baseline.

Usage (from the repository root)::

    .venv/bin/python scenarios/run_all.py            # all presets, default paths
    .venv/bin/python scenarios/run_all.py --paths 1000 baseline slow_growth

Each run is written atomically into ``outputs/<scenario>/`` (with its
``report.html``); the comparison goes to ``outputs/compare_baseline_.../``.
Equivalent to ``czt run --all`` followed by ``czt compare baseline <others>``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run the presets (all, or those named), print a summary table and write a comparison."""
    from model.report.compare import compare_runs, summary_lines, write_comparison
    import signal

    from model.errors import Terminated, describe
    from model.paths import SCENARIOS
    from model.runner import run_scenario

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", help="preset names (default: every scenarios/*.toml)")
    ap.add_argument("--paths", type=int, default=None, help="override the number of simulated paths")
    args = ap.parse_args(argv)

    def _on_sigterm(signum, frame):  # clean up like Ctrl-C (temporary folders are removed)
        raise Terminated()

    signal.signal(signal.SIGTERM, _on_sigterm)
    names = args.scenarios or sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    if "baseline" in names:  # the comparison's reference comes first
        names = ["baseline"] + [n for n in names if n != "baseline"]
    results = []
    t0 = time.perf_counter()
    try:
        for i, name in enumerate(names, 1):
            print(f"[{i}/{len(names)}] {name} ...", end=" ", flush=True, file=sys.stderr)
            t = time.perf_counter()
            res = run_scenario(name, n_paths=args.paths)
            print(f"done in {time.perf_counter() - t:.1f}s -> {res.out_dir}", file=sys.stderr)
            results.append(res)
        cmp = compare_runs([r.out_dir for r in results]) if len(results) > 1 else None
        folder = write_comparison(cmp) if cmp is not None else None
    except (Exception, KeyboardInterrupt, Terminated) as exc:  # one line, as the czt CLI (model.errors.describe)
        code, msg = describe(exc)
        print(f"\nerror: {msg}", file=sys.stderr)
        return code
    print(f"\n{'scenario':<16}{'GDP 2025 median':>16}{'P(GDP 2025)':>12}{'P(HT share)':>12}  optimisation  report")
    for r in results:
        s = r.scorecard.set_index("target")
        opt = r.optimisation.get("status", "") if r.optimisation else "-"
        print(f"{r.scenario.name:<16}{s.at['gdp_level', 'forecast_median']:>16,.0f}{s.at['gdp_level', 'prob_meet']:>12.3f}"
              f"{s.at['hightech_share', 'prob_meet']:>12.3f}  {opt:<12}  {Path(r.out_dir) / 'report.html'}")
    if cmp is not None:
        print("\n" + "\n".join(summary_lines(cmp)))
        print(f"\ncomparison: {folder}")
    print(f"total {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
