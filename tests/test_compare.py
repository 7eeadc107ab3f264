"""Scenario comparison: differences of known runs, probabilities, allocation, IAMC/pyam format, CLI, atomic writes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.report import compare as cmpmod
from model.cli import app
from model.report.compare import compare_runs, write_comparison
from model.errors import CztInputError
from model.results.iamc import IAMC_COLUMNS
from model.runner import run_scenario

N_PATHS = 300
PRESETS = ["baseline", "slow_growth", "plan", "green"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four real preset runs written into a temporary outputs folder (shared by this module)."""
    root = tmp_path_factory.mktemp("outputs")
    res = {s: run_scenario(s, out_dir=root / s, n_paths=N_PATHS) for s in PRESETS}
    return root, res


@pytest.fixture(scope="module")
def comparison(runs):
    root, _ = runs
    return compare_runs([root / s for s in PRESETS])


def _median(res, var, year, region="430100"):
    return float(np.median(res.projection.at(var, year, region)))


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("year", [2025, 2030, 2035])
@pytest.mark.parametrize("var", ["GDP|Nominal", "Population|Resident", "High-tech VA"])
def test_difference_equals_difference_of_the_two_runs_medians(runs, comparison, var, year):
    """From the written CSVs: slow_growth minus baseline = difference of the simulated paths' medians."""
    _, res = runs
    a = float(np.median(res["baseline"].projection.at(var, year, "CZT")))
    b = float(np.median(res["slow_growth"].projection.at(var, year, "CZT")))
    got = comparison.difference(var, year, "slow_growth")
    # the CSVs store 6 significant digits
    assert got == pytest.approx(b - a, abs=1e-5 * max(abs(a), abs(b)) + 1e-9)
    pct = comparison.difference(var, year, "slow_growth", measure="percent difference")
    assert pct == pytest.approx((b / a - 1) * 100, abs=1e-3)


def test_in_memory_runs_compare_exactly(runs):
    _, res = runs
    c = compare_runs([res["baseline"], res["slow_growth"]])
    for year in (2026, 2035):
        a = res["baseline"].projection.at("GDP|Nominal", year)
        b = res["slow_growth"].projection.at("GDP|Nominal", year)
        assert c.difference("GDP|Nominal", year) == pytest.approx(np.median(b) - np.median(a), rel=1e-12)
        assert c.difference("GDP|Nominal", year, quantile="mean") == pytest.approx(b.mean() - a.mean(), rel=1e-12)


def test_slow_growth_is_below_baseline_and_a_run_minus_itself_is_zero(runs, comparison):
    root, _ = runs
    d = comparison.differences
    gdp = d[(d.scenario == "slow_growth - baseline") & (d.variable == "GDP|Real") & (d.region == "CZT")
            & (d["quantile"] == "0.5") & (d.measure == "difference")].sort_values("year")
    assert len(gdp) >= 10 and (gdp.value < 0).all()
    assert gdp.value.is_monotonic_decreasing           # the -1.5 pp/yr gap compounds
    if not (root / "vision_2035").exists():
        run_scenario("vision_2035", out_dir=root / "vision_2035", n_paths=N_PATHS)
    same = compare_runs([root / "baseline", root / "vision_2035"])  # no levers: the same forecasts, other goals
    dd = same.differences
    assert np.allclose(dd.value, 0.0)
    # plan's levers (the LP's allocation) move its forecasts through the structural model
    plan = d[(d.scenario == "plan - baseline") & (d.variable == "GDP|Nominal") & (d.region == "CZT")
             & (d["quantile"] == "0.5") & (d.measure == "difference")]
    assert (plan[plan.year >= 2026].value.abs() > 1.0).all()


def test_summary_shows_the_lever_effect_beside_the_difference_of_medians(runs, comparison):
    root, _ = runs
    lines = cmpmod.summary_lines(comparison)
    assert any(line.startswith("Lever effect") for line in lines)
    eff = cmpmod._lever_effects(root / "plan")
    assert cmpmod._lever_effects(root / "slow_growth") is None          # no levers: no lever effect
    d = comparison.difference("GDP|Nominal", 2030, "plan")
    # plan = baseline's control x its allocation's ratio: the two measures agree up to median vs mean-of-order
    assert abs(eff[2030]) > 1 and abs(d - eff[2030]) < 0.05 * abs(eff[2030])


