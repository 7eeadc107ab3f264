"""Two-cluster toy with hand-derived optima (see model/opt/toy.py for the derivation)."""
import math

import pyomo.environ as pyo
import pytest

from model.opt.build import build_model, set_target_value
from model.opt.params import Target
from model.opt.solve import dual_range_check, make_runner, solve_params, target_table
from model.opt.toy import toy_params


def _alloc(m):
    return pyo.value(m.I["a", 1]), pyo.value(m.I["b", 1])


@pytest.mark.parametrize("solver", ["highs", "appsi_highs"])
def test_max_gdp_without_targets_matches_hand_derivation(solver):
    out = solve_params(toy_params(), solver)
    m = out.model
    assert out.info["objective"] == pytest.approx(20.0, rel=1e-9)
    ia, ib = _alloc(m)
    assert ia == pytest.approx(4.0, abs=1e-7) and ib == pytest.approx(0.0, abs=1e-7)
    assert pyo.value(m.VA["a", 1]) == pytest.approx(11.0) and pyo.value(m.VA["b", 1]) == pytest.approx(9.0)
    # the envelope binds: investment = 0.2 GDP
    assert pyo.value(m.Itot[1]) == pytest.approx(0.2 * 20.0)


@pytest.mark.parametrize("solver", ["highs", "appsi_highs"])
def test_energy_cap_optimum_and_shadow_price(solver):
    t = Target("ei", "energy_intensity", 1, 50.0)
    out = solve_params(toy_params((t,)), solver)
    m = out.model
    assert out.info["objective"] == pytest.approx(135 / 7, rel=1e-9)
    ia, ib = _alloc(m)
    assert ia == pytest.approx(9 / 7, abs=1e-7) and ib == pytest.approx(18 / 7, abs=1e-7)
    tab = target_table(m).set_index("target")
    assert tab.loc["ei", "status"] == "binding"
    assert tab.loc["ei", "achieved"] == pytest.approx(50.0)
    # d GDP / d value = 108 / (100 (3.8 - 2c)^2) at c = 0.5, positive: loosening the cap raises GDP
    expected = 108 / (100 * (3.8 - 1.0) ** 2)
    assert tab.loc["ei", "dual"] == pytest.approx(expected, rel=1e-6)
    chk = dual_range_check(out.runner, "ei")
    assert chk["slope_up"] == pytest.approx(expected, rel=1e-3)
    assert chk["slope_down"] == pytest.approx(expected, rel=1e-3)
    # the optimal value is 54/(3.8-2c): the finite-difference slope leaves the 2 % band around the dual
    # at value 52.745 (solve (f(0.5+D)-f(0.5))/D = 1.02 dual); below 47.5 the regime changes (I_a = 0)
    assert chk["valid_to"] == pytest.approx(52.745, abs=0.06)
    assert chk["valid_from"] == pytest.approx(47.5, abs=0.1)
    # the model is restored after the check
    assert pyo.value(m.obj) == pytest.approx(135 / 7, rel=1e-9)


def test_parametric_energy_cap_matches_closed_form():
    t = Target("ei", "energy_intensity", 1, 50.0)
    m = build_model(toy_params((t,)))
    r = make_runner(m)
    for value in (47.5, 49.0, 50.0, 52.0, 55.0):
        set_target_value(m, "ei", value)
        info = r.solve()
        c = value / 100
        assert info["objective"] == pytest.approx(54 / (3.8 - 2 * c), rel=1e-9)


def test_min_investment_hand_derivation():
    t = Target("gdp", "gdp_level", 1, 19.0)
    out = solve_params(toy_params((t,), mode="min_investment"))
    assert out.info["objective"] == pytest.approx(2.0, rel=1e-9)
    ia, ib = _alloc(out.model)
    assert ia == pytest.approx(2.0, abs=1e-7) and ib == pytest.approx(0.0, abs=1e-7)
    tab = target_table(out.model).set_index("target")
    # one more 亿元 of required GDP costs 2 亿元 of investment (1 / 0.5 VA per unit in cluster a)
    assert tab.loc["gdp", "status"] == "binding"
    assert tab.loc["gdp", "dual"] == pytest.approx(2.0, rel=1e-9)


def test_discounting_and_growth_bound_bind_in_a_longer_horizon():
    p = toy_params(years=(0, 1, 2), envelope=[0.2, 0.2, 0.2], deflator=[1, 1, 1], demand_band=[0, 1, 1],
                   max_growth=0.05, discount_rate=0.1)
    out = solve_params(p)
    m = out.model
    # VA of cluster a cannot grow more than 5 %/yr: 10.5 then 11.025
    assert pyo.value(m.VA["a", 1]) == pytest.approx(10.5)
    assert pyo.value(m.VA["a", 2]) == pytest.approx(11.025)
    assert math.isfinite(out.info["objective"])
