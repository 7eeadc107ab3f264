"""Scenario engine: control vs alternative through the structural model (model.engine, model.opt.PathLP)."""
import numpy as np
import pytest

from model.engine.alternative import _sample, apply_ratios
from model.engine.levers import lever_arrays, upgrading_bound
from model.errors import CztInputError
from model.scenario import Levers

YEARS = (2024, 2025, 2026, 2027)
CLUSTERS = ("a", "b", "c")
H, HCAP, VA0 = np.array([0.5, 0.0, 0.2]), np.array([0.6, 0.0, 0.9]), np.array([10.0, 20.0, 10.0])


def test_zero_levers_are_zero_arrays():
    arr = lever_arrays(Levers(), CLUSTERS, YEARS, H, HCAP, VA0)
    assert not arr["dI"].any() and not arr["dO"].any() and not arr["dh"].any()
    assert (arr["efficiency"] == 1.0).all()


def test_lever_arrays_hand_computed():
    lv = Levers(extra_investment={"b": 100.0}, demand_shock={"c": -5.0}, efficiency_gain_pct=2.0,
                hightech_upgrade_pp=0.3, start_year=2026)
    arr = lever_arrays(lv, CLUSTERS, YEARS, H, HCAP, VA0)
    np.testing.assert_array_equal(arr["dI"][1], [0, 0, 100, 100])        # from start_year, never the base year
    np.testing.assert_array_equal(arr["dO"][2], [0, 0, -5, -5])
    np.testing.assert_allclose(arr["efficiency"], [1, 1, 0.98, 0.98 ** 2])
    # 0.3 pp of GDP (40) per year spread over the clusters with content (a, c: VA 20) = 0.6 pp of their VA
    step = 0.003 * 40 / 20
    np.testing.assert_allclose(arr["dh"][0], [0, 0, step, min(2 * step, 0.1)])   # a: ceiling 0.6 - 0.5
    np.testing.assert_allclose(arr["dh"][2], [0, 0, step, 2 * step])
    assert not arr["dh"][1].any()                                         # b has no high-tech content


def test_upgrading_is_bounded_by_evidence_and_clusters_are_checked():
    bound, where = upgrading_bound()            # the LP's own bound (one parameter, pp of GDP per year)
    assert bound == pytest.approx(0.63)         # Hunan share of GDP 23.2 (2018) -> 23.83 (2019)
    assert "2018-2019" in where
    lever_arrays(Levers(hightech_upgrade_pp=0.6), CLUSTERS, YEARS, H, HCAP, VA0)
    with pytest.raises(CztInputError, match="levers.hightech_upgrade_pp"):
        lever_arrays(Levers(hightech_upgrade_pp=0.7), CLUSTERS, YEARS, H, HCAP, VA0)
    with pytest.raises(CztInputError, match="levers.extra_investment.zz"):
        lever_arrays(Levers(extra_investment={"zz": 1.0}), CLUSTERS, YEARS, H, HCAP, VA0)


def test_sample_is_rank_stratified_and_every_path_takes_its_nearest_sample():
    x = np.random.default_rng(1).normal(size=1000)
    sample, assign = _sample(x, 200)
    assert len(sample) == 200 and len(set(sample)) == 200
    rank = np.argsort(np.argsort(x))
    # every path's assigned sample is within 3 ranks of it (5 paths per sample)
    assert np.abs(rank[sample[assign]] - rank).max() <= 3
    s_all, a_all = _sample(x[:100], 200)      # fewer paths than samples: each path is its own sample
    assert (s_all[a_all] == np.arange(100)).all()


@pytest.fixture(scope="module")
def runs():
    from model.runner import run_scenario

    return {n: run_scenario(n, write=False, n_paths=100) for n in ("baseline", "plan", "hightech_push")}


def test_plan_differs_from_baseline_exactly_by_its_allocation(runs):
    b, p = runs["baseline"], runs["plan"]
    assert b.alternative is None and p.alternative is not None
    ratio = p.alternative.ratios["gdp"]
    for var in ("GDP|Real", "GDP|Nominal"):
        np.testing.assert_array_equal(p.projection.get(var), b.projection.get(var) * ratio)
    k = int(np.searchsorted(b.projection.years, 2030))
    assert np.median(np.abs(ratio[:, k] - 1)) > 1e-3          # the allocation moves GDP
    assert (ratio[:, : int(np.searchsorted(b.projection.years, 2024)) + 1] == 1).all()   # not the history
    assert all(np.isfinite(r).all() for r in p.alternative.ratios.values())
    assert p.alternative.lp_status["paths"] == 100 and p.alternative.lp_status["optimal"] >= 95
    np.testing.assert_array_equal(p.projection.get("Population|Resident"), b.projection.get("Population|Resident"))
    lpu = p.alternative.lp_summary.set_index("quantity")
    assert 0 <= lpu.loc["P(energy_intensity_2025 reachable under the best allocation)", "q50"] <= 1
    assert len(p.alternative.investment_fan) == 11 and (p.alternative.investment_fan.q95
                                                         >= p.alternative.investment_fan.q05).all()


