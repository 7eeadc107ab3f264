"""Timings of the forecasting orchestrator on realistic sizes.

Synthetic panel shaped like the CZT inputs: 3 cities × 30 years (1995–2024) of
log real-GDP with growth slowing from ~13 % to ~5 % and correlated shocks;
2000 joint paths to 2035; backtest origins 2008–2019, horizons 1–5.  Also a
short 14-year population-like panel and a single-column series.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/bench_forecast.py
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd


def synthetic_panel(first=1995, last=2024, seed=3, g0=0.13, g1=0.05, sd=0.012,
                    cols=(("430100", 7.0), ("430200", 6.0), ("430300", 5.8))) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    g = np.linspace(g0, g1, years.size)
    common = rng.standard_normal(years.size)
    data = {c: lev + np.cumsum(g + sd * (0.7 * common + 0.7 * rng.standard_normal(years.size)))
            for c, lev in cols}
    return pd.DataFrame(data, index=years)


def main() -> None:
    t0 = time.perf_counter()
    from model.forecast.engine import forecast_series_panel

    print(f"import model.forecast.engine: {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    import scipy.optimize  # noqa: F401 - one-off lazy imports done by the first fit
    import scipy.stats  # noqa: F401

    print(f"first-use imports (scipy): {time.perf_counter() - t0:.3f} s")
    gdp = synthetic_panel()
    pop = synthetic_panel(2010, 2023, seed=5, g0=0.02, g1=0.01, sd=0.003,
                          cols=(("430100", 6.5), ("430200", 5.9), ("430300", 5.6)))
    one = synthetic_panel(2005, 2024, seed=7, g0=0.10, g1=0.08, sd=0.03, cols=(("CZT", 7.0),))
    total = 0.0
    for label, wl, kw in [("gdp 3x30 (cold)", gdp, {}), ("gdp 3x30 (cached fits, -1pp)", gdp,
                                                          {"growth_adjustment_pp": -1.0}),
                          ("population 3x14", pop, {}), ("single column 1x20", one, {})]:
        t = time.perf_counter()
        ps, bt, w = forecast_series_panel(wl, end_year=2035, n_paths=2000, seed=1, variable=label, **kw)
        dt = time.perf_counter() - t
        total += dt
        print(f"{label:32s} {dt:6.2f} s   paths {ps.values.shape}, backtest rows {len(bt)}, "
              f"notes {len(ps.notes)}")
    print(f"total {total:.2f} s")


if __name__ == "__main__":
    main()
