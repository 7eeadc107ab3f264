"""Duals on the calibrated 16-cluster model: signs, units, monotonicity in the energy cut."""
import numpy as np
import pyomo.environ as pyo
import pytest

from model.opt.build import build_model, set_target_value
from model.opt.calibrate import params_from_accounts, vendored_accounts
from model.opt.frontier import energy_gdp_frontier
from model.opt.solve import dual_range_check, make_runner, target_table
from model.scenario import load_scenario

# a state in which energy intensity has barely fallen since 2019, so the -10 % target bites
# (no real-GDP ratio: the growth target is left out so that single targets can be isolated)
STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=92.0, hightech_va=7800.0)


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario("plan")
    acc = vendored_accounts("cluster")
    # isolate the energy and high-tech share targets: GDP and high-tech level targets switched off
    s = sc.optimisation.model_copy(update={"gdp_target_2025": 0.0, "hightech_level_2025": 0.0})
    p = params_from_accounts(acc, STATE, s)
    return sc, acc, p


def _runner(p):
    m = build_model(p)
    r = make_runner(m)
    info = r.solve()
    assert info["status"] == "optimal"
    return m, r


def test_energy_and_hightech_duals_have_expected_signs(setup):
    _, _, p = setup
    m, r = _runner(p)
    fr = energy_gdp_frontier(r, n_points=3)
    ei_min, ei_free = fr.attrs["ei_min"], fr.attrs["ei_free"]
    assert ei_min < ei_free
    # an energy cap inside the reachable range binds; loosening it (higher index) raises the objective
    set_target_value(m, "energy_intensity_2025", 0.5 * (ei_min + ei_free))
    r.solve()
    tab = target_table(m).set_index("target")
    assert tab.loc["energy_intensity_2025", "status"] == "binding"
    assert tab.loc["energy_intensity_2025", "dual"] > 0
    chk = dual_range_check(r, "energy_intensity_2025")
    assert chk["slope_up"] == pytest.approx(tab.loc["energy_intensity_2025", "dual"], rel=0.02)
    assert chk["valid_from"] <= 0.5 * (ei_min + ei_free) <= chk["valid_to"]
    # a high-tech share requirement just above the unconstrained outcome binds: raising it lowers the objective
    set_target_value(m, "energy_intensity_2025", 200.0)
    r.solve()
    share_free = target_table(m).set_index("target").loc["hightech_share_2025", "achieved"]
    set_target_value(m, "hightech_share_2025", share_free + 0.2)
    r.solve()
    tab = target_table(m).set_index("target")
    assert tab.loc["hightech_share_2025", "status"] in ("binding", "violated")
    assert tab.loc["hightech_share_2025", "dual"] < 0


def test_tightening_energy_cut_never_raises_optimal_gdp(setup):
    _, _, p = setup
    m, r = _runner(p)
    objs, gdps = [], []
    for cut in np.linspace(0.0, 0.25, 11):          # energy cut vs 2019, 0 % ... 25 %
        set_target_value(m, "energy_intensity_2025", 100 * (1 - cut))
        info = r.solve()
        objs.append(info["objective"])
        gdps.append(pyo.value(sum(m.GDP[t] for t in m.D)))
    assert all(b <= a + 1e-6 * abs(a) for a, b in zip(objs, objs[1:]))
    # ... and the frontier (max GDP 2025 at each cap) is monotone as well
    fr = energy_gdp_frontier(r, n_points=8)
    g = fr.sort_values("ei_cap")["gdp"].to_numpy()
    assert np.all(np.diff(g) >= -1e-6 * g.max())
    assert fr["pareto"].any()


def test_min_investment_gdp_dual_positive(setup):
    sc, acc, _ = setup
    s = sc.optimisation.model_copy(update={"mode": "min_investment", "gdp_target_2025": 23300.0,
                                           "hightech_level_2025": 0.0, "energy_cut_2025": 0.0})
    p = params_from_accounts(acc, STATE, s)
    m, r = _runner(p)
    tab = target_table(m).set_index("target")
    assert tab.loc["gdp_level_2025", "status"] == "binding"
    # one more 亿元 of required 2025 GDP costs investment (in 亿元): positive, and more than 1
    assert tab.loc["gdp_level_2025", "dual"] > 1.0
    chk = dual_range_check(r, "gdp_level_2025")
    assert chk["slope_up"] == pytest.approx(tab.loc["gdp_level_2025", "dual"], rel=0.02)
