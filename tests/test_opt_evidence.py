"""The upgrading bound: one value, in one parameter file, re-derived from the vendored data."""
import pytest

from model.opt.config import load_opt_config
from model.opt.evidence import fastest_share_gain, hightech_share_observations


def test_observations_published_or_level_over_first_release_gdp():
    obs = hightech_share_observations().set_index("year")
    assert list(obs.index) == [2018, 2019, 2022, 2023]
    assert obs.loc[2018, "share"] == 23.2 and obs.loc[2022, "share"] == 24.4      # published
    assert obs.loc[2019, "share"] == pytest.approx(100 * 9472.89 / 39752.1)       # level / GDP
    assert obs.loc[2019, "how"].startswith("derived")


def test_parameter_equals_the_derivation():
    gain, where = fastest_share_gain()
    assert gain == pytest.approx((100 * 9472.89 / 39752.1 - 23.2) / 100)         # 2018 -> 2019 by hand
    assert "2018-2019" in where
    assert load_opt_config()["upgrading"]["max_share_gain_per_year"] == pytest.approx(gain, abs=5e-5)


def test_lp_and_levers_read_the_same_bound():
    from model.engine.levers import upgrading_bound
    from model.opt.structural import calibrate_structural
    from model.scenario import load_scenario
    from opt_fixtures import synthetic_state
    sp = calibrate_structural(load_scenario("plan"), synthetic_state())
    assert upgrading_bound()[0] == pytest.approx(100 * sp.upgrade_step)
