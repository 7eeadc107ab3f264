"""`czt sweep` of the shipped plan sweep: in-process vs a LocalCluster of 1 and of 2 workers.

Usage: python benchmarks/bench_sweep.py [--spec scenarios/sweeps/plan_assumptions.toml] [--only inprocess,local1,local2]

Runs the sweep (a Morris design of ~1000 variants over >= 6 keys of the `plan`
scenario, each re-solving its LP) once per configuration, each into a fresh
temporary folder (no resume), through model.sweep.execute.run_sweep, and prints
side by side with the goals of issue 12:

  * wall time end to end (design, cluster start, every batch, analysis, output
    folder) and variants/s. Goal: 1000 variants <= 60 s on this 2-core machine.
  * speed-up of 2 LocalCluster workers over 1. Goal: >= 1.6x.
  * per-batch overhead: batch-phase wall time x workers minus the time the
    tasks spent evaluating (batches and the base scenario's task, which builds the
    first context), per task: scheduling, transfer, writing the batch file, and a
    worker idle at the end.
  * each worker process's peak RSS (the memory a Dask worker needs; README).
  * that the three variant tables are identical (they must be).

The machine is shared: run it once, when nothing else is running, and say so
beside the figures if something was.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_WALL_S, GOAL_SPEEDUP = 60.0, 1.6
CONFIGS = {"inprocess": ("inprocess", 1), "local1": ("local", 1), "local2": ("local", 2)}


def run(spec: Path, scheduler: str, workers: int, folder: str) -> dict:
    from model.sweep.execute import run_sweep

    t = time.perf_counter()
    res = run_sweep(spec, workers=workers, scheduler=scheduler, out_dir=Path(folder) / f"{scheduler}{workers}")
    wall = time.perf_counter() - t
    st = res.stats
    busy = sum(st["batch_seconds"])
    phase = st.get("batch_phase_s", float("nan"))
    return {"wall": wall, "n": len(res.results), "refused": int((res.results["error"] != "").sum()),
            "batches": st["run_batches"], "phase": phase, "busy": busy,
            # the base scenario's task (which builds the first context) is work, not overhead
            "overhead": (phase * st["n_workers"] - busy - st.get("base_seconds", 0.0)) / (st["run_batches"] + 1),
            "batch_mean": busy / max(1, st["run_batches"]),
            "rss": sorted(w["peak_rss_mb"] for w in st["workers"].values()),
            "table": res.results}


def _commit() -> str:
    import subprocess

    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return (r.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty else "")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", type=Path, default=ROOT / "scenarios" / "sweeps" / "plan_assumptions.toml")
    ap.add_argument("--only", default=",".join(CONFIGS))
    args = ap.parse_args()
    os.environ.setdefault("CZT_PROGRESS", "0")
    from model.sweep.spec import load_sweep, n_variants

    spec = load_sweep(args.spec)
    print(f"commit {_commit()}; load average at start {_load()}")
    print(f"sweep {spec.name}: {n_variants(spec)} variants ({spec.design.method}, {len(spec.parameters)} keys) of "
          f"'{spec.base}', {spec.run.n_paths} paths / {spec.run.n_lp_paths} LP paths each, batches of "
          f"{spec.run.batch_size}; {os.cpu_count()} CPUs")
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name in args.only.split(","):
            sched, w = CONFIGS[name]
            out[name] = r = run(args.spec, sched, w, d)
            print(f"{name:<10} wall {r['wall']:7.1f} s  {r['n'] / r['wall']:6.1f} variants/s  batch phase "
                  f"{r['phase']:6.1f} s  mean batch {r['batch_mean']:6.3f} s  overhead/batch "
                  f"{r['overhead'] * 1000:7.1f} ms  peak RSS/worker {', '.join(f'{x:.0f}' for x in r['rss'])} MB"
                  + (f"  ({r['refused']} refused)" if r["refused"] else ""))
    print()
    if "local2" in out:
        r = out["local2"]
        print(f"1000-variant sweep, 2 workers (wall)   : {r['wall'] * 1000 / r['n']:7.1f} s per 1000 variants  "
              f"(goal <= {GOAL_WALL_S:.0f} s)  {'OK' if r['wall'] * 1000 / r['n'] <= GOAL_WALL_S else 'MISSED'}")
    if "local1" in out and "local2" in out:
        sp = out["local1"]["wall"] / out["local2"]["wall"]
        print(f"speed-up LocalCluster 2 vs 1 workers   : {sp:7.2f} x  (goal >= {GOAL_SPEEDUP}) "
              f"{'OK' if sp >= GOAL_SPEEDUP else 'MISSED'}")
        spb = out["local1"]["phase"] / out["local2"]["phase"]
        print(f"  batch phase only (no start/analysis) : {spb:7.2f} x")
    if "inprocess" in out and "local1" in out:
        print(f"LocalCluster 1 worker / in-process     : {out['local1']['wall'] / out['inprocess']['wall']:7.2f} x "
              f"(the cost of the cluster: start, transfer)")
    print(f"load average at end (1, 5, 15 min)   : {_load()}  (this benchmark's own processes included)")
    tables = [r["table"] for r in out.values()]
    same = all(t.equals(tables[0]) for t in tables[1:])
    print(f"variant tables identical across runs   : {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
