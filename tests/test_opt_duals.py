"""Shadow prices only for binding targets, with validity ranges from HiGHS ranging, checked by re-solving."""
import numpy as np
import pytest

from model.opt import planner
from model.opt.params import Target
from model.opt.pathlp import PathLP
from model.opt.toy import toy_path, toy_structural


def _toy_with(target):
    lp = PathLP(toy_structural(targets=(target,)))
    return lp, lp.solve(toy_path())


def test_binding_gdp_target_has_a_price_that_re_solving_confirms():
    # the unconstrained toy optimum has GDP1 = 360/17 = 21.18; requiring 21.5 in year 1 binds?
    # no: it is above what the bounds allow -> missed, no price. 21.0 is met without binding. Between the
    # control's 20 and the free optimum a GDP target does not bind either (the objective already maximises
    # GDP); a binding GDP target needs the min-investment mode.
    tg = Target("g1", "gdp_level", 1, 20.5)
    lp = PathLP(toy_structural(targets=(tg,), mode="min_investment"))
    s = lp.solve(toy_path())
    row = s.targets.set_index("target").loc["g1"]
    assert row["status"] == "binding"
    prices = planner.shadow_prices(lp, s).set_index("target")
    cost = prices.loc["g1", "marginal_cost"]
    # by hand: each 亿元 of year-1 GDP above 20 comes from import substitution in a, Z_a = d_a/2, which costs
    # d_a = 2 of investment in year 1 plus the terminal row's 0.1 d_a in year 2: 2.2 per 亿元
    assert cost == pytest.approx(2.2, rel=1e-9)
    assert prices.loc["g1", "cost_unit"].startswith("100m yuan of investment (")  # min_investment: no GDP objective
    lo, hi = prices.loc["g1", "valid_from"], prices.loc["g1", "valid_to"]
    assert lo <= 20.5 <= hi
    # finite differences inside the range agree with the price
    obj0 = s.objective
    lp.set_target_value("g1", 20.6)
    s2 = lp.solve(toy_path())
    assert (obj0 - s2.objective) / 0.1 == pytest.approx(cost, rel=1e-6)


def test_missed_and_slack_targets_get_no_price():
    lp, s = _toy_with(Target("g1", "gdp_level", 1, 30.0))      # beyond the bounds
    assert s.targets.iloc[0]["status"] == "missed"
    assert planner.shadow_prices(lp, s).empty
    lp, s = _toy_with(Target("g1", "gdp_level", 1, 15.0))      # met with room
    assert s.targets.iloc[0]["status"] == "met"
    assert planner.shadow_prices(lp, s).empty


def test_best_reachable_and_extra_investment_by_hand():
    tg = Target("g1", "gdp_level", 1, 23.0)
    lp, s = _toy_with(tg)
    # best year-1 GDP within the bounds: all year-1 room goes to a: d_a = 2/0.85 -> 20 + 20/17
    assert planner.best_reachable(lp, "g1") == pytest.approx(360 / 17, rel=1e-6)
    # with the envelope lifted, GDP1 = 23 needs Z_a = 3 -> d_a = 6: I_a1 = 8 vs the plan's 74/17
    extra = planner.extra_investment(lp, "g1", s.investment_total)
    assert extra == pytest.approx((8 + 2) - (74 / 17 + 2), rel=1e-6)
    # beyond the import-substitution room (Z_a <= 5 in year 1, Z_b <= 5) nothing is enough
    lp2, s2 = _toy_with(Target("g1", "gdp_level", 1, 31.0))
    assert planner.extra_investment(lp2, "g1", s2.investment_total) is None
    # the plan is restored afterwards
    assert lp.solve(toy_path()).objective == pytest.approx(s.objective, rel=1e-12)
