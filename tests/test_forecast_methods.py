"""Tests of the univariate forecasting methods (model.forecast.methods)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.forecast import methods as M


def rw_drift(n=30, mu=0.05, sigma=0.01, seed=11, start=2.0):
    rng = np.random.default_rng(seed)
    years = np.arange(2024 - n + 1, 2025)
    return pd.Series(start + np.cumsum(mu + sigma * rng.standard_normal(n)), index=years)


# mean_reversion is excluded by design: it reverts to the world mean, not to the series' drift
# (its forecast is checked by hand in tests/test_evaluate.py)
@pytest.mark.parametrize("name", list(M.DEFAULT_METHODS))
def test_each_method_recovers_drift(name):
    """Random walk with drift 0.05, sigma 0.01, n = 30: the median path's
    average growth over 10 years is close to 0.05 (each of 5 seeds within
    0.015 — local-trend methods follow the realised recent slope — and the
    average over seeds within 0.006; 0.012 for the damped trend, whose damping
    (phi ≤ 0.98) pulls the 10-year average growth ~10 % below the local slope
    by construction)."""
    tol = 0.012 if name == "ets_damped" else 0.006
    med, pts = [], []
    for seed in range(5):
        y = rw_drift(seed=seed)
        f = M.fit(name, y, cache=False)
        assert f.method == name, f.warnings
        sims = M.simulate(f, 10, 2000, np.random.default_rng(0))
        assert sims.shape == (2000, 10)
        med.append((np.median(sims[:, -1]) - y.iloc[-1]) / 10)
        pts.append((M.point(f, 10)[-1] - y.iloc[-1]) / 10)
    med, pts = np.array(med), np.array(pts)
    assert np.all(np.abs(med - 0.05) < 0.015) and np.all(np.abs(pts - 0.05) < 0.015)
    assert abs(med.mean() - 0.05) < tol
    assert abs(pts.mean() - 0.05) < tol


@pytest.mark.parametrize("name", list(M.METHODS))
def test_paths_reproducible_with_seed(name):
    f = M.fit(name, rw_drift())
    a = M.simulate(f, 5, 50, np.random.default_rng(42))
    b = M.simulate(f, 5, 50, np.random.default_rng(42))
    c = M.simulate(f, 5, 50, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_drift_interval_matches_simulation():
    f = M.fit_drift(rw_drift())
    lo, hi = M.drift_interval(f, 5, 0.9)
    sims = M.simulate_drift(f, 5, 40000, np.random.default_rng(1))
    q = np.quantile(sims, [0.05, 0.95], axis=0)
    np.testing.assert_allclose(q[0], lo, atol=0.002)
    np.testing.assert_allclose(q[1], hi, atol=0.002)
    assert f.params["mu"] == pytest.approx(np.diff(rw_drift().to_numpy()).mean())


def test_short_series_falls_back_with_warning():
    y = rw_drift(n=6)
    for name in ("ets_damped", "arima", "llt", "slowing_growth"):
        f = M.fit(name, y, cache=False)
        assert f.method == "drift" and f.requested == name and f.fell_back
        assert "fell back to drift" in f.warnings[0]
        assert M.simulate(f, 3, 10, np.random.default_rng(0)).shape == (10, 3)
        assert M.METHODS[name].simulate(f, 3, 10, np.random.default_rng(0)).shape == (10, 3)


def test_bad_input_raises():
    with pytest.raises(CztInputError, match="NaN"):
        M.fit("drift", np.array([1.0, np.nan, 2.0, 3.0]))
    with pytest.raises(CztInputError, match="too short"):
        M.fit("drift", np.array([1.0, 2.0]))
    with pytest.raises(CztInputError, match="contiguous"):
        M.fit("drift", pd.Series([1.0, 2.0, 3.0], index=[2000, 2001, 2003]))
    with pytest.raises(CztInputError, match="unknown method"):
        M.fit("prophet", np.arange(10.0))


def ar1_growth(n=60, phi=0.6, mu=0.05, sigma=0.01, seed=7):
    rng = np.random.default_rng(seed)
    g = np.empty(n)
    prev = mu
    for t in range(n):
        prev = mu + phi * (prev - mu) + sigma * rng.standard_normal()
        g[t] = prev
    return np.r_[0.0, np.cumsum(g)] + 3.0


def test_aicc_selects_ar1():
    y = ar1_growth()
    f = M.fit_arima(y)
    assert (f.params["p"], f.params["q"]) == (1, 0)
    assert f.params["phi"][0] == pytest.approx(0.6, abs=0.2)
    table = M.arima_order_table(y)
    assert table[0]["aicc"] <= min(r["aicc"] for r in table)
    assert len(table) == 9


def test_arima_css_agrees_with_statsmodels_sarimax():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = ar1_growth()
    f = M.fit_arima(y)
    d = np.diff(y)
    res = SARIMAX(d, order=(1, 0, 0), trend="c").fit(disp=False)
    phi_sm = res.params[1]
    mu_sm = res.params[0] / (1 - phi_sm)
    assert f.params["phi"][0] == pytest.approx(phi_sm, abs=0.05)
    assert f.params["mu"] == pytest.approx(mu_sm, abs=0.003)


def test_llt_agrees_with_statsmodels_unobserved_components():
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    rng = np.random.default_rng(5)
    n = 30
    slope = 0.08 + np.cumsum(0.004 * rng.standard_normal(n))
    y = 4.0 + np.cumsum(slope) + 0.005 * rng.standard_normal(n)
    f = M.fit_llt(y)
    res = UnobservedComponents(y, level="local linear trend").fit(disp=False)
    np.testing.assert_allclose(M.point_llt(f, 5), res.forecast(5), atol=0.03)


def test_ets_reaches_statsmodels_likelihood():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = rw_drift(n=25, seed=3).to_numpy() + np.cumsum(np.linspace(0.03, -0.02, 25))
    f = M.fit_ets_damped(y)
    res = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
    assert f.params["loglik"] >= res.llf - 0.05
    assert 0.8 <= f.params["phi"] <= 0.98


@pytest.mark.parametrize("seed", [3, 11])
def test_ets_states_paths_and_forecasts_are_statsmodels(seed):
    """The recursion of fit/simulate/point_ets_damped against ``ETSModel(...).smooth(params)``
    at the fitted parameters: residuals, final state, sigma, log-likelihood, point forecasts
    and the simulated paths from the same random stream."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = rw_drift(n=28, seed=seed).to_numpy() + np.cumsum(np.linspace(0.04, -0.01, 28))
    f = M.fit_ets_damped(y)
    assert f.method == "ets_damped"
    p = f.params
    res = ETSModel(y, error="add", trend="add", damped_trend=True).smooth(
        np.array([p["alpha"], p["beta"], p["phi"], p["initial_level"], p["initial_trend"]]))
    err, l_T, b_T = M._ets_recursion(p["alpha"], p["beta"], p["phi"], p["initial_level"], p["initial_trend"],
                                     y.tolist())
    np.testing.assert_allclose(err, res.resid, rtol=0, atol=1e-12)
    np.testing.assert_allclose([l_T, b_T], [res.level[-1], res.slope[-1]], rtol=0, atol=1e-12)
    assert p["sigma"] == pytest.approx(np.sqrt(res.mse), rel=1e-12)
    assert p["loglik"] == pytest.approx(res.llf, rel=1e-10)
    np.testing.assert_allclose(M.point_ets_damped(f, 12), res.forecast(12), rtol=0, atol=1e-12)
    ours = M.simulate_ets_damped(f, 12, 500, np.random.default_rng(7))
    theirs = np.asarray(res.simulate(12, anchor="end", repetitions=500, rng=np.random.default_rng(7))).T
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_running_the_ets_method_does_not_import_statsmodels():
    """A run's default methods need no statsmodels import (it is the tests' reference only)."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from model.forecast import methods as M; "
            "f = M.fit_ets_damped(np.cumsum(np.full(25, 0.05)) + 0.01 * np.sin(np.arange(25))); "
            "M.simulate_ets_damped(f, 5, 10, np.random.default_rng(0)); "
            "print(f.method, any(m.startswith('statsmodels') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["ets_damped", "False"]


def test_slowing_growth_recovers_decay():
    t = np.arange(30)
    g = 0.05 + 0.10 * np.exp(-0.15 * t) + 0.002 * np.random.default_rng(2).standard_normal(30)
    y = np.r_[0.0, np.cumsum(g)] + 5
    f = M.fit_slowing_growth(y)
    assert f.params["floor"] == pytest.approx(0.05, abs=0.01)
    assert f.params["rate"] == pytest.approx(0.15, abs=0.05)
    g_next = np.diff(np.r_[y[-1], M.point_slowing_growth(f, 10)])
    assert np.all(np.diff(g_next) <= 1e-9)  # growth keeps converging downwards
    assert g_next[-1] > 0.05 - 0.01


def test_drift_on_tiny_sample_stays_finite():
    f = M.fit_drift(np.array([1.0, 1.1, 1.15, 1.3]))
    sims = M.simulate(f, 11, 5000, np.random.default_rng(0))
    assert np.isfinite(np.exp(sims)).all()
    lo, hi = M.drift_interval(f, 3, 0.8)
    assert np.all(lo < M.point(f, 3)) and np.all(M.point(f, 3) < hi)


def test_naive_is_the_no_change_random_walk():
    """naive: point forecast = last log level; paths are a driftless random walk with the RMS log change."""
    import numpy as np

    from model.forecast import methods as M

    y = np.log([100.0, 110.0, 99.0, 103.95])  # log changes ln1.1, ln0.9, ln1.05
    f = M.fit("naive", y, cache=False)
    sig = np.sqrt(np.mean(np.diff(y) ** 2))
    assert f.method == "naive" and f.params["sigma"] == pytest.approx(sig)
    np.testing.assert_allclose(M.point(f, 3), [y[-1]] * 3)
    sims = M.simulate(f, 4, 20000, np.random.default_rng(1))
    assert abs(np.median(sims[:, 3]) - y[-1]) < 0.01
    assert np.std(sims[:, 3] - sims[:, 2]) == pytest.approx(sig, rel=0.03)
    assert np.std(sims[:, 3]) == pytest.approx(2 * sig, rel=0.03)  # sqrt(4) sigma at h = 4


