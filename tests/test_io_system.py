"""IOSystem: cluster accounts, satellites, RAS update, projection, LMDI, CLI."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.errors import CztInputError
from model.results.iamc import check_iamc
from model.io import IOSystem
from model.io import satellite as sat
from model.io.clusters import load_cluster_map
from model.io.params import load_parameters, read_long_csv
from model.io.projection import decompose
from model.paths import DATA


@pytest.fixture(scope="module")
def czt():
    return IOSystem.from_calibration(flq_delta=0.3, region="CZT")


@pytest.fixture(scope="module")
def hunan():
    return IOSystem.from_calibration(region="Hunan")


@pytest.fixture(scope="module")
def path():
    yrs = list(range(2017, 2036))
    return pd.DataFrame({"year": yrs, "gdp_real": [100 * 1.06 ** (y - 2017) for y in yrs]})


# ------------------------------------------------------------------ clusters
def test_cluster_map_covers_all_sectors_with_judgement(czt):
    cm = load_cluster_map(czt.codes)
    assert len(cm) == 42 and cm["judgement"].str.len().min() > 10
    assert 14 <= cm["cluster"].nunique() <= 20


def test_cluster_aggregation_preserves_totals(czt):
    sec = czt.cluster_accounts(level="sector")
    clu = czt.cluster_accounts()
    assert len(clu.codes) == czt.cluster_map["cluster"].nunique()
    for name in ("X", "VA", "energy", "hightech_va"):
        assert getattr(clu, name).sum() == pytest.approx(getattr(sec, name).sum(), rel=1e-12), name
    pd.testing.assert_series_equal(clu.final_demand.sum(), sec.final_demand.sum(), rtol=1e-12)
    assert clu.capital["depreciation"].sum() == pytest.approx(sec.capital["depreciation"].sum(), rel=1e-12)
    # intermediate flows preserved: sum(A X) equal at both levels
    assert (clu.A * clu.X).to_numpy().sum() == pytest.approx((sec.A * sec.X).to_numpy().sum(), rel=1e-12)
    # cluster system closes: X = A X + regional final demand
    f = clu.final_demand[["consumption", "gfcf", "inventory", "exports_outflows"]].sum(axis=1)
    np.testing.assert_allclose(clu.A.to_numpy() @ clu.X.to_numpy() + f.to_numpy(), clu.X.to_numpy(), rtol=1e-9)
    # GDP of CZT 2017 (CSMAR revised city values) is preserved
    gdp = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    cities = gdp[(gdp.year == 2017) & gdp.region_code.isin(["430100", "430200", "430300"]) & (gdp.variable == "gdp_nominal")]
    assert clu.VA.sum() == pytest.approx(cities["value"].sum(), rel=1e-9)
    assert clu.gfcf_composition["regional"].sum() == pytest.approx(1.0)
    # all-origin GFCF = Hunan's GFCF column scaled by the CZT GDP share (final_use_scale)
    hn = czt.table
    assert clu.final_demand["gfcf_total"].sum() == pytest.approx(
        hn.fd["FU201"].sum() / 1e4 * clu.VA.sum() / (hn.va["TVA"].sum() / 1e4), rel=1e-12)
    assert (clu.final_demand["gfcf"] <= clu.final_demand["gfcf_total"] + 1e-9).all()
    assert (clu.v <= 1).all() and (clu.v > 0).all()


def test_capital_proxy_follows_documented_formula(czt):
    acc = czt.cluster_accounts()
    delta = load_parameters()["capital"]["depreciation_rate"]
    np.testing.assert_allclose(acc.capital["capital_stock"], acc.capital["depreciation"] / delta)
    np.testing.assert_allclose(acc.capital["capital_output_ratio"], acc.capital["capital_stock"] / acc.VA)


# ------------------------------------------------------------------ satellites
def test_energy_total_chain_reproduces_documented_derivation():
    P = load_parameters()
    r = sat.hunan_energy_total(P, 2017)
    # recompute independently from the data files
    off = read_long_csv(DATA / "energy" / "energy_intensity_official.csv")
    bal = read_long_csv(DATA / "energy" / "hunan_energy_balance_by_sector_2005_2014.csv")
    cpi = read_long_csv(DATA / "macro" / "hunan_cpi_csmar_1951_2021.csv").set_index("year")["value"]
    gdp = read_long_csv(DATA / "macro" / "hunan_gdp_nbs_1992_2020.csv").set_index("year")["value"]
    ei = off[(off.region_code == "430000") & (off.year == 2008) & (off.variable == "energy_intensity_gdp")]["value"].iloc[0]
    tpes = bal[bal.variable == "total_primary_energy_supply"].set_index("year")["value"]
    E = ei * gdp[2008] / (cpi[2006] * cpi[2007] * cpi[2008] / 1e6)
    E *= tpes[2014] / tpes[2008] * (1 + P["energy"]["growth_2015_pct"] / 100) * 1.0217 * 1.0232
    assert r["value"] == pytest.approx(E, rel=1e-12)
    assert set(r["steps"]["basis"]) == {"derived", "assumption", "observed"}


def test_energy_allocation_sums_to_total(hunan):
    P = load_parameters()
    tot = sat.hunan_energy_total(P, 2017)["value"]
    assert hunan.energy.sum() + hunan.energy_households == pytest.approx(tot, rel=1e-12)
    shares = sat.balance_shares(P)
    assert shares.sum() == pytest.approx(1.0)
    assert hunan.energy_households == pytest.approx(tot * shares["residential"], rel=1e-12)
    # sector 03 has no output and no intensity; the power sector is the most intensive
    e = pd.Series(hunan.e, index=hunan.codes)
    assert e["03"] == 0 and e.idxmax() in {"24", "11", "25"}


def test_hightech_shares_hit_the_observed_aggregate(hunan, czt):
    P = load_parameters()
    ht = (hunan.hightech * hunan.va).sum() / hunan.va.sum()
    assert ht == pytest.approx(P["hightech"]["hunan_share_pct"] / 100, abs=1e-10)
    assert ((hunan.hightech >= 0) & (hunan.hightech <= 1)).all()
    w = pd.read_csv("calibration/io/hightech_weights.csv", dtype={"code": str}).set_index("code")["weight"]
    wv = w.reindex(hunan.codes).to_numpy()
    # zero-weight sectors carry exactly the uniform residual r; no partial sector (steel incl.) near 91 %
    r = hunan.hightech[wv == 0]
    assert np.ptp(r) == pytest.approx(0, abs=1e-12) and 0 < r[0] < 0.15
    steel = hunan.codes.index("14")
    assert hunan.hightech[steel] == pytest.approx(0.5 + 0.5 * r[0]) and hunan.hightech[steel] < 0.6
    assert (hunan.hightech[wv == 1] == 1).all()
    with pytest.raises(CztInputError, match="not reachable"):
        sat.hightech_shares(pd.Series(hunan.va, index=hunan.codes), w.astype(float), 0.05)


def test_intensity_index_path_uses_official_changes():
    P = load_parameters()
    idx = sat.intensity_index_path(P).set_index("year")
    assert idx.loc[2019, "index"] == pytest.approx(100.0)
    # 2018 -> 2017 ratio is the official 2018 change (-5.12 %, czt_gapfill_releases.csv)
    assert idx.loc[2018, "index"] / idx.loc[2017, "index"] == pytest.approx(1 - 0.0512)
    assert idx.loc[2020, "index"] == pytest.approx(100 * (1 - 0.0198))
    assert idx.loc[2017, "basis"] == "observed" and idx.loc[2019, "basis"] == "assumption"


# ------------------------------------------------------------------ RAS update
def test_ras_update_reproduces_target_margins():
    s = IOSystem.from_calibration(region="Hunan", structure_year=2019)
    r = s.ras_report
    assert r["residual"] < 1e-9 and r["iterations"] > 1
    np.testing.assert_allclose(r["Z"].sum(axis=1), r["u"], rtol=1e-8)
    np.testing.assert_allclose(r["Z"].sum(axis=0), r["v"], rtol=1e-8)
    # new VA equals Hunan's observed 2019 three-sector VA (THEPAPER_HN_GDP_2019)
    assert s.va.sum() / 1e4 == pytest.approx(3646.9 + 14947.0 + 21158.2, rel=1e-12)
    assert s.va[0] / 1e4 == pytest.approx(3646.9, rel=1e-12)
    # column balance of the updated table holds: inputs + VA = output
    np.testing.assert_allclose(r["Z"].sum(axis=0) + r["va"], r["x"], rtol=1e-8)
    # cluster_accounts(year=...) uses the updated structure; CZT 2019 GDP = city sum
    acc = IOSystem.from_calibration().cluster_accounts(year=2019)
    assert acc.VA.sum() == pytest.approx(16834.98, abs=0.01)


def test_ras_update_takes_the_latest_published_structure_up_to_the_year():
    # Hunan's three-sector VA is not in the vendored panel for 2020: a 2020 structure is the 2019 one, said so
    s20 = IOSystem.from_calibration(region="Hunan", structure_year=2020)
    s19 = IOSystem.from_calibration(region="Hunan", structure_year=2019)
    assert s20.ras_report["year"] == 2019
    np.testing.assert_allclose(s20.va, s19.va, rtol=1e-12)
    with pytest.raises(CztInputError, match="up to 2010"):
        IOSystem.from_calibration(region="Hunan", structure_year=2010)


# ------------------------------------------------------------------ projection
def test_projection_follows_macro_path_and_is_valid_iamc(czt, path):
    out = czt.project(path)
    assert check_iamc(out).empty
    assert out["year"].min() == 2017 and out["year"].max() == 2035
    va = out[out.variable == "Value Added"].set_index("year")["value"]
    g = path.set_index("year")["gdp_real"]
    np.testing.assert_allclose(va / va[2017], g / g[2017], rtol=1e-10)
    clusters = out[out.variable.str.match(r"^Value Added\|[a-z_]+$")].groupby("year")["value"].sum()
    np.testing.assert_allclose(clusters, va, rtol=1e-10)
    assert set(out["basis"]) <= {"observed", "derived", "assumption", "forecast"}
    assert (out[out.variable.str.startswith("Energy")]["basis"].isin(["derived", "assumption"])).all()


def test_io_intensity_index_consistent_with_core_index(czt, path):
    """The IO-implied GDP energy-intensity index equals the forecasting core's
    index (2019 = 100) in every year, in particular 100 in 2019 and the
    official 2017 -> 2018 change."""
    P = load_parameters()
    core = sat.intensity_index_path(P, 2015, 2035)[["year", "index"]].rename(columns={"index": "energy_intensity_index"})
    core.loc[core.year > 2020, "energy_intensity_index"] *= 0.99   # a core path different from the default
    mp = path.merge(core, on="year")
    out, arr = czt.project(mp, return_arrays=True)
    energy = pd.Series(arr["E"].sum(axis=0) + arr["Eh"], index=arr["years"])
    va = pd.Series(arr["VA"].sum(axis=0), index=arr["years"])
    io_idx = sat.io_intensity_index(energy, va, base_year=2019)
    assert io_idx[2019] == pytest.approx(100.0)
    np.testing.assert_allclose(io_idx.to_numpy(), core.set_index("year").loc[arr["years"], "energy_intensity_index"], rtol=1e-10)
    rows = out[out.variable == "Energy Intensity|GDP|Index"].set_index("year")["value"]
    np.testing.assert_allclose(rows.to_numpy(), io_idx.to_numpy(), rtol=1e-12)
    # base-year level is the derived IO intensity (Σ energy / Σ VA)
    lvl = out[(out.variable == "Energy Intensity|GDP") & (out.year == 2017)]["value"].iloc[0]
    assert lvl == pytest.approx((czt.energy.sum() + czt.energy_households) / czt.va.sum() * 1e4, rel=1e-12)
    with pytest.raises(CztInputError, match="2019 = 100"):
        czt.project(mp.assign(energy_intensity_index=mp.energy_intensity_index * 2))


def test_composition_shift_gives_structure_effect_and_lmdi_is_exact(czt, path):
    comp = pd.DataFrame({"year": [2017, 2035], "consumption": [None, 0.35], "gfcf": [None, 0.20],
                         "inventory": [None, 0.01], "exports_outflows": [None, 0.44]})
    acc = czt.fd[["consumption", "gfcf", "inventory", "exports_outflows"]].sum()
    w0 = acc / acc.sum()
    comp.loc[0, ["consumption", "gfcf", "inventory", "exports_outflows"]] = w0.to_numpy()
    comp = comp.astype(float)
    out = czt.project(path, final_demand_composition=comp, level="sector")
    d = decompose(out, 2017, 2035)
    assert d["structure"] + d["efficiency"] + d["households"] + d["other"] == pytest.approx(d["delta"], abs=1e-12)
    assert abs(d["structure"]) > 1e-4
    lm = out[(out.variable == "Energy Intensity|LMDI|Structure") & (out.year == 2035)]["value"].iloc[0]
    assert lm == pytest.approx(d["structure"], rel=1e-9)
    bad = comp.copy()
    bad.loc[1, "gfcf"] = 0.5
    with pytest.raises(CztInputError, match="shares sum to"):
        czt.project(path, final_demand_composition=bad)


def test_path_starting_2019_is_bridged_with_observed_growth(czt):
    yrs = list(range(2019, 2036))
    p = pd.DataFrame({"year": yrs, "gdp_real": [16835.0 * 1.05 ** (y - 2019) for y in yrs]})
    out = czt.project(p)
    va = out[out.variable == "Value Added"].set_index("year")["value"]
    # 2017 -> 2019: CZT 2018 = city rates weighted by 2017 GDP (derived), 2019 = 8.0 % (observed)
    panel = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    g = panel[(panel.variable == "gdp_real_growth") & (panel.year == 2018)].set_index("region_code")["value"]
    w = panel[(panel.variable == "gdp_nominal") & (panel.year == 2017)].set_index("region_code")["value"]
    c = ["430100", "430200", "430300"]
    g18 = float((g[c] * w[c]).sum() / w[c].sum())
    assert va[2019] / va[2017] == pytest.approx((1 + g18 / 100) * 1.08, rel=1e-12)
    assert va[2035] / va[2019] == pytest.approx(1.05 ** 16, rel=1e-10)
    with pytest.raises(CztInputError, match="gdp_real missing"):
        czt.project(p[p.year != 2030])


# ------------------------------------------------------------------ CLI
def test_cli_commands_print_and_fail_cleanly(tmp_path):
    from model.io.cli import app
    r = CliRunner()
    res = r.invoke(app, ["linkages", "--level", "cluster", "--out", str(tmp_path / "l.csv")])
    assert res.exit_code == 0 and "engineering_machinery" in res.output
    df = pd.read_csv(tmp_path / "l.csv", index_col=0)
    assert set(df["class"]) <= {"key", "backward", "forward", "weak"}
    res = r.invoke(app, ["multipliers", "--region", "Nowhere"])
    assert res.exit_code == 2 and "Nowhere" in res.output   # a choice list since #11: usage error, exit 2


def test_intensity_index_method_defaults_to_official_chain(czt, path):
    idx = czt.intensity_index(path)
    default = sat.intensity_index_path(load_parameters(), 2017, 2035).set_index("year")["index"]
    assert idx[2019] == pytest.approx(100.0)
    np.testing.assert_allclose(idx.to_numpy(), default.to_numpy(), rtol=1e-10)


def test_macro_path_from_core_iamc_output(czt, path):
    from model.io.projection import macro_path_from_iamc
    P = load_parameters()
    ei = sat.intensity_index_path(P, 2017, 2035)
    rows = [("CZT", "GDP|Real", y, g, "mean") for y, g in zip(path.year, path.gdp_real)]
    rows += [("CZT", "Energy intensity", y, v, "mean") for y, v in zip(ei.year, ei["index"])]
    rows += [("CZT", "GDP|Real", y, 2 * g, 0.05) for y, g in zip(path.year, path.gdp_real)]
    df = pd.DataFrame(rows, columns=["region", "variable", "year", "value", "quantile"])
    mp = macro_path_from_iamc(df)
    assert list(mp.columns) == ["year", "gdp_real", "energy_intensity_index"]
    np.testing.assert_allclose(mp["gdp_real"], path["gdp_real"])
    idx = czt.intensity_index(mp)
    np.testing.assert_allclose(idx.to_numpy(), ei["index"].to_numpy(), rtol=1e-10)
    with pytest.raises(CztInputError, match=re.escape("no 'GDP|Real' rows")):
        macro_path_from_iamc(df, region="Changsha")


def test_base_year_iamc_frame(hunan):
    df = hunan.to_iamc(level="cluster")
    assert check_iamc(df).empty and set(df["year"]) == {2017}
    va = df[df.variable.str.match(r"^Value Added\|[a-z_]+$")]["value"].sum()
    assert va == pytest.approx(33902.96, abs=0.01)
    assert (df[df.variable.str.startswith("IO|Multiplier|output_type1|")]["value"] >= 1).all()
    assert set(df.loc[df.variable.str.startswith("Value Added|"), "basis"]) == {"observed", "assumption"}


def test_unobserved_energy_path_has_one_source():
    """The IO default for unobserved years is the forecasting core's assumption, not a separate value."""
    from model.data.loader import load_sources
    from model.data.panel import energy_change_assumption, energy_sources
    from model.scenario import load_scenario
    sc = load_scenario("baseline")
    mu, _, _, _ = energy_change_assumption(energy_sources(load_sources()), sc)
    idx = sat.intensity_index_path(load_parameters(), 2015, 2030).set_index("year")
    assert idx.loc[2022, "yoy_pct"] == pytest.approx(mu, abs=1e-9)
    assert idx.loc[2019, "yoy_pct"] == pytest.approx(mu, abs=1e-9)
    # a scenario value replaces it everywhere it is unobserved, and nowhere else
    idx2 = sat.intensity_index_path(load_parameters(), 2015, 2030, unobserved_yoy_pct=-2.5).set_index("year")
    assert (idx2.loc[idx2.basis == "assumption", "yoy_pct"] == -2.5).all()
    obs = idx.basis == "observed"
    np.testing.assert_array_equal(idx2.loc[obs, "yoy_pct"].to_numpy(), idx.loc[obs, "yoy_pct"].to_numpy())


