"""Wall time of `czt run baseline` against the bare import time of its libraries.

Usage: python benchmarks/bench_run.py [--repeat 3] [--scenario baseline]

Prints, for fresh processes (median of --repeat runs):
  * import pandas + statsmodels + pyomo + matplotlib (the libraries' own cost),
  * import of only what a baseline run needs,
  * `czt run <scenario>` end to end (stored backtests current),
and the ratio run / import-of-all (goal, issues 2 and 8: run <= 10 s and <= 1.3x that import time), and,
for transparency, the ratio to the import of only what a baseline run loads.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
CZT = str(Path(PY).with_name("czt"))


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default="baseline")
    args = ap.parse_args()
    imp_all = [timed([PY, "-c", "import pandas, statsmodels.api, pyomo.environ, matplotlib.pyplot"])
               for _ in range(args.repeat)]
    imp_run = [timed([PY, "-c", "import model.runner, model.engine.projection, model.forecast.methods, "
                      "scipy.optimize, scipy.stats, matplotlib.figure, matplotlib.backends.backend_agg, openpyxl"])
               for _ in range(args.repeat)]
    with tempfile.TemporaryDirectory() as d:
        timed([CZT, "run", args.scenario, "-q", "--out", f"{d}/warm"])  # refreshes the backtest cache if stale
        runs = [timed([CZT, "run", args.scenario, "-q", "--out", f"{d}/r{i}"]) for i in range(args.repeat)]
    a, b, r = statistics.median(imp_all), statistics.median(imp_run), statistics.median(runs)
    print(f"import pandas+statsmodels+pyomo+matplotlib : {a:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in imp_all)})")
    print(f"import what a {args.scenario} run needs        : {b:6.2f} s")
    print(f"czt run {args.scenario:<10} (wall, fresh process) : {r:6.2f} s  (runs: {', '.join(f'{x:.2f}' for x in runs)})")
    print(f"ratio run / import-all                       : {r / a:6.2f}  (goal <= 1.3; hard limit 10 s)")
    print(f"ratio run / import of what a run needs       : {r / b:6.2f}  (a run imports neither statsmodels "
          "nor pyomo: the first ratio's reference counts them)")


if __name__ == "__main__":
    main()
