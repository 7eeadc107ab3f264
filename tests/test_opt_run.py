"""The optimisation entry point writes the promised files (vendored accounts, small frontier)."""
import json

import pandas as pd
import pytest

from model.iamc import check_iamc
from model.opt import run_optimisation
from model.opt.calibrate import vendored_accounts
from model.scenario import load_scenario

STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=85.0, hightech_va=8300.0,
             gdp_real_ratio_2019=1.28)


def _scenario(**opt):
    sc = load_scenario("plan")
    return sc.model_copy(update={"optimisation": sc.optimisation.model_copy(update={"frontier_points": 5, **opt})})


def test_run_plan_writes_outputs(tmp_path):
    sc = _scenario()
    s = run_optimisation(sc, STATE, tmp_path, io_system=vendored_accounts("cluster"))
    json.dumps(s)                                       # serialisable for run.json
    assert s["status"] == "optimal" and s["resolved_consistently"]
    for f in ("allocation.csv", "targets_feasibility.csv", "frontier.csv", "frontier.png", "model.mps"):
        assert (tmp_path / f).stat().st_size > 0
    alloc = pd.read_csv(tmp_path / "allocation.csv", keep_default_na=False)
    assert check_iamc(alloc).empty
    assert {"Optimisation|GDP|Nominal", "Optimisation|Investment"} <= set(alloc["variable"])
    feas = pd.read_csv(tmp_path / "targets_feasibility.csv")
    assert {"target", "required", "achieved", "slack", "status", "dual", "dual_unit"} <= set(feas.columns)
    # the 2025 GDP target (27000 nominal from 22128 in 2024) is out of reach; the shortfall is in 亿元
    g = feas.set_index("target").loc["gdp_level_2025"]
    assert g["status"] == "violated"
    assert g["slack"] == pytest.approx(27000 - g["achieved"])
    assert g["achieved"] < 22128.3 * 1.10               # realism bounds: no jump in capacity
    assert "gdp_level_2025" in s["conflicts"]["unreachable_alone"]
    assert len(pd.read_csv(tmp_path / "frontier.csv")) == 5
    # the objective in the summary is that of model.mps
    import highspy
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(tmp_path / "model.mps"))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(s["mps_objective"], rel=1e-7)


def test_mode_none_is_skipped(tmp_path):
    assert run_optimisation(_scenario(mode="none"), STATE, tmp_path)["status"] == "skipped"


def test_appsi_path_gives_same_objective_and_duals():
    from model.opt.calibrate import params_from_accounts
    from model.opt.solve import solve_params, target_table
    p = params_from_accounts(vendored_accounts("cluster"), STATE, _scenario().optimisation)
    a, b = solve_params(p, "appsi_highs"), solve_params(p, "highs")
    assert a.info["objective"] == pytest.approx(b.info["objective"], rel=1e-8)
    da, db = target_table(a.model)["dual"], target_table(b.model)["dual"]
    assert da.to_numpy() == pytest.approx(db.to_numpy(), rel=1e-6, abs=1e-6)


def test_run_without_targets(tmp_path):
    sc = _scenario(gdp_target_2025=None, energy_cut_2025=0.0, hightech_share_2025=0.0, hightech_level_2025=0.0)
    s = run_optimisation(sc, {k: v for k, v in STATE.items() if k != "gdp_real_ratio_2019"}, tmp_path,
                         io_system=vendored_accounts("cluster"))
    assert s["status"] == "optimal" and s["targets"] == {} and s["frontier"] is None
    assert (tmp_path / "allocation.csv").exists() and (tmp_path / "model.mps").exists()
