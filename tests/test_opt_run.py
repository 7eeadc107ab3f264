"""The optimisation entry point writes the promised files and says what happened."""
import json

import numpy as np
import pandas as pd
import pytest

from model.results.iamc import check_iamc
from model.opt import run_optimisation
from model.scenario import load_scenario
from opt_fixtures import synthetic_state


def _scenario(**opt):
    sc = load_scenario("plan")
    return sc.model_copy(update={"optimisation": sc.optimisation.model_copy(update={"frontier_points": 6, **opt})})


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("plan")
    return d, run_optimisation(_scenario(), synthetic_state(), d)


def test_run_plan_writes_outputs(run):
    d, s = run
    json.dumps(s)                                       # serialisable for run.json
    assert s["status"] == "optimal"
    assert s["status_line"].startswith("LP solved — targets:") and "optimal" not in s["status_line"]
    for f in ("allocation.csv", "targets_feasibility.csv", "conflicts.csv", "frontier.csv", "frontier.png", "model.mps"):
        assert (d / f).stat().st_size > 0
    alloc = pd.read_csv(d / "allocation.csv", keep_default_na=False)
    assert check_iamc(alloc).empty
    assert {"Optimisation|GDP|Nominal", "Optimisation|Investment", "Optimisation|Control|GDP|Nominal"} <= set(alloc["variable"])
    # the plan's GDP differs from the structural control only through the allocation (control = the path)
    ctl = alloc[alloc.variable == "Optimisation|Control|GDP|Real"].set_index("year")["value"]
    real = synthetic_state()["forecast_median"]["GDP|Real"]
    np.testing.assert_allclose(ctl.to_numpy(), [real[y] * 22128.3 / real[2024] for y in ctl.index], rtol=5e-6)  # written to 0.1亿


def test_targets_table_answers_the_planner(run):
    d, s = run
    feas = pd.read_csv(d / "targets_feasibility.csv").set_index("target")
    for c in ("required", "achieved", "shortfall", "status", "best_reachable", "extra_investment", "verdict",
              "marginal_cost", "valid_from", "valid_to"):
        assert c in feas.columns
    g = feas.loc["gdp_level_2025"]
    # 27000 nominal from 22128 in 2024 is out of reach; the shortfall is in 亿元, and so is what it would take
    assert g["status"] == "missed" and g["shortfall"] == pytest.approx(27000 - g["achieved"])
    assert g["achieved"] <= g["best_reachable"] + 1e-6 < 27000
    assert g["extra_investment"] > 0 or g["verdict"] == "unreachable within the bounds"
    # a missed target never carries a price (its dual would be the penalty)
    missed = feas[feas.status == "missed"]
    assert missed["marginal_cost"].isna().all()
    # met targets need no extra investment
    assert (feas.loc[feas.status != "missed", "extra_investment"].fillna(0) == 0).all()
    assert s["targets"]["gdp_level_2025"]["status"] == "missed"


def test_frontier_spans_the_target_without_timings(run):
    d, s = run
    fr = pd.read_csv(d / "frontier.csv")
    assert len(fr) == 6 and not any("time" in c for c in fr.columns)
    assert fr["ei_cap"].min() <= 90.0 <= fr["ei_cap"].max()
    ok = fr[fr.status == "optimal"].sort_values("ei_cap")
    assert np.all(np.diff(ok["gdp"].to_numpy()) >= -1e-6 * ok["gdp"].max())   # a looser cap never lowers GDP


def test_mps_is_the_lp_solved(run):
    d, s = run
    import highspy
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(d / "model.mps"))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(s["objective"], rel=1e-7)


def test_mode_none_is_skipped(tmp_path):
    assert run_optimisation(_scenario(mode="none"), synthetic_state(), tmp_path)["status"] == "skipped"
