"""A corpus of bad inputs and faults, each answered by one line, the right exit code and nothing touched.

Every case asserts: the exit code (2 bad input, 1 environment, 130/143 interrupted), at most two
lines of error naming the file or key, no traceback, no change to any shipped file (SHA-256 of
``calibration/``, ``scenarios/``, ``outputs/README.md``), and no new or stale folder (in
``outputs/``, ``scenarios/``, ``calibration/`` and the case's own temporary folder).

Scenario and CLI cases run ``czt`` in-process through its entry point (fast); calibration cases run
it in a subprocess on a temporary copy of the project (``CZT_HOME``); environment faults use a
read-only and a small tmpfs mount when the tests run as root (else skipped, saying why) and real
signals on a subprocess.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _cli import ROOT, Result, assert_one_line_error, czt, czt_proc, listing, tree_hashes

PATHS = ("--paths", "100")
# outputs/ is shared with whoever else runs czt on this tree: there only this process's temp folders count
WATCHED = (ROOT / "scenarios", ROOT / "calibration", ROOT / "calibration" / "data")


@pytest.fixture(autouse=True)
def nothing_shipped_changes():
    """Every case: shipped files byte-identical, no new or stale folder in the project."""
    before, dirs = tree_hashes(), {d: listing(d) for d in WATCHED}
    yield
    assert tree_hashes() == before, "a shipped file changed"
    for d, names in dirs.items():
        new = listing(d) - names
        assert not new, f"new entries in {d}: {sorted(new)}"
    mine = [n for n in listing(ROOT / "outputs") if n.startswith((".tmp-", ".old-")) and n.endswith(f"-{os.getpid()}")]
    assert not mine, f"temp folders of this process left in outputs/: {mine}"


def _no_litter(folder: Path, allowed: set[str]) -> None:
    assert listing(folder) <= allowed, f"left behind in {folder}: {sorted(listing(folder) - allowed)}"


# --------------------------------------------------------------------------- scenario files
BASE = 'extends = "baseline"\n'
GOAL = ('[[targets_2035]]\nid = "g"\nvariable = "GDP|Nominal"\ncomparator = ">="\nyear = 2035\n')

SCENARIO_CASES = {
    # id: (file text or bytes, key/words the message must name)
    "inf in a float": (BASE + "[assumptions.gdp]\ngrowth_adjustment_pp = inf\n", ["assumptions.gdp.growth_adjustment_pp", "finite"]),
    "nan in a float": (BASE + "[assumptions.gdp]\ndeflator_adjustment_pp = nan\n", ["assumptions.gdp.deflator_adjustment_pp"]),
    "-inf in a float": (BASE + "[io]\nflq_delta = -inf\n", ["io.flq_delta"]),
    "goal of <= inf": (BASE + '[[targets_2035]]\nid = "g"\nvariable = "GDP|Nominal"\ncomparator = "<="\n'
                       'value = inf\nunit = "100m yuan"\n', ["targets_2035.0.value", "finite"]),
    "goal of nan": (BASE + GOAL + 'value = nan\nunit = "100m yuan"\n', ["targets_2035.0.value"]),
    "goal in yuan vs 100m CNY": (BASE + GOAL + 'value = 2.7e12\nunit = "yuan"\n', ["targets_2035.0", "unit", "100m CNY"]),
    "growth goal not in percent": (BASE + '[[targets_2035]]\nid = "g"\nvariable = "GDP|Real"\ncomparator = ">="\n'
                                   'value = 100\nunit = "100m yuan"\nkind = "change_vs_base"\nbase_year = 2020\n',
                                   ["targets_2035.0", "unit", "percent"]),
    "goal region unknown": (BASE + GOAL + 'value = 1\nunit = "100m yuan"\nregion = "Beijing"\n', ["targets_2035.0.region"]),
    "goal duplicated": (BASE + GOAL + 'value = 1\nunit = "100m yuan"\n' + GOAL + 'value = 2\nunit = "100m yuan"\n',
                        ["targets_2035", "duplicate"]),
    "method listed three times": (BASE + '[forecast]\nmethods = ["drift", "drift", "drift", "arima"]\n',
                                  ["forecast.methods", "drift", "more than once"]),
    "override method twice": (BASE + '[forecast.variables."GDP|Real"]\nmethods = ["llt", "llt"]\n',
                              ["forecast.variables.GDP|Real.methods", "more than once"]),
    "unknown region in mapping": (BASE + '[panel.deflator_break_years]\n"999999" = [2004]\n',
                                  ["panel.deflator_break_years.999999", "430100"]),
    "year twice in mapping": (BASE + '[panel.deflator_break_years]\n"430100" = [2004, 2004]\n',
                              ["panel.deflator_break_years", "twice"]),
    "year out of range in mapping": (BASE + '[panel.deflator_break_years]\n"430100" = [1066]\n',
                                     ["panel.deflator_break_years.430100.0"]),
    "empty file": ("", ["empty scenario file"]),
    "comments only": ("# nothing here\n\n", ["empty scenario file"]),
    "binary file": (bytes(range(256)) * 4, ["not UTF-8"]),
    "UTF-16 file": ('extends = "baseline"\n'.encode("utf-16"), ["not UTF-8"]),
    "invalid TOML": (BASE + "[forecast\nn_paths = 100\n", ["invalid TOML"]),
    "extends an absolute path": ('extends = "/etc/passwd"\n', ["key 'extends'", "not a scenario name"]),
    "extends with ..": ('extends = "../scenarios/baseline"\n', ["key 'extends'", "not a scenario name"]),
    "extends a missing parent": ('extends = "no_such_parent"\n', ["key 'extends'", "not found"]),
    "extends a number": ("extends = 3\n", ["key 'extends'", "scenario name"]),
    "extends itself": ('extends = "s"\nname = "self_loop"\n', ["key 'extends'", "cycle"]),
    "unknown key": (BASE + "bogus = 1\n", ["bogus", "unknown key"]),
    "string for an int": (BASE + '[forecast]\nn_paths = "2000"\n', ["forecast.n_paths"]),
    "paths far too many in file": (BASE + "[forecast]\nn_paths = 1000000000\n", ["forecast.n_paths"]),
    "history start out of range": (BASE + "[forecast]\nhistory_start = 2016\n", ["forecast.history_start"]),
    "backtest origin at the data end": (BASE + "[forecast]\nbacktest_origins = [2008, 2024]\n",
                                        ["forecast.backtest_origins", "no observed year"]),
    "name reserved": (BASE + 'name = "evaluate"\n', ["key 'name'", "reserved"]),
    "name too long": (BASE + f'name = "{"x" * 80}"\n', ["key 'name'", "longer than 64"]),
    "name README.md": (BASE + 'name = "README.md"\n', ["key 'name'"]),
}


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_bad_scenario_file(tmp_path, case):
    text, needles = SCENARIO_CASES[case]
    f = tmp_path / "s.toml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    r = czt("run", f, *PATHS, "--out", tmp_path / "out")
    assert_one_line_error(r, 2, str(f), *needles)
    _no_litter(tmp_path, {"s.toml"})


def _chain(tmp_path: Path, n: int) -> Path:
    (tmp_path / "c0.toml").write_text(BASE)
    for i in range(1, n + 1):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i - 1}"\n')
    return tmp_path / f"c{n}.toml"


def test_long_extends_chain(tmp_path):
    f = _chain(tmp_path, 30)
    r = czt("run", f, *PATHS, "--out", tmp_path / "out")
    msg = assert_one_line_error(r, 2, "key 'extends'", "longer than 20")
    assert "c" in msg and ".toml" in msg  # names a file of the chain (the child holding the extends)
    assert not (tmp_path / "out").exists()


def test_extends_chain_within_the_limit_is_followed(tmp_path):
    from model.scenario import load_scenario

    sc = load_scenario(_chain(tmp_path, 18))  # 20 files with baseline: the limit
    assert [Path(p).stem for p in sc.source_files] == ["baseline"] + [f"c{i}" for i in range(19)]


def test_extends_a_symlink_beside_the_child(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "p.toml").write_text(BASE)
    (tmp_path / "p.toml").symlink_to(elsewhere / "p.toml")
    f = tmp_path / "s.toml"
    f.write_text('extends = "p"\n')
    assert_one_line_error(czt("run", f, *PATHS), 2, str(f), "key 'extends'", "symbolic link")


def test_scenario_with_a_utf8_bom_is_read(tmp_path):
    from model.scenario import load_scenario

    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + (BASE + "seed = 7\n").encode("utf-8"))
    assert load_scenario(f).seed == 7


def test_scenario_path_is_a_folder(tmp_path):
    d = tmp_path / "dir.toml"
    d.mkdir()
    assert_one_line_error(czt("run", d, *PATHS), 2, str(d), "folder")


def test_scenario_symlink_loop(tmp_path):
    f = tmp_path / "loop.toml"
    f.symlink_to(f)
    assert_one_line_error(czt("run", f, *PATHS), 2, str(f), "link loop")


def test_scenario_file_missing(tmp_path):
    f = tmp_path / "missing.toml"
    assert_one_line_error(czt("run", f, *PATHS), 2, str(f), "not found")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_scenario_file_unreadable(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(BASE)
    f.chmod(0)
    assert_one_line_error(czt("run", f, *PATHS), 2, str(f), "permission")


# --------------------------------------------------------------------------- CLI arguments
CLI_CASES = {
    "paths zero": (("run", "baseline", "--paths", "0"), 2, ["--paths"]),
    "paths negative": (("run", "baseline", "--paths", "-5"), 2, ["--paths"]),
    "paths below minimum": (("run", "baseline", "--paths", "99"), 2, ["--paths", "100"]),
    "paths huge": (("run", "baseline", "--paths", "1000000000000"), 2, ["--paths", "GiB of memory"]),
    "paths not a number": (("run", "baseline", "--paths", "many"), 2, ["--paths"]),
    "unknown command": (("frobnicate",), 2, ["frobnicate"]),
    "unknown option": (("run", "baseline", "--bogus"), 2, ["--bogus"]),
    "run without scenario": (("run",), 2, ["--all"]),
    "run scenario and --all": (("run", "baseline", "--all"), 2, ["--all"]),
    "run --all with --out": (("run", "--all", "--out", "x"), 2, ["--out"]),
    "unknown preset": (("run", "no_such_preset"), 2, ["no_such_preset"]),
    "compare one run": (("compare", "baseline"), 2, []),  # message depends on whether outputs/baseline exists
    "compare missing runs": (("compare", "no_such_run_a", "no_such_run_b"), 2, ["no_such_run_a"]),
    "data unknown scenario": (("data", "no_such_preset"), 2, ["no_such_preset"]),
    "backtest unknown scenario": (("backtest", "no_such_preset"), 2, ["no_such_preset"]),
    "as-of after the data": (("run", "baseline", "--as-of", "2031"), 2, ["2031"]),
    "levers before 2019": (("run", "plan", "--as-of", "2015", "--paths", "200"), 2, ["plan.toml", "forecast.as_of",
                                                                                    "2019"]),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_bad_cli_arguments(case):
    args, code, needles = CLI_CASES[case]
    assert_one_line_error(czt(*args), code, *needles)


def test_paths_beyond_available_memory_refused_up_front(tmp_path, monkeypatch):
    import model.scenario.schema

    monkeypatch.setattr(model.scenario.schema, "_available_memory", lambda: 256 * 2**20)
    r = czt("run", "baseline", "--paths", "50000", "--out", tmp_path / "out")
    assert_one_line_error(r, 1, "--paths", "GiB of memory", "available")
    assert listing(tmp_path) == set()


def test_compare_a_folder_that_is_not_a_run(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text("mine")
    assert_one_line_error(czt("compare", tmp_path / "a", tmp_path / "b"), 2, str(tmp_path / "a"), "run.json")
    assert (tmp_path / "a" / "notes.txt").read_text() == "mine"


def test_out_below_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = czt("run", "baseline", *PATHS, "--out", f / "sub")
    assert_one_line_error(r, 2, str(f))
    assert f.read_text() == "x"


def test_debug_flag_and_env_show_the_traceback(tmp_path, monkeypatch):
    r = czt("--debug", "run", "no_such_preset")
    assert r.code == 2 and "Traceback" in r.err and r.err.rstrip().splitlines()[-1].startswith("error: ")
    monkeypatch.setenv("CZT_DEBUG", "1")
    r = czt("run", "no_such_preset")
    assert r.code == 2 and "Traceback" in r.err


# --------------------------------------------------------------------------- faults inside a run (in-process)
def test_memory_error_is_one_line(tmp_path, monkeypatch):
    import model.engine.projection

    def boom(*a, **k):
        raise MemoryError()

    monkeypatch.setattr(model.engine.projection, "project", boom)
    r = czt("run", "baseline", *PATHS, "--out", tmp_path / "out")
    assert_one_line_error(r, 1, "out of memory", "--paths")
    _no_litter(tmp_path, set())


def test_internal_error_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import model.runner

    def boom(*a, **k):
        raise RuntimeError("solver crashed\nwith a second line")

    monkeypatch.setattr(model.runner, "write_iamc", boom)  # the first write inside the output folder
    r = czt("run", "baseline", *PATHS, "--out", tmp_path / "out")
    assert_one_line_error(r, 1, "RuntimeError", "solver crashed", "--debug")
    _no_litter(tmp_path, set())


# --------------------------------------------------------------------------- calibration files (a temp copy)
@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    src = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "calibration", src / "calibration",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scenarios", src / "scenarios", ignore=shutil.ignore_patterns("__pycache__"))
    return src


@pytest.fixture()
def home(project_copy, tmp_path):
    d = tmp_path / "home"
    shutil.copytree(project_copy, d)
    return d


def _in(home: Path, *args, env=None) -> Result:
    return czt_proc(*args, env={"CZT_HOME": str(home), "CZT_OUTPUTS": str(home / "outputs"), **(env or {})},
                    cwd=home)


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    t = path.read_text(encoding="utf-8")
    assert old in t, old
    path.write_text(t.replace(old, new, count), encoding="utf-8")


PANEL = "calibration/data/macro/czt_best_panel_long.csv"
ALLOW = {"CZT_ALLOW_MODIFIED_DATA": "1"}


def _first_row(home: Path, rel: str, variable: str) -> tuple[str, int]:
    lines = (home / rel).read_text(encoding="utf-8").splitlines()
    i = next(k for k, ln in enumerate(lines) if f",{variable}," in ln)
    return lines[i], i + 1


def _set_value(home: Path, rel: str, variable: str, value: str) -> int:
    line, n = _first_row(home, rel, variable)
    cells = line.split(",")
    cols = (home / rel).read_text(encoding="utf-8").splitlines()[0].split(",")
    cells[cols.index("value")] = value
    _edit(home / rel, line, ",".join(cells))
    return n


CAL_CASES = {
    # id: (edit(home) -> None, args, env, code, needles(home) -> list)
    "target value inf": (lambda h: _edit(h / "calibration/targets.toml", "value = 27000", "value = inf"),
                         ("targets",), None, 2, lambda h: ["targets.toml", "gdp_level", "key 'value'"]),
    "target in yuan, variable in 100m CNY": (lambda h: _edit(h / "calibration/targets.toml", 'unit = "100m yuan"', 'unit = "yuan"'),
                                             ("run", "baseline", *PATHS, "-q"), None, 2,
                                             lambda h: ["targets.toml", "gdp_level", "key 'unit'", "100m CNY"]),
    "target year a string": (lambda h: _edit(h / "calibration/targets.toml", "year = 2025", 'year = "2025"'),
                             ("targets",), None, 2, lambda h: ["targets.toml", "key 'year'"]),
    "target unknown key": (lambda h: _edit(h / "calibration/targets.toml", "kind = \"level\"", "kind = \"level\"\nweight = 2"),
                           ("targets",), None, 2, lambda h: ["targets.toml", "key 'weight'"]),
    "target unknown variable": (lambda h: _edit(h / "calibration/targets.toml", 'variable = "GDP|Nominal"', 'variable = "GDP|Gross"'),
                                ("targets",), None, 2, lambda h: ["targets.toml", "key 'variable'", "GDP|Gross"]),
    "targets file empty": (lambda h: (h / "calibration/targets.toml").write_text(""),
                           ("targets",), None, 2, lambda h: ["targets.toml", "[[target]]"]),
    "targets file UTF-16": (lambda h: (h / "calibration/targets.toml").write_bytes(
                                (h / "calibration/targets.toml").read_text(encoding="utf-8").encode("utf-16")),
                            ("targets",), None, 2, lambda h: ["targets.toml", "not UTF-8"]),
    "parameters inf": (lambda h: _edit(h / "calibration/parameters.toml", "flq_delta = 0.3", "flq_delta = inf"),
                       ("run", "baseline", *PATHS, "-q"), None, 2, lambda h: ["parameters.toml", "io.flq_delta"]),
    "parameters duplicate method": (lambda h: _edit(h / "calibration/parameters.toml", 'methods = ["drift", ',
                                                    'methods = ["drift", "drift", '),
                                    ("run", "baseline", *PATHS, "-q"), None, 2, lambda h: ["parameters.toml", "forecast.methods"]),
    "vendored file changed": (lambda h: _set_value(h, PANEL, "gdp_nominal", "12345"),
                              ("run", "baseline", *PATHS, "-q"), None, 2,
                              lambda h: [PANEL, "VENDORED.csv", "CZT_ALLOW_MODIFIED_DATA"]),
    "VENDORED.csv missing": (lambda h: (h / "calibration/data/VENDORED.csv").unlink(),
                             ("data",), None, 2, lambda h: ["VENDORED.csv", "missing"]),
    "data file empty": (lambda h: (h / PANEL).write_text(""), ("run", "baseline", *PATHS, "-q"), ALLOW, 2,
                        lambda h: [PANEL, "empty file"]),
    "data header only": (lambda h: (h / PANEL).write_text((h / PANEL).read_text().splitlines()[0] + "\n"),
                         ("run", "baseline", *PATHS, "-q"), ALLOW, 2, lambda h: [PANEL, "no data rows"]),
    "data inf cell": (lambda h: _set_value(h, PANEL, "gdp_nominal", "inf"), ("run", "baseline", *PATHS, "-q"), ALLOW, 2,
                      lambda h: [PANEL + ":", "column 'value'", "finite"]),
    "data zero GDP": (lambda h: _set_value(h, PANEL, "gdp_nominal", "0"), ("run", "baseline", *PATHS, "-q"), ALLOW, 2,
                      lambda h: [PANEL + ":", "gdp_nominal", "> 0"]),
    "data text in a number": (lambda h: _set_value(h, PANEL, "gdp_nominal", "n/a"), ("data",), ALLOW, 2,
                              lambda h: [PANEL + ":", "column 'value'"]),
    "data UTF-16": (lambda h: (h / PANEL).write_bytes((h / PANEL).read_text(encoding="utf-8").encode("utf-16")),
                    ("data",), ALLOW, 2, lambda h: [PANEL, "UTF-8"]),
    "data file missing": (lambda h: (h / PANEL).unlink(), ("data",), None, 2, lambda h: [PANEL, "not found"]),
    "plan figures bad value": (lambda h: _set_value(h, "calibration/data/plan/plan_figures.csv", "gdp_nominal", "lots"),
                               ("run", "baseline", *PATHS, "-q"), ALLOW, 2, lambda h: ["plan_figures.csv:", "column 'value'"]),
    "context GDP zero": (lambda h: _set_value(h, "calibration/data/hightech/context_gdp_denominators.csv", "gdp", "0"),
                         ("data",), ALLOW, 2, lambda h: ["context_gdp_denominators.csv:", "gdp", "> 0"]),
    "plan figures changed": (lambda h: _set_value(h, "calibration/data/plan/plan_figures.csv", "gdp_nominal", "17000"),
                             ("run", "baseline", *PATHS, "-q"), None, 2, lambda h: ["plan_figures.csv", "VENDORED.csv"]),
}


@pytest.mark.parametrize("case", list(CAL_CASES))
def test_bad_calibration_file(home, case):
    edit, args, env, code, needles = CAL_CASES[case]
    edit(home)
    before = listing(home)
    r = _in(home, *args, env=env)
    if code is None:
        assert r.code == 0, r.err
        return
    assert_one_line_error(r, code, *needles(home))
    assert listing(home) <= before | {"outputs"}
    assert not (home / "outputs").exists() or not [p for p in (home / "outputs").iterdir() if p.name != ".cache"]


def test_changed_vendored_file_runs_only_when_allowed_and_says_so(home, monkeypatch, capsys):
    from model.data.loader import load_plan_figures
    from model.errors import CztInputError

    _set_value(home, "calibration/data/plan/plan_figures.csv", "gdp_nominal", "17000")
    r = _in(home, "data")
    assert r.code == 0, r.err  # `czt data` does not read plan_figures.csv: unaffected
    data = home / "calibration" / "data"
    with pytest.raises(CztInputError, match="plan_figures.csv: differs from the SHA-256 recorded in VENDORED.csv"):
        load_plan_figures(data)
    monkeypatch.setenv("CZT_ALLOW_MODIFIED_DATA", "1")
    df = load_plan_figures(data)
    assert 17000 in df.value.to_list()
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "plan_figures.csv" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- stored backtest tables
@pytest.mark.parametrize("tamper, needle", [
    (lambda df: df.assign(mae=-df.mae), "column 'mae'"),
    (lambda df: df.assign(mae=float("nan")), "column 'mae'"),
    (lambda df: df.assign(coverage_80=1.5), "column 'coverage_80'"),
    (lambda df: df.assign(horizon=0), "column 'horizon'"),
    (lambda df: df.assign(region="999999"), "column 'region'"),
    (lambda df: df.iloc[:0], "no rows"),
    (lambda df: df.drop(columns=["mae"]), "mae"),
    (lambda df: __import__("pandas").concat([df, df.iloc[:1]]), "duplicate"),
])
def test_tampered_backtest_table_is_refused(tmp_path, monkeypatch, tamper, needle):
    import io

    import pandas as pd

    from model.engine import backtest_store as bs
    from model.errors import CztInputError, describe

    text = (ROOT / "calibration" / "backtests" / "gdp_real.csv").read_text(encoding="utf-8")
    key_line, _, body = text.partition("\n")
    df = tamper(pd.read_csv(io.StringIO(body), dtype={"region": str}))
    store = tmp_path / "store"
    store.mkdir()
    (store / "gdp_real.csv").write_text(key_line + "\n" + df.to_csv(index=False), encoding="utf-8")
    monkeypatch.setattr(bs, "STORE", store)
    monkeypatch.setattr(bs, "CACHE", tmp_path / "cache")
    with pytest.raises(CztInputError) as ei:
        bs.load("GDP|Real", key_line.removeprefix("# key="))
    code, msg = describe(ei.value)
    assert code == 2 and "\n" not in msg and "gdp_real.csv" in msg and needle in msg, msg
    # the same table in the cache is simply recomputed, never used
    monkeypatch.setattr(bs, "STORE", tmp_path / "nostore")
    monkeypatch.setattr(bs, "CACHE", store)
    assert bs.load("GDP|Real", key_line.removeprefix("# key=")) is None


def test_backtest_cache_write_failure_is_a_warning_and_leaves_no_temp(tmp_path, monkeypatch, capsys):
    """outputs/.cache is best-effort: an unwritable cache (here: its folder is a file, and the
    target is a folder so the final rename fails after the temp file was written) warns in one
    line, returns None, leaves no .tmp, and the run's values are the stored text's values."""
    import pandas as pd

    from model.engine import backtest_store as bs
    from model.forecast.calibrate import ERROR_COLUMNS, check_error_table

    df = pd.DataFrame([("430100", "m", 2010, 1, 0.0123456789012, 0.05, 0.2469)], columns=ERROR_COLUMNS)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr(bs, "CACHE", blocker / "cache")  # mkdir fails: a file sits in the way
    assert bs.save("GDP|Real calibration", "k", df) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: backtest cache not written") and "Traceback" not in err
    cache = tmp_path / "cache"
    (cache / "gdp_real_calibration.csv").mkdir(parents=True)  # rename onto a folder fails after the write
    monkeypatch.setattr(bs, "CACHE", cache)
    assert bs.save("GDP|Real calibration", "k", df) is None
    assert "warning: backtest cache not written" in capsys.readouterr().err
    assert sorted(p.name for p in cache.iterdir()) == ["gdp_real_calibration.csv"]  # no .tmp left
    # the shipped store is not best-effort: the error propagates (and still no .tmp)
    monkeypatch.setattr(bs, "STORE", cache)
    with pytest.raises(OSError):
        bs.save("GDP|Real calibration", "k", df, store=True)
    assert sorted(p.name for p in cache.iterdir()) == ["gdp_real_calibration.csv"]
    # what the run uses without a cache equals what it would read back from one
    back = bs.roundtrip(df, check_error_table)
    assert back["error"].iloc[0] == 0.01234567890 and back["region"].iloc[0] == "430100"


def test_shipped_backtest_tables_pass_the_check():
    import io

    import pandas as pd

    from model.data.loader import check_backtest_table

    for p in sorted((ROOT / "calibration" / "backtests").glob("*.csv")):
        first, _, body = p.read_text(encoding="utf-8").partition("\n")
        if first.startswith("# key=") and {"region", "method", "mae"} <= set(body.split("\n", 1)[0].split(",")):
            check_backtest_table(pd.read_csv(io.StringIO(body), dtype={"region": str}), p)


# --------------------------------------------------------------------------- environment faults
def _mount(target: Path, opts: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(target)], check=True, capture_output=True)


def _can_mount() -> str | None:
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs (read-only folder / full disk)"
    if shutil.which("mount") is None:
        return "no mount command"
    return None


@pytest.fixture()
def tmpfs(tmp_path):
    why = _can_mount()
    if why:
        pytest.skip(why)
    mounted = []

    def make(name: str, opts: str) -> Path:
        d = tmp_path / name
        try:
            _mount(d, opts)
        except subprocess.CalledProcessError as exc:
            pytest.skip(f"cannot mount a tmpfs here ({exc.stderr.decode().strip()})")
        mounted.append(d)
        return d

    yield make
    for d in mounted:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def test_read_only_output_folder(tmpfs):
    ro = tmpfs("ro", "ro,size=64k")
    r = czt("run", "baseline", *PATHS, "--out", ro / "baseline")
    assert_one_line_error(r, 1, str(ro), "read-only")
    assert listing(ro) == set()


def test_full_disk_keeps_the_previous_result_and_no_temp(tmpfs, tmp_path):
    first = tmp_path / "first"
    assert czt("run", "baseline", *PATHS, "-q", "--out", first).code == 0
    size = sum(p.stat().st_size for p in first.iterdir())
    disk = tmpfs("disk", f"size={int(size * 1.4) // 1024 + 1}k")
    shutil.copytree(first, disk / "baseline")  # an earlier run fills most of the disk
    before = {p.name: p.read_bytes() for p in (disk / "baseline").iterdir()}
    r = czt("run", "baseline", *PATHS, "-q", "--out", disk / "baseline")
    assert_one_line_error(r, 1, f"{disk / 'baseline'}: no space left", "previous results are intact")
    assert {p.name: p.read_bytes() for p in (disk / "baseline").iterdir()} == before
    assert listing(disk) == {"baseline"}


def _start_run(out: Path, env: dict | None = None) -> subprocess.Popen:
    e = {**os.environ, **(env or {})}
    e.pop("CZT_DEBUG", None)
    return subprocess.Popen([sys.executable, "-c", "from model.cli import main; main()", "run", "baseline",
                             "--paths", "2000", "-q", "--out", str(out)], cwd=ROOT, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_temp(parent: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        tmp = [p for p in parent.glob(".tmp-*") if p.is_dir()] if parent.exists() else []
        if tmp:
            return tmp[0]
        if proc.poll() is not None:
            pytest.fail(f"run ended before writing: {proc.stderr.read()[-500:]}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail("the run never started writing")


@pytest.mark.parametrize("sig, code, needle", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_signal_mid_write_cleans_up(tmp_path, sig, code, needle):
    out = tmp_path / "runs" / "baseline"
    proc = _start_run(out)
    _wait_for_temp(out.parent, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    r = Result(proc.returncode, "", err)
    if r.code == 0:  # the run finished between our look and the signal: nothing to clean up then
        assert (out / "run.json").is_file()
        return
    assert_one_line_error(r, code, needle)
    assert listing(out.parent) == set(), "temp folder left behind"


def test_sigkill_leaves_a_temp_folder_that_the_next_run_removes(tmp_path):
    out = tmp_path / "runs" / "baseline"
    proc = _start_run(out)
    tmp = _wait_for_temp(out.parent, proc)
    proc.kill()
    proc.communicate(timeout=60)
    if (out / "run.json").exists():
        pytest.skip("the run finished before SIGKILL arrived")
    assert tmp.exists() and not out.exists()
    r = czt("run", "baseline", *PATHS, "-q", "--out", out)
    assert r.code == 0, r.err
    assert listing(out.parent) == {"baseline"}
