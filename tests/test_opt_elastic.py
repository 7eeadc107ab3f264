"""Elastic targets: contradictory targets still solve; slacks name the targets, in their units."""
import pytest

from model.opt.params import Target
from model.opt.solve import diagnose_conflicts, solve_params, target_table
from model.opt.toy import toy_params


def test_unreachable_gdp_target_reports_shortfall_in_its_units():
    # max GDP in year 1 is 20 (hand-derived); at a deflator of 1.1 the nominal target 27.5 is 25 real
    t = Target("gdp", "gdp_level", 1, 27.5)
    out = solve_params(toy_params((t,), deflator=[1.0, 1.1]))
    tab = target_table(out.model).set_index("target")
    assert tab.loc["gdp", "status"] == "violated"
    assert tab.loc["gdp", "achieved"] == pytest.approx(22.0)          # 20 real x 1.1
    assert tab.loc["gdp", "slack"] == pytest.approx(5.5)              # nominal 亿元
    assert tab.loc["gdp", "slack_model"] == pytest.approx(5.0)        # base-year prices
    # a violated target's price is the penalty (per unit of the nominal target: 1000 / 1.1)
    assert tab.loc["gdp", "dual"] == pytest.approx(-1000 / 1.1, rel=1e-9)
    assert "penalty" in tab.loc["gdp", "dual_note"]


def test_contradictory_targets_solve_and_both_are_named():
    # each target is reachable alone (GDP 19.5 <= 20; EI 50 reachable at GDP 135/7 = 19.29),
    # but not together: along the frontier GDP = 54 / (3.8 - 2c)
    tg = (Target("gdp", "gdp_level", 1, 19.5), Target("ei", "energy_intensity", 1, 50.0))
    out = solve_params(toy_params(tg))
    assert out.info["status"] == "optimal"
    tab = target_table(out.model).set_index("target")
    assert (tab["status"] == "violated").any()
    total = tab["slack_model"].sum()
    assert total > 1e-3
    diag = diagnose_conflicts(out.runner)
    assert diag["unreachable_alone"] == {}
    assert diag["conflicting_pairs"] and set(diag["conflicting_pairs"][0][:2]) == {"gdp", "ei"}
    assert diag["all_jointly_reachable"] is False
    # phase 1 minimum of the joint slack (hand-derived): GDP 19.5 needs c = (3.8 - 54/19.5)/2
    c = (3.8 - 54 / 19.5) / 2
    # min S_gdp + S_e is attained at a vertex; it can only be lower than the slack of c at GDP 19.5
    assert diag["min_total_slack"] <= (c - 0.5) * 19.5 + 1e-9
    assert diag["min_total_slack"] > 0


def test_infeasible_targets_in_min_investment_mode_still_solve():
    tg = (Target("gdp", "gdp_level", 1, 30.0), Target("ht", "hightech_share", 1, 99.0))
    out = solve_params(toy_params(tg, mode="min_investment"))
    tab = target_table(out.model).set_index("target")
    assert set(tab.index[tab["status"] == "violated"]) == {"gdp", "ht"}
    assert tab.loc["gdp", "slack"] > 0 and tab.loc["ht", "slack"] > 0
    assert tab.loc["ht", "unit"] == "percent of GDP"
