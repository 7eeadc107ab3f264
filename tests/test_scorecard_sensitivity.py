"""The energy verdict across the plausible range of the assumption it rests on."""
import numpy as np
import pytest

from model.report.scorecard import energy_assumption_sensitivity


@pytest.fixture(scope="module")
def run():
    from model.runner import run_scenario

    return run_scenario("baseline", write=False, n_paths=300)


def test_energy_probability_across_the_assumption_range(run):
    card = run.scorecard.set_index("target")
    t = next(t for t in __import__("model.scenario.targets", fromlist=["load_targets"]).load_targets()
             if t.id == "energy_intensity")
    d = energy_assumption_sensitivity(t, run.panel, run.projection)
    # the range is Hunan's observed yoy changes (2016-2018, 2020): -5.34 ... -1.98 %/yr
    assert d["grid"][0] == pytest.approx(-5.34) and d["grid"][-1] == pytest.approx(-1.98)
    # a slower fall of intensity can only lower the chance of a 10% cut
    assert (np.diff(d["prob"]) <= 1e-12).all()
    assert d["prob"][-1] < d["prob"][0]
    # at the default itself the shifted paths are the paths: same P as the scorecard
    at_default = energy_assumption_sensitivity(t, run.panel, run.projection, grid=[d["default"]])
    assert at_default["prob"][0] == pytest.approx(card.loc["energy_intensity", "prob_meet"], abs=1e-12)
    assert "-1.98%/yr" in card.loc["energy_intensity", "prob_meet_across_assumption"]
    assert card.loc["gdp_level", "prob_meet_across_assumption"] == ""
