"""czt evaluate: metrics by hand on a synthetic case; conformal calibration; a short end-to-end run."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.engine.evaluate import FORECAST_COLUMNS, evaluate, evaluate_origin, summarise
from model.forecast.calibrate import half_widths, stretch_to_width


def _row(region, origin, h, actual, med, q10, q90, q05, q95, drift_err, crps, pit, revision=0.0):
    le = np.log(med) - np.log(actual)
    return dict(variable="GDP|Nominal", region=region, origin=origin, horizon=h, year=origin + h, actual=actual,
                median=med, q05=q05, q10=q10, q90=q90, q95=q95, log_error=le, ape=abs(med / actual - 1) * 100,
                drift_log_error=drift_err, crps=crps, pit=pit, in_80=q10 <= actual <= q90, in_90=q05 <= actual <= q95,
                revision=revision)


def test_summary_metrics_by_hand():
    rows = [_row("430100", 2010, 1, 100.0, 110.0, 95, 120, 90, 130, 0.2, 3.0, 0.3, revision=0.04),
            _row("430200", 2010, 1, 200.0, 180.0, 205, 230, 170, 240, -0.1, 5.0, 0.6, revision=-0.01),
            _row("CZT", 2010, 1, 300.0, 290.0, 250, 310, 240, 320, 0.05, 1.0, 0.5)]
    f = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    s = summarise(f, (2010, 2010)).set_index(["group", "horizon"])
    c = s.loc[("cities", 1)]
    assert c.n == 2
    assert c.mape == pytest.approx((10 + 10) / 2)
    assert c.bias == pytest.approx(100 * (np.log(1.1) + np.log(0.9)) / 2)
    assert c.bias_revision == pytest.approx(100 * (0.04 - 0.01) / 2)
    assert c.mase_drift == pytest.approx((np.log(1.1) + abs(np.log(0.9))) / (0.2 + 0.1))
    assert c.coverage_80 == pytest.approx(0.5) and c.coverage_90 == pytest.approx(1.0)
    assert c.crps == pytest.approx(4.0)
    z = s.loc[("CZT", 1)]
    assert z.n == 1 and z.mape == pytest.approx(100 / 30) and z.coverage_80 == 1.0


def test_revision_gap_is_the_census_rebasing_of_the_shipped_panel():
    """rho = log N - log(R D / 100) closes nominal = real x deflator exactly, and for a city it moves only
    in its census-break years (where the deflator takes Hunan CPI): Changsha's 4th-census rebasing,
    2016 -> 2019, is a downward revision of about 9 log points."""
    from model.data import build_panel, load_sources
    from model.engine.evaluate import _revision_gap
    from model.scenario import load_scenario

    sc = load_scenario("baseline")
    p = build_panel(load_sources(), sc)
    for c in ("430100", "430200", "430300"):
        g = _revision_gap(p, c)
        rd = p.series("gdp_real", c) * p.series("gdp_deflator", c) / 100
        np.testing.assert_allclose(np.exp(g) * rd.loc[g.index], p.series("gdp_nominal", c).loc[g.index], rtol=1e-12)
        moves = set(g.index[1:][np.abs(np.diff(g.to_numpy())) > 1e-9])
        assert moves and moves <= set(sc.panel.deflator_break_years[c])
    g = _revision_gap(p, "430100")
    assert 0.08 < g[2016] - g[2019] < 0.11


def test_crps_from_the_library_matches_the_definition():
    import scoringrules as sr

    # ensemble {0, 1}, outcome 0: E|X - y| - E|X - X'|/2 = 0.5 - 0.25
    assert float(sr.crps_ensemble(0.0, np.array([0.0, 1.0]))) == pytest.approx(0.25)


def test_conformal_half_widths_by_hand():
    err = pd.DataFrame({"horizon": [1, 1, 2, 2, 1, 2], "error": [0.01, -0.03, 0.08, -0.02, 0.02, 0.05]})
    # |e|/h = .01 .03 .04 .01 .02 .025 -> sorted .01 .01 .02 .025 .03 .04; k = ceil(7 * .8) = 6
    w = half_widths(err, 3, level=0.8, min_n=6)
    np.testing.assert_allclose(w, [0.04, 0.08, 0.12])
    assert half_widths(err.iloc[:5], 3, min_n=6) is None
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, size=(4000, 3)) * [0.01, 0.02, 0.03] + 5.0
    y = stretch_to_width(x, w)
    q10, q50, q90 = np.quantile(y, [0.1, 0.5, 0.9], axis=0)
    np.testing.assert_allclose((q90 - q10) / 2, w, rtol=1e-9)
    np.testing.assert_allclose(q50, np.median(x, axis=0))


def test_weighted_and_windowed_conformal_by_hand():
    """Non-exchangeable conformal (Barber et al. 2023): weights rho^(errors with a later outcome
    year), the test point weight 1 at +inf; and a rolling window of outcome years."""
    err = pd.DataFrame({"origin": [2000, 2001, 2002, 2003], "horizon": [1, 1, 1, 1],
                        "error": [0.04, -0.03, 0.02, -0.01]})
    # outcome years 2001..2004 -> weights .125 .25 .5 1; sorted by |e|: .01(1) .02(.5) .03(.25) .04(.125)
    # cumulative / (1.875 + 1): .348 .522 .609 .652
    assert half_widths(err, 1, level=0.5, min_n=4, decay=0.5)[0] == pytest.approx(0.02)
    assert half_widths(err, 1, level=0.6, min_n=4, decay=0.5)[0] == pytest.approx(0.03)
    assert half_widths(err, 2, level=0.8, min_n=4, decay=0.5)[1] == pytest.approx(2 * 0.04)  # none reaches .8
    # rho = 1 is the unweighted quantile: k = ceil(5 * .5) = 3 -> .03
    assert half_widths(err, 1, level=0.5, min_n=4, decay=1.0)[0] == pytest.approx(0.03)
    # window of 2 outcome years up to 2004 keeps 2003 and 2004: |e| .02 .01, k = ceil(3 * .5) = 2
    assert half_widths(err, 1, level=0.5, min_n=2, origin=2004, window=2)[0] == pytest.approx(0.02)
    assert half_widths(err, 1, level=0.5, min_n=3, origin=2004, window=2) is None


@pytest.fixture(scope="module")
def short_eval():
    from model.scenario import load_scenario

    sc = load_scenario("baseline")
    sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": 200})})
    return sc, evaluate(sc, (2017, 2018), horizons=(1, 2))


def test_evaluation_end_to_end_short(short_eval):
    sc, ev = short_eval
    f = ev.forecasts
    assert set(f.origin) >= {2017, 2018}
    gdp = f[f.variable == "GDP|Nominal"]
    assert len(gdp) == 2 * 2 * 4  # origins x horizons x (3 cities + CZT)
    assert ((f.pit >= 0) & (f.pit <= 1)).all() and (f.crps >= 0).all()
    s = ev.summary
    assert {"cities", "CZT"} <= set(s.group)
    assert s[["coverage_80", "coverage_90"]].stack().between(0, 1).all()
    # population only on genuine observations: origins with a census-basis series (>= 2020)
    assert (f[f.variable == "Population|Resident"].origin >= 2020).all()
    # census rebasing: rho_T - rho_{T+h} from the latest-vintage panel, > 0 = the level was later revised down
    from model.data import build_panel, load_sources
    from model.engine.evaluate import _revision_gap

    full = build_panel(load_sources(), sc)
    for r in gdp.itertuples():
        g = _revision_gap(full, r.region)
        assert r.revision == pytest.approx(g[r.origin] - g[r.year], abs=1e-12)
    cs = gdp[(gdp.region == "430100") & (gdp.origin == 2017) & (gdp.horizon == 2)].revision.item()
    assert 0.07 < cs < 0.09  # Changsha 2017 -> 2019: the 4th economic census revised the level down ~8 log points
    assert f[f.variable != "GDP|Nominal"].revision.isna().all()


def test_evaluation_scores_what_czt_run_delivers(short_eval):
    """Same code path: the scored median is the as-of run's median."""
    from model.data import build_panel, load_sources
    from model.engine.projection import project

    sc, ev = short_eval
    sc17 = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"as_of": 2017})})
    proj = project(build_panel(load_sources(), sc17), sc17)
    row = ev.forecasts.query("variable == 'GDP|Nominal' and region == 'CZT' and origin == 2017 and horizon == 2").iloc[0]
    assert row["median"] == pytest.approx(float(np.median(proj.at("GDP|Nominal", 2019, "CZT"))))
    full = build_panel(load_sources(), sc)
    assert row["actual"] == pytest.approx(full.series("gdp_nominal", "CZT")[2019])


