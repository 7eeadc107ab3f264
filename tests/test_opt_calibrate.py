"""Calibration of the LP parameters: base-year identities, targets mapping."""
import numpy as np
import pytest

from model.opt.calibrate import params_from_accounts, plan_targets, vendored_accounts
from model.opt.params import OptState
from model.scenario import load_scenario
from opt_fixtures import GDP_REAL_PATH

STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=82.0, hightech_va=7000.0,
             gdp_real_ratio_2019=1.28, gdp_real_path=GDP_REAL_PATH)


@pytest.fixture(scope="module")
def params():
    return params_from_accounts(vendored_accounts("cluster"), STATE, load_scenario("plan").optimisation)


def test_base_year_matches_the_state(params):
    p = params
    assert p.gdp0 == pytest.approx(22128.3)
    assert 100 * (p.hightech_share @ p.va0) / p.gdp0 == pytest.approx(100 * 7000 / 22128.3, rel=1e-9)
    e0 = p.energy_coef @ p.x0 + p.energy_hh * p.gdp0
    assert 100 * e0 / p.gdp0 == pytest.approx(82.0, rel=1e-9)
    assert p.years == tuple(range(2024, 2036))


def test_capital_by_perpetual_inventory_and_one_delta(params):
    from model.io.params import load_parameters
    p = params
    # one delta across modules: the IO module's
    assert np.all(p.delta == load_parameters()["capital"]["depreciation_rate"])
    # kappa comes from the perpetual-inventory stock, not from an assumed steady-state growth rate:
    # K0 / GDP0 is the aggregate K/Y and K_c is proportional to IO depreciation
    from model.opt.capital import calibrate_capital
    from model.io.params import read_long_csv
    from model.paths import DATA
    cap = calibrate_capital(read_long_csv(DATA / "macro" / "czt_best_panel_long.csv"), GDP_REAL_PATH, p.envelope[1], 2017,
                            2024, float(p.delta[0]))
    assert p.k0.sum() / p.gdp0 == pytest.approx(cap.capital_output, rel=1e-9)
    assert 2.0 < cap.capital_output < 5.0
    assert p.envelope[1] == pytest.approx(0.5061, abs=1e-4)           # Hunan 2017 GFCF / GDP
    assert p.inv_share0.sum() == pytest.approx(1.0)
    # other final demand is exogenous: no band around its path
    assert np.all(p.demand_band == 0)


def test_base_year_is_io_consistent(params):
    p = params
    o = p.x0 - p.A @ p.x0 - p.g * p.envelope[1] * p.gdp0
    assert np.all(o >= -1e-6 * p.x0.max())
    assert p.other_fd0 == pytest.approx(np.maximum(o, 0.0))


def test_scenario_goals_become_lp_targets():
    sc = load_scenario("vision_2035")
    st = OptState.from_mapping(dict(STATE, gdp_real_path={2020: 104.0, 2024: 128.0}))
    ts, notes = plan_targets(sc.optimisation, st, tuple(range(2024, 2036)), sc.targets_2035)
    by = {t.id: t for t in ts}
    # plan growth target: lower edge of "8 % 左右" (7.5), from 2020
    assert by["gdp_growth_2025"].value == pytest.approx(7.5) and by["gdp_growth_2025"].base_year == 2020
    assert by["gdp_growth_2025"].base_real_ratio == pytest.approx(104 / 128)
    # doubling 2020 -> 2035 is 4.73 %/yr on average
    assert by["gdp_real_double_2035"].value == pytest.approx(100 * (2 ** (1 / 15) - 1))
    assert by["gdp_level_2030"].kind == "gdp_level" and by["gdp_level_2030"].year == 2030
    assert by["hightech_share_2035"].kind == "hightech_share"
    assert notes == []
