"""Output safety: no command taking --out ever deletes or overwrites a file that is not its own."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from _cli import ROOT, assert_one_line_error, czt, listing, tree_hashes
from model.results.fileio import MARKER, atomic_dir, read_marker, remove_stale_temp
from model.errors import CztOutputError

PATHS = ("--paths", "100")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two small real runs (baseline, slow_growth) in a temporary folder."""
    d = tmp_path_factory.mktemp("runs")
    for name in ("baseline", "slow_growth"):
        r = czt("run", name, *PATHS, "--quiet", "--out", d / name)
        assert r.code == 0, r.err
    return d


def _foreign(tmp_path: Path) -> Path:
    f = tmp_path / "mine"
    f.mkdir()
    (f / "thesis.docx").write_bytes(b"a user's document")
    (f / "sub").mkdir()
    (f / "sub" / "notes.txt").write_text("notes")
    return f


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_foreign_folder_survives_every_out_command(runs, tmp_path):
    f = _foreign(tmp_path)
    before = _snapshot(f)
    commands = [
        ("run", "baseline", *PATHS, "--out", f),
        ("run", "baseline", *PATHS, "--out", f, "--force"),
        ("compare", runs / "baseline", runs / "slow_growth", "--out", f),
        ("compare", runs / "baseline", runs / "slow_growth", "--out", f, "--force"),
        ("backtest", "baseline", "--out", f / "thesis.docx"),
        ("evaluate", "--out", f),
        ("io", "multipliers", "--out", f / "thesis.docx"),
        ("io", "iamc", "--out", f / "thesis.docx"),
        ("io", "multipliers", "--out", f / "sub"),  # a folder, not a file
    ]
    for cmd in commands:
        r = czt(*cmd)
        assert_one_line_error(r, 2, str(f))
        assert _snapshot(f) == before, cmd
        assert listing(tmp_path) == {"mine"}, cmd  # no temp folder left beside it