def test_mean_reversion_point_forecast_by_hand():
    from model.forecast import methods as M

    g = [0.10, 0.09, 0.08, 0.07, 0.06, 0.05, 0.08, 0.09, 0.10]
    y = np.concatenate([[0.0], np.cumsum(g)])
    f = M.fit("mean_reversion", pd.Series(y, index=range(2000, 2000 + y.size)))
    g0 = (0.08 + 0.09 + 0.10) / 3
    rho = 0.3 ** 0.1
    want = y[-1] + np.cumsum([0.02 + (g0 - 0.02) * rho ** j for j in (1, 2, 3)])
    np.testing.assert_allclose(M.point(f, 3), want)
    sims = M.simulate(f, 3, 20000, np.random.default_rng(1))
    np.testing.assert_allclose(sims.mean(axis=0), want, atol=3e-3)


def test_evaluation_is_reproducible(short_eval):
    """Same seed, same settings -> the same scores (fresh computation vs stored tables)."""
    sc, ev = short_eval
    again = evaluate(sc, (2017, 2017), horizons=(1, 2))
    a = ev.forecasts[ev.forecasts.origin == 2017].reset_index(drop=True)
    b = again.forecasts[again.forecasts.origin == 2017].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_stored_evaluation_summary_is_current():
    """README's accuracy table comes from this table: it must match data, settings and code."""
    from model.engine.evaluate import stored_summary_current
    from model.scenario import load_scenario

    assert stored_summary_current(load_scenario("baseline")), \
        "stale calibration/backtests/evaluation_summary.csv: run `czt evaluate --store`"


