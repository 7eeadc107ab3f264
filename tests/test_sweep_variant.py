"""The sweep's fast path (model.sweep.variant): the same numbers as a full run, keys acting, refusals.

THE identity: ``evaluate_variant(ctx, values)`` equals the result columns of
``run_scenario(base, write=False, overrides=values, n_paths=ctx.n_paths,
n_lp_paths=ctx.n_lp_paths)``: P(meet) and verdicts exactly, medians to 1e-9
relative, LP shortfalls to solver tolerance, best reachable values to the
planner's bisection tolerance.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.runner import run_scenario
from model.scenario import load_scenario
from model.sweep.variant import (BEST_TOL, NOT_SWEEPABLE, SweepContext, columns_from_run, evaluate_variant,
                                 sweepable)

ENERGY = "assumptions.energy.czt_relative_to_hunan_pp"
HT2019 = "assumptions.hightech.czt_share_of_gdp_2019_pct"
KAPPA = "optimisation.kappa_scale"
ENVELOPE = "optimisation.investment_share_of_gdp"
CUT = "optimisation.energy_cut_2025"
GDP = "assumptions.gdp.growth_adjustment_pp"
DELTA = "optimisation.depreciation_rate"
EFF = "levers.efficiency_gain_pct"
SHOCK = "levers.demand_shock.electronic_information"
KEYS = [ENERGY, HT2019, KAPPA, ENVELOPE, CUT, GDP, DELTA, EFF, SHOCK]
N_PATHS, N_LP = 200, 5


@pytest.fixture(scope="module")
def ctx():
    return SweepContext.build("plan", KEYS, n_paths=N_PATHS, n_lp_paths=N_LP)


def _assert_same(fast: dict, ref: dict, columns) -> None:
    assert list(fast) == list(columns)
    for c in columns:
        a, e = fast[c], ref[c]
        if c == "error" or c.startswith("verdict."):
            assert a == e, c
        elif isinstance(e, float) and math.isnan(e):
            assert math.isnan(a), c
        elif c.startswith(("p_meet", "lp_reachable.")):
            assert a == e, c
        elif c.startswith("median."):
            assert a == pytest.approx(e, rel=1e-9), c
        elif c.startswith("lp_shortfall."):
            assert a == pytest.approx(e, rel=1e-7, abs=1e-6), c
        elif c.startswith("lp_best."):
            assert a == pytest.approx(e, rel=1e-7, abs=BEST_TOL if "share" in c or "intensity" in c else 1e-6), c
        else:
            raise AssertionError(f"unexpected column {c}")


@pytest.mark.parametrize("values", [
    {},
    {ENERGY: -1.0},
    {ENERGY: -0.5, HT2019: 30.0, KAPPA: 1.2, ENVELOPE: 0.35, CUT: 0.12, GDP: -0.5, DELTA: 0.08},
    {EFF: 1.0, SHOCK: 300.0, ENVELOPE: 0.4},
])
def test_variant_equals_full_run(ctx, values):
    fast = evaluate_variant(ctx, values)
    assert fast["error"] == ""
    full = run_scenario(ctx.base, write=False, overrides=values, n_paths=ctx.n_paths, n_lp_paths=ctx.n_lp_paths)
    _assert_same(fast, columns_from_run(full, ctx.output_columns), ctx.output_columns)


def test_lever_free_base_without_lp():
    """baseline: no levers, no LP -> no lp_* columns; still the full run's numbers."""
    c = SweepContext.build("baseline", [ENERGY, GDP], n_paths=150, n_lp_paths=3)
    assert not any(k.startswith("lp_") for k in c.output_columns)
    v = {ENERGY: 0.4, GDP: 0.3}
    full = run_scenario(c.base, write=False, overrides=v, n_paths=c.n_paths, n_lp_paths=c.n_lp_paths)
    _assert_same(evaluate_variant(c, v), columns_from_run(full, c.output_columns), c.output_columns)


def test_columns_and_stages(ctx):
    cols = ctx.output_columns
    assert cols[-1] == "error" and len(cols) == len(set(cols))
    for t in ("gdp_level", "energy_intensity", "hightech_share"):
        assert {f"p_meet.{t}", f"p_meet_se.{t}", f"verdict.{t}"} <= set(cols)
    for v in ("GDP|Nominal", "GDP per capita", "Population|Urban", "Urbanisation rate", "High-tech VA",
              "High-tech VA|Share of GDP", "Energy intensity"):
        assert {f"median.{v}.2025", f"median.{v}.2035"} <= set(cols)
    for t in ("gdp_level_2025", "energy_intensity_2025", "hightech_share_2025"):
        assert {f"lp_shortfall.{t}", f"lp_best.{t}", f"lp_reachable.{t}"} <= set(cols)
    assert ctx.slow_keys == (DELTA,)
    assert ctx.n_paths == N_PATHS and ctx.n_lp_paths == N_LP


