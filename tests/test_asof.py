"""As-of forecast origin: data after T are dropped everywhere (panel, backtests, weights, calibration)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.data import build_panel, load_sources
from model.forecast.calibrate import forecast_errors
from model.projection import _log_columns, joint_inputs, project
from model.scenario import load_scenario


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario("baseline")
    sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": 200})})
    return sc, load_sources()


def _planted(sources: dict, year: int) -> dict:
    """Sources with absurd sentinel values planted in ``year`` (nominal GDP x 100, real growth 90%)."""
    out = {k: v.copy() for k, v in sources.items()}
    p = out["panel"]
    m = (p.year == year) & p.variable.isin(["gdp_nominal", "gdp_real_growth"])
    assert m.any()
    p.loc[m & (p.variable == "gdp_nominal"), "value"] *= 100.0
    p.loc[m & (p.variable == "gdp_real_growth"), "value"] = 90.0
    return out


@pytest.mark.parametrize("T", [2012, 2019])
def test_sentinel_after_origin_changes_nothing(setup, T):
    sc, src = setup
    a = build_panel(src, sc, as_of=T)
    b = build_panel(_planted(src, T + 1), sc, as_of=T)
    pd.testing.assert_frame_equal(a.long, b.long)
    assert a.wide("gdp_nominal").index.max() == T
    pa, pb = project(a, sc), project(b, sc)
    pd.testing.assert_frame_equal(pa.weights, pb.weights)
    for key in pa.paths:
        np.testing.assert_array_equal(pa.paths[key], pb.paths[key])
    # ...while the same sentinel in year T itself does change the forecast
    c = build_panel(_planted(src, T), sc, as_of=T)
    assert not np.allclose(project(c, sc).stat("GDP|Nominal").iloc[-1], pa.stat("GDP|Nominal").iloc[-1])


def test_origin_before_2019_prices_in_origin_year_and_says_so(setup):
    sc, src = setup
    p = build_panel(src, sc, as_of=2010)
    assert p.constants["base_year"] == 2010
    assert p.series("gdp_deflator", "430100")[2010] == pytest.approx(100.0)
    assert p.series("gdp_real", "430100")[2010] == pytest.approx(p.series("gdp_nominal", "430100")[2010])
    assert (p.long[p.long.variable == "gdp_real"].unit == "100m yuan (2010 prices)").all()
    pr = project(p, sc)
    assert pr.origin == 2010 and pr.as_of == 2010
    from model.outputs import forecast_table

    units = forecast_table(p, pr, "asof").groupby("variable")["unit"].unique()
    assert list(units["GDP|Real"]) == ["100m CNY (2010 prices)"]      # the panel's price base, not 2019
    assert list(units["GDP|Deflator"]) == ["index (2010 = 100)"]
    assert list(units["Energy intensity"]) == ["index (2019 = 100)"]   # anchored on 2019 whatever the origin
    assert "Population|Resident" not in pr.first_forecast_year  # no census-basis series before 2020
    # real growth is unchanged by the price base: same as the latest panel's
    full = build_panel(src, sc)
    g_a = p.series("gdp_real", "430100").pct_change().loc[2000:2010]
    g_f = full.series("gdp_real", "430100").pct_change().loc[2000:2010]
    np.testing.assert_allclose(g_a.to_numpy(), g_f.to_numpy(), rtol=1e-12)


def test_nested_calibration_errors_never_see_after_origin(setup):
    sc, src = setup
    T = 2014
    p = build_panel(src, sc, as_of=T)
    logs = _log_columns(joint_inputs(p, sc)["GDP|Real"])
    err = forecast_errors(logs, "ets_damped", max_horizon=10, n_paths=50)
    assert len(err) and int((err.origin + err.horizon).max()) == T
    # and the backtest behind the weights ends at T as well: nothing after T is in its input
    assert int(logs.index.max()) == T


def test_as_of_is_validated(setup):
    sc, _ = setup
    from model.errors import CztInputError
    from model.overrides import apply_overrides

    with pytest.raises(CztInputError, match="as_of"):
        apply_overrides(sc, {"forecast.as_of": 1990})


def test_origin_after_the_data_is_one_line_error(setup):
    sc, src = setup
    from model.errors import CztInputError

    with pytest.raises(CztInputError, match="after the latest year"):
        build_panel(src, sc, as_of=2030)


def test_interpolated_population_years_carry_intercensal_uncertainty(setup):
    sc, src = setup
    p = build_panel(src, sc)
    pr = project(p, sc)
    sigma = p.constants["pop"]["bridge_sigma"]
    assert sigma and sigma > 0
    x = np.log(pr.paths[("Population|Resident", "430100")])
    k = {y: int(np.searchsorted(pr.years, y)) for y in (2010, 2015, 2019, 2020)}
    assert np.ptp(x[:, k[2010]]) == 0 and np.ptp(x[:, k[2020]]) == 0       # pinned at the censuses
    # bridge s.d. sigma * sqrt(t (10 - t) / 10): 5 years in, sqrt(2.5) sigma (200 paths: within 25%)
    assert np.std(x[:, k[2015]]) == pytest.approx(sigma * np.sqrt(2.5), rel=0.25)
    assert np.std(x[:, k[2019]]) == pytest.approx(sigma * np.sqrt(0.9), rel=0.25)
    czt = pr.paths[("Population|Resident", "CZT")]
    np.testing.assert_allclose(czt, sum(pr.paths[("Population|Resident", c)] for c in ("430100", "430200", "430300")))


def test_plan_figures_after_origin_are_not_the_latest_observation(setup):
    from model.data.loader import load_plan_figures
    from model.report.scorecard import _latest
    from model.targets import load_targets

    sc, src = setup
    rd = next(t for t in load_targets() if t.id == "rd_share")       # latest value from plan_figures.csv (2019)
    figs = load_plan_figures()
    v, y, _ = _latest(rd, build_panel(src, sc), figs)
    assert y == 2019 and v == pytest.approx(2.5)                      # plan_figures.csv: CZT 2019, 2.5 %
    assert _latest(rd, build_panel(src, sc, as_of=2015), figs) == (None, None, "")
