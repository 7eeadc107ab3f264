"""Same seed -> same bytes: two fresh runs of the plan scenario, every output file compared.

Fields that are times by nature (start time, wall and solver times) and the command line live
only in ``run.json``; there they are the only differences allowed. ``workbook.xlsx`` is a zip
archive whose entries carry their write time, so it is compared by content: every cell of every
sheet, except the manifest rows that copy ``run.json``'s time fields.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from _cli import ROOT

TIME_KEYS = {"started_utc", "command"}


def _is_time_key(k: str) -> bool:
    return k in TIME_KEYS or k.endswith("_s") or "time" in k


def _strip_times(d):
    if isinstance(d, dict):
        return {k: _strip_times(v) for k, v in d.items() if not _is_time_key(k)}
    if isinstance(d, list):
        return [_strip_times(v) for v in d]
    return d


def _run(out, env):
    p = subprocess.run([sys.executable, "-c", "from model.cli import main; main()", "run", "plan", "--paths", "200",
                        "-q", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("det")
    env = {**os.environ, "CZT_OUTPUTS": str(d / "outputs"), "MPLBACKEND": "Agg"}
    env.pop("CZT_DEBUG", None)
    out = d / "plan"  # the same --out both times, so that the recorded command is the same too
    _run(out, env)
    first = out.rename(d / "first")
    _run(out, env)
    return first, out


def _xlsx_cells(path):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            label = row[0].lower() if row and isinstance(row[0], str) else ""
            if "start" in label or "time" in label or "git" in label:  # run.json's time fields (and SHA) copied
                continue
            cells.setdefault(ws.title, []).append(row)
    return cells


def test_same_seed_gives_identical_files(two_runs):
    a, b = two_runs
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {"forecasts.csv", "scorecard.csv", "frontier.csv", "allocation.csv", "report.html", "run.json"} <= set(names)
    differ = []
    for n in names:
        if n in ("run.json", "workbook.xlsx"):
            continue
        if (a / n).read_bytes() != (b / n).read_bytes():
            differ.append(n)
    assert not differ, f"files differ between two runs with the same seed: {differ}"


def test_run_json_differs_only_in_time_fields(two_runs):
    a, b = two_runs
    ja, jb = (json.loads((x / "run.json").read_text(encoding="utf-8")) for x in (a, b))
    assert ja["started_utc"] and ja["wall_time_s"] > 0
    ja.pop("code"), jb.pop("code")  # git SHA/dirty flag: others may commit between the two runs on a shared tree
    assert _strip_times(ja) == _strip_times(jb)


def test_frontier_has_no_timing_column(two_runs):
    a, _ = two_runs
    header = (a / "frontier.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert not [c for c in header if "time" in c], header


def test_workbook_content_is_identical(two_runs):
    a, b = two_runs
    assert (a / "workbook.xlsx").is_file() and (b / "workbook.xlsx").is_file()  # every run writes one (runner.py)
    assert _xlsx_cells(a / "workbook.xlsx") == _xlsx_cells(b / "workbook.xlsx")