def test_differences_cover_every_forecast_year_and_headline_variable(runs, comparison):
    _, res = runs
    d = comparison.differences
    sel = d[(d.scenario == "green - baseline") & (d.variable == "GDP|Nominal") & (d.region == "CZT")
            & (d["quantile"] == "0.5") & (d.measure == "difference")]
    first = res["baseline"].projection.first_forecast_year["GDP|Nominal"]
    assert sorted(sel.year) == list(range(first, 2036))
    for var, reg in cmpmod.HEADLINE:
        assert ((d.variable == var) & (d.region == reg)).any(), (var, reg)
    assert set(d.scenario) == {f"{s} - baseline" for s in PRESETS[1:]}


def test_probabilities_side_by_side_match_each_scorecard(runs, comparison):
    _, res = runs
    p = comparison.probabilities.set_index("target")
    for s in PRESETS:
        card = res[s].scorecard.set_index("target")
        modelled = card.prob_meet.notna()
        assert np.allclose(p.loc[card.index[modelled], f"P({s})"], card.prob_meet[modelled].astype(float))
        assert (p.loc[card.index, f"status({s})"] == card.status).all()
    chg = p["P change slow_growth - baseline"].dropna()
    assert np.allclose(chg, p.loc[chg.index, "P(slow_growth)"] - p.loc[chg.index, "P(baseline)"])


def test_allocation_differences_are_green_minus_plan(runs, comparison):
    root, _ = runs
    plan = pd.read_csv(root / "plan" / "allocation.csv")
    green = pd.read_csv(root / "green" / "allocation.csv")
    ad = comparison.allocation_differences
    assert set(ad.scenario) == {"green - plan"}     # baseline/slow_growth have no allocation
    key = ["variable", "year"]
    inv = lambda df: df[df.variable.str.startswith("Optimisation|Investment")].set_index(key).value  # noqa: E731
    want = (inv(green) - inv(plan)).dropna()
    got = ad.set_index(key).value.reindex(want.index)
    assert np.allclose(got, want, atol=1e-9)
    assert set(comparison.allocation.scenario) == {"plan", "green"}


def test_comparison_of_hand_made_runs_gives_the_known_difference(tmp_path):
    """Two synthetic run folders with known numbers: B - A = 5 (25%) everywhere."""
    def make(name, value, prob):
        d = tmp_path / name
        d.mkdir()
        rows = [{"model": "czt-model", "scenario": name, "region": "CZT", "variable": "GDP|Nominal",
                 "unit": "100m CNY", "year": y, "value": value + (y - 2025), "quantile": q, "basis": "forecast"}
                for y in (2025, 2026) for q in ("0.05", "0.5", "0.95", "mean")]
        rows.append({**rows[0], "year": 2024, "quantile": "", "basis": "observed"})
        pd.DataFrame(rows).to_csv(d / "forecasts.csv", index=False)
        pd.DataFrame([{"target": "gdp_level", "name": "GDP", "comparator": ">=", "plan_value": 27000,
                       "unit": "100m yuan", "year": 2025, "prob_meet": prob, "status": "off track"}]
                     ).to_csv(d / "scorecard.csv", index=False)
        (d / "run.json").write_text(json.dumps({"scenario": name}))
        return d

    c = compare_runs([make("A", 20.0, 0.1), make("B", 25.0, 0.3)])
    assert c.difference("GDP|Nominal", 2025, "B") == 5.0
    assert c.difference("GDP|Nominal", 2026, "B", quantile="mean") == 5.0
    assert c.difference("GDP|Nominal", 2025, "B", measure="percent difference") == pytest.approx(25.0)
    assert c.probabilities.loc[0, "P change B - A"] == pytest.approx(0.2)
    assert 2024 not in set(c.differences.year)          # history rows are not differenced


