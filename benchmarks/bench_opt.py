"""Benchmark of the investment-allocation LP (model/opt): build, solve, frontier.

Run:  .venv/bin/python benchmarks/bench_opt.py [--reps 5] [--vendored]

For 16 clusters and for all sectors (41: the 42 products minus 03, which has
zero output in Hunan) x 2024-2035 it reports the median over ``--reps`` of

* Pyomo build time (``build_model``),
* transfer to HiGHS (standard-form compile + passModel, or the Pyomo interface's
  set-up) and HiGHS solve time, for the three runners,
* the same LP solved directly by highspy (read from the MPS written by Pyomo;
  reading excluded), and the ratio of our build + solve to that,
* a 50-point ε-constraint frontier on one persistent HiGHS instance.

Accounts come from ``model.io`` (FLQ-regionalised CZT table) unless
``--vendored`` (Hunan table, no regionalisation) or model.io is unavailable.
Timings depend on machine load; the figures in the report were taken on a
shared 2-core machine.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

STATE = dict(year=2024, gdp_nominal=22128.3, energy_intensity_index=82.0, hightech_va=6300.0,
             gdp_real_ratio_2019=1.28)
# the size: base year 2020 -> 15 decision years 2021-2035 (illustrative 2020 state)
STATE_2020 = dict(year=2020, gdp_nominal=17600.0, energy_intensity_index=98.0, hightech_va=5300.0)


def _accounts(level: str, vendored: bool):
    from model.opt.calibrate import vendored_accounts
    if not vendored:
        try:
            from model.io.system import IOSystem
            return IOSystem.from_calibration().cluster_accounts(level=level), "model.io"
        except Exception as exc:  # noqa: BLE001
            print(f"  (model.io unavailable: {exc}; vendored table used)")
    return vendored_accounts(level), "vendored"


def bench(level: str, reps: int, vendored: bool, state: dict = STATE) -> dict:
    import highspy
    from model.opt.build import build_model
    from model.opt.calibrate import params_from_io
    from model.opt.frontier import energy_gdp_frontier
    from model.opt.outputs import write_mps
    from model.opt.solve import make_runner
    from model.scenario import load_scenario

    sc = load_scenario("plan")
    acc, src = _accounts(level, vendored)
    p = params_from_io(acc, state, sc.optimisation)
    res: dict = {"level": level, "n": p.n, "years": f"{p.years[0]}-{p.years[-1]}", "accounts": src}
    times: dict = {}
    for _ in range(reps):
        for name in ("highs", "appsi_highs", "pyomo_highs"):
            t = time.perf_counter()
            m = build_model(p)
            tb = time.perf_counter() - t
            t = time.perf_counter()
            r = make_runner(m, name)
            info = r.solve()
            tw = time.perf_counter() - t
            assert info["status"] == "optimal"
            times.setdefault(name, []).append((tb, tw, info["solver_time_s"], info["iterations"], info["objective"]))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "model.mps"
        write_mps(m, path)
        direct = []
        for _ in range(reps):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.readModel(str(path))
            t = time.perf_counter()
            h.run()
            direct.append(time.perf_counter() - t)
        res["highspy_direct_solve_s"] = statistics.median(direct)
        res["highspy_direct_objective"] = h.getInfo().objective_function_value
    for name, rows in times.items():
        tb = statistics.median(x[0] for x in rows)
        tw = statistics.median(x[1] for x in rows)
        ts = statistics.median(x[2] for x in rows)
        res[name] = {"build_s": tb, "transfer_plus_solve_s": tw, "highs_solve_s": ts, "total_s": tb + tw,
                     "iterations": rows[0][3], "objective": rows[0][4],
                     "ratio_total_to_highspy": (tb + tw) / res["highspy_direct_solve_s"]}
    m = build_model(p)
    r = make_runner(m, "highs")
    r.solve()
    fr_t = []
    for _ in range(max(1, reps // 2)):
        t = time.perf_counter()
        fr = energy_gdp_frontier(r, n_points=50)
        fr_t.append(time.perf_counter() - t)
    res["frontier50_s"] = statistics.median(fr_t)
    res["frontier50_solves"] = fr.attrs["solves"]
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--vendored", action="store_true")
    a = ap.parse_args()
    t = time.perf_counter()
    import pyomo.environ  # noqa: F401  (import cost excluded from the figures)
    print(f"import pyomo: {time.perf_counter() - t:.2f} s (excluded)")
    for level, state in (("cluster", STATE), ("sector", STATE), ("cluster", STATE_2020), ("sector", STATE_2020)):
        r = bench(level, a.reps, a.vendored, state)
        print(f"\n{r['level']}: {r['n']} clusters x {r['years']} ({r['accounts']} accounts), median of {a.reps}")
        print(f"  {'runner':<13}{'build':>8}{'transfer+solve':>16}{'HiGHS':>8}{'total':>8}{'iters':>7}{'x highspy':>10}")
        for name in ("highs", "appsi_highs", "pyomo_highs"):
            x = r[name]
            print(f"  {name:<13}{x['build_s']:>8.3f}{x['transfer_plus_solve_s']:>16.3f}{x['highs_solve_s']:>8.3f}"
                  f"{x['total_s']:>8.3f}{x['iterations']:>7d}{x['ratio_total_to_highspy']:>10.1f}")
        print(f"  highspy direct (same LP from MPS, solve only): {r['highspy_direct_solve_s']:.3f} s; "
              f"objectives agree: {abs(r['highspy_direct_objective'] - r['highs']['objective']) <= 1e-6 * abs(r['highs']['objective'])}")
        print(f"  50-point frontier (persistent HiGHS): {r['frontier50_s']:.3f} s, {r['frontier50_solves']} solves")


if __name__ == "__main__":
    main()
