"""Orchestrator: backtests → method weights → coherent multi-region paths."""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.forecast import methods as _m
from model.forecast.backtest import backtest_panel, weights_from_backtest
from model.forecast.paths import PathSet, simulate_paths

__all__ = ["forecast_series_panel"]


def forecast_series_panel(wide_logs: pd.DataFrame, *, methods=_m.DEFAULT_METHODS,
                          end_year: int = 2035, n_paths: int = 2000, seed: int = 0,
                          backtest_origins=(2008, 2019), horizons=range(1, 6),
                          weight_rule: str = "inverse_mae", growth_adjustment_pp: float = 0.0,
                          variable: str = "", backtest_paths: int = 400, min_train: int = 10,
                          dependence: str = "gaussian_copula",
                          ) -> tuple[PathSet, pd.DataFrame, pd.DataFrame]:
    """Forecast every column of a wide log-level panel.

    Steps: rolling-origin backtests of ``methods`` (plus the drift benchmark)
    per column → method weights by ``weight_rule`` (equal weights, with a
    note, for a column without any backtest origin) → mixture paths per column
    with Gaussian-copula rank reordering across columns.

    Parameters
    ----------
    wide_logs : pandas.DataFrame
        Natural-log levels; index = int year, columns = region codes (one
        column is fine, e.g. ``"CZT"``).  Leading/trailing NaN allowed, interior
        gaps are not.
    methods : sequence of str
        Candidate methods (keys of ``model.forecast.methods.METHODS``).
    end_year : int
        Last forecast year.
    n_paths : int
        Number of joint paths.
    seed : int
        Seed for backtests and paths (reproducible).
    backtest_origins : (int, int)
        First and last origin year (inclusive).
    horizons : iterable of int
        Backtest horizons.
    weight_rule : {"inverse_mae", "best", "equal"}
    growth_adjustment_pp : float
        Percentage points added to every simulated year's growth rate.
    variable : str
        Label for the backtest/weights tables.
    backtest_paths : int
        Simulated paths per backtest fit (interval coverage).
    min_train : int
        Minimum training length of a backtest origin.
    dependence : {"gaussian_copula", "independent"}

    Returns
    -------
    (PathSet, backtest_df, weights_df)
        ``PathSet.values`` are levels (exp of logs); ``backtest_df`` has the
        columns of :data:`model.forecast.backtest.BACKTEST_COLUMNS`;
        ``weights_df`` those of :data:`model.forecast.backtest.WEIGHT_COLUMNS`.
        Weight notes are also copied to ``PathSet.notes``.
    """
    if not isinstance(wide_logs, pd.DataFrame) or wide_logs.shape[1] == 0:
        raise CztInputError("forecast.forecast_series_panel",
                            "wide_logs must be a DataFrame with at least one region column")
    methods = list(methods)
    for name in methods:
        _m._method(name)
    from model.forecast.backtest import WEIGHT_RULES

    if weight_rule not in WEIGHT_RULES:
        raise CztInputError("forecast.forecast_series_panel", f"unknown weight_rule {weight_rule!r}")
    wl = wide_logs.copy()
    wl.columns = [str(c) for c in wl.columns]
    try:
        wl.index = np.asarray(wl.index, dtype=int)
    except (TypeError, ValueError):
        raise CztInputError("forecast.forecast_series_panel", "index must be int years") from None
    vals = wl.to_numpy(dtype=float)
    if np.isinf(vals).any():
        raise CztInputError("forecast.forecast_series_panel", "log-levels contain inf "
                                                              "(zero or negative levels?)")
    bt = backtest_panel(wl, methods=methods, origins=backtest_origins, horizons=horizons,
                        variable=variable, n_paths=backtest_paths, seed=seed, min_train=min_train)
    wdf = weights_from_backtest(bt, weight_rule if len(bt) else "equal", methods=methods,
                                regions=list(wl.columns), variable=variable)
    wdf = wdf[wdf["region"].isin(wl.columns)].reset_index(drop=True)
    ps = simulate_paths(wl, wdf, end_year=end_year, n_paths=n_paths, seed=seed, methods=methods,
                        growth_adjustment_pp=growth_adjustment_pp, dependence=dependence)
    wnotes = [f"{r}: {n}" for r, n in zip(wdf["region"], wdf["note"]) if n]
    if wnotes:
        import dataclasses

        ps = dataclasses.replace(ps, notes=tuple(dict.fromkeys(ps.notes + tuple(wnotes))))
    return ps, bt, wdf