# --------------------------------------------------------------------------- errors
def test_bad_inputs_are_one_line_errors(runs, tmp_path):
    root, _ = runs
    with pytest.raises(CztInputError, match="at least two"):
        compare_runs([root / "baseline"])
    with pytest.raises(CztInputError, match="more than once"):
        compare_runs([root / "baseline", root / "baseline"])
    with pytest.raises(CztInputError, match="no run folder"):
        compare_runs([root / "baseline", "no_such_run_xyz"])
    half = tmp_path / "half"
    half.mkdir()
    (half / "forecasts.csv").write_text("model,scenario\n")
    with pytest.raises(CztInputError, match="run.json"):
        compare_runs([root / "baseline", half])


# --------------------------------------------------------------------------- writing, CLI
@pytest.fixture(scope="module")
def written(runs, comparison, tmp_path_factory):
    return write_comparison(comparison, tmp_path_factory.mktemp("cmp") / "compare_test")


def test_written_files_and_manifest(written, comparison):
    names = {p.name for p in written.iterdir()}
    assert {"levels.csv", "differences.csv", "probabilities.csv", "allocation.csv", "allocation_differences.csv",
            "optimisation_targets.csv", "compare.png", "allocation.png", "compare.json"} <= names
    meta = json.loads((written / "compare.json").read_text())
    assert meta["scenarios"] == PRESETS and meta["reference"] == "baseline"
    assert (written / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(written / "differences.csv", dtype={"quantile": str})
    assert len(back) == len(comparison.differences)


def _pyam_format_problems(path: Path) -> list[str]:
    """What ``pyam.IamDataFrame(path)`` would reject: the checks of pyam.utils.format_data."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    probs = []
    if list(df.columns[:len(IAMC_COLUMNS)]) != IAMC_COLUMNS:
        probs.append(f"columns {list(df.columns)}")
    empty = [c for c in df.columns if (df[c].str.strip() == "").any()]
    if empty:
        probs.append(f"empty cells in {empty}")
    if pd.to_numeric(df.value, errors="coerce").isna().any():
        probs.append("non-numeric values")
    if not df.year.str.fullmatch(r"\d{4}").all():
        probs.append("non-integer years")
    if df.duplicated([c for c in df.columns if c != "value"]).any():
        probs.append("duplicate index rows")
    return probs


@pytest.mark.parametrize("fname", ["levels.csv", "differences.csv", "allocation.csv", "allocation_differences.csv"])
def test_iamc_outputs_have_the_format_pyam_reads(written, fname):
    assert _pyam_format_problems(written / fname) == []


def test_format_check_catches_what_pyam_rejects(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame([{"model": "m", "scenario": "s", "region": "CZT", "variable": "v", "unit": "u", "year": 2025,
                   "value": 1.0, "quantile": ""}]).to_csv(bad, index=False)
    assert any("empty cells" in p for p in _pyam_format_problems(bad))


@pytest.mark.parametrize("fname", ["levels.csv", "differences.csv", "allocation_differences.csv"])
def test_pyam_loads_the_outputs(written, fname):
    try:
        import pyam
    except Exception as exc:  # not installed, or its ixmp4 dependency fails to import (SQLAlchemy 2.1)
        pytest.skip(f"pyam not usable here ({type(exc).__name__}: {str(exc)[:80]}); "
                    "test_iamc_outputs_have_the_format_pyam_reads covers the layout")
    df = pyam.IamDataFrame(written / fname)
    n = len(pd.read_csv(written / fname))
    assert len(df) == n


def test_cli_compare_writes_folder_and_prints_summary(runs, tmp_path):
    root, _ = runs
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(root / "baseline"), str(root / "slow_growth"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "gdp_level" in res.output and "slow_growth" in res.output
    assert (out / "differences.csv").exists() and (out / "compare.png").exists()


def test_cli_compare_bad_input_exits_2_and_writes_nothing(runs, tmp_path):
    root, _ = runs
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(root / "baseline"), "no_such_run_xyz", "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip().startswith("error: ") and "no_such_run_xyz" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not tmp_path.joinpath("cmp").exists()


def test_failed_write_leaves_no_folder(comparison, tmp_path, monkeypatch):
    def boom(cmp, path):
        Path(path).write_bytes(b"half")
        raise RuntimeError("killed while drawing")

    monkeypatch.setattr(cmpmod, "_chart", boom)
    with pytest.raises(RuntimeError):
        write_comparison(comparison, tmp_path / "compare_x")
    assert list(tmp_path.iterdir()) == []
