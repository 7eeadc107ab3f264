"""czt sweep execution: schedulers agree byte for byte, a killed sweep resumes, output safety, one-line errors.

One small real sweep (8 variants of ``plan`` over four keys, one of them LP data, one rebuilding the LP,
100 paths, 2 LP paths, batches of 1)
runs in-process once (module fixture); the LocalCluster run, the resumed CLI run and the
determinism checks compare against it.
"""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _cli import ROOT, Result, assert_one_line_error, czt, czt_proc, listing
from model.errors import CztInputError, CztOutputError
from model.results.fileio import MARKER
from model.sweep import execute as X

SPEC = """\
name = "exec_test"
base = "plan"
seed = 7
[design]
method = "lhs"
n = 8
[[parameters]]
key = "assumptions.gdp.growth_adjustment_pp"
range = [-1.0, 1.0]
note = "test range: +-1 pp around the trend"
[[parameters]]
key = "assumptions.energy.czt_relative_to_hunan_pp"
range = [-1.5, 1.5]
note = "test range: +-1.5 pp of CZT's energy-intensity change relative to Hunan"
[[parameters]]
key = "optimisation.investment_share_of_gdp"
range = [0.45, 0.55]
note = "test range: the LP's investment envelope around its 0.525 default"
[[parameters]]
key = "optimisation.depreciation_rate"
range = [0.08, 0.1]
note = "test range: a key that rebuilds the LP (cached by value)"
[run]
n_paths = 100
n_lp_paths = 2
batch_size = 1
[outputs]
targets = ["energy_intensity", "urbanisation", "gdp_per_capita"]
"""
N_BATCHES = 8
VOLATILE = {"started_utc", "wall_time_s", "command", "scheduler", "workers"}


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("spec")
    p = d / "exec_test.toml"
    p.write_text(SPEC, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def inproc(spec_file, tmp_path_factory):
    """The reference: the sweep run in this process (real engine)."""
    out = tmp_path_factory.mktemp("inproc") / "sweep"
    msgs: list[str] = []
    res = X.run_sweep(spec_file, out_dir=out, progress=msgs.append)
    return res, msgs


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --------------------------------------------------------------------------- the variant table
def test_variant_table_is_the_design_with_its_results(inproc):
    res, msgs = inproc
    t, design = res.results, res.design
    assert len(t) == 8 and list(t["variant"]) == list(range(8))
    for k in res.spec.keys:  # the parameters are the design's values, row for row
        assert np.array_equal(t[k].to_numpy(), design[k].to_numpy())
    assert (t["error"] == "").all()
    for tid in ("energy_intensity", "urbanisation", "gdp_per_capita"):
        p, se = t[f"p_meet.{tid}"], t[f"p_meet_se.{tid}"]
        assert p.between(0, 1).all()
        assert np.allclose(se, np.sqrt(p * (1 - p) / 100))  # the MC standard error of 100 paths
    out = res.out_dir
    assert {"variants.parquet", "variants.csv", "sensitivity.csv", "flip_frontier.csv", "sweep.json",
            "report.md", "report.html", "base.csv", MARKER} <= set(listing(out))
    assert pd.read_parquet(out / "variants.parquet").equals(t)
    csv = pd.read_csv(out / "variants.csv", keep_default_na=False, na_values={c: [""] for c in t.columns
                                                                              if c != "error"})
    assert list(csv.columns) == list(t.columns) and np.allclose(csv["p_meet.energy_intensity"],
                                                                t["p_meet.energy_intensity"])
    assert any(f"batch {N_BATCHES}/{N_BATCHES} done" in m for m in msgs)
    assert not X.partial_dir(out).exists()  # the work folder goes once the output is written
    man = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert man["n_variants"] == 8 and man["n_paths"] == 100 and man["n_lp_paths"] == 2
    assert man["scheduler"] == "inprocess" and man["seed"] == 7 and man["scenario_seed"] == res.spec.base_scenario.seed
    assert any(k.endswith("exec_test.toml") for k in man["inputs_sha256"])
    assert any(k.endswith("scenarios/plan.toml") for k in man["inputs_sha256"])


def test_a_variant_row_equals_a_full_run_with_its_values(inproc):
    """The last variant (last batch) through the executor = run_scenario with the same overrides and paths."""
    from model.runner import run_scenario

    res, _ = inproc
    row = res.results.iloc[-1]
    values = {k: float(row[k]) for k in res.spec.keys}
    r = run_scenario("plan", write=False, overrides=values, n_paths=100, n_lp_paths=2)
    card = r.scorecard.set_index("target")
    for tid in ("energy_intensity", "urbanisation", "gdp_per_capita"):
        assert row[f"p_meet.{tid}"] == pytest.approx(float(card.at[tid, "prob_meet"]), abs=0)
        assert row[f"verdict.{tid}"] == card.at[tid, "status"]
    base = res.base.iloc[0]  # the base scenario's own row: no override
    r0 = run_scenario("plan", write=False, n_paths=100, n_lp_paths=2)
    assert base["p_meet.energy_intensity"] == float(r0.scorecard.set_index("target").at["energy_intensity",
                                                                                         "prob_meet"])


def test_report_says_what_was_varied_and_the_path_caveat(inproc):
    res, _ = inproc
    md = (res.out_dir / "report.md").read_text(encoding="utf-8")
    for p in res.spec.parameters:
        assert p.key in md and p.note in md
    from model.engine.alternative import N_LP_PATHS

    base_n = res.spec.base_scenario.forecast.n_paths           # the base scenario's own path count
    assert f"simulated on 100 forecast paths" in md
    assert f"fewer than a single `czt run plan` ({base_n} forecast paths and {N_LP_PATHS} LP sample paths)" in md
    assert "MC s.e." in md
    ok = res.results[res.results["error"] == ""]
    charts = 0
    for o in res.manifest["analysed_outputs"]:
        png = res.out_dir / f"tornado_{X.slug(o)}.png"
        if ok[o].nunique() > 1:
            assert png.name in md and png.is_file()
            charts += 1
        else:  # a constant output: no chart, said so
            assert not png.exists() and o in md.split("Constant across the evaluated variants")[1].split("\n")[0]
    assert charts >= 2
    html = (res.out_dir / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "started_utc" not in html and "started_utc" not in md


# --------------------------------------------------------------------------- schedulers
def test_local_cluster_gives_the_same_bytes_and_starts_over_on_a_changed_key(inproc, spec_file, tmp_path):
    """2 LocalCluster workers write the same files as the in-process run (sweep.json but its run fields).

    A work folder of ours with another key (a changed spec) is replaced, not reused: its
    planted batch file (wrong numbers) must not reach the output.
    """
    ref, _ = inproc
    out = tmp_path / "sweep"
    work = X.partial_dir(out)
    work.mkdir()
    (work / MARKER).write_text(f"kind={X.PARTIAL_KIND}\nname=exec_test\n", encoding="utf-8")
    (work / "key").write_text("an older spec\n", encoding="utf-8")
    bad = ref.results.iloc[:2].copy()
    bad["p_meet.energy_intensity"] = 0.123
    bad.to_parquet(work / "batch_00000.parquet", index=False)
    msgs: list[str] = []
    res = X.run_sweep(spec_file, workers=2, out_dir=out, progress=msgs.append)
    assert not any("resumed" in m for m in msgs)
    assert res.manifest["scheduler"] == "local" and res.manifest["workers"] == 2
    a, b = _files(ref.out_dir), _files(out)
    assert set(a) == set(b)
    for name in a:
        if name != "sweep.json":
            assert a[name] == b[name], name
    ja, jb = (json.loads(x["sweep.json"]) for x in (a, b))
    assert {k for k in ja if ja[k] != jb.get(k)} <= VOLATILE
    assert listing(tmp_path) == {"sweep"}  # work folder removed, no temp folder left


def test_a_running_dask_scheduler_at_a_tcp_address_gives_the_same_bytes(inproc, spec_file, tmp_path):
    """``--scheduler tcp://...``: a scheduler and two worker processes started apart from the sweep
    (here a LocalCluster, reached only through its address) write the same files as the in-process run."""
    from distributed import LocalCluster

    ref, _ = inproc
    out = tmp_path / "sweep"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        res = X.run_sweep(spec_file, scheduler=address, out_dir=out)
    assert res.manifest["scheduler"] == "address" and res.manifest["workers"] == 2
    a, b = _files(ref.out_dir), _files(out)
    assert set(a) == set(b)
    for name in a:
        if name != "sweep.json":
            assert a[name] == b[name], name
    assert listing(tmp_path) == {"sweep"}


def test_scheduler_choice_and_bad_values():
    assert X.scheduler_kind(None, 1) == "inprocess" and X.scheduler_kind(None, 2) == "local"
    assert X.scheduler_kind("tcp://10.0.0.5:8786", 1) == "address"
    for sched, workers, needle in (("inprocess", 2, "--scheduler"), ("cluster", 1, "--scheduler"),
                                   (None, 0, "--workers")):
        with pytest.raises(CztInputError, match=needle):
            X.scheduler_kind(sched, workers)


def test_unreachable_scheduler_is_one_line_and_leaves_nothing(spec_file, tmp_path):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        r = czt("sweep", spec_file, "--scheduler", "tcp://127.0.0.1:9", "--out", tmp_path / "s", "-q")
    assert_one_line_error(r, 1, "--scheduler", "tcp://127.0.0.1:9")
    assert listing(tmp_path) == set()


# --------------------------------------------------------------------------- resume
def test_killed_sweep_resumes_from_its_finished_batches(inproc, spec_file, tmp_path):
    ref, _ = inproc
    out = tmp_path / "sweep"
    work = X.partial_dir(out)
    env = dict(os.environ, CZT_PROGRESS="0")
    env.pop("CZT_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-c", "from model.cli import main; main()", "sweep", str(spec_file),
                          "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(work.glob("batch_*.parquet")) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
    finally:
        p.wait()
    assert p.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    kept = sorted(q.name for q in work.glob("batch_*.parquet"))
    assert 1 <= len(kept) < N_BATCHES and not out.exists()
    r = czt_proc("sweep", spec_file, "--out", out, timeout=300)
    assert r.code == 0, r.err
    assert f"resumed: {len(kept)} of {N_BATCHES} batches already done" in r.err
    assert f"flip frontier of energy_intensity (flip_frontier.csv): {ref.flip_sentence}" in r.out
    assert (out / "variants.parquet").read_bytes() == (ref.out_dir / "variants.parquet").read_bytes()
    assert (out / "variants.csv").read_bytes() == (ref.out_dir / "variants.csv").read_bytes()
    assert not work.exists()


@pytest.mark.parametrize("sig, code, said", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_stopped_sweep_says_its_batches_are_kept_even_when_quiet(spec_file, tmp_path, sig, code, said):
    out = tmp_path / "sweep"
    work = X.partial_dir(out)
    env = dict(os.environ, CZT_PROGRESS="0")
    env.pop("CZT_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-c", "from model.cli import main; main()", "sweep", str(spec_file),
                          "--out", str(out), "-q"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(work.glob("batch_*.parquet")) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        p.send_signal(sig)
        o, e = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    r = Result(p.returncode, o, e)
    assert "nothing was written" not in e, e
    kept = sorted(q.name for q in work.glob("batch_*.parquet"))
    assert 1 <= len(kept) < N_BATCHES, "the sweep finished before it could be stopped"
    assert_one_line_error(r, code, f"{said}; {len(kept)} of {N_BATCHES} batches kept in {work}",
                          "run the same command again to resume")
    assert not out.exists() and not (work / X._LOCK).exists()


def test_a_base_the_engine_refuses_leaves_no_work_folder(tmp_path):
    (tmp_path / "base.toml").write_text('name = "old_plan"\nextends = "plan"\n[forecast]\nas_of = 2020\n',
                                        encoding="utf-8")
    sw = tmp_path / "sweep.toml"
    sw.write_text(SPEC.replace('base = "plan"', 'base = "base.toml"'), encoding="utf-8")
    r = czt("sweep", sw, "--out", tmp_path / "out", "-q")
    assert_one_line_error(r, 2, str(tmp_path / "base.toml"), "forecast.as_of: 2020")
    assert listing(tmp_path) == {"base.toml", "sweep.toml"}  # no .out.partial/, no out/


def test_work_folder_reuse_key_and_refusals(tmp_path):
    final = tmp_path / "sweep_x"
    work, reused = X.open_partial(final, "k1", "x")
    assert not reused and X.read_marker(work)["kind"] == X.PARTIAL_KIND
    (work / "batch_00000.parquet").write_bytes(b"done")
    (work / ".batch_00001.parquet.tmp-99999999").write_bytes(b"half")  # a killed writer's temp file
    from model.results.fileio import remove_stale_temp

    assert remove_stale_temp(tmp_path) == [] and (work / "batch_00000.parquet").exists()  # never a work folder
    work, reused = X.open_partial(final, "k1", "x")
    assert reused and (work / "batch_00000.parquet").exists()
    assert not (work / ".batch_00001.parquet.tmp-99999999").exists()
    work, reused = X.open_partial(final, "k2", "x")  # another key: ours, replaced
    assert not reused and not (work / "batch_00000.parquet").exists()
    (work / X._LOCK).write_text(f"{os.getppid()}\n")  # a live process holds it
    with pytest.raises(CztOutputError, match="is running this sweep"):
        X.open_partial(final, "k2", "x")
    mine = tmp_path / ".sweep_y.partial"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(CztOutputError, match="not a czt-model sweep work folder"):
        X.open_partial(tmp_path / "sweep_y", "k1", "y")
    assert (mine / "notes.txt").read_text() == "mine"


def test_resume_key_follows_the_spec(spec_file, tmp_path):
    from model.sweep.design import sample
    from model.sweep.spec import load_sweep

    other = tmp_path / "exec_test.toml"
    other.write_text(SPEC.replace("range = [-1.5, 1.5]", "range = [-1.5, 2.0]"), encoding="utf-8")
    keys = []
    for f in (spec_file, spec_file, other):
        s = load_sweep(f)
        base = X.base_scenario(s)
        rec = X.Recipe(base.model_dump_json(), tuple(s.keys), s.run.n_paths, s.run.n_lp_paths)
        keys.append(X.sweep_key(s, rec, sample(s)))
    assert keys[0] == keys[1] != keys[2]


# --------------------------------------------------------------------------- bad input, output safety
def test_refused_variant_is_recorded_and_the_batch_goes_on():
    batch = pd.DataFrame({"variant": [0, 1, 2], "a": [0.5, -1.0, 2.0]})
    rec = X.Recipe("{}", ("a",), 100, 1)
    t = X.evaluate_batch(rec, batch, evaluator=_square_root_evaluator)
    assert list(t.columns) == ["variant", "a", "y", "error"]
    assert t["y"].tolist()[0] == math.sqrt(0.5) and t["y"].tolist()[2] == math.sqrt(2.0)
    assert math.isnan(t["y"][1]) and "a = -1.0" in t["error"][1] and t["error"][0] == ""


def _square_root_evaluator(recipe):
    def f(values):
        if values["a"] < 0:
            raise CztInputError("sweep", f"a = {values['a']}: no real square root")
        return {"y": math.sqrt(values["a"])}

    return f


def test_bad_sweep_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SPEC.replace("assumptions.gdp.growth_adjustment_pp", "assumptions.gdp.growth_adjustmnt_pp"),
                   encoding="utf-8")
    r = czt("sweep", bad, "--out", tmp_path / "out", "-q")
    assert_one_line_error(r, 2, str(bad), "parameters.0.key")
    assert listing(tmp_path) == {"bad.toml"}


def test_out_on_a_users_folder_is_refused_and_it_survives(spec_file, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"a user's document")
    for extra in ((), ("--force",)):
        r = czt("sweep", spec_file, "--out", mine, "-q", *extra)
        assert_one_line_error(r, 2, str(mine))
        assert (mine / "thesis.docx").read_bytes() == b"a user's document"
        assert listing(tmp_path) == {"mine"} and listing(mine) == {"thesis.docx"}  # no work folder beside it


def test_a_worker_with_other_code_refuses_in_one_line():
    """A task whose recipe carries another machine's fingerprint comes back as data and is raised here."""
    import pickle

    batch = pd.DataFrame({"variant": [0], "a": [1.0]})
    rec = X.Recipe("{}", ("a",), 100, 1, fingerprint="another machine")
    i, df, info = pickle.loads(pickle.dumps(X._batch_task(rec, 3, batch, _square_root_evaluator)))
    assert i == 3 and df is None
    with pytest.raises(X.CztEnvironmentError, match="Dask worker on .*code or calibration data differ"):
        X._reraise(info)
    ok = X.Recipe("{}", ("a",), 100, 1, fingerprint=X.fingerprint())
    assert X._batch_task(ok, 0, batch, _square_root_evaluator)[1]["y"].tolist() == [1.0]


def test_a_batch_gives_the_same_bytes_whatever_ran_before_it(tmp_path):
    """The shipped plan sweep (smaller): batch B alone = batch B after batch A in the same process.

    Without the per-batch reset (EngineEvaluator.begin_batch) the LPs that depreciation-rate
    variants rebuild and cache carry state from batch A into B and B's last digits move
    (seen: 1e-11 relative), which would break byte-identity across schedulers and resume.
    """
    import re

    from model.sweep.design import sample
    from model.sweep.spec import load_sweep

    text = (ROOT / "scenarios" / "sweeps" / "plan_assumptions.toml").read_text(encoding="utf-8")
    for key, value in (("n", 3), ("n_paths", 100), ("n_lp_paths", 2)):
        text = re.sub(rf"(?m)^{key} = \d+.*$", f"{key} = {value}", text)
    f = tmp_path / "plan_assumptions.toml"
    f.write_text(text, encoding="utf-8")
    s = load_sweep(f)
    d = sample(s)
    rec = X.Recipe(s.base_scenario.model_dump_json(), tuple(s.keys), s.run.n_paths, s.run.n_lp_paths)
    a, b = d.iloc[0:8].reset_index(drop=True), d.iloc[8:16].reset_index(drop=True)
    X._CACHE.clear()
    alone = X._batch_task(rec, 1, b, None)[1]
    X._CACHE.clear()
    X._batch_task(rec, 0, a, None)
    after = X._batch_task(rec, 1, b, None)[1]
    assert s.keys.count("optimisation.depreciation_rate") == 1 and b["optimisation.depreciation_rate"].nunique() > 1
    assert alone.equals(after)
    buf = [t.to_parquet() for t in (alone, after)]
    assert buf[0] == buf[1]


# --------------------------------------------------------------------------- no sensitivity index
NO_SENS_SPEC = """\
name = "no_sens"
base = "plan"
seed = 3
[design]
method = "{method}"
n = {n}
[[parameters]]
key = "assumptions.gdp.growth_adjustment_pp"
range = [-1.0, 1.0]
note = "test range"
[[parameters]]
key = "assumptions.energy.czt_relative_to_hunan_pp"
range = [-1.5, 1.5]
note = "test range"
[run]
n_paths = 100
n_lp_paths = 2
batch_size = 10
[outputs]
targets = ["energy_intensity"]
variables = ["GDP|Nominal"]
"""


class _Stub:
    """A stand-in engine: the base row always evaluates; ``mode`` decides the variants.

    ``refuse``: every variant refused; ``constant``: every variant gives the base's numbers;
    ``one_refused``: variant with the highest GDP adjustment refused, the others vary.
    """

    output_columns = ["p_meet.energy_intensity", "p_meet_se.energy_intensity", "verdict.energy_intensity"]
    mode = "refuse"

    def __init__(self, recipe):
        pass

    def __call__(self, values):
        base = {"p_meet.energy_intensity": 0.6, "p_meet_se.energy_intensity": 0.049,
                "verdict.energy_intensity": "on track"}
        if not values:
            return base
        g = values["assumptions.gdp.growth_adjustment_pp"]
        if self.mode == "refuse" or (self.mode == "one_refused" and g > 0.9):
            raise CztInputError("variant", f"growth adjustment {g:.3f} refused by the stub")
        if self.mode == "constant":
            return base
        p = 0.5 + 0.2 * g
        return {"p_meet.energy_intensity": p, "p_meet_se.energy_intensity": math.sqrt(p * (1 - p) / 100),
                "verdict.energy_intensity": "on track" if p >= 0.5 else "at risk"}


def _stub(mode):
    return type(f"_Stub_{mode}", (_Stub,), {"mode": mode})


@pytest.mark.parametrize("method,n,mode,why", [
    ("lhs", 30, "refuse", "every one of the 30 variants was refused (most often: variant: growth adjustment"),
    ("lhs", 30, "constant", "p_meet.energy_intensity: constant across the evaluated variants (nothing to apportion"),
    ("morris", 10, "one_refused", "p_meet.energy_intensity: not analysable ("),
])
def test_a_sweep_without_any_sensitivity_index_warns_in_one_line_and_in_the_report(tmp_path, monkeypatch, method,
                                                                                   n, mode, why):
    spec = tmp_path / "no_sens.toml"
    spec.write_text(NO_SENS_SPEC.format(method=method, n=n), encoding="utf-8")
    real = X.run_sweep
    monkeypatch.setattr(X, "run_sweep", lambda *a, **kw: real(*a, evaluator=_stub(mode), **kw))
    out = tmp_path / "out"
    r = czt("sweep", spec, "--out", out, "-q")
    assert r.code == 0, r.err
    assert "Traceback" not in r.err + r.out
    warn = [ln for ln in r.err.splitlines() if ln.startswith("warning: ")]
    assert len(warn) == 1, r.err
    assert warn[0].startswith("warning: sweep 'no_sens': no sensitivity index could be computed — ")
    assert why in warn[0]
    if mode == "one_refused":
        assert "a Morris estimate needs every variant of each trajectory" in warn[0]
    assert "sensitivity indices: sensitivity.csv" not in r.out      # no claim of indices on stdout
    sens = pd.read_csv(out / "sensitivity.csv")
    if mode == "constant":
        assert (sens["value"] == 0).all()
    else:
        assert sens["value"].isna().all()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert warn[0].removeprefix("warning: ") in md
    assert "No tornado chart drawn" not in md
    if mode == "refuse":   # nothing was evaluated: not called constant
        assert "Constant across the evaluated variants" not in md


def test_a_sweep_with_indices_does_not_warn(tmp_path, monkeypatch):
    spec = tmp_path / "no_sens.toml"
    spec.write_text(NO_SENS_SPEC.format(method="lhs", n=30), encoding="utf-8")
    real = X.run_sweep
    monkeypatch.setattr(X, "run_sweep", lambda *a, **kw: real(*a, evaluator=_stub("vary"), **kw))
    r = czt("sweep", spec, "--out", tmp_path / "out", "-q")
    assert r.code == 0 and "warning" not in r.err, r.err
    assert "sensitivity indices: sensitivity.csv (1 outputs x 2 parameters)" in r.out
    assert "no sensitivity index could be computed" not in (tmp_path / "out" / "report.md").read_text(
        encoding="utf-8")
