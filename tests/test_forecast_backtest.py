"""Rolling-origin backtests, weights and the orchestrator."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.forecast import backtest as B
from model.forecast.engine import forecast_series_panel
from model.forecast.paths import check_coherence


def drift_series(seed, n=40, first=1980, mu=0.05, sigma=0.01):
    rng = np.random.default_rng(seed)
    return pd.Series(3.0 + np.cumsum(mu + sigma * rng.standard_normal(n)),
                     index=np.arange(first, first + n))


def test_backtest_drift_coverage_and_relative_mae():
    # pool several independent synthetic random walks with drift so that the
    # empirical coverage is estimated from many (origin, horizon) outcomes
    parts = [B.backtest_series(drift_series(s), methods=["drift"], origins=(1995, 2014),
                               horizons=[1, 3, 5], region=f"r{s}", n_paths=1000, seed=s)
             for s in range(8)]
    df = pd.concat(parts, ignore_index=True)
    assert list(df.columns) == B.BACKTEST_COLUMNS
    assert set(df["method"]) == {"drift"}
    assert (df["rel_mae_vs_drift"] == 1.0).all()
    cov90 = np.average(df["coverage_90"], weights=df["n"])
    cov80 = np.average(df["coverage_80"], weights=df["n"])
    assert 0.8 <= cov90 <= 0.97
    assert 0.68 <= cov80 <= 0.9
    # classic MASE at h = 1 of a correct random walk with drift is ~0.8
    # (E|e| / E|Δy| with Δy = μ + e); at least below 1
    assert df.loc[df["horizon"] == 1, "mase"].mean() < 1.0


def test_backtest_origins_and_counts():
    y = drift_series(0, n=30, first=1995)  # 1995..2024
    df, raw = B.backtest_series(y, methods=["drift", "arima"], origins=(2008, 2019),
                                horizons=range(1, 6), return_raw=True)
    assert sorted(raw["origin"].unique()) == list(range(2008, 2020))
    h5 = df[(df["method"] == "arima") & (df["horizon"] == 5)].iloc[0]
    assert h5["n"] == 12  # 2019 + 5 = 2024 still observed
    arima = df[df["method"] == "arima"]
    assert (arima["rel_mae_vs_drift"] > 0).all()
    # rel MAE is the ratio of MAEs on the same origins
    d1 = df[(df["method"] == "drift") & (df["horizon"] == 1)]["mae"].iloc[0]
    a1 = df[(df["method"] == "arima") & (df["horizon"] == 1)]
    assert a1["rel_mae_vs_drift"].iloc[0] == pytest.approx(a1["mae"].iloc[0] / d1)
    # deterministic
    again = B.backtest_series(y, methods=["drift", "arima"], origins=(2008, 2019))
    pd.testing.assert_frame_equal(df, again)


def test_weights_rules():
    df = pd.DataFrame({"region": "A", "variable": "v", "method": ["m1", "m1", "m2", "m2"],
                       "horizon": [1, 2, 1, 2], "mae": [0.01, 0.03, 0.04, 0.04]})
    w = B.weights_from_backtest(df, "inverse_mae").set_index("method")["weight"]
    # scores 0.02 and 0.04 -> weights 2/3, 1/3
    assert w["m1"] == pytest.approx(2 / 3) and w["m2"] == pytest.approx(1 / 3)
    best = B.weights_from_backtest(df, "best").set_index("method")["weight"]
    assert best.to_dict() == {"m1": 1.0, "m2": 0.0}
    empty = B.weights_from_backtest(df.iloc[:0], "inverse_mae", methods=["m1", "m2"],
                                    regions=["B"], variable="v")
    assert empty["weight"].tolist() == [0.5, 0.5]
    assert "no backtest origin" in empty["note"].iloc[0]


def test_orchestrator_three_cities_and_single_short_column():
    rng = np.random.default_rng(9)
    years = np.arange(1995, 2025)
    common = rng.standard_normal(years.size)
    wl = pd.DataFrame({c: lev + np.cumsum(0.08 + 0.015 * (0.8 * common + 0.6 * rng.standard_normal(years.size)))
                       for c, lev in (("430100", 7.0), ("430200", 6.0), ("430300", 5.8))},
                      index=years)
    ps, bt, w = forecast_series_panel(wl, methods=["drift", "arima", "slowing_growth"],
                                      end_year=2035, n_paths=1000, seed=2, variable="gdp",
                                      backtest_paths=200)
    assert ps.values.shape == (1000, 11, 3)
    assert set(bt["region"]) == {"430100", "430200", "430300"}
    assert np.allclose(w.groupby("region")["weight"].sum(), 1.0)
    for r in wl.columns:
        counts = ps.method_counts[r]
        assert sum(counts.values()) == 1000
    tot = ps.add_total()
    assert check_coherence(tot, "CZT", rtol=0.0)
    again, _, _ = forecast_series_panel(wl, methods=["drift", "arima", "slowing_growth"],
                                        end_year=2035, n_paths=1000, seed=2, variable="gdp",
                                        backtest_paths=200)
    np.testing.assert_array_equal(ps.values, again.values)
    # one short column: no backtest origin -> equal weights, recorded
    short = pd.DataFrame({"CZT": 4.0 + np.cumsum(np.full(8, 0.05))}, index=np.arange(2016, 2024))
    ps1, bt1, w1 = forecast_series_panel(short, methods=["drift", "ets_damped"], end_year=2030,
                                         n_paths=100, seed=0)
    assert bt1.empty
    assert w1["weight"].tolist() == [0.5, 0.5]
    assert any("no backtest origin" in n for n in ps1.notes)
    assert any("fell back to drift" in n for n in ps1.notes)  # 8 obs < 10 for ETS
    assert ps1.values.shape == (100, 7, 1)


def test_orchestrator_rejects_interior_gaps_and_bad_rule():
    from model.errors import CztInputError

    wl = pd.DataFrame({"430100": 4.0 + np.cumsum(np.full(20, 0.05))}, index=np.arange(2005, 2025))
    wl.loc[2015, "430100"] = np.nan
    with pytest.raises(CztInputError, match="gaps"):
        forecast_series_panel(wl, methods=["drift"], end_year=2030, n_paths=10, seed=0)
    with pytest.raises(CztInputError, match="weight_rule"):
        forecast_series_panel(wl.dropna(), methods=["drift"], end_year=2030, n_paths=10, seed=0,
                              weight_rule="median")


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, model.forecast, model.forecast.engine; "
            "print(any(m.startswith('statsmodels') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]),
                         env={**__import__("os").environ, "PYTHONPATH": "."})
    assert out.stdout.strip() == "False", out.stderr


def test_trimmed_inverse_mae_drops_methods_worse_than_twice_the_best():
    import pandas as pd

    from model.forecast.backtest import weights_from_backtest

    df = pd.DataFrame({"region": "R", "variable": "V", "method": ["drift", "llt", "ets_damped"],
                       "horizon": 1, "mae": [0.30, 0.10, 0.15]})
    w = weights_from_backtest(df, "trimmed_inverse_mae").set_index("method").weight
    assert w["drift"] == 0.0
    assert w["llt"] == pytest.approx((1 / 0.10) / (1 / 0.10 + 1 / 0.15))
    assert w.sum() == pytest.approx(1.0)
    w2 = weights_from_backtest(df, "inverse_mae").set_index("method").weight
    assert w2["drift"] == pytest.approx((1 / 0.3) / (1 / 0.3 + 1 / 0.1 + 1 / 0.15))


def test_discounted_mae_by_hand():
    """discount δ weights each error by δ^(t_max - t), t = origin + horizon (Stock & Watson 2004)."""
    from model.forecast.backtest import _summarise

    raw = pd.DataFrame({"method": ["drift"] * 3, "origin": [2000, 2001, 2002], "horizon": [1, 1, 1],
                        "error": [0.04, -0.02, 0.01], "scaled_abs_error": [1.0, 1.0, 1.0], "smape": [1.0] * 3,
                        "in_80": [True] * 3, "in_90": [True] * 3, "fallback": [False] * 3})
    plain = _summarise(raw, "r", "v", ["drift"])
    assert plain["mae"].iloc[0] == pytest.approx(0.07 / 3)
    d = _summarise(raw, "r", "v", ["drift"], discount=0.5)
    # weights .25 .5 1 (outcome years 2001..2003)
    assert d["mae"].iloc[0] == pytest.approx((0.25 * 0.04 + 0.5 * 0.02 + 0.01) / 1.75)
    assert d["n"].iloc[0] == 3


def test_mixture_weights_use_only_earlier_outcomes_and_discount():
    """Real-time mixture weights at origin o use errors with outcome year <= o only; with a
    discount the more recent of them count more."""
    from model.forecast.calibrate import ERROR_COLUMNS, mixture_errors

    rows = []
    # method a: error .02 at outcome 2001, .01 at 2002; method b: .01 at 2001, .04 at 2002 (h = 1)
    for m, e1, e2 in (("a", 0.02, 0.01), ("b", 0.01, 0.04)):
        rows += [("r", m, 2000, 1, e1, 1.0, e1), ("r", m, 2001, 1, e2, 1.0, e2), ("r", m, 2002, 1, 0.5, 1.0, 0.5)]
    df = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    at = lambda out: out[out.origin == 2002]["error"].iloc[0]  # noqa: E731
    # plain: MAE a = .015, b = .025 -> w_a = (1/.015)/(1/.015 + 1/.025) = .625; both errors .5
    assert at(mixture_errors(df)) == pytest.approx(0.5)
    # the origin-2002 errors (outcome 2003) must not enter the 2002 weights: change them, weights stay
    df2 = df.copy()
    df2.loc[(df2.origin == 2002) & (df2.method == "b"), "error"] = 1.5
    assert at(mixture_errors(df2)) == pytest.approx(0.625 * 0.5 + 0.375 * 1.5)
    # discount .5: a = (.5*.02 + .01)/1.5 = .01333, b = (.5*.01 + .04)/1.5 = .03 -> w_a = .03/.04333
    wa = 0.03 / (0.03 + 0.04 / 3)
    assert at(mixture_errors(df2, discount=0.5)) == pytest.approx(wa * 0.5 + (1 - wa) * 1.5)
