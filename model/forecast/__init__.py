"""Forecasting engine: univariate methods, rolling-origin backtests, method
combination and coherent multi-region simulated paths.

Public API (imported lazily, so ``import model.forecast`` is cheap and
statsmodels/scipy are only loaded when a fit needs them):

- :func:`forecast_series_panel` (``model.forecast.engine``) — backtests →
  weights → coherent paths for one variable's wide log-level panel.
- ``model.forecast.methods`` — ``METHODS`` registry, ``fit``/``simulate``/
  ``point`` and the per-method functions.
- ``model.forecast.backtest`` — ``backtest_series``, ``backtest_panel``,
  ``weights_from_backtest``.
- ``model.forecast.paths`` — ``PathSet``, ``simulate_paths``,
  ``check_coherence``, ``rank_reorder``.
- ``model.forecast.stats`` — ``quantiles``, ``mean``, ``prob_meets``,
  ``required_growth``, ``cagr``, ``summarise_pathset``.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "forecast_series_panel": "model.forecast.engine",
    "METHODS": "model.forecast.methods",
    "DEFAULT_METHODS": "model.forecast.methods",
    "FitResult": "model.forecast.methods",
    "backtest_series": "model.forecast.backtest",
    "backtest_panel": "model.forecast.backtest",
    "weights_from_backtest": "model.forecast.backtest",
    "PathSet": "model.forecast.paths",
    "simulate_paths": "model.forecast.paths",
    "check_coherence": "model.forecast.paths",
    "quantiles": "model.forecast.stats",
    "mean": "model.forecast.stats",
    "prob_meets": "model.forecast.stats",
    "required_growth": "model.forecast.stats",
    "summarise_pathset": "model.forecast.stats",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    try:
        mod = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'model.forecast' has no attribute {name!r}") from None
    return getattr(importlib.import_module(mod), name)
