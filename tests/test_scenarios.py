"""Scenario files: presets, inheritance, one-line errors naming file and key, atomic run folders."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import CztInputError
from model.paths import CALIBRATION, SCENARIOS
from model.scenario import load_scenario

PRESETS = ["baseline", "plan", "hightech_push", "green", "slow_growth", "vision_2035"]
DEFAULTS = tomllib.loads((CALIBRATION / "parameters.toml").read_text(encoding="utf-8"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- presets
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_is_named_after_its_file(name):
    sc = load_scenario(name)
    assert sc.name == name
    assert Path(sc.source_files[-1]).name == f"{name}.toml"
    assert sc.forecast.n_paths >= 1000


def test_preset_files_are_exactly_the_documented_set():
    assert sorted(p.stem for p in SCENARIOS.glob("*.toml")) == sorted(PRESETS)


def test_presets_differ_from_their_parents_as_documented():
    base, plan = load_scenario("baseline"), load_scenario("plan")
    ht, green, slow, vis = (load_scenario(n) for n in ("hightech_push", "green", "slow_growth", "vision_2035"))
    assert base.optimisation.mode == "none" and plan.optimisation.mode == "max_gdp"
    # levers act through the structural model; the baseline has none
    assert base.levers.is_zero() and plan.levers.investment == "optimised"
    # hightech_push: plan's allocation, plus costed within-cluster upgrading (not a forecast premium)
    assert ht.optimisation.mode == "max_gdp" and ht.levers.investment == "optimised"
    assert ht.levers.hightech_upgrade_pp > 0
    assert ht.assumptions.hightech == base.assumptions.hightech
    # green: stricter energy cut than the plan's 10%, plus an efficiency lever
    assert green.optimisation.energy_cut_2025 > plan.optimisation.energy_cut_2025 == 0.10
    assert green.levers.efficiency_gain_pct > plan.levers.efficiency_gain_pct == 0
    assert green.assumptions.energy == base.assumptions.energy
    # slow_growth: lower real growth and no optimisation
    assert slow.assumptions.gdp.growth_adjustment_pp < 0 and slow.optimisation.mode == "none"
    # vision_2035: user-supplied goals, labelled as illustrations
    assert len(vis.targets_2035) >= 1
    assert all("USER-SUPPLIED" in t.note for t in vis.targets_2035)


# identifiers and descriptive fields; the goal's rationale sits above its `value`
_SKIP_KEYS = {"name", "extends", "description", "id", "variable", "region", "unit", "comparator",
              "kind", "note", "year", "base_year"}


@pytest.mark.parametrize("name", [n for n in PRESETS if n not in ("baseline", "plan")])
def test_every_assumption_value_in_a_preset_has_a_comment_saying_why(name):
    """A value line needs a comment on the same line or in the comment block just above it."""
    lines = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    missing = []
    for i, line in enumerate(lines):
        m = re.match(r"^\s*([A-Za-z0-9_]+)\s*=", line)
        if not m or m.group(1) in _SKIP_KEYS:
            continue
        commented = "#" in line.split("=", 1)[1] or (i > 0 and lines[i - 1].strip().startswith("#"))
        if not commented:
            missing.append(f"line {i + 1}: {line.strip()}")
    assert not missing, f"{name}.toml: values without a rationale: {missing}"


# --------------------------------------------------------------------------- inheritance
def test_inheritance_chain_child_wins_parent_fills_defaults_underneath():
    ht = load_scenario("hightech_push")
    assert [Path(p).stem for p in ht.source_files] == ["baseline", "plan", "hightech_push"]
    assert ht.extends == "plan"
    # from the child, on top of the parent's lever
    assert ht.levers.hightech_upgrade_pp == 0.3 and ht.levers.investment == "optimised"
    # from calibration/parameters.toml (no scenario file sets it)
    assert ht.optimisation.energy_cut_2025 == DEFAULTS["optimisation"]["energy_cut_2025"]
    assert ht.forecast.n_paths == DEFAULTS["forecast"]["n_paths"]
    assert ht.seed == DEFAULTS["seed"]


def test_inheritance_from_files_in_a_user_folder(tmp_path):
    _write(tmp_path / "parent.toml", 'extends = "slow_growth"\nseed = 7\n[forecast]\nn_paths = 1500\n')
    child = _write(tmp_path / "child.toml", 'extends = "parent"\n[assumptions.gdp]\ngrowth_adjustment_pp = -3.0\n')
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.seed == 7 and sc.forecast.n_paths == 1500            # from parent.toml (same folder)
    assert sc.assumptions.gdp.growth_adjustment_pp == -3.0          # child overrides slow_growth's -1.5
    assert sc.assumptions.gdp.deflator_adjustment_pp == load_scenario("slow_growth").assumptions.gdp.deflator_adjustment_pp
    assert [Path(p).stem for p in sc.source_files] == ["baseline", "slow_growth", "parent", "child"]


def test_a_nested_table_merges_key_by_key_not_wholesale(tmp_path):
    f = _write(tmp_path / "s.toml", 'extends = "green"\n[optimisation]\nenergy_cut_2025 = 0.2\n')
    sc = load_scenario(f)
    assert sc.optimisation.energy_cut_2025 == 0.2
    assert sc.optimisation.max_cluster_growth == load_scenario("green").optimisation.max_cluster_growth
    assert sc.levers.efficiency_gain_pct == load_scenario("green").levers.efficiency_gain_pct
    assert sc.optimisation.mode == "max_gdp"


def test_an_unimplemented_census_treatment_is_refused(tmp_path):
    # only "census count = 2020 year-end level" is implemented: false must not be silently ignored
    f = _write(tmp_path / "s.toml", 'extends = "baseline"\n[assumptions.population]\ncensus_date_as_yearend = false\n')
    with pytest.raises(CztInputError, match=r"key 'assumptions\.population\.census_date_as_yearend': Input should be True"):
        load_scenario(f)


def test_the_removed_efficiency_key_is_refused_with_its_reason(tmp_path):
    # optimisation.energy_efficiency_gain moved nothing (no code read it): a file that sets it is told why
    f = _write(tmp_path / "s.toml", 'extends = "plan"\n[optimisation]\nenergy_efficiency_gain = 0.02\n')
    with pytest.raises(CztInputError, match=r"s\.toml: key 'optimisation\.energy_efficiency_gain': removed: "
                                            r"no model code read it.*levers\.efficiency_gain_pct"):
        load_scenario(f)
    assert "energy_efficiency_gain" not in load_scenario("green").model_dump()["optimisation"]


# --------------------------------------------------------------------------- errors
BAD = {
    "unknown top-level key": ('extends = "baseline"\nbogus = 1\n', "bogus"),
    "unknown nested key": ('extends = "baseline"\n[assumptions.gdp]\ngrowth_adjustmnt_pp = 1.0\n',
                           "assumptions.gdp.growth_adjustmnt_pp"),
    "unknown section": ('extends = "baseline"\n[assumptions.water]\nx = 1\n', "assumptions.water"),
    "string for an int": ('extends = "baseline"\n[forecast]\nn_paths = "2000"\n', "forecast.n_paths"),
    "boolean for an int": ('extends = "baseline"\nseed = true\n', "seed"),
    "fraction for an int": ('extends = "baseline"\n[forecast]\nn_paths = 1500.5\n', "forecast.n_paths"),
    "string for a float": ('extends = "baseline"\n[assumptions.gdp]\ngrowth_adjustment_pp = "low"\n',
                           "assumptions.gdp.growth_adjustment_pp"),
    "table for a float": ('extends = "baseline"\n[assumptions.gdp.growth_adjustment_pp]\nx = 1\n',
                          "assumptions.gdp.growth_adjustment_pp"),
    "scalar for a section": ('extends = "baseline"\nassumptions = 3\n', "assumptions"),
    "string for a list": ('extends = "baseline"\n[forecast]\nmethods = "drift"\n', "forecast.methods"),
    "unknown method": ('extends = "baseline"\n[forecast]\nmethods = ["prophet"]\n', "forecast.methods.0"),
    "out of range (too few paths)": ('extends = "baseline"\n[forecast]\nn_paths = 10\n', "forecast.n_paths"),
    "out of range (share >= 1)": ('extends = "plan"\n[optimisation]\nenergy_cut_2025 = 1.5\n',
                                  "optimisation.energy_cut_2025"),
    "negative seed": ('extends = "baseline"\nseed = -1\n', "seed"),
    "bad optimisation mode": ('extends = "baseline"\n[optimisation]\nmode = "maximise"\n', "optimisation.mode"),
    "origins reversed": ('extends = "baseline"\n[forecast]\nbacktest_origins = [2019, 2008]\n',
                         "forecast.backtest_origins"),
    "optimisation years reversed": ('extends = "baseline"\n[optimisation]\nstart_year = 2030\nend_year = 2029\n',
                                    "optimisation.end_year"),
    "name with a path in it": ('extends = "baseline"\nname = "../elsewhere"\n', "name"),
    "missing parent": ('extends = "no_such_scenario"\n', "extends"),
    "extends not a string": ('extends = 3\n', "extends"),
    "2035 goal on an unknown variable": ('extends = "baseline"\n[[targets_2035]]\nid = "x"\nvariable = "GDP|Foo"\n'
                                         'value = 1\nunit = "u"\ncomparator = ">="\n', "targets_2035.0.variable"),
    "2035 goal after the horizon": ('extends = "baseline"\n[[targets_2035]]\nid = "x"\nvariable = "GDP|Real"\n'
                                    'value = 1\nunit = "100m yuan"\ncomparator = ">="\nyear = 2050\n', "targets_2035.0.year"),
    "2035 growth goal without base year": ('extends = "baseline"\n[[targets_2035]]\nid = "x"\nvariable = "GDP|Real"\n'
                                           'value = 1\nunit = "u"\ncomparator = ">="\nkind = "avg_growth"\n',
                                           "targets_2035.0"),
    "2035 goal with wrong value type": ('extends = "baseline"\n[[targets_2035]]\nid = "x"\nvariable = "GDP|Real"\n'
                                        'value = "lots"\nunit = "u"\ncomparator = ">="\n', "targets_2035.0.value"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scenario_is_one_error_naming_file_and_key(tmp_path, case):
    text, key = BAD[case]
    f = _write(tmp_path / "bad.toml", text)
    with pytest.raises(CztInputError) as ei:
        load_scenario(f)
    msg = str(ei.value)
    assert "\n" not in msg
    assert msg.startswith(str(f)), msg
    assert f"'{key}'" in msg, msg


def test_error_in_a_parent_names_the_parent_file(tmp_path):
    parent = _write(tmp_path / "parent.toml", 'extends = "baseline"\n[forecast]\nn_paths = "many"\n')
    child = _write(tmp_path / "child.toml", 'extends = "parent"\nseed = 3\n')
    with pytest.raises(CztInputError) as ei:
        load_scenario(child)
    assert str(ei.value).startswith(str(parent))
    assert "'forecast.n_paths'" in str(ei.value)


def test_child_fixing_a_parent_value_is_accepted(tmp_path):
    _write(tmp_path / "parent.toml", 'extends = "baseline"\n[forecast]\nn_paths = 50\n')
    child = _write(tmp_path / "child.toml", 'extends = "parent"\n[forecast]\nn_paths = 1200\n')
    assert load_scenario(child).forecast.n_paths == 1200


@pytest.mark.parametrize("files", [
    {"a.toml": 'extends = "b"\n', "b.toml": 'extends = "a"\n'},
    {"a.toml": 'extends = "a"\n'},
    {"a.toml": 'extends = "b"\n', "b.toml": 'extends = "c"\n', "c.toml": 'extends = "a"\n'},
])
def test_inheritance_cycle_is_reported(tmp_path, files):
    for n, t in files.items():
        _write(tmp_path / n, t)
    with pytest.raises(CztInputError) as ei:
        load_scenario(tmp_path / "a.toml")
    assert "cycle" in str(ei.value) and "'extends'" in str(ei.value)


def test_invalid_toml_and_unknown_preset_are_one_line_errors(tmp_path):
    f = _write(tmp_path / "broken.toml", 'extends = "baseline"\n[forecast\n')
    with pytest.raises(CztInputError, match="broken.toml: invalid TOML"):
        load_scenario(f)
    with pytest.raises(CztInputError, match="no such scenario"):
        load_scenario("no_such_preset")


@pytest.mark.parametrize("case", ["unknown nested key", "string for an int", "missing parent"])
def test_cli_bad_scenario_exits_nonzero_without_traceback_and_writes_nothing(tmp_path, case):
    text, key = BAD[case]
    f = _write(tmp_path / "bad.toml", text)
    out = tmp_path / "out" / "bad"
    res = CliRunner().invoke(app, ["run", str(f), "--out", str(out)])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and key in lines[0]
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------- atomic run folders
def _drift_scenario(tmp_path: Path, parent: str = "baseline", name: str = "quick") -> Path:
    return _write(tmp_path / f"{name}.toml", f'extends = "{parent}"\nname = "{name}"\n'
                  '[forecast]\nmethods = ["drift"]\nn_paths = 1000\n')


def test_failure_late_in_a_run_leaves_the_previous_folder_untouched_and_no_temp(tmp_path, monkeypatch):
    from model.report import html as report
    from model.runner import run_scenario

    f = _drift_scenario(tmp_path)
    out = tmp_path / "runs" / "quick"
    run_scenario(f, out_dir=out, n_paths=200)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert "run.json" in before and "report.html" in before

    def boom(run_dir, result):
        (Path(run_dir) / "report.html").write_text("half")
        raise RuntimeError("killed while writing the report")

    monkeypatch.setattr(report, "write_report", boom)
    with pytest.raises(RuntimeError):
        run_scenario(f, out_dir=out, n_paths=200)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["quick"]


def test_run_killed_midway_leaves_no_folder_that_looks_complete(tmp_path):
    """SIGKILL a real run after run.json is in its temporary folder: the final folder never appears."""
    f = _drift_scenario(tmp_path)
    out = tmp_path / "runs" / "quick"
    code = ("import time, model.report.html as r\n"
            "def slow(d, res):\n    time.sleep(60)\n"
            "r.write_report = slow\n"
            "from model.runner import run_scenario\n"
            f"run_scenario({str(f)!r}, out_dir={str(out)!r}, n_paths=200)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    try:
        deadline = time.monotonic() + 120
        tmp_json = None
        while time.monotonic() < deadline and proc.poll() is None:
            cands = list((tmp_path / "runs").glob(".tmp-quick-*/run.json")) if (tmp_path / "runs").exists() else []
            if cands:
                tmp_json = cands[0]
                break
            time.sleep(0.05)
        assert tmp_json is not None, "the run never reached its report stage"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not out.exists()
    assert all(p.name.startswith(".") for p in (tmp_path / "runs").iterdir())


def test_preset_script_runs_presets_and_writes_the_comparison(tmp_path):
    """scenarios/run_all.py: each run in its own folder, a summary table, a comparison against the baseline."""
    from model.paths import ROOT

    env = {**os.environ, "CZT_OUTPUTS": str(tmp_path), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(ROOT / "scenarios" / "run_all.py"), "--paths", "200",
                           "slow_growth", "baseline"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[1/2] baseline" in proc.stderr and "[2/2] slow_growth" in proc.stderr   # baseline first
    for name in ("baseline", "slow_growth"):
        assert (tmp_path / name / "run.json").exists() and (tmp_path / name / "report.html").exists()
        assert re.search(rf"^{name}\s+[\d,]+\s+0\.\d{{3}}", proc.stdout, flags=re.M)
    assert (tmp_path / "compare_baseline_slow_growth" / "differences.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline", "compare_baseline_slow_growth", "slow_growth"]
    bad = subprocess.run([sys.executable, str(ROOT / "scenarios" / "run_all.py"), "no_such_preset"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "error: no_such_preset: no such scenario" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_per_variable_forecast_override_is_used_and_validated(tmp_path):
    from model.errors import CztInputError
    from model.scenario import load_scenario

    sc = load_scenario("baseline")
    assert sc.forecast.for_variable("Population|Resident")[0] == ["ets_damped"]
    # GDP uses the damped trend alone (issue 8: the mixture lost to its best member out of sample)
    assert sc.forecast.for_variable("GDP|Real") == (["ets_damped", "mean_reversion"], "inverse_mae")
    assert sc.forecast.for_variable("GDP|Deflator") == (["ets_damped", "naive"], "inverse_mae")
    assert sc.forecast.for_variable("GDP|Nominal") == (list(sc.forecast.methods), sc.forecast.weight_rule)
    bad = tmp_path / "bad_override.toml"
    bad.write_text('extends = "baseline"\n[forecast.variables."GDP|Real"]\nmethods = ["prophet"]\n')
    with pytest.raises(CztInputError, match="bad_override.toml: key 'forecast.variables.GDP|Real.methods.0'"):
        load_scenario(bad)
