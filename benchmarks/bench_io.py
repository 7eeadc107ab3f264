"""Benchmark of the input-output module (prints figures; not a test).

Targets (issue): full IO build (A, L, all multipliers, regionalisation,
projection to 2035) <= 0.5 s; 10,000 final-demand vectors propagated through
L in one vectorised call <= 0.5 s.

Run: ``.venv/bin/python benchmarks/bench_io.py``
"""
from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd


def _timeit(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(repeat: int = 7) -> None:
    t0 = time.perf_counter()
    from model.io import IOSystem
    from model.io import iomath as im
    import model.io.projection  # noqa: F401
    import_s = time.perf_counter() - t0

    yrs = list(range(2017, 2036))
    path = pd.DataFrame({"year": yrs, "gdp_real": [100 * 1.06 ** (y - 2017) for y in yrs]})

    def full_build():
        s = IOSystem.from_calibration(flq_delta=0.3, region="CZT")     # A, L, regionalisation, satellites
        s.multipliers("sector"), s.multipliers("cluster")               # Type I/II, VA, income, energy, Ghosh
        s.linkages("sector"), s.linkages("cluster")
        s.flq_sensitivity()
        s.cluster_accounts()
        s.project(path)                                                  # projection to 2035 + LMDI rows
        return s

    t0 = time.perf_counter()
    s = full_build()
    cold = time.perf_counter() - t0              # first build: includes reading the CSV files
    warm = _timeit(full_build, repeat)

    rng = np.random.default_rng(0)
    F = rng.uniform(0, 1e5, size=(10_000, len(s.codes)))
    im.propagate(s.L, F[:10])
    prop = _timeit(lambda: im.propagate(s.L, F), repeat)
    X = im.propagate(s.L, F)
    err = np.abs(X[123] - s.L @ F[123]).max()

    cpu0 = time.process_time()
    full_build()
    cpu = time.process_time() - cpu0

    print(f"import model.io (+pandas/scipy) : {import_s:.3f} s (once per process)")
    print(f"full IO build, cold (CSV reads)  : {cold:.3f} s")
    print(f"full IO build, warm             : median {statistics.median(warm):.3f} s, min {min(warm):.3f} s "
          f"over {repeat} runs (CPU {cpu:.3f} s)  [target <= 0.5 s]")
    print(f"10,000 final-demand vectors     : median {statistics.median(prop) * 1e3:.2f} ms, min {min(prop) * 1e3:.2f} ms "
          f"[target <= 500 ms]; check max |diff| = {err:.2e}")
    from model.io.impact import impact
    clusters = s._level_index("cluster")
    imp = _timeit(lambda: [impact(s, c, 100.0) for c in clusters], repeat)
    print(f"czt io impact, all {len(clusters)} clusters : median {statistics.median(imp) * 1e3:.1f} ms "
          f"({statistics.median(imp) / len(clusters) * 1e3:.2f} ms per cluster, Type I and II)")


if __name__ == "__main__":
    main()