def test_hightech_push_raises_the_share_through_the_structural_model(runs):
    p, h = runs["plan"], runs["hightech_push"]
    k = int(np.searchsorted(p.projection.years, 2030))
    d = h.projection.get("High-tech VA|Share of GDP")[:, k] - p.projection.get("High-tech VA|Share of GDP")[:, k]
    assert np.median(d) > 0.3              # upgrading at up to 0.3 pp/yr of GDP, 2025-2030, within ceilings
    assert (d > 0).mean() > 0.9
    # the stated pace u pp of GDP per lever year (at the base structure, so within 10% once GDP's own
    # structure moves): about u in the first lever year and 6u by 2030
    lv = h.scenario.levers
    for year in (lv.start_year, 2030):
        j = int(np.searchsorted(p.projection.years, year))
        dj = h.projection.get("High-tech VA|Share of GDP")[:, j] - p.projection.get("High-tech VA|Share of GDP")[:, j]
        assert np.median(dj) == pytest.approx(lv.hightech_upgrade_pp * (year - lv.start_year + 1), rel=0.1)
    # the assumption-driven forecast of the share itself is the same in both (the lever acts structurally)
    assert h.scenario.assumptions.hightech == p.scenario.assumptions.hightech


def test_structural_control_reproduces_the_forecast(runs):
    """evaluate-style: PathLP's structural control vs the forecast, every year (<= 0.5 %), and a
    given investment equal to the control's is no deviation."""
    from model.opt import PathLP, median_path, paths_from_projection
    from model.runner import _state

    b = runs["baseline"]
    proj, sc = b.projection, runs["plan"].scenario
    st = _state(b.panel, proj, sc)
    lp = PathLP.build(sc, st, None)
    for path in [median_path(proj, st, lp.years)] + paths_from_projection(proj, st, lp.years, index=[0, 50, 99]):
        ctl = lp.control(path)
        assert ctl.status == "optimal"
        assert np.abs(ctl.gdp_real / path.gdp_real - 1).max() < 0.005
        assert np.abs(ctl.hightech_share / path.hightech_share - 1).max() < 0.005
        assert np.abs(ctl.energy_index / path.energy_index - 1).max() < 0.005
        same = lp.simulate(path, investment=np.nan_to_num(ctl.investment))
        assert np.abs(same.gdp_real / ctl.gdp_real - 1).max() < 1e-9


def test_given_levers_move_the_forecast_the_way_they_should(runs):
    """Extra investment raises GDP; an efficiency lever lowers the energy index; a demand cut lowers GDP."""
    from model.engine.alternative import run_alternative
    from model.runner import _state

    b = runs["baseline"]
    proj = b.projection
    st = _state(b.panel, proj, b.scenario)
    k = int(np.searchsorted(proj.years, 2030))

    def alt(**kw):
        sc = b.scenario.model_copy(update={"levers": Levers(**kw)})
        return run_alternative(proj, sc, st, None, n_lp_paths=10)

    inv = alt(extra_investment={"electronic_information": 500.0})
    assert np.median(inv.ratios["gdp"][:, k]) > 1 and inv.lp is None
    eff = alt(efficiency_gain_pct=2.0)
    assert np.abs(eff.ratios["gdp"] - 1).max() < 1e-9
    e = eff.ratios["energy_intensity"][:, k]
    assert (e < 0.95).all() and (e > 0.98 ** 6 * 0.99).all()   # 6 lever years, clusters' share of energy < 1
    cut = alt(demand_shock={"real_estate": -300.0})
    assert np.median(cut.ratios["gdp"][:, k]) < 1
    with pytest.raises(CztInputError, match="levers.extra_investment.agriculture': cuts investment below 0"):
        alt(extra_investment={"agriculture": -50_000.0})


