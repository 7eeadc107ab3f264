"""Notebooks: stored without outputs, public API only, executed with nbclient, headline numbers checked.

Convention: each notebook's last cell is tagged ``headline`` and prints one JSON
object; the test executes the notebook and checks those numbers against the
shipped data (read here directly from ``calibration/``).
"""
from __future__ import annotations

import json
import re
import tomllib

import pandas as pd
import pytest

from model.paths import CALIBRATION, DATA, ROOT

nbformat = pytest.importorskip("nbformat", reason="nbformat not installed (pip install -e '.[test]')")
nbclient = pytest.importorskip("nbclient", reason="nbclient not installed (pip install -e '.[test]')")

NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ["01_data_explorer", "02_forecasts_and_backtests", "03_io_multipliers",
             "04_investment_optimisation", "05_scenario_comparison"]
PUBLIC_IMPORTS = {"model", "model.io", "model.compare"}

_panel = pd.read_csv(DATA / "macro" / "czt_best_panel_long.csv", dtype={"region_code": str})


def _data(region: str, variable: str, year: int) -> float:
    d = _panel[(_panel.region_code == region) & (_panel.variable == variable) & (_panel.year == year)]
    assert len(d) == 1, (region, variable, year)
    return float(d.value.iloc[0])


GDP_2024 = _data("CZT", "gdp_nominal", 2024)                     # 22128.3 (HN_GB_2024)
GDP_2019 = _data("CZT", "gdp_nominal", 2019)                     # 16835.0
PLAN_GDP_2025 = next(t["value"] for t in tomllib.loads((CALIBRATION / "targets.toml").read_text(encoding="utf-8"))
                     ["target"] if t["id"] == "gdp_level")      # 27000


def _read(name: str):
    return nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)


_executed: dict[str, dict] = {}


def headline(name: str) -> dict:
    """Execute a notebook once (per test session) and return its headline JSON."""
    if name not in _executed:
        nb = _read(name)
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(NB_DIR)}})
        client.execute()
        cell = nb.cells[-1]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        _executed[name] = json.loads(text)
    return _executed[name]


# --------------------------------------------------------------------------- stored form
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs_and_ending_with_a_headline_cell(name):
    nb = _read(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "headline" in nb.cells[-1].metadata.get("tags", [])
    assert "json.dumps(headline" in nb.cells[-1].source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_uses_only_the_public_api(name):
    src = "\n".join(c.source for c in _read(name).cells if c.cell_type == "code")
    mods = set(re.findall(r"^\s*(?:from|import)\s+(model[\w.]*)", src, flags=re.M))
    assert mods and mods <= PUBLIC_IMPORTS, mods - PUBLIC_IMPORTS
    assert not re.search(r"import\s+_|\b_[a-z]\w*\(", src), "private names used"
    assert "write=True" not in src and "outputs/" not in src.replace("`outputs/`", "")


# --------------------------------------------------------------------------- executed
def test_01_data_explorer_numbers_are_the_shipped_data():
    h = headline("01_data_explorer")
    assert h["czt_gdp_2024"] == GDP_2024 == 22128.3
    assert h["czt_gdp_2019"] == GDP_2019
    assert h["czt_real_growth_2024_pct"] == _data("CZT", "gdp_real_growth", 2024)
    census = _data("CZT", "pop_resident_census", 2020) / 1e4          # persons -> 10k persons
    assert h["czt_population_2020_census"] == pytest.approx(census, abs=0.005)
    assert h["required_growth_to_2025_pct"] == pytest.approx((PLAN_GDP_2025 / GDP_2024 - 1) * 100, abs=0.005)
    assert sum(h["rows_by_basis"].values()) == h["panel_rows"]
    assert set(h["rows_by_basis"]) == {"observed", "derived", "assumption"}


def test_02_forecasts_gdp_target_is_off_track():
    h = headline("02_forecasts_and_backtests")
    assert h["n_paths"] == 500
    assert h["p_gdp_2025"] < 0.05
    assert h["gdp_latest"] == GDP_2024
    assert GDP_2024 < h["gdp_2025_p10"] < h["gdp_2025_median"] < h["gdp_2025_p90"] < PLAN_GDP_2025
    assert h["required_growth_pct"] == pytest.approx((PLAN_GDP_2025 / GDP_2024 - 1) * 100, abs=0.005)
    assert h["status"]["gdp_level"] == "off track"
    assert h["status"]["road_density"] == "not modelled"
    assert h["best_method_gdp_real_by_mase"] in {"drift", "ets_damped", "arima", "llt", "slowing_growth"}


def test_03_io_multipliers_match_the_data():
    h = headline("03_io_multipliers")
    clusters = pd.read_csv(CALIBRATION / "io" / "cluster_map.csv", dtype=str).cluster.nunique()
    assert h["n_clusters"] == clusters
    city_gdp_2017 = sum(_data(c, "gdp_nominal", 2017) for c in ("430100", "430200", "430300"))
    assert h["czt_va_total"] == pytest.approx(city_gdp_2017, abs=0.01)   # the table is scaled to CZT GDP 2017
    assert h["structure_year"] == 2017
    io_params = tomllib.loads((CALIBRATION / "io" / "parameters.toml").read_text(encoding="utf-8"))
    assert h["flq_delta"] == io_params["regional"]["flq_delta"]
    assert 1.0 < h["smallest_output_multiplier"] <= h["largest_output_multiplier"] < 3.0
    assert 0 < h["hightech_share_of_va"] < 1


def test_04_optimisation_cannot_reach_the_gdp_target():
    h = headline("04_investment_optimisation")
    assert h["status"] == "optimal"
    assert h["gdp_2025_required"] == PLAN_GDP_2025
    assert GDP_2024 < h["gdp_2025_achieved"] < PLAN_GDP_2025
    assert h["gdp_2025_best_alone"] < PLAN_GDP_2025       # not even when GDP alone is pursued
    assert h["gdp_2025_status"] == "violated"
    assert h["energy_2025_status"] in {"met", "binding"}
    assert 0 < h["top_cluster_2025_share_pct"] < 100


def test_05_scenario_comparison():
    h = headline("05_scenario_comparison")
    assert h["scenarios"] == ["baseline", "slow_growth", "hightech_push"]
    assert all(p < 0.05 for p in h["p_gdp_2025"].values())
    assert h["gdp_2030_diff_slow_growth"] < 0
    # slow_growth: real growth -1.5 pp and deflator -1 pp a year for 2025-2035 -> about -24% nominal by 2035
    expect = ((1 - 0.015) * (1 - 0.01)) ** 11 * 100 - 100
    assert h["gdp_2035_diff_slow_growth_pct"] == pytest.approx(expect, abs=3)
    # hightech_push: +1 pp/yr share premium from the last data year 2023 -> +7 pp by 2030, GDP unchanged
    assert h["hightech_share_2030_diff_push_pp"] == pytest.approx(7.0, abs=0.05)
    assert h["gdp_2030_diff_hightech_push"] == 0
    assert h["p_hightech_share_2025"]["hightech_push"] >= h["p_hightech_share_2025"]["baseline"]
