"""The report's "Out-of-sample accuracy" section: the stored ``czt evaluate`` summary.

Reads ``calibration/backtests/evaluation_summary.csv`` (written by
``czt evaluate --store``); computes nothing new.
"""
from __future__ import annotations

from ..data.panel import CZT

ORIGINS = "2010-2019"
#: the section's explanation (its Chinese is in :mod:`model.report.zh`)
EVALUATION_TEXT = (
    "Rolling-origin evaluation (`czt evaluate`): for every origin T the forecast was made exactly as "
    "`czt run --as-of T` makes it (data, method weights and interval calibration from years <= T only) "
    "and scored against later outcomes. MAPE of the median (%), MASE against the random walk with drift, "
    "CRPS in log points, bias = mean log error x 100 (> 0: too high), of which bias_revision is attributed "
    "to the economic-census rebasing of the published nominal level (no forecast of real growth and prices "
    "can foresee it); coverage_80 and coverage_90 are the "
    "shares of outcomes inside the central 80 and 90 per cent ranges of the paths.")


def accuracy_table(summary, variable: str = "GDP|Nominal", origins: str = ORIGINS):
    """Horizon x (cities, CZT) table of MAPE, CRPS, bias and 80/90% coverage."""
    import pandas as pd

    d = summary[(summary.variable == variable) & (summary.origins == origins)
                & summary.group.isin(["cities", CZT]) & (summary.horizon <= 5)]
    cols = ["group", "horizon", "n", "mape", "mase_drift", "crps", "bias", "bias_revision", "coverage_80",
            "coverage_90"]
    t = pd.DataFrame(d[[c for c in cols if c in d.columns and d[c].notna().any()]]).round(3).reset_index(drop=True)
    t["horizon"] = t["horizon"].astype(int).astype(str)  # a label, not a measure
    return t


def evaluation_section(section_cls):
    """A report section (instance of ``section_cls``) or None when no stored evaluation exists."""
    from ..engine.evaluate import load_stored_summary

    summary = load_stored_summary()
    if summary is None or not len(summary):
        return None
    s = section_cls("evaluation", "Out-of-sample accuracy of the delivered forecast")
    s.p(EVALUATION_TEXT)
    for var in ("GDP|Nominal", "GDP|Real"):
        t = accuracy_table(summary, var)
        if len(t):
            s.h3(f"{var}, origins {ORIGINS}")
            s.table(t)
    return s
