"""Scenario engine: control vs alternative through the structural model (model.engine)."""
import numpy as np
import pytest

from model.engine.alternative import _sample, apply_ratios
from model.engine.levers import fastest_observed_share_gain, lever_arrays
from model.engine.structural import Structure, control, respond
from model.errors import CztInputError
from model.scenario import Levers


def two_cluster() -> Structure:
    """A two-cluster economy small enough to solve by hand."""
    A = np.array([[0.2, 0.1], [0.3, 0.4]])
    return Structure(clusters=("a", "b"), years=(2024, 2025, 2026, 2027), A=A, L=np.linalg.inv(np.eye(2) - A),
                     v=np.array([0.5, 0.3]), g=np.array([0.0, 0.6]), kappa=np.array([2.0, 4.0]),
                     delta=np.array([0.1, 0.05]), phi=np.array([0.5, 0.2]), o=np.array([10.0, 20.0]),
                     inv_share0=np.array([0.25, 0.75]), s=0.3, gdp0=20.0, h=np.array([0.5, 0.0]),
                     e=np.array([1.0, 2.0]), e_h=0.1)


def test_control_reproduces_every_path_and_keeps_the_investment_rate():
    st = two_cluster()
    R = np.array([[1.0, 1.05, 1.10, 1.20], [1.0, 0.97, 1.01, 1.02]])
    ctl = control(st, R)
    np.testing.assert_allclose(ctl.gdp, st.gdp0 * R, rtol=1e-12)
    np.testing.assert_allclose(ctl.I.sum(axis=1), st.s * st.gdp0 * R, rtol=1e-12)
    # the Leontief balance holds: X - A X = O + g I
    for p in range(2):
        for t in range(4):
            x = ctl.X[p, :, t]
            np.testing.assert_allclose(x - st.A @ x, ctl.O[p, :, t] + st.g * ctl.I[p, :, t].sum(), rtol=1e-12)


def test_zero_lever_gives_exactly_zero_deviation_on_every_path():
    st = two_cluster()
    R = 1 + np.random.default_rng(0).normal(0.05, 0.02, (50, 4)).cumsum(axis=1)
    R[:, 0] = 1.0
    ctl = control(st, R)
    arr = lever_arrays(Levers(), st, ctl)
    res = respond(st, ctl, dI=arr["dI"], dO=arr["dO"], efficiency=arr["efficiency"], dh=arr["dh"])
    for r in (res.gdp_ratio, res.ht_ratio, res.ei_ratio):
        assert (r == 1.0).all()


def test_investment_lever_hand_solved():
    st = two_cluster()
    ctl = control(st, np.ones((1, 4)))
    dI = np.zeros((2, 4))
    dI[0, 1] = 10.0                         # 10 亿元 into cluster a in year 1 only
    res = respond(st, ctl, dI=dI)
    vL = st.v @ st.L
    # year 1: demand effect only, investment goods come from cluster b: ΔGDP = v L g · 10
    assert res.gdp[0, 1] - ctl.gdp[0, 1] == pytest.approx(float(vL @ st.g) * 10)
    # year 2: the capital installed in year 1 (10) adds capacity 10/κ_a of VA; φ_a of it sold
    # outside: ΔO_a = 0.5 · 10 / (2 · 0.5) = 5 → ΔGDP = (v L)_a · 5
    assert res.gdp[0, 2] - ctl.gdp[0, 2] == pytest.approx(vL[0] * 5.0)
    # year 3: that capital depreciated by δ_a = 0.1 → ΔO_a = 4.5
    assert res.gdp[0, 3] - ctl.gdp[0, 3] == pytest.approx(vL[0] * 4.5)
    assert res.gdp[0, 0] == ctl.gdp[0, 0]


def test_efficiency_and_upgrading_levers():
    st = two_cluster()
    ctl = control(st, np.ones((1, 4)))
    m = np.array([1.0, 0.99, 0.98, 0.97])
    res = respond(st, ctl, efficiency=m)
    e_cl = (st.e[:, None] * ctl.X[0]).sum(axis=0)
    np.testing.assert_allclose(res.energy[0], m * e_cl + st.e_h * ctl.gdp[0])
    assert (res.gdp_ratio == 1.0).all() and (res.ei_ratio[0, 1:] < 1).all()
    dh = np.zeros((2, 4))
    dh[0, 1:] = 0.01
    res = respond(st, ctl, dh=dh)
    va = st.v[:, None] * ctl.X[0]
    np.testing.assert_allclose(res.ht[0], ((st.h[:, None] + dh) * va).sum(axis=0))


def test_upgrading_is_costed_and_bounded_by_evidence():
    st = two_cluster()
    ctl = control(st, np.ones((1, 4)))
    bound, where = fastest_observed_share_gain()
    assert bound == pytest.approx(0.3)          # Hunan share of GDP 23.2 (2018) -> 24.4 (2022)
    assert "2018-2022" in where
    arr = lever_arrays(Levers(hightech_upgrade_pp=0.3), st, ctl)
    # cost = κ_a · Δh increment · VA_a, crowding out trend investment in proportion σ0
    va_a = st.v[0] * ctl.X[0, 0, 1]
    assert arr["upgrade_cost"][0, 1] == pytest.approx(st.kappa[0] * arr["dh"][0, 1] * va_a)
    np.testing.assert_allclose(arr["dI"][0, :, 1], -arr["upgrade_cost"][0, 1] * st.inv_share0)
    res = respond(st, ctl, dI=arr["dI"], dO=arr["dO"], efficiency=arr["efficiency"], dh=arr["dh"])
    assert res.gdp[0, 1] == pytest.approx(ctl.gdp[0, 1])    # spending moves, demand does not
    assert (res.gdp[0, 2:] < ctl.gdp[0, 2:]).all()          # less new capacity: the cost
    assert (res.ht_ratio[0, 1:] > 1).all()
    with pytest.raises(CztInputError, match="levers.hightech_upgrade_pp"):
        lever_arrays(Levers(hightech_upgrade_pp=0.5), st, ctl)
    with pytest.raises(CztInputError, match="levers.extra_investment.zz"):
        lever_arrays(Levers(extra_investment={"zz": 1.0}), st, ctl)


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
    # the assumption-driven forecast of the share itself is the same in both (the lever acts structurally)
    assert h.scenario.assumptions.hightech == p.scenario.assumptions.hightech


def test_structural_control_reproduces_the_forecast(runs):
    """evaluate-style: PathLP's structural control vs the forecast, every year (<= 0.5 %), and a
    given investment equal to the control's is no deviation."""
    from model.engine.alternative import pathlp_available
    from model.runner import _state

    if not pathlp_available():
        pytest.skip("model.opt.PathLP not available")
    from model.opt import PathLP, median_path, paths_from_projection

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
])
def test_bad_lever_is_one_line_naming_file_and_key(tmp_path, body, key):
    from model.scenario import load_scenario

    f = tmp_path / "bad.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(CztInputError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "\n" not in msg and str(f) in msg and f"'{key}'" in msg