def test_structure_updates_to_the_latest_year_with_each_citys_latest_shares():
    """RAS to 2024 works although not every city publishes three-sector VA for 2024: each city's latest
    observed shares, scaled to its 2024 GDP (flagged derived). CZT is then ~41 % secondary, not 2017's 47 %."""
    from model.io.regional import city_va_structure
    P = load_parameters()
    cities = P["regional"]["cities"]
    with pytest.raises(CztInputError, match="no va_"):
        city_va_structure(2024, cities)
    st = city_va_structure(2024, cities, latest=True)
    assert st.attrs["fallbacks"] and set(st.attrs["fallbacks"].values()) <= {2021, 2022, 2023}
    gdp = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    g24 = gdp[(gdp.variable == "gdp_nominal") & (gdp.year == 2024)].set_index("region_code")["value"]
    for c in st.attrs["fallbacks"]:
        assert st.loc[c].sum() == pytest.approx(g24[c])
    s24 = IOSystem.from_calibration(structure_year=2024)
    sec = np.array([P["regional"]["secondary_first"] <= c <= P["regional"]["secondary_last"] for c in s24.codes])
    share = s24.va[sec].sum() / s24.va.sum()
    assert 0.38 < share < 0.43
    assert any(a["key"] == "city_structure_fallback" for a in s24.assumptions)
