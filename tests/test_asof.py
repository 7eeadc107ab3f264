"""As-of forecast origin: data after T are dropped everywhere (panel, backtests, weights, calibration, the
energy and high-tech blocks, the IO energy default, the capital calibration)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.data import build_panel, load_sources
from model.forecast.calibrate import forecast_errors
from model.engine.projection import _log_columns, joint_inputs, project
from model.scenario import load_scenario


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario("baseline")
    sc = sc.model_copy(update={"forecast": sc.forecast.model_copy(update={"n_paths": 200})})
    return sc, load_sources()


def _planted(sources: dict, year: int) -> dict:
    """Sources with absurd sentinel values planted in ``year`` (nominal GDP x 100, real growth 90%)."""
    out = {k: v.copy() for k, v in sources.items()}
    p = out["panel"]
    m = (p.year == year) & p.variable.isin(["gdp_nominal", "gdp_real_growth"])
    assert m.any()
    p.loc[m & (p.variable == "gdp_nominal"), "value"] *= 100.0
    p.loc[m & (p.variable == "gdp_real_growth"), "value"] = 90.0
    return out


@pytest.mark.parametrize("T", [2012, 2019])
def test_sentinel_after_origin_changes_nothing(setup, T):
    sc, src = setup
    a = build_panel(src, sc, as_of=T)
    b = build_panel(_planted(src, T + 1), sc, as_of=T)
    pd.testing.assert_frame_equal(a.long, b.long)
    assert a.wide("gdp_nominal").index.max() == T
    pa, pb = project(a, sc), project(b, sc)
    pd.testing.assert_frame_equal(pa.weights, pb.weights)
    for key in pa.paths:
        np.testing.assert_array_equal(pa.paths[key], pb.paths[key])
    # ...while the same sentinel in year T itself does change the forecast
    c = build_panel(_planted(src, T), sc, as_of=T)
    assert not np.allclose(project(c, sc).stat("GDP|Nominal").iloc[-1], pa.stat("GDP|Nominal").iloc[-1])


def test_origin_before_2019_prices_in_origin_year_and_says_so(setup):
    sc, src = setup
    p = build_panel(src, sc, as_of=2010)
    assert p.constants["base_year"] == 2010
    assert p.series("gdp_deflator", "430100")[2010] == pytest.approx(100.0)
    assert p.series("gdp_real", "430100")[2010] == pytest.approx(p.series("gdp_nominal", "430100")[2010])
    assert (p.long[p.long.variable == "gdp_real"].unit == "100m yuan (2010 prices)").all()
    pr = project(p, sc)
    assert pr.origin == 2010 and pr.as_of == 2010
    from model.results.outputs import forecast_table

    units = forecast_table(p, pr, "asof").groupby("variable")["unit"].unique()
    assert list(units["GDP|Real"]) == ["100m CNY (2010 prices)"]      # the panel's price base, not 2019
    assert list(units["GDP|Deflator"]) == ["index (2010 = 100)"]
    assert "Energy intensity" not in units.index        # anchored on 2019 = 100: not modelled as of 2010
    assert pr.not_modelled["Energy intensity"].startswith("Energy intensity not modelled as of 2010: ")
    assert list(forecast_table(build_panel(src, sc, as_of=2019), project(build_panel(src, sc, as_of=2019), sc),
                               "asof")["unit"][lambda u: u.str.contains("2019 = 100")].unique()) == ["index (2019 = 100)"]
    assert "Population|Resident" not in pr.first_forecast_year  # no census-basis series before 2020
    # real growth is unchanged by the price base: same as the latest panel's
    full = build_panel(src, sc)
    g_a = p.series("gdp_real", "430100").pct_change().loc[2000:2010]
    g_f = full.series("gdp_real", "430100").pct_change().loc[2000:2010]
    np.testing.assert_allclose(g_a.to_numpy(), g_f.to_numpy(), rtol=1e-12)


def test_nested_calibration_errors_never_see_after_origin(setup):
    sc, src = setup
    T = 2014
    p = build_panel(src, sc, as_of=T)
    logs = _log_columns(joint_inputs(p, sc)["GDP|Real"])
    err = forecast_errors(logs, "ets_damped", max_horizon=10, n_paths=50)
    assert len(err) and int((err.origin + err.horizon).max()) == T
    # and the backtest behind the weights ends at T as well: nothing after T is in its input
    assert int(logs.index.max()) == T


def test_as_of_is_validated(setup):
    sc, _ = setup
    from model.errors import CztInputError
    from model.scenario.overrides import apply_overrides

    with pytest.raises(CztInputError, match="as_of"):
        apply_overrides(sc, {"forecast.as_of": 1990})


def test_origin_after_the_data_is_one_line_error(setup):
    sc, src = setup
    from model.errors import CztInputError

    with pytest.raises(CztInputError, match="after the latest year"):
        build_panel(src, sc, as_of=2030)


def test_interpolated_population_years_carry_intercensal_uncertainty(setup):
    sc, src = setup
    p = build_panel(src, sc)
    pr = project(p, sc)
    sigma = p.constants["pop"]["bridge_sigma"]
    assert sigma and sigma > 0
    x = np.log(pr.paths[("Population|Resident", "430100")])
    k = {y: int(np.searchsorted(pr.years, y)) for y in (2010, 2015, 2019, 2020)}
    assert np.ptp(x[:, k[2010]]) == 0 and np.ptp(x[:, k[2020]]) == 0       # pinned at the censuses
    # bridge s.d. sigma * sqrt(t (10 - t) / 10): 5 years in, sqrt(2.5) sigma (200 paths: within 25%)
    assert np.std(x[:, k[2015]]) == pytest.approx(sigma * np.sqrt(2.5), rel=0.25)
    assert np.std(x[:, k[2019]]) == pytest.approx(sigma * np.sqrt(0.9), rel=0.25)
    czt = pr.paths[("Population|Resident", "CZT")]
    np.testing.assert_allclose(czt, sum(pr.paths[("Population|Resident", c)] for c in ("430100", "430200", "430300")))


def test_plan_figures_after_origin_are_not_the_latest_observation(setup):
    from model.data.loader import load_plan_figures
    from model.report.scorecard import _latest
    from model.scenario.targets import load_targets

    sc, src = setup
    rd = next(t for t in load_targets() if t.id == "rd_share")       # latest value from plan_figures.csv (2019)
    figs = load_plan_figures()
    v, y, _ = _latest(rd, build_panel(src, sc), figs)
    assert y == 2019 and v == pytest.approx(2.5)                      # plan_figures.csv: CZT 2019, 2.5 %
    assert _latest(rd, build_panel(src, sc, as_of=2015), figs) == (None, None, "")


# --------------------------------------------------------------------------- energy and high-tech blocks as of T
DATA_DIR = __import__("model.paths", fromlist=["DATA"]).DATA


def _sd_override(sc, sd=0.5):
    a = sc.assumptions
    return sc.model_copy(update={"assumptions": a.model_copy(
        update={"hightech": a.hightech.model_copy(update={"share_change_sd_pp": sd})})})


def _planted_blocks(sources: dict, T: int) -> dict:
    """Sentinels in the energy and high-tech sources after ``T``: a wild Hunan yoy energy-intensity change
    (+30%) in 2021 (a new row) and, for T < 2020, in 2020 (was -1.98); Hunan's high-tech share 60% in 2022
    and 2% in 2023."""
    out = {k: v.copy() for k, v in sources.items()}
    e, h = out["energy"], out["hightech"]
    m = (e.region_code == "430000") & (e.variable == "energy_intensity_gdp_change_yoy") & (e.year == 2020)
    assert m.sum() == 1
    new = e[m].assign(year=2021, value=30.0, source_id="SENTINEL")
    if T < 2020:
        e.loc[m, "value"] = 30.0
    out["energy"] = pd.concat([e, new], ignore_index=True)
    for y, v in ((2022, 60.0), (2023, 2.0)):
        m = (h.region_code == "430000") & (h.variable == "hightech_industry_value_added_share_of_gdp") & (h.year == y)
        assert m.sum() == 1
        h.loc[m, "value"] = v
    return out


@pytest.mark.parametrize("T", [2019, 2020])
def test_block_sentinels_after_origin_change_nothing(setup, T):
    sc, src = setup
    sc = _sd_override(sc)                    # high-tech modelled as of 2019/2020, so a leak would show
    a_ = sc.assumptions                      # energy data to 2021, so that the 2021 sentinel is read when T >= 2021
    sc = sc.model_copy(update={"assumptions": a_.model_copy(
        update={"energy": a_.energy.model_copy(update={"last_data_year": 2021})})})
    planted = _planted_blocks(src, T)
    a, b = build_panel(src, sc, as_of=T), build_panel(planted, sc, as_of=T)
    pd.testing.assert_frame_equal(a.long, b.long)
    pa, pb = project(a, sc), project(b, sc)
    assert set(pa.paths) == set(pb.paths) and ("High-tech VA", "CZT") in pa.paths
    for key in pa.paths:
        np.testing.assert_array_equal(pa.paths[key], pb.paths[key])
    # ...while the latest-data run reads them
    full_a, full_b = build_panel(src, sc), build_panel(planted, sc)
    assert full_a.constants["hightech"]["mu"] != full_b.constants["hightech"]["mu"]
    assert full_a.constants["energy"]["mu"] != full_b.constants["energy"]["mu"]


def _vendored(rel: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / rel)


def test_block_mean_and_sd_as_of_are_hand_computed_from_rows_up_to_T(setup):
    sc, src = setup
    ec = pd.concat([_vendored("energy/energy_intensity_official.csv"), _vendored("macro/czt_gapfill_releases.csv")])
    ec = ec[(ec.region_code.astype(str) == "430000") & (ec.variable == "energy_intensity_gdp_change_yoy")]
    ec = ec.drop_duplicates("year").set_index("year").value.sort_index()
    for T, years in ((2019, [2016, 2017, 2018]), (2020, [2016, 2017, 2018, 2020]), (2023, [2016, 2017, 2018, 2020])):
        x = ec.loc[years].to_numpy()                     # 2019 is not published; nothing after 2020 is used
        en = build_panel(src, sc, as_of=T).constants["energy"]
        assert en["mu"] == pytest.approx(x.mean()) and en["sd"] == pytest.approx(x.std(ddof=1))
        assert en["n"] == len(years) and en["not_modelled"] is None
    assert build_panel(src, sc, as_of=2019).constants["energy"]["mu"] == pytest.approx((-5.34 - 5.24 - 5.12) / 3)
    # high-tech as of 2022: Hunan's shares 2018 (23.2), 2019 (9472.89 / 39752.1) and 2022 (24.4)
    ht = _vendored("hightech/hightech_rd_hunan_czt.csv")
    sh = ht[ht.variable == "hightech_industry_value_added_share_of_gdp"].set_index("year").value
    ctx = _vendored("hightech/context_gdp_denominators.csv")
    g19 = float(ctx[(ctx.region_code.astype(str) == "430000") & (ctx.year == 2019) & (ctx.variable == "gdp")].value.iloc[0])
    s19 = float(ht[(ht.variable == "hightech_industry_value_added") & (ht.year == 2019)].value.iloc[0]) / g19 * 100
    ch = np.array([s19 - sh[2018], (sh[2022] - s19) / 3])
    h = build_panel(src, sc, as_of=2022).constants["hightech"]
    assert h["mu"] == pytest.approx(ch.mean()) and h["sd"] == pytest.approx(ch.std(ddof=1)) and h["n"] == 2
    p = build_panel(src, sc, as_of=2022)
    assert int(p.series("hightech_share_gdp", "CZT").index.max()) == 2022
    assert h["ratio"] == pytest.approx(29.6 / s19)


@pytest.mark.parametrize("T, energy, hightech", [(2010, False, False), (2018, False, False), (2019, True, False),
                                                  (2021, True, False), (2022, True, True)])
def test_blocks_not_derivable_as_of_T_are_not_modelled(setup, T, energy, hightech):
    sc, src = setup
    p = build_panel(src, sc, as_of=T)
    pr = project(p, sc)
    assert (("Energy intensity", "CZT") in pr.paths) == energy
    assert (("High-tech VA", "CZT") in pr.paths) == (("High-tech VA|Share of GDP", "CZT") in pr.paths) == hightech
    if not hightech:
        note = pr.not_modelled["High-tech VA"]
        assert note.startswith(f"High-tech VA not modelled as of {T}: ") and note in pr.notes
        assert p.latest("hightech_va", "CZT") is None                    # no CZT rows at all
        # the key exists only where it helps: 2019-2021 lack the s.d. (one change, 2018-2019)
        assert ("set assumptions.hightech.share_change_sd_pp to run it" in note) == (T >= 2019)
    if not energy:
        assert pr.not_modelled["Energy intensity"].startswith(f"Energy intensity not modelled as of {T}: ")
        assert p.latest("energy_intensity_index", "CZT") is None
    from model.report.scorecard import scorecard
    from model.scenario.targets import load_targets

    card = scorecard(load_targets(), p, pr).set_index("target")
    for tid, ok in (("energy_intensity", energy), ("hightech_level", hightech), ("hightech_share", hightech)):
        assert (card.at[tid, "status"] == "not modelled") == (not ok)


def test_the_named_key_makes_the_high_tech_block_run(setup):
    sc, src = setup
    sc5 = _sd_override(sc, 0.5)
    p = build_panel(src, sc5, as_of=2020)
    h = p.constants["hightech"]
    assert h["not_modelled"] is None and h["sd"] == 0.5 and h["mu"] == pytest.approx(h["mu"])
    s = p.series("hightech_share_gdp", "CZT")
    assert list(s.index) == [2019]                  # history ends at the last published share <= 2020 (no extrapolation)
    pr = project(p, sc5)
    assert pr.first_forecast_year["High-tech VA"] == 2020
    sh = pr.get("High-tech VA|Share of GDP")
    k = int(np.searchsorted(pr.years, 2020))
    assert np.all(sh[:, k - 1] == pytest.approx(29.6))   # the assumed 2019 share, the same on every path


def test_energy_sd_needs_two_changes_or_the_key(setup):
    sc, src = setup
    out = {k: v.copy() for k, v in src.items()}
    for k in ("energy", "panel"):                   # keep only the 2016 change before 2019
        d = out[k]
        out[k] = d[~((d.variable == "energy_intensity_gdp_change_yoy") & d.year.isin([2017, 2018]))]
    en = build_panel(out, sc, as_of=2019).constants["energy"]
    assert en["mu"] == pytest.approx(-5.34) and np.isnan(en["sd"]) and en["n"] == 1
    assert en["not_modelled"] == ("Energy intensity not modelled as of 2019: the s.d. of the yoy change needs at "
                                  "least 2 published Hunan changes in 2016-2019, there is 1; set "
                                  "assumptions.energy.unobserved_yoy_sd_pct to run it")
    a = sc.assumptions
    sc2 = sc.model_copy(update={"assumptions": a.model_copy(
        update={"energy": a.energy.model_copy(update={"unobserved_yoy_sd_pct": 1.0})})})
    p = build_panel(out, sc2, as_of=2019)
    assert p.constants["energy"]["not_modelled"] is None and p.constants["energy"]["sd"] == 1.0
    assert ("Energy intensity", "CZT") in project(p, sc2).paths
    assert p.series("energy_intensity_index", "CZT")[2019] == pytest.approx(100.0)


def test_levers_refused_where_high_tech_is_not_modelled(setup):
    from model import run_scenario
    from model.errors import CztInputError

    with pytest.raises(CztInputError, match=r"forecast\.as_of: 2020: .*assumptions\.hightech\.share_change_sd_pp"):
        run_scenario("plan", write=False, as_of=2020, n_paths=100)
    with pytest.raises(CztInputError, match=r"forecast\.as_of: 2018 is before 2019"):
        run_scenario("plan", write=False, as_of=2018, n_paths=100)
    # with the key the structural model has its high-tech state
    from model.engine.alternative import require_structural_state

    sc, src = setup
    plan = _sd_override(load_scenario("plan"))
    plan = plan.model_copy(update={"forecast": plan.forecast.model_copy(update={"as_of": 2020})})
    require_structural_state(build_panel(src, plan), plan)


def test_as_of_run_with_blocks_not_modelled_writes_everything(tmp_path):
    import json

    from model import run_scenario

    out = tmp_path / "asof2019"
    r = run_scenario("baseline", as_of=2019, n_paths=200, out_dir=out)
    notes = json.loads((out / "run.json").read_text(encoding="utf-8"))["notes"]
    assert any(n.startswith("High-tech VA not modelled as of 2019: ") for n in notes)
    card = pd.read_csv(out / "scorecard.csv").set_index("target")
    assert card.at["hightech_level", "status"] == "not modelled" and card.at["energy_intensity", "status"] != "not modelled"
    fc = pd.read_csv(out / "forecasts.csv")
    assert "High-tech VA" not in set(fc.variable) and "Energy intensity" in set(fc.variable)
    for f in ("workbook.xlsx", "report.html", "report_zh.html", "report.md", "iamc_quantiles.csv", "fan_gdp.png"):
        assert (out / f).stat().st_size > 0
    assert np.isfinite(r.forecasts.value).all()


def test_capital_calibration_reads_no_year_after_its_base_year():
    from model.io.params import read_long_csv
    from model.opt.capital import calibrate_capital

    panel = read_long_csv(DATA_DIR / "macro" / "czt_best_panel_long.csv")
    gdp = {y: 1000.0 * 1.07 ** (y - 2017) for y in range(2017, 2025)}
    a = calibrate_capital(panel, gdp, 0.4, 2017, 2020, 0.1)
    planted = panel.copy()
    late = planted.year > 2020
    assert late.any()
    planted.loc[late, "value"] = planted.loc[late, "value"] * 50.0
    b = calibrate_capital(planted, gdp, 0.4, 2017, 2020, 0.1)
    assert (a.capital, a.g_investment, a.investment_rate) == (b.capital, b.g_investment, b.investment_rate)
    early = planted.year == 2019                     # ...and a year it does use changes it
    planted.loc[early & (planted.variable == "fai_growth"), "value"] += 20.0
    assert calibrate_capital(planted, gdp, 0.4, 2017, 2020, 0.1).capital != a.capital


def test_io_energy_default_as_of_uses_only_published_changes_up_to_T():
    from model.io import satellite as sat
    from model.io.params import load_parameters

    P = load_parameters()
    mean_16_18 = (-5.34 - 5.24 - 5.12) / 3
    assert sat.core_unobserved_yoy(as_of=2019) == pytest.approx(mean_16_18)
    d = sat.intensity_index_path(P, as_of=2019).set_index("year")
    assert d.at[2020, "yoy_pct"] == pytest.approx(mean_16_18) and d.at[2020, "basis"] == "assumption"
    assert d.at[2019, "index"] == pytest.approx(100.0)
    latest = sat.intensity_index_path(P).set_index("year")
    assert latest.at[2020, "yoy_pct"] == pytest.approx(-1.98)             # published for 2020: used when T >= 2020
    assert np.isnan(sat.core_unobserved_yoy(as_of=2012))                   # no published change <= 2012


# ------------------------------------------------------------------ the IO projection as of T
def test_io_projection_as_of_uses_no_later_energy_data():
    """With no energy-intensity forecast as of T (not modelled), the IO projection writes no energy
    rows (they would rest on changes published after T) and says its 2017 table postdates T.
    (Its default index as of T, official changes <= T only, is tested with the satellite above.)"""
    from model.io import IOSystem

    system = IOSystem.from_calibration()
    path = pd.DataFrame({"year": range(2017, 2036), "gdp_real": [100.0 * 1.05 ** k for k in range(19)]})
    full = system.project(path)
    assert full["variable"].str.startswith("Energy").any()
    no_energy = system.project(path, as_of=2010)
    assert not no_energy["variable"].str.startswith("Energy").any()
    assert any("not an as-of forecast" in n for n in no_energy.attrs["notes"])      # 2017 table, T = 2010


def test_an_as_of_run_writes_no_energy_rows_when_energy_is_not_modelled():
    from model.runner import run_scenario

    r = run_scenario("baseline", write=False, n_paths=100, as_of=2010)
    assert "Energy intensity" not in {v for v, _ in r.projection.paths}
    assert not r.io_projection["variable"].str.startswith("Energy").any()
