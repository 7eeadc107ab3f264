"""Bad parameters, bad state and a missing solver give clear one-line errors (conflicting hard rows are
reported, never raised: tests/test_opt_pathlp.py)."""
import sys

import numpy as np
import pytest

from model.errors import CztInputError, SolverUnavailableError
from model.opt.params import OptState
from model.opt.toy import toy_structural


@pytest.mark.parametrize("change, words", [
    (dict(kappa=np.array([-1.0, 4.0])), "kappa"),
    (dict(A=np.array([[0.6, 0.0], [0.5, 0.0]])), "not productive"),
    (dict(max_decline=0.05), "max_decline"),
    (dict(v=np.array([1.0, 1.5])), "v: value-added"),
    (dict(inv_share0=np.array([0.7, 0.7])), "inv_share0"),
    (dict(envelope=np.array([0.2, 0.3, np.nan])), "envelope"),
    (dict(hightech_cap=np.array([0.0, 0.2])), "hightech"),
    (dict(va0=np.array([10.0])), "va0: shape"),
])
def test_bad_parameters_raise_one_line_errors(change, words):
    with pytest.raises(CztInputError) as exc:
        toy_structural(**change)
    assert words in str(exc.value)
    assert "\n" not in str(exc.value)


def test_bad_state_raises():
    with pytest.raises(CztInputError, match="missing keys"):
        OptState.from_mapping({"year": 2024, "gdp_nominal": 1.0})
    with pytest.raises(CztInputError, match="hightech_va"):
        OptState.from_mapping({"year": 2024, "gdp_nominal": 100.0, "energy_intensity_index": 90.0,
                               "hightech_va": 150.0})
    with pytest.raises(CztInputError, match="unknown keys"):
        OptState.from_mapping({"year": 2024, "gdp_nominal": 100.0, "energy_intensity_index": 90.0,
                               "hightech_va": 10.0, "gpd": 1})


def test_runner_state_dict_is_accepted():
    d = {"year": 2024, "gdp_nominal": 22128.3, "gdp_real_2019prices": 21000.0, "gdp_nominal_2019": 16835.0,
         "energy_intensity_index": {"year": 2020, "value": 98.0},
         "hightech_va": {"year": 2023, "value": 8000.0},
         "forecast_median": {"Energy intensity": {2020: 98.0, 2024: 84.0, 2025: 82.0},
                             "High-tech VA": {2023: 8100.0, 2024: 8700.0},
                             "GDP|Deflator": {2024: 110.0, 2025: 111.1, 2026: 112.2}}}
    st = OptState.from_mapping(d)
    assert st.energy_intensity_index == pytest.approx(98.0 * 84.0 / 98.0)
    assert st.hightech_va == pytest.approx(8000.0 * 8700.0 / 8100.0)
    assert st.gdp_real_ratio_2019 == pytest.approx(21000.0 / 16835.0)
    assert st.deflator[2025] == pytest.approx(1.01)


def test_missing_solver_raises(monkeypatch):
    from model.opt.pathlp import PathLP
    monkeypatch.setitem(sys.modules, "highspy", None)      # import highspy -> ImportError
    with pytest.raises(SolverUnavailableError, match="highspy"):
        PathLP(toy_structural())