def test_mixture_errors_use_only_earlier_outcomes_by_hand():
    from model.forecast.calibrate import ERROR_COLUMNS, mixture_errors

    rows = []
    # origin 2000: no earlier outcome -> equal weights; origin 2001: 2000's h=1 errors are known (2001 <= 2001)
    for m, e0, e1 in (("a", 0.10, 0.30), ("b", 0.30, -0.10)):
        rows.append(("430100", m, 2000, 1, e0, 1.0, e0))
        rows.append(("430100", m, 2001, 1, e1, 2.0, e1 / 2))
    err = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    mix = mixture_errors(err).set_index("origin")
    assert mix.at[2000, "error"] == pytest.approx(0.5 * 0.10 + 0.5 * 0.30)
    # weights at 2001 ∝ 1/|e| at 2000: a 1/0.1 = 10, b 1/0.3 -> w_a = 0.75
    assert mix.at[2001, "error"] == pytest.approx(0.75 * 0.30 + 0.25 * -0.10)
    assert mix.at[2001, "scale"] == pytest.approx(2.0)


def test_error_correlation_says_how_far_cities_miss_together():
    from model.forecast.calibrate import ERROR_COLUMNS, error_correlation

    z = np.array([1.0, -0.5, 2.0, 0.3, -1.2, 0.8])
    rows = []
    for i, v in enumerate(z):
        rows.append(("430100", "m", 2000 + i, 1, v, 1.0, v))
        rows.append(("430200", "m", 2000 + i, 1, 2 * v, 1.0, 2 * v))    # same miss, larger
        rows.append(("430300", "m", 2000 + i, 1, -v, 1.0, -v))         # opposite miss
    R = error_correlation(pd.DataFrame(rows, columns=ERROR_COLUMNS), ["430100", "430200", "430300"])
    np.testing.assert_allclose(R, [[1, 1, -1], [1, 1, -1], [-1, -1, 1]], atol=1e-5)
    assert error_correlation(pd.DataFrame(rows[:6], columns=ERROR_COLUMNS), ["430100", "430200"]) is None