def test_zero_lever_scenario_is_its_control_to_the_bit(runs):
    from model.engine.alternative import run_alternative

    b = runs["baseline"]
    assert run_alternative(b.projection, b.scenario, {}, None) is None        # no levers: the control itself
    same = apply_ratios(b.projection, *(np.ones((b.projection.n_paths, len(b.projection.years))),) * 3)
    for key, arr_ in b.projection.paths.items():
        np.testing.assert_array_equal(same.paths[key], arr_)


@pytest.mark.parametrize("body, key", [
    ('extends = "plan"\n[levers]\nextra_investment = { construction = 100.0 }\n', "levers.extra_investment"),
    ('extends = "baseline"\n[levers]\nefficiency_gain_pct = "1"\n', "levers.efficiency_gain_pct"),
    ('extends = "baseline"\n[levers]\nhightech_upgrade = 1\n', "levers.hightech_upgrade"),
    ('extends = "baseline"\n[levers]\ninvestment = "best"\n', "levers.investment"),
    ('extends = "baseline"\n[levers]\nefficiency_gain_pct = 50.0\n', "levers.efficiency_gain_pct"),
    ('extends = "baseline"\n[levers]\ninvestment = "optimised"\n', "levers.investment"),
    ('extends = "baseline"\n[levers]\nstart_year = 2050\nefficiency_gain_pct = 1.0\n', "levers.start_year"),
])
def test_bad_lever_is_one_line_naming_file_and_key(tmp_path, body, key):
    from model.scenario import load_scenario

    f = tmp_path / "bad.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(CztInputError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "\n" not in msg and str(f) in msg and f"'{key}'" in msg


def test_kappa_scales_are_seeded_centred_and_from_the_perpetual_inventory(runs):
    from model.engine.kappa import kappa_scales
    from model.runner import _io_system, _state

    b = runs["baseline"]
    st = _state(b.panel, b.projection, b.scenario)
    io = _io_system(b.scenario)
    s1, note = kappa_scales(st, io, 400, 7)
    s2, _ = kappa_scales(st, io, 400, 7)
    s3, _ = kappa_scales(st, io, 400, 8)
    np.testing.assert_array_equal(s1, s2)
    assert not np.array_equal(s1, s3)
    assert "s.e. of the mean log growth" in note
    # a faster assumed investment growth means a smaller initial stock: the scale is centred on 1
    assert abs(np.median(s1) - 1) < 0.01 and 0.8 < s1.min() and s1.max() < 1.3
    s0, note0 = kappa_scales({}, io, 3, 7)
    assert (s0 == 1).all() and "not applied" in note0


def test_sample_assignment_is_the_nearest_rank_even_for_many_paths():
    x = np.random.default_rng(2).normal(size=30_000)
    sample, assign = _sample(x, 200)
    rank = np.argsort(np.argsort(x))
    picks = rank[sample]
    # brute force on a subset: the assigned pick is a nearest one
    sub = np.arange(0, 30_000, 97)
    best = np.abs(rank[sub, None] - picks[None, :]).min(axis=1)
    assert (np.abs(rank[sub] - picks[assign[sub]]) == best).all()


def test_upgrading_gains_the_stated_pp_of_gdp_until_ceilings_bind():
    h = np.array([0.5, 0.1, 0.2])
    cap = np.array([0.9, 0.1 + 1e-15, 0.9])      # b's ceiling equals its share up to rounding: no room
    va0 = np.array([10.0, 20.0, 10.0])
    arr = lever_arrays(Levers(hightech_upgrade_pp=0.3), CLUSTERS, YEARS, h, cap, va0)
    assert not arr["dh"][1].any()
    gain_pp = 100 * (arr["dh"] * va0[:, None]).sum(axis=0) / va0.sum()
    np.testing.assert_allclose(gain_pp, [0, 0.3, 0.6, 0.9])


def test_investment_fan_is_iamc_long_with_numeric_quantiles():
    import pandas as pd

    from model.engine.outputs import fan_iamc
    from model.results.iamc import IAMC_COLUMNS

    fan = pd.DataFrame({"year": [2025, 2026], "q05": [1.0, 2.0], "q50": [3.0, 4.0], "q95": [5.0, 6.0]})
    long = fan_iamc(fan, "plan")
    assert list(long.columns) == IAMC_COLUMNS + ["quantile"]
    assert sorted(set(long["quantile"])) == [0.05, 0.5, 0.95]
    assert long.set_index(["year", "quantile"]).loc[(2026, 0.5), "value"] == 4.0