def _pair(ctx, key, low, high):
    a, b = evaluate_variant(ctx, {key: low}), evaluate_variant(ctx, {key: high})
    assert a["error"] == "" and b["error"] == ""
    return a, b


def test_keys_move_outputs_in_the_expected_direction(ctx):
    # a faster fall of CZT energy intensity: lower index, P(meet) of the energy cap not lower
    fast, slow = _pair(ctx, ENERGY, -1.5, 1.5)
    assert fast["median.Energy intensity.2025"] < slow["median.Energy intensity.2025"]
    assert fast["p_meet.energy_intensity"] >= slow["p_meet.energy_intensity"]
    assert fast["p_meet.energy_intensity"] > slow["p_meet.energy_intensity"] or slow["p_meet.energy_intensity"] == 1
    # a larger assumed 2019 high-tech share: larger share of GDP in 2025
    lo, hi = _pair(ctx, HT2019, 18.0, 30.0)
    assert hi["median.High-tech VA|Share of GDP.2025"] > lo["median.High-tech VA|Share of GDP.2025"]
    # faster real growth: larger nominal GDP
    lo, hi = _pair(ctx, GDP, -1.0, 1.0)
    assert hi["median.GDP|Nominal.2025"] > lo["median.GDP|Nominal.2025"]
    # more capital per unit of output: each 亿元 of extra capital replaces fewer inflows -> less GDP reachable
    lo, hi = _pair(ctx, KAPPA, 0.8, 1.5)
    assert hi["lp_best.gdp_level_2025"] < lo["lp_best.gdp_level_2025"]
    # a wider investment envelope: more investment demand allowed -> more GDP reachable
    lo, hi = _pair(ctx, ENVELOPE, 0.25, 0.45)
    assert hi["lp_best.gdp_level_2025"] > lo["lp_best.gdp_level_2025"]
    # a deeper energy cut asked of the LP: shortfall appears, reachability falls; what is reachable is unchanged
    lo, hi = _pair(ctx, CUT, 0.05, 0.3)
    assert hi["lp_shortfall.energy_intensity_2025"] > lo["lp_shortfall.energy_intensity_2025"] == 0
    assert hi["lp_reachable.energy_intensity_2025"] < lo["lp_reachable.energy_intensity_2025"]
    assert hi["lp_best.energy_intensity_2025"] == lo["lp_best.energy_intensity_2025"]


def test_depreciation_rate_lowers_kappa():
    """δ: Harberger's K0 = I0/(g + δ) and the perpetual inventory give less capital per output."""
    from model.opt.structural import calibrate_structural
    from model.data.loader import load_sources
    from model.data.panel import build_panel
    from model.scenario.overrides import apply_overrides
    from model.engine.projection import project
    from model.runner import _io_system, _state

    sc = load_scenario("plan")
    sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": 100})})
    panel = build_panel(load_sources(), sc)
    state = _state(panel, project(panel, sc), sc)
    io = _io_system(sc)
    k = {d: calibrate_structural(apply_overrides(sc, {DELTA: d}), state, io).kappa for d in (0.05, 0.09)}
    assert np.all(k[0.09] < k[0.05])
    assert calibrate_structural(apply_overrides(sc, {DELTA: 0.07}), state, io).delta == 0.07


def test_data_changes_equal_a_rebuild(ctx):
    """κ scale, envelope and target values set on the built LP = the parameters of a fresh calibration."""
    from model.opt.structural import calibrate_structural
    from model.runner import _state

    from model.sweep.variant import _prepare

    values = {KAPPA: 1.3, ENVELOPE: 0.33, CUT: 0.2}
    sc = _prepare(ctx.base, values, ctx.n_paths)
    state = _state(ctx.panel, ctx.control, sc)
    lps = ctx.lps(sc, state)
    fresh = calibrate_structural(sc, state, ctx.io_system(sc))
    for name in fresh.__dataclass_fields__:
        if name == "notes":
            continue
        a, b = getattr(lps.main.p, name), getattr(fresh, name)
        assert (np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b), name
    for inst in lps.instances():
        assert inst.p is lps.main.p