def test_project_folders_are_refused(runs):
    before = tree_hashes()
    for target, why in (("scenarios", "input folders"), ("calibration", "input folders"),
                        ("calibration/data", "input folders"), (".", "not a czt-model output folder"),
                        ("outputs", "not a czt-model output folder")):
        r = czt("run", "baseline", *PATHS, "--out", ROOT / target)
        assert_one_line_error(r, 2, why)
        r = czt("compare", runs / "baseline", runs / "slow_growth", "--out", ROOT / target, "--force")
        assert_one_line_error(r, 2, why)
    for target in ("calibration/new_run", "scenarios/new_run", "model/new_run", "calibration/data/x.csv"):
        r = czt("run", "baseline", *PATHS, "--out", ROOT / target)
        assert_one_line_error(r, 2, "input folders")
        assert not (ROOT / target).exists()
    assert_one_line_error(czt("io", "multipliers", "--out", ROOT / "calibration" / "m.csv"), 2, "input folders")
    assert_one_line_error(czt("backtest", "--out", ROOT / "scenarios" / "bt.csv"), 2, "input folders")
    assert tree_hashes() == before
    assert not [p for p in (ROOT / "scenarios").iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert not (ROOT / "calibration" / "m.csv").exists() and not (ROOT / "scenarios" / "bt.csv").exists()


def test_own_run_folder_is_replaced_another_needs_force(runs, tmp_path):
    d = tmp_path / "r"
    assert czt("run", "baseline", *PATHS, "-q", "--out", d).code == 0
    assert read_marker(d) == {"kind": "run", "name": "baseline"}
    assert czt("run", "baseline", *PATHS, "-q", "--out", d).code == 0  # its own folder: replaced
    r = czt("run", "slow_growth", *PATHS, "-q", "--out", d)
    assert_one_line_error(r, 2, str(d), "--force")
    assert read_marker(d)["name"] == "baseline"
    r = czt("compare", runs / "baseline", runs / "slow_growth", "-q", "--out", d)
    assert_one_line_error(r, 2, "run 'baseline'", "--force")
    assert czt("run", "slow_growth", *PATHS, "-q", "--out", d, "--force").code == 0
    assert read_marker(d)["name"] == "slow_growth"
    assert listing(tmp_path) == {"r"}


def test_empty_folder_is_used(tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    assert czt("run", "baseline", *PATHS, "-q", "--out", d).code == 0
    assert (d / "run.json").is_file() and (d / MARKER).is_file()


def test_out_file_symlink_and_all(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("keep")
    assert_one_line_error(czt("run", "baseline", *PATHS, "--out", f), 2, str(f), "file")
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    assert_one_line_error(czt("run", "baseline", *PATHS, "--out", link), 2, "symbolic link")
    assert_one_line_error(czt("run", "--all", "--out", tmp_path / "x"), 2, "--out")
    assert f.read_text() == "keep" and listing(tmp_path) == {"a.txt", "link"}


@pytest.mark.parametrize("name, why", [
    ("README", "reserved"), ("readme", "reserved"), ("README.md", "letters, digits"),
    ("compare_baseline_slow_growth", "reserved"), ("evaluate", "reserved"), ("sweep_a", "reserved"),
    (".hidden", "letters, digits"), ("a" * 65, "longer than 64"), ("../x", "letters, digits"),
    ("a b", "letters, digits"), ("", "letters, digits"),
])
def test_unsafe_scenario_names(tmp_path, name, why):
    before = tree_hashes()
    f = tmp_path / "s.toml"
    f.write_text(f'extends = "baseline"\nname = "{name}"\n', encoding="utf-8")
    r = czt("run", f, *PATHS)
    assert_one_line_error(r, 2, str(f), "key 'name'", why)
    assert tree_hashes() == before and (ROOT / "outputs" / "README.md").is_file()


def test_backtest_out_overwrites_only_its_own_table(tmp_path):
    p = tmp_path / "bt.csv"
    r = czt("backtest", "baseline", "--out", p)
    assert r.code == 0, r.err
    first = p.read_text()
    assert czt("backtest", "baseline", "--out", p).code == 0  # an earlier backtest table: replaced
    assert p.read_text() == first  # and deterministic
    assert listing(tmp_path) == {"bt.csv"}


def test_atomic_dir_failure_leaves_previous_result_and_no_temp(tmp_path):
    final = tmp_path / "out"
    with atomic_dir(final, kind="run", name="x") as t:
        (t / "a.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_dir(final, kind="run", name="x") as t:
            (t / "a.csv").write_text("new, half")
            raise RuntimeError("disk full halfway")
    assert (final / "a.csv").read_text() == "old"
    assert listing(tmp_path) == {"out"}
    with pytest.raises(CztOutputError):
        with atomic_dir(final, kind="compare", name="y"):
            pass


def test_stale_temp_folders_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".tmp-baseline-{pid}"
    stale.mkdir()
    (stale / MARKER).write_text("kind=run\nname=baseline\n")  # atomic_dir writes it first
    (stale / "forecasts.csv").write_text("half")
    alive = tmp_path / f".tmp-plan-{os.getppid()}"
    alive.mkdir()
    keep = tmp_path / ".tmp-notours"
    keep.mkdir()
    mine = tmp_path / f".tmp-mine-{pid}"          # a user's folder that only looks like ours: no marker
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    removed = remove_stale_temp(tmp_path)
    assert removed == [stale] and alive.exists() and keep.exists()
    assert (mine / "notes.txt").read_text() == "mine"
    with atomic_dir(tmp_path / "r", kind="run", name="r") as t:  # every write cleans its parent folder
        (t / "x").write_text("1")
    assert listing(tmp_path) == {alive.name, keep.name, mine.name, "r"}


def test_export_writes_only_into_a_czt_run_folder(tmp_path):
    f = tmp_path / "mine"
    f.mkdir()
    (f / "run.json").write_text('{"my": "own manifest"}')
    (f / "workbook.xlsx").write_bytes(b"a user's workbook")
    before = _snapshot(f)
    r = czt("export", f, "--xlsx", "--pyam")
    assert_one_line_error(r, 2, str(f))
    assert _snapshot(f) == before


def test_io_out_replaces_only_its_own_table(tmp_path):
    p = tmp_path / "m.csv"
    assert czt("io", "multipliers", "--out", p).code == 0
    first = p.read_bytes()
    assert czt("io", "multipliers", "--out", p).code == 0 and p.read_bytes() == first
    assert_one_line_error(czt("io", "iamc", "--out", p), 2, str(p))  # another table: refused
    assert p.read_bytes() == first and listing(tmp_path) == {"m.csv"}


def test_report_entry_point_refuses_a_folder_that_is_not_a_czt_run(tmp_path):
    f = tmp_path / "mine"
    f.mkdir()
    (f / "run.json").write_text('{"my": "own manifest"}')
    (f / "report.html").write_text("my report")
    p = subprocess.run([sys.executable, "-m", "model.report", str(f)], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert (f / "report.html").read_text() == "my report" and listing(f) == {"run.json", "report.html"}
