"""A CLI that helps: --version, czt list, did-you-mean, choice lists, completion, progress bars, czt export."""
from __future__ import annotations

import shutil
from importlib.metadata import version

import pytest

from model.progress import progress_bar
from model.suggest import did_you_mean, preset_descriptions, presets
from tests._cli import czt


def test_version():
    r = czt("--version")
    assert r.code == 0 and r.out.startswith(f"czt-model {version('czt-model')}")


def test_list_shows_every_preset_with_its_description():
    r = czt("list")
    assert r.code == 0
    lines = r.out.splitlines()
    for name, desc in preset_descriptions():
        assert any(line.startswith(name) and desc[:40] in line for line in lines), name
    assert {"baseline", "plan", "vision_2035"} <= set(presets())
    assert all(len(d) <= 110 and d for _, d in preset_descriptions())


def test_run_without_a_scenario_says_what_to_give():
    r = czt("run")
    assert r.code == 2 and "not both" not in r.err
    assert "give a scenario" in r.err and "baseline" in r.err and "czt list" in r.err
    assert "not both" in czt("run", "baseline", "--all").err


@pytest.mark.parametrize("typo,meant", [("basline", "baseline"), ("paln", "plan"), ("slow-growth", "slow_growth")])
def test_did_you_mean_for_a_mistyped_scenario(typo, meant):
    assert did_you_mean(typo, presets()) == meant
    r = czt("run", typo)
    assert r.code == 2 and f"did you mean '{meant}'?" in r.err and len(r.err.strip().splitlines()) == 1


def test_compare_with_a_typo_suggests_the_real_name_not_the_typo():
    r = czt("compare", "baseline", "basline")
    assert r.code == 2
    assert "czt run basline" not in r.err and "'baseline'" in r.err
    assert did_you_mean("qqqq", presets()) is None


def test_enumerated_options_are_choice_lists():
    h = czt("io", "multipliers", "--help")
    assert "czt|hunan|changsha|zhuzhou" in h.out.replace("\n", "").replace(" ", "").replace("│", "") or "changsha" in h.out
    bad = czt("io", "multipliers", "--region", "Beijing")
    assert bad.code == 2 and "Beijing" in bad.err and "changsha" in bad.err
    ok = czt("io", "multipliers", "--region", "zhuzhou")        # case-insensitive choice
    assert ok.code == 0 and "430200" in ok.out
    assert czt("io", "linkages", "--forward", "nonsense").code == 2


def test_shell_completion_script_and_preset_completion(monkeypatch):
    # the shell named on the command line, not one detected from the parent processes (pytest may run
    # without a shell above it: Typer then ignores 'bash' and fails with "Shell  not supported")
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = czt("--show-completion", "bash")
    assert r.code == 0 and "complete" in r.out and "_CZT_COMPLETE" in r.out.upper()
    from model.cli import _complete_preset

    assert _complete_preset("sl") == ["slow_growth"] and "plan" in _complete_preset("")


def test_progress_bar_yields_everything_and_stays_quiet_off_a_terminal(capsys, monkeypatch):
    assert list(progress_bar(range(5), desc="x")) == [0, 1, 2, 3, 4]   # pytest's stderr is not a TTY
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CZT_PROGRESS", "0")
    assert list(progress_bar(iter("abc"), desc="x")) == ["a", "b", "c"]


def test_export_xlsx_for_an_existing_run(tmp_path):
    import openpyxl  # a dependency of czt-model (pyproject.toml): never skipped
    from model.runner import run_scenario

    out = tmp_path / "baseline"
    run_scenario("baseline", out_dir=out, n_paths=200)
    (out / "workbook.xlsx").unlink()
    (out / "iamc_mean.csv").unlink()
    r = czt("export", str(out), "--xlsx", "--pyam")
    assert r.code == 0, r.err
    assert openpyxl.load_workbook(out / "workbook.xlsx", read_only=True).sheetnames[0] == "计分卡 Scorecard"
    assert (out / "iamc_mean.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert czt("export", str(out)).code == 2                      # nothing chosen
    r = czt("export", "basline_nowhere", "--xlsx")
    assert r.code == 2 and "no run folder" in r.err and not list(tmp_path.glob("**/.*.tmp"))


def test_shell_completion_completes_commands_presets_and_choices():
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("czt")
    if not exe.exists():
        pytest.skip("the czt console script is not installed beside this Python")

    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_CZT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        return subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60).stdout.split()

    assert complete("czt li", 1) == ["list"]
    assert complete("czt run sl", 2) == ["slow_growth"]
    assert complete("czt data pl", 2) == ["plan"]
    assert complete("czt io multipliers --region ", 4) == ["CZT", "Hunan", "Changsha", "Zhuzhou", "Xiangtan"]