def test_per_horizon_conformal_by_hand():
    """by_horizon: each horizon's own conformal quantile of |e|; fewer than min_n errors at a
    horizon (and horizons beyond the table) scale the longest calibrated horizon by h / h';
    the widths never narrow with the horizon."""
    err = pd.DataFrame({"horizon": [1] * 6 + [2] * 6 + [3] * 3,
                        "error": [0.01, -0.02, 0.03, -0.04, 0.05, 0.06,
                                  -0.02, 0.03, 0.04, -0.05, 0.07, -0.09, 0.5, 0.5, 0.5]})
    # level .5, n = 6: k = ceil(7 * .5) = 4 -> h = 1: .04, h = 2: .05; h = 3 has 3 < 6 errors:
    # (3 / 2) * .05 = .075, h = 4: (4 / 2) * .05 = .10 (its own errors, however large, do not enter)
    np.testing.assert_allclose(half_widths(err, 4, level=0.5, min_n=6, by_horizon=True),
                               [0.04, 0.05, 0.075, 0.10])
    # pooled rule on the same table for contrast: |e|/h of all 15, k = ceil(16 * .5) = 8
    pooled = np.sort(np.abs(err["error"]) / err["horizon"])[7]
    np.testing.assert_allclose(half_widths(err, 2, level=0.5, min_n=6), [pooled, 2 * pooled])
    # a shorter horizon's wider quantile carries forward (running maximum, taken after the fallback:
    # h = 3 is (3 / 2) * .03 = .045 from h = 2's own quantile, then max(.05, .03, .045))
    err2 = pd.DataFrame({"horizon": [1] * 6 + [2] * 6, "error": [0.05] * 6 + [0.03] * 6})
    np.testing.assert_allclose(half_widths(err2, 3, level=0.5, min_n=6, by_horizon=True), [0.05, 0.05, 0.05])
    np.testing.assert_allclose(half_widths(err2, 4, level=0.5, min_n=6, by_horizon=True)[3], 2 * 0.03)
    assert half_widths(err.iloc[12:], 3, min_n=6, by_horizon=True) is None


def test_per_horizon_conformal_keeps_the_whole_table_weights():
    """Weighted conformal per horizon: an error's weight rho^(errors of the WHOLE table with a later
    outcome year) does not change when the table is split by horizon."""
    err = pd.DataFrame({"origin": [2000, 2001, 2000, 2002, 2001], "horizon": [1, 1, 2, 1, 2],
                        "error": [0.03, -0.01, 0.05, 0.02, -0.04]})
    # outcome years 2001 2002 2002 2003 2003; later errors 4 2 2 0 0 -> weights (rho = .5) 1/16 1/4 1/4 1 1
    # h = 1: .01(.25) .02(1) .03(.0625), total 1.3125 + 1 -> cumulative .108 .541 .568 -> level .42: .02
    # h = 2: .04(1) .05(.25), total 1.25 + 1 -> cumulative .444 .556 -> level .42: .04
    # (weights counted within h = 2 alone, .5 and 1, would give .4 .6 -> .05)
    np.testing.assert_allclose(half_widths(err, 3, level=0.42, min_n=2, decay=0.5, by_horizon=True),
                               [0.02, 0.04, 0.06])


def test_local_volatility_by_hand():
    """RMS of the second differences of the log levels over the window, pooled over regions."""
    from model.forecast.calibrate import local_volatility

    wl = pd.DataFrame({"a": [0.0, 0.1, 0.3, 0.4, 0.4], "b": [0.0] * 5}, index=range(2000, 2005))
    v = local_volatility(wl, 2)  # d2 of a: .1 (2002), -.1 (2003), -.1 (2004); of b: 0
    assert np.isnan(v[2000]) and np.isnan(v[2001])
    assert v[2002] == pytest.approx(np.sqrt(0.01 / 2))
    assert v[2004] == pytest.approx(np.sqrt(0.02 / 4))
    # a missing year is a gap: the window counts years, and no second difference spans the gap
    vg = local_volatility(wl.drop(2001), 2)
    assert list(vg.index) == list(range(2000, 2005)) and np.isnan(vg[2002]) and np.isnan(vg[2003])
    assert vg[2004] == pytest.approx(np.sqrt(0.01 / 2))   # only 2004's d2 of a (-.1) and of b (0)


def test_normalised_conformal_by_hand():
    """Normalised split-conformal: r = |e| / (h v_origin); w_h = h v_T r_(k)."""
    err = pd.DataFrame({"origin": [2000] * 3 + [2001] * 3, "horizon": [1] * 6,
                        "error": [0.01, -0.02, 0.03, 0.02, -0.04, 0.08]})
    vol = pd.Series({2000: 0.01, 2001: 0.02, 2002: 0.05})
    # r = 1 2 3 1 2 4 -> sorted 1 1 2 2 3 4; k = ceil(7 * .8) = 6 -> 4
    np.testing.assert_allclose(half_widths(err, 2, min_n=6, origin=2002, volatility=vol), [0.2, 0.4])
    # the same errors without normalisation: |e| sorted .01 .02 .02 .03 .04 .08 -> .08 per year
    np.testing.assert_allclose(half_widths(err, 2, min_n=6), [0.08, 0.16])
    assert half_widths(err, 2, min_n=6, origin=2003, volatility=vol) is None  # no volatility known at T
    assert half_widths(err, 2, min_n=6, origin=2002, volatility=vol.drop(2000)) is None  # 3 errors left < 6
