"""The report layer: reads a run's results and presents them; computes no new model quantity.

html
    ``report.html`` / ``report_zh.html`` / ``report.md`` (:func:`write_report`;
    ``python -m model.report RUN_DIR`` rebuilds them for an existing run).
zh, i18n
    The translation table of the Chinese report and the bilingual labels.
scorecard
    One row per plan target: probabilities from the paths, status, what it rests on.
charts
    Fan charts (bilingual, CJK font from mplfonts; no backend switch).
compare
    ``czt compare``: year-by-year differences between runs.
evaluate
    The report section on the out-of-sample evaluation.
"""
from __future__ import annotations

__all__ = ["write_report", "main"]


def __getattr__(name: str):
    if name in ("write_report", "main"):
        from . import html

        return getattr(html, name)
    raise AttributeError(f"module 'model.report' has no attribute {name!r}")
