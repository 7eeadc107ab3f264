"""The plan's goals as LP targets (the structural calibration is tested in test_opt_pathlp/test_opt_capital)."""
import pytest

from model.opt.targets import plan_targets
from model.opt.params import OptState
from model.scenario import load_scenario
from opt_fixtures import GDP_REAL_PATH

STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=82.0, hightech_va=7000.0,
             gdp_real_ratio_2019=1.28, gdp_real_path=GDP_REAL_PATH)


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
