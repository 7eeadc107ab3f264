"""Exports for other tools: CSVs Excel reads (BOM), the Excel workbook, pyam/IAMC tables with parseable units."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.results.iamc import HISTORY, QUANTILES, iamc_unit, zh_unit
from model.results.excel import SHEETS
from model.results.pyam_io import pyam_frames, unmapped_units
from model.runner import run_scenario
from model.scenario import load_scenario

N_PATHS = 200
CITIES = ["Changsha", "Zhuzhou", "Xiangtan"]
ADDITIVE = ["GDP|Nominal", "GDP|Real", "Population|Resident"]


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports") / "plan"
    return out, run_scenario("plan", out_dir=out, n_paths=N_PATHS)


# --------------------------------------------------------------------------- CSV encoding
def test_csvs_carry_a_bom_and_load_unchanged_in_pandas(plan_run):
    d, res = plan_run
    for name in ("forecasts.csv", "scorecard.csv", "assumptions.csv", "panel.csv", "iamc_quantiles.csv"):
        raw = (d / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name          # Excel detects UTF-8 by this mark
        df = pd.read_csv(d / name)                              # pandas' default encoding skips it
        assert not any(str(c).startswith("\ufeff") for c in df.columns), name
    card = pd.read_csv(d / "scorecard.csv")
    assert "GDP (地区生产总值)" in set(card["name"])              # decodes as text, not mojibake
    assert card.equals(pd.read_csv(d / "scorecard.csv", encoding="utf-8-sig"))
    fc = pd.read_csv(d / "forecasts.csv", dtype={"quantile": str})
    assert len(fc) == len(res.forecasts)
    assert np.allclose(fc.value.to_numpy(), res.forecasts.value.to_numpy(), rtol=1e-5)


# --------------------------------------------------------------------------- units
def test_one_unit_mapping_internal_to_iamc_and_chinese():
    assert iamc_unit("100m CNY") == iamc_unit("100m yuan") == iamc_unit("100m yuan (nominal)") == ("billion CNY/yr", 0.1)
    assert iamc_unit("100m CNY (2019 prices)") == ("billion CNY_2019/yr", 0.1)
    assert iamc_unit("10k persons") == ("million", 0.01)
    assert zh_unit("100m CNY") == zh_unit("100m yuan (nominal)") == "亿元"
    assert zh_unit("10k persons") == "万人" and zh_unit("index (2019 = 100)") == "2019 = 100"
    # as-of runs before 2019 carry their origin's price base
    assert iamc_unit("index (2010 = 100)") == ("%", 1.0) and zh_unit("index (2010 = 100)") == "2010 = 100"
    assert iamc_unit("100m CNY (2010 prices)") == ("billion CNY_2010/yr", 0.1)
    assert iamc_unit("furlongs") is None and zh_unit("furlongs") == "furlongs"


def test_iamc_units_parse_and_convert_with_iam_units(plan_run):
    iam_units = pytest.importorskip("iam_units", reason="iam-units not installed (pip install -e '.[pyam]')")
    from model.results.iamc import unit_registry

    d, res = plan_run
    q = pd.read_csv(d / "iamc_quantiles.csv")
    assert unmapped_units(res.forecasts) == []
    reg = unit_registry()
    for u in q.unit.unique():
        reg.Quantity(1.0, u)                                     # parses
        if "CNY" not in u:
            iam_units.registry.Quantity(1.0, u)                  # stock iam-units parses the rest
    assert reg.Quantity(1.0, "billion CNY/yr").to("million CNY/yr").magnitude == pytest.approx(1000)
    with pytest.raises(Exception):                               # no invented deflator or exchange rate
        reg.Quantity(1.0, "billion CNY_2019/yr").to("billion CNY/yr")
    with pytest.raises(Exception):
        reg.Quantity(1.0, "billion CNY/yr").to("billion USD_2010/yr")


# --------------------------------------------------------------------------- pyam frames (pandas only)
def test_pyam_frames_numeric_quantile_history_at_every_level(plan_run):
    d, res = plan_run
    fr = pyam_frames(res.forecasts)
    q = fr["quantiles"]
    assert q["quantile"].dtype == float and set(q["quantile"]) == set(QUANTILES)
    med = q[q["quantile"] == 0.5]                                # numeric: == 0.5 matches
    gdp = med[(med.variable == "GDP|Nominal") & (med.region == "CZT")].set_index("year").value
    assert gdp[2024] == pytest.approx(22128.3 * 0.1)             # history, in billion CNY/yr
    fc = res.forecasts
    f25 = fc[(fc.variable == "GDP|Nominal") & (fc.region == "CZT") & (fc.year == 2025) & (fc["quantile"] == "0.5")]
    assert gdp[2025] == pytest.approx(f25.value.iloc[0] * 0.1)
    n_hist = (fc["quantile"] == HISTORY).sum()
    n_q = fc["quantile"].isin([f"{x:g}" for x in QUANTILES]).sum()
    assert len(q) == n_hist * len(QUANTILES) + n_q
    assert "basis" not in q.columns and q.notna().all().all()
    # the files are these frames
    pd.testing.assert_frame_equal(pd.read_csv(d / "iamc_quantiles.csv"), q, check_dtype=False, rtol=1e-9)


def _agg_gap(frame: pd.DataFrame, var: str, keys: list[str]) -> pd.Series:
    w = frame[frame.variable == var].pivot_table(index=keys, columns="region", values="value")
    return (w[CITIES].sum(axis=1) - w["CZT"]).abs() / w["CZT"]


def test_czt_is_the_sum_of_the_cities_on_history_and_the_mean(plan_run):
    _, res = plan_run
    fr = pyam_frames(res.forecasts)
    first = res.projection.first_forecast_year
    for var in ADDITIVE:
        gq = _agg_gap(fr["quantiles"], var, ["year", "quantile"])
        hist = gq[gq.index.get_level_values("year") < first[var]]
        assert len(hist) and hist.max() < 1e-5, var              # every quantile level of history (pyam rtol)
        gm = _agg_gap(fr["mean"], var, ["year"])
        assert len(gm) and gm.max() < 1e-5, var                  # mean: linear, holds in every year
        # a forecast quantile of the sum is not the sum of the quantiles (documented, not hidden)
        proj = gq[gq.index.get_level_values("year") > first[var] + 1]
        assert proj.max() > 1e-4, var


def test_to_pyam_round_trips_and_aggregation_checks_pass(plan_run):
    pyam = pytest.importorskip("pyam", reason="pyam not installed: it needs pandas<3 (pip install -e '.[pyam]', see README)")
    from model.results.iamc import unit_registry

    d, res = plan_run
    df = res.to_pyam()
    assert df.extra_cols == ["quantile"]
    back = df.as_pandas()[["model", "scenario", "region", "variable", "unit", "year", "value", "quantile"]]
    exp = pyam_frames(res.forecasts)["quantiles"]
    key = ["region", "variable", "year", "quantile"]
    m = back.merge(exp, on=key, suffixes=("", "_exp"))
    assert len(m) == len(exp) == len(back) and np.allclose(m.value, m.value_exp)
    again = pyam.IamDataFrame(d / "iamc_quantiles.csv")          # the file loads as is
    a, b = again.data, df.data
    assert len(a) == len(b) and a["quantile"].dtype == float
    j = a.merge(b, on=["region", "variable", "unit", "year", "quantile"], suffixes=("_file", "_mem"))
    assert len(j) == len(b) and np.allclose(j.value_file, j.value_mem, rtol=1e-9)
    assert "variables_resting_on_assumptions" in df.meta.columns
    assert "Energy intensity" in df.meta.variables_resting_on_assumptions.iloc[0]
    first = res.projection.first_forecast_year
    for var in ADDITIVE:
        hist = df.filter(year=range(1990, first[var]))
        assert hist.check_aggregate_region(var, region="CZT", subregions=CITIES) is None, var
        assert res.to_pyam("mean").check_aggregate_region(var, region="CZT", subregions=CITIES) is None, var
    conv = df.convert_unit("billion CNY/yr", to="million CNY/yr", registry=unit_registry())
    v = conv.filter(variable="GDP|Nominal", region="CZT", year=2024, quantile=0.5).data.value.iloc[0]
    assert v == pytest.approx(22128.3 * 100)


# --------------------------------------------------------------------------- Excel
def test_workbook_sheets_headers_and_values(plan_run):
    import openpyxl  # a dependency of czt-model (pyproject.toml): never skipped
    d, res = plan_run
    wb = openpyxl.load_workbook(d / "workbook.xlsx", read_only=True)
    assert wb.sheetnames == list(SHEETS.values())
    head = {ws.title: [c.value for c in next(ws.iter_rows(max_row=1))] for ws in wb.worksheets}
    assert head[SHEETS["scorecard"]][:2] == ["目标 / target", "名称 / name"]
    assert "80%区间下限 / 80% interval low" in head[SHEETS["scorecard"]]
    assert head[SHEETS["forecasts"]][:4] == ["地区 / region", "变量 / variable", "单位 / unit", "统计量 / statistic"]
    years = [int(h) for h in head[SHEETS["forecasts"]][4:]]
    assert years == sorted(years) and 2024 in years and 2035 in years
    assert "产业集群 / cluster" in head[SHEETS["allocation"]]
    card = pd.read_csv(d / "scorecard.csv")
    rows = list(wb[SHEETS["scorecard"]].iter_rows(min_row=2, values_only=True))
    gdp = next(r for r in rows if r[0] == "gdp_level")
    h = head[SHEETS["scorecard"]]
    assert gdp[h.index("单位 / unit")] == "亿元"
    assert gdp[h.index("预测中位数 / forecast median")] == pytest.approx(card.set_index("target").at["gdp_level", "forecast_median"])
    assert gdp[h.index("状态 / status")] == "难以实现 / off track"
    urb = next(r for r in rows if r[0] == "urbanisation")
    assert urb[h.index("每年所需（说明计量方式） / needed per year (measure stated)")].endswith(" pp/yr")
    fc_rows = list(wb[SHEETS["forecasts"]].iter_rows(min_row=2, values_only=True))
    pop = [r for r in fc_rows if r[0] == "长株潭 / CZT" and r[1] == "常住人口 / Population|Resident"]
    assert pop and all(r[2] == "万人" for r in pop)
    alloc = [r[1] for r in wb[SHEETS["allocation"]].iter_rows(min_row=2, values_only=True)]
    assert any(c.startswith("电子信息与软件 / ") for c in alloc)   # cluster_zh from cluster_map.csv
    prov = [r[0] for r in wb[SHEETS["provenance"]].iter_rows(min_row=2, values_only=True)]
    man = json.loads((d / "run.json").read_text(encoding="utf-8"))
    assert set(man["inputs_sha256"]) <= set(prov)


def test_baseline_workbook_has_no_optimisation_sheets_and_same_seed_gives_same_bytes(tmp_path):
    import openpyxl  # a dependency of czt-model (pyproject.toml): never skipped
    out = tmp_path / "baseline"
    run_scenario("baseline", out_dir=out, n_paths=N_PATHS)
    names = openpyxl.load_workbook(out / "workbook.xlsx", read_only=True).sheetnames
    assert SHEETS["allocation"] not in names and SHEETS["feasibility"] not in names
    assert names[0] == SHEETS["scorecard"] and SHEETS["provenance"] in names
    again = tmp_path / "again" / "baseline"
    run_scenario("baseline", out_dir=again, n_paths=N_PATHS)
    for f in ("workbook.xlsx", "iamc_quantiles.csv", "iamc_mean.csv", "forecasts.csv"):
        assert (out / f).read_bytes() == (again / f).read_bytes(), f


# --------------------------------------------------------------------------- run_scenario(overrides=)
def test_run_scenario_takes_a_scenario_object_and_overrides():
    base = run_scenario("baseline", write=False, n_paths=N_PATHS)
    sc = load_scenario("baseline")
    slow = run_scenario(sc, write=False, n_paths=N_PATHS,
                        overrides={"assumptions": {"gdp": {"growth_adjustment_pp": -2.0}}})
    assert slow.scenario.assumptions.gdp.growth_adjustment_pp == -2.0
    assert sc.assumptions.gdp.growth_adjustment_pp == 0.0            # the caller's object is untouched
    med = lambda r: r.scorecard.set_index("target").at["gdp_level", "forecast_median"]  # noqa: E731
    assert med(slow) < med(base)
    with pytest.raises(CztInputError, match=r"overrides: key 'assumptions.gdp.no_such_key': unknown key"):
        run_scenario("baseline", write=False, overrides={"assumptions.gdp.no_such_key": 1})
    with pytest.raises(CztInputError, match=r"key 'seed'"):
        run_scenario("baseline", write=False, overrides={"seed": -5})