def test_refused_variant_gives_nans_and_error(ctx, monkeypatch):
    bad = evaluate_variant(ctx, {KAPPA: 10.0})                      # schema bound (0.2, 5)
    assert bad["error"].startswith("overrides: key 'optimisation.kappa_scale'") and "\n" not in bad["error"]
    assert all(math.isnan(v) for c, v in bad.items() if c.startswith(("p_meet", "median.", "lp_")))
    assert all(v == "" for c, v in bad.items() if c.startswith("verdict."))
    worse = evaluate_variant(ctx, {DELTA: 0.5})                    # above the LP's max cluster decline
    assert "max_decline" in worse["error"] and math.isnan(worse["median.GDP|Nominal.2025"])
    from model.opt import PathLP                                     # the refused build is not tried again
    with monkeypatch.context() as m:
        m.setattr(PathLP, "build", None)
        assert evaluate_variant(ctx, {DELTA: 0.5, ENERGY: 0.2})["error"] == worse["error"]
    ok = evaluate_variant(ctx, {})                                   # the context is not spoilt
    assert ok["error"] == "" and ok == evaluate_variant(ctx, {})


def test_unknown_or_inert_keys_refused():
    with pytest.raises(CztInputError, match=r"sweep: key 'assumptions\.gdp\.nope'"):
        SweepContext.build("plan", ["assumptions.gdp.nope"], n_paths=100)
    with pytest.raises(CztInputError, match="energy_efficiency_gain': not sweepable"):
        SweepContext.build("plan", ["optimisation.energy_efficiency_gain"], n_paths=100)
    with pytest.raises(CztInputError, match="sweep: key 'seed'"):
        SweepContext.build("plan", ["seed"], n_paths=100)


def test_sweepable_keys_and_bounds():
    s = sweepable(load_scenario("plan"))
    assert s[GDP] == (-10.0, 10.0)
    assert s[HT2019] == (0.0, 100.0)
    assert s[KAPPA] == (0.2, 5.0)
    assert s[ENVELOPE] == (0.0, 1.0)
    assert s["levers.demand_shock.electronic_information"] == (-1e5, 1e5)
    assert "levers.extra_investment.engineering_machinery" in s
    assert not set(NOT_SWEEPABLE) & set(s)
    assert all(not k.startswith(("forecast.", "seed", "name")) for k in s)


def test_assumption_blocks_and_paths_equal_a_full_build():
    """The panel blocks and assumption paths recomputed on the base equal a full build of the variant."""
    from model.data.loader import load_sources
    from model.data.panel import build_panel, with_assumption_blocks
    from model.scenario.overrides import apply_overrides
    from model.engine.projection import project, with_assumption_paths

    sc = load_scenario("plan")
    sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": 150})})
    var = apply_overrides(sc, {ENERGY: -0.7, HT2019: 27.5, "assumptions.hightech.share_premium_pp_per_year": 0.2})
    src = load_sources()
    base_panel = build_panel(src, sc)
    full = build_panel(src, var)
    fast = with_assumption_blocks(base_panel, src, var)
    pd.testing.assert_frame_equal(fast.long, full.long)
    assert fast.constants.keys() == full.constants.keys()
    for k in ("energy", "hightech"):
        for kk, v in full.constants[k].items():
            got = fast.constants[k][kk]
            assert (got.equals(v) if isinstance(v, pd.Series) else got == v), (k, kk)
    p_full = project(full, var)
    p_fast = with_assumption_paths(project(base_panel, sc), fast, var)
    assert p_fast.paths.keys() == p_full.paths.keys()
    for k in p_full.paths:
        np.testing.assert_array_equal(p_fast.paths[k], p_full.paths[k], err_msg=str(k))
    assert p_fast.first_forecast_year == p_full.first_forecast_year and p_fast.notes == p_full.notes


def test_results_do_not_depend_on_evaluation_order(ctx):
    """Same variant -> same numbers, whatever the process evaluated before (Dask batches, resumes)."""
    vs = [{ENERGY: x, KAPPA: k, ENVELOPE: e, CUT: c}
          for x, k, e, c in ((-0.8, 0.9, 0.32, 0.06), (0.6, 1.2, 0.44, 0.14), (0.1, 1.05, 0.38, 0.1))]
    first = [evaluate_variant(ctx, v) for v in vs]
    again = [evaluate_variant(ctx, v) for v in reversed(vs)][::-1]      # forecasts from the context's cache
    assert first == again
    ctx._forecasts.clear()                                             # ... or computed anew
    assert [evaluate_variant(ctx, v) for v in vs] == first


def test_reset_solvers_gives_the_state_of_new_builds(ctx):
    """After reset_solvers the built LPs behave as new builds: the same bytes whatever they solved before."""
    vs = [{DELTA: 0.08, KAPPA: 1.1}, {ENERGY: -0.3, ENVELOPE: 0.42}, {DELTA: 0.07, ENVELOPE: 0.4}, {}]
    for v in reversed(vs):                                             # some history on every build
        evaluate_variant(ctx, v)
    ctx.reset_solvers()
    restored = [evaluate_variant(ctx, v) for v in vs]
    ctx._lps.clear()
    ctx.reset_solvers()
    rebuilt = [evaluate_variant(ctx, v) for v in vs]
    assert restored == rebuilt
