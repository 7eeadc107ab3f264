"""Sweep files, SALib designs and the sensitivity analysis (model/sweep/spec.py, design.py, analyse.py).

The analysis tests check our wiring (spec -> design -> results -> analyse) on functions with known
answers: Sobol' indices of the Ishigami function (analytic), Morris mu* of a linear function
(|b_i| x range), a hand-solved flip threshold on a grid. The sweep-file tests check that every bad
file is refused with one line naming the file and the key.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.paths import DATA, SCENARIOS
from model.sweep import analyse
from model.sweep.design import problem, sample
from model.sweep.spec import MAX_VARIANTS, SweepSpec, check_memory, load_sweep, n_variants

PI = float(np.pi)
SHIPPED = SCENARIOS / "sweeps" / "plan_assumptions.toml"


def spec(method: str, n: int, params: list[tuple], seed: int = 1, **design) -> SweepSpec:
    """A spec whose keys are not scenario keys (structure only; files always go through load_sweep)."""
    return SweepSpec.model_validate({
        "name": "t", "base": "none", "seed": seed, "design": {"method": method, "n": n, **design},
        "parameters": [{"key": k, "range": [lo, hi], "note": "test function"} for k, lo, hi in params]})


ISHIGAMI = [("x.x1", -PI, PI), ("x.x2", -PI, PI), ("x.x3", -PI, PI)]


# ------------------------------------------------------------------------------------------------
# analysis on functions with known answers


def test_ishigami_sobol_indices_match_the_analytic_values_within_their_intervals():
    from SALib.test_functions import Ishigami

    s = spec("sobol", 1024, ISHIGAMI)
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "y": Ishigami.evaluate(d[s.keys].to_numpy(), A=7, B=0.1)})
    sens = analyse.sensitivity(s, d, res, ["y"])
    # Ishigami & Homma (1990), a = 7, b = 0.1 (e.g. Saltelli et al. 2008, Global Sensitivity Analysis, §4.9)
    truth = {"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}
    for ix, want in truth.items():
        r = sens[sens["index"] == ix].set_index("parameter").loc[s.keys]
        assert (r["conf"] > 0).all() and (r["conf"] < 0.1).all(), r
        assert (np.abs(r["value"].to_numpy() - want) <= r["conf"].to_numpy()).all(), (ix, r[["value", "conf"]])
    assert set(sens["method"]) == {"sobol"}


def test_rbd_fast_on_a_latin_hypercube_recovers_ishigami_first_order_indices():
    from SALib.test_functions import Ishigami

    s = spec("lhs", 2048, ISHIGAMI, seed=3)
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "y": Ishigami.evaluate(d[s.keys].to_numpy())})
    r = analyse.sensitivity(s, d, res, ["y"]).set_index("parameter")
    assert list(r["index"].unique()) == ["S1"] and set(r["method"]) == {"rbd_fast"}
    assert (np.abs(r["value"].to_numpy() - [0.3139, 0.4424, 0.0]) <= r["conf"].to_numpy()).all(), r


def test_morris_mu_star_of_a_linear_function_is_coefficient_times_range():
    b = {"a.p": 3.0, "a.q": -1.0, "a.r": 0.5, "a.s": 0.0}
    ranges = {"a.p": (0.0, 1.0), "a.q": (-2.0, 4.0), "a.r": (10.0, 30.0), "a.s": (0.0, 5.0)}
    s = spec("morris", 20, [(k, *ranges[k]) for k in b], levels=4)
    d = sample(s)
    y = sum(b[k] * d[k] for k in b)
    sens = analyse.sensitivity(s, d, pd.DataFrame({"variant": d["variant"], "y": y}), ["y"])
    w = sens.pivot(index="parameter", columns="index", values="value").loc[list(b)]
    want = {k: abs(b[k]) * (ranges[k][1] - ranges[k][0]) for k in b}     # 3, 6, 10, 0 (hand)
    np.testing.assert_allclose(w["mu_star"], list(want.values()), atol=1e-9)
    np.testing.assert_allclose(w["mu"], [b[k] * (ranges[k][1] - ranges[k][0]) for k in b], atol=1e-9)
    np.testing.assert_allclose(w["sigma"], 0.0, atol=1e-9)                   # linear: every effect equal
    assert list(w["mu_star"].sort_values(ascending=False).index) == ["a.r", "a.q", "a.p", "a.s"]


def test_failed_variants_make_morris_not_analysable_and_are_dropped_for_lhs():
    s = spec("morris", 10, [("a.p", 0, 1), ("a.q", 0, 1)])
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "y": d["a.p"] + 2 * d["a.q"]})
    res.loc[3, "y"] = np.nan
    res = res.drop(index=7)                                   # a variant with no result row at all
    out = analyse.sensitivity(s, d, res, ["y"])
    assert out["value"].isna().all() and set(out["note"]) == {"not analysable (2 variants failed)"}
    s = spec("lhs", 200, [("a.p", 0, 1), ("a.q", 0, 1)])
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "y": d["a.p"] + 2 * d["a.q"]})
    res.loc[:4, "y"] = np.nan
    out = analyse.sensitivity(s, d, res, ["y"]).set_index("parameter")
    assert out["value"].notna().all() and set(out["note"]) == {"5 failed variants dropped"}
    assert out.loc["a.q", "value"] > out.loc["a.p", "value"]   # variance shares 4/5 and 1/5


@pytest.mark.parametrize("method,n", [("morris", 8), ("sobol", 16), ("lhs", 50), ("grid", 5)])
def test_a_constant_output_gets_zero_indices_and_a_note_without_warnings(method, n):
    s = spec(method, n, [("a.p", 0, 1), ("a.q", 0, 1)])
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "p": 0.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = analyse.sensitivity(s, d, res, ["p"])
    assert (out["value"] == 0).all() and out["note"].str.startswith("constant output").all()


def test_flip_threshold_on_a_grid_is_hand_solvable():
    # verdict flips iff x > 4.5; 10 levels 0..9 (one bin each) -> share 0 up to level 4, 1 from level 5:
    # the share crosses one half half-way between 4 and 5
    s = spec("grid", 10, [("a.x", 0, 9), ("a.y", 0, 1)])
    d = sample(s)
    verdict = np.where(d["a.x"] > 4.5, "off track", "on track")
    res = pd.DataFrame({"variant": d["variant"], "verdict.t": verdict, "p_meet.t": (d["a.x"] <= 4.5) * 1.0})
    f = analyse.flip_frontier(s, d, res, "t", "on track")
    x = f[f["parameter"] == "a.x"]
    assert list(x["share_flipped"]) == [0.0] * 5 + [1.0] * 5 and list(x["n"]) == [10] * 10
    assert x["threshold"].iloc[0] == pytest.approx(4.5) and x["direction"].iloc[0] == "above"
    y = f[f["parameter"] == "a.y"]
    assert y["threshold"].isna().all() and np.allclose(y["share_flipped"], 0.5 - 0.5 * (y["bin"] < 0))
    sentence = analyse.flip_sentence(s, f, "t", "on track")
    assert sentence.startswith("t stays on track unless a.x > 4.5 ") and "a.y" not in sentence


@pytest.mark.parametrize("method,n", [("morris", 10), ("sobol", 16), ("lhs", 120)])
def test_only_the_parameter_that_decides_the_verdict_gets_a_threshold(method, n):
    s = spec(method, n, [("a.x", 0, 1), ("a.y", 0, 1), ("a.z", 0, 1), ("a.w", 0, 1)])
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "verdict.t": np.where(d["a.x"] > 0.5, "off track", "on track")})
    th = analyse.flip_thresholds(analyse.flip_frontier(s, d, res, "t", "on track")).set_index("parameter")
    assert th["threshold"].notna().tolist() == [True, False, False, False], th
    assert th.loc["a.x", "direction"] == "above" and abs(th.loc["a.x", "threshold"] - 0.5) < 0.2
    assert analyse.design_effect(s) == {"morris": 5, "sobol": 6, "lhs": 1}[method]


def test_flip_sentence_without_a_crossing_counts_the_variants():
    s = spec("lhs", 100, [("a.x", 0, 1)])
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "verdict.t": "on track"})
    f = analyse.flip_frontier(s, d, res, "t", "on track")
    assert f["n_flipped"].sum() == 0 and f["threshold"].isna().all()
    assert analyse.flip_sentence(s, f, "t", "on track") == "t stays on track in every one of the 100 variants of the sweep"


def test_tornado_swings_of_a_linear_function_and_the_charts(tmp_path):
    s = spec("grid", 5, [("a.p", 0, 4), ("a.q", 0, 1)])           # levels 0,1,2,3,4 and 0,.25,...,1
    d = sample(s)
    res = pd.DataFrame({"variant": d["variant"], "y": 2 * d["a.p"] - 10 * d["a.q"],
                        "verdict.t": np.where(d["a.q"] > 0.6, "off track", "on track")})
    sw = analyse.swings(d, res, "y").set_index("parameter")
    # lowest fifth of a.p = level 0, highest = level 4: mean y = 2*0 - 10*0.5 and 2*4 - 10*0.5 (hand)
    assert sw.loc["a.p", ["low_mean", "high_mean", "swing"]].tolist() == pytest.approx([-5.0, 3.0, 8.0])
    assert sw.loc["a.q", ["low_mean", "high_mean", "swing"]].tolist() == pytest.approx([4.0, -6.0, -10.0])
    assert list(sw.index) == ["a.q", "a.p"]                      # sorted by |swing|
    sens = analyse.sensitivity(s, d, res, ["y"])
    analyse.tornado_chart(sens, d, res, "y", tmp_path / "t.png")
    f = analyse.flip_frontier(s, d, res, "t", "on track")
    assert analyse.flip_chart(s, d, res, f, "t", tmp_path / "f.png")[0] == "a.q"
    for p in ("t.png", "f.png"):
        assert (tmp_path / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------------
# designs


@pytest.mark.parametrize("method,n,extra,want", [
    ("grid", 3, {}, 27), ("lhs", 40, {}, 40), ("morris", 6, {}, 6 * 4),
    ("sobol", 16, {}, 16 * (3 + 2)), ("sobol", 16, {"second_order": True}, 16 * (2 * 3 + 2))])
def test_design_sizes_and_bounds(method, n, extra, want):
    s = spec(method, n, [("a.p", 0, 1), ("a.q", -2, 3), ("a.r", 10, 11)], **extra)
    d = sample(s)
    assert len(d) == n_variants(s) == want
    assert list(d.columns) == ["variant", "a.p", "a.q", "a.r"] and list(d["variant"]) == list(range(want))
    for k, lo, hi in [("a.p", 0, 1), ("a.q", -2, 3), ("a.r", 10, 11)]:
        assert d[k].between(lo, hi).all()
    if method in ("grid", "morris"):                              # levels include both ends
        assert d["a.q"].min() == -2 and d["a.q"].max() == 3
    if method == "grid":
        assert sorted(d["a.q"].unique()) == [-2.0, 0.5, 3.0]
        assert len(d.drop_duplicates(subset=["a.p", "a.q", "a.r"])) == 27


def test_problem_maps_distributions_to_salib():
    s = SweepSpec.model_validate({"name": "t", "base": "x", "seed": 1, "design": {"method": "lhs", "n": 10},
                                  "parameters": [{"key": "a.p", "range": [0, 1], "note": "n"},
                                                 {"key": "a.q", "dist": "triangular", "bounds": [0, 2, 0.5], "note": "n"},
                                                 {"key": "a.r", "dist": "truncnorm", "bounds": [0, 1, 0.5, 0.2], "note": "n"}]})
    assert problem(s) == {"num_vars": 3, "names": ["a.p", "a.q", "a.r"],
                          "bounds": [[0.0, 1.0], [0.0, 2.0, 0.5], [0.0, 1.0, 0.5, 0.2]],
                          "dists": ["unif", "triang", "truncnorm"]}
    d = sample(s)
    assert d["a.q"].between(0, 2).all() and d["a.r"].between(0, 1).all()


@pytest.mark.parametrize("method,n", [("lhs", 30), ("morris", 5), ("sobol", 8), ("grid", 3)])
def test_same_seed_same_table_other_seed_other_table(method, n):
    params = [("a.p", 0, 1), ("a.q", -2, 3)]
    a, b = sample(spec(method, n, params, seed=7)), sample(spec(method, n, params, seed=7))
    assert a.to_csv().encode() == b.to_csv().encode()
    c = sample(spec(method, n, params, seed=8))
    if method == "grid":                                       # the full factorial has no randomness
        pd.testing.assert_frame_equal(a, c)
    else:
        assert not np.allclose(a[["a.p", "a.q"]], c[["a.p", "a.q"]])


# ------------------------------------------------------------------------------------------------
# sweep files

GOOD = """\
name = "probe"
base = "plan"
[design]
method = "morris"
n = 4
[[parameters]]
key = "assumptions.energy.unobserved_yoy_change_pct"
range = [-5.34, -1.98]
note = "Hunan's observed yoy changes"
[[parameters]]
key = "optimisation.investment_share_of_gdp"
range = [0.42, 0.55]
note = "investment rates"
"""


def write(tmp_path, text: str, name: str = "probe.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_lognormal_is_allowed_on_a_key_bounded_only_by_zero(tmp_path):
    # optimisation.penalty must be > 0; a lognormal never draws 0, so its open support fits
    text = GOOD.replace("optimisation.investment_share_of_gdp", "optimisation.penalty").replace(
        "range = [0.42, 0.55]", 'dist = "lognormal"\nbounds = [0.0, 0.1]').replace('"morris"', '"lhs"')
    s = load_sweep(write(tmp_path, text))
    assert s.parameters[1].distribution == "lognormal" and s.parameters[1].support == (0.0, float("inf"))


def test_a_good_sweep_file_loads_with_defaults(tmp_path):
    s = load_sweep(write(tmp_path, GOOD))
    assert s.seed == s.base_scenario.seed == 20210305 and s.base_file == str(SCENARIOS / "plan.toml")
    assert s.outputs.targets[0] == s.outputs.flip_target == "gdp_level" and "energy_intensity" in s.outputs.targets
    assert s.run.n_paths == 500 and s.run.n_lp_paths == 8 and n_variants(s) == 12
    assert s.keys == ["assumptions.energy.unobserved_yoy_change_pct", "optimisation.investment_share_of_gdp"]


BAD = [  # (edit of GOOD, key named in the message, a word of the message)
    (GOOD.replace("optimisation.investment_share_of_gdp", "optimisation.depreciation_rate")
     .replace("[0.42, 0.55]", "[0.06, 0.12]"), "parameters.1.range", "above max_cluster_decline"),
    ("extra = 1\n" + GOOD, "extra", "unknown key"),
    (GOOD.replace("n = 4", "n = 4\nfoo = 2"), "design.foo", "unknown key"),
    (GOOD.replace('note = "investment rates"', 'note = "investment rates"\nunit = "x"'), "parameters.1.unit",
     "unknown key"),
    (GOOD.replace("[0.42, 0.55]", "[1, 1]"), "parameters.1.range", "empty"),
    (GOOD.replace("[0.42, 0.55]", "[0.55, 0.42]"), "parameters.1.range", "reversed"),
    (GOOD.replace("optimisation.investment_share_of_gdp", "optimisation.investment_share_of_gpd"),
     "parameters.1.key", "did you mean 'optimisation.investment_share_of_gdp'"),
    (GOOD.replace("[0.42, 0.55]", "[0.42, 1.2]"), "parameters.1.range", "outside the scenario's range"),
    (GOOD.replace("optimisation.investment_share_of_gdp", "assumptions.energy.unobserved_yoy_change_pct"),
     "parameters.1.key", "already parameter 0"),
    (GOOD.replace('method = "morris"\nn = 4', 'method = "sobol"\nn = 100'), "design.n", "power of 2"),
    (GOOD.replace("n = 4", "n = 700000"), "design.n", "variants"),
    (GOOD.replace('note = "investment rates"\n', ""), "parameters.1.note", "Field required"),
    (GOOD.replace('note = "investment rates"', 'note = "  "'), "parameters.1.note", "empty"),
    (GOOD.replace('base = "plan"', 'base = "plam"'), "base", "did you mean 'plan'"),
    (GOOD.replace('base = "plan"', 'base = "../plan"'), "base", "no paths"),
    (GOOD.replace('name = "probe"', 'name = "sweep_x"'), "name", "reserved"),
    (GOOD.replace('name = "probe"', 'name = "a/b"'), "name", "letters, digits"),
    (GOOD.replace("optimisation.investment_share_of_gdp", "forecast.n_paths").replace("[0.42, 0.55]", "[500, 900]"),
     "parameters.1.key", "cannot be swept"),
    (GOOD.replace("optimisation.investment_share_of_gdp", "optimisation.energy_efficiency_gain")
     .replace("[0.42, 0.55]", "[0.01, 0.03]"), "parameters.1.key", "no model code read it"),
    (GOOD.replace('range = [0.42, 0.55]', 'dist = "normal"\nbounds = [0.5, 0.05]').replace('"morris"', '"lhs"'),
     "parameters.1.dist", "can draw any low value"),
    (GOOD.replace('range = [0.42, 0.55]', 'dist = "normal"\nbounds = [0.5, 0.05]'), "parameters.1.dist",
     "unbounded"),
    (GOOD.replace("n = 4", "n = 4\nsecond_order = true"), "design.second_order", "only for method"),
    (GOOD + "[outputs]\ntargets = [\"gdp_levle\"]\n", "outputs.targets.0", "did you mean 'gdp_level'"),
    (GOOD + "[outputs]\nflip_target = \"rd_share\"\n", "outputs.flip_target", "not a modelled target"),
    (GOOD + "[run]\nn_paths = 50\n", "run.n_paths", "greater than or equal to 100"),
    (GOOD + "[run]\nn_paths = \"500\"\n", "run.n_paths", "valid integer"),
    (GOOD.replace("[-5.34, -1.98]", "[-5.34, nan]"), "parameters.0.range.1", "finite"),
    ("source_file = \"x\"\n" + GOOD, "source_file", "unknown key"),
]


@pytest.mark.parametrize("text,key,word", BAD, ids=[f"{b[1]}:{b[2]}" for b in BAD])
def test_a_bad_sweep_file_is_one_line_naming_file_and_key(tmp_path, text, key, word):
    p = write(tmp_path, text)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(CztInputError) as e:
        load_sweep(p)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{p}: key '{key}': "), msg
    assert word in msg, msg
    assert sorted(tmp_path.iterdir()) == before and p.read_text(encoding="utf-8")   # nothing written or touched


def test_a_malformed_or_missing_sweep_file_is_one_line(tmp_path):
    p = write(tmp_path, GOOD + "[design]\nn = 3\n")                    # a table defined twice
    with pytest.raises(CztInputError, match=r"^.*probe\.toml: invalid TOML"):
        load_sweep(p)
    with pytest.raises(CztInputError, match="file not found"):
        load_sweep(tmp_path / "nope.toml")


def test_memory_check_names_design_n_and_the_size(tmp_path):
    s = load_sweep(write(tmp_path, GOOD))
    with pytest.raises(CztInputError) as e:
        check_memory(s, available=1e6)
    msg = str(e.value)
    assert msg.startswith(f"{tmp_path / 'probe.toml'}: key 'design.n': morris with n = 4 and 2 parameters would be "
                          f"12 variants needing about ") and "GiB is available" in msg
    big = s.model_copy(update={"design": s.design.model_copy(update={"n": MAX_VARIANTS})})
    with pytest.raises(CztInputError, match=f"limit is {MAX_VARIANTS:,} variants"):
        check_memory(big, available=math.inf)


def test_a_sweep_that_does_not_fit_in_memory_is_refused_on_loading(tmp_path, monkeypatch):
    import model.scenario.schema

    monkeypatch.setattr(model.scenario.schema, "_available_memory", lambda: 100e6)   # 100 MB free
    p = write(tmp_path, GOOD)
    with pytest.raises(CztInputError) as e:
        load_sweep(p)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{p}: key 'design.n': morris with n = 4 and 2 parameters would be 12 "
                                              f"variants needing about 0.2 GiB of memory; 0.1 GiB is available"), msg


def test_a_base_scenario_beside_the_sweep_file_is_used(tmp_path):
    write(tmp_path, 'name = "mine"\nextends = "plan"\n', "mine.toml")
    s = load_sweep(write(tmp_path, GOOD.replace('base = "plan"', 'base = "mine"')))
    assert s.base_file == str((tmp_path / "mine.toml").resolve()) and s.base_scenario.name == "mine"


# ------------------------------------------------------------------------------------------------
# the shipped example


def test_the_shipped_sweep_loads_and_is_not_a_preset():
    from model.suggest import presets

    s = load_sweep(SHIPPED)
    assert s.design.method == "morris" and len(s.parameters) >= 6 and n_variants(s) == 1000
    assert all(len(p.note) > 40 for p in s.parameters)
    assert "plan_assumptions" not in presets() and not (SCENARIOS / "plan_assumptions.toml").exists()


def _shipped_range(key: str) -> tuple[float, float]:
    p = next(p for p in load_sweep(SHIPPED).parameters if p.key == key)
    return p.range


def test_the_shipped_ranges_are_the_shipped_data():
    """Re-derive the data-derived ranges of plan_assumptions.toml from the vendored files (their notes)."""
    ei = pd.concat([pd.read_csv(DATA / "energy" / "energy_intensity_official.csv"),
                    pd.read_csv(DATA / "macro" / "czt_gapfill_releases.csv")])
    hn = ei[(ei["region_code"].astype(str) == "430000") & (ei["variable"] == "energy_intensity_gdp_change_yoy")
            & ei["year"].between(2016, 2020)]
    assert sorted(hn["year"]) == [2016, 2017, 2018, 2020]
    assert _shipped_range("assumptions.energy.unobserved_yoy_change_pct") == (hn["value"].min(), hn["value"].max())
    cn = ei[ei["variable"] == "energy_intensity_gdp_change_yoy"].set_index(["region_code", "year", "source_id"])["value"]
    gaps = [cn[("430000", 2008, "NBS_PROV_EI_2008")] - cn[("CN", 2008, "NBS_PROV_EI_2008")],
            cn[("430000", 2020, "NBS_PROV_EI_2020")] - cn[("CN", 2020, "NBS_PROV_EI_2020")]]
    m = max(abs(g) for g in gaps)
    assert _shipped_range("assumptions.energy.czt_relative_to_hunan_pp") == pytest.approx((-m, m), abs=0.005)
    ht = pd.read_csv(DATA / "hightech" / "hightech_rd_hunan_czt.csv")
    share = ht[(ht["region_code"] == 430000) & (ht["variable"] == "hightech_industry_value_added_share_of_gdp")]
    share = dict(zip(share["year"], share["value"]))
    def one(df, region, year, variable):
        v = df[(df["region_code"].astype(str) == region) & (df["year"] == year) & (df["variable"] == variable)]["value"]
        assert len(v) == 1, (region, year, variable)
        return float(v.iloc[0])

    ctx = pd.read_csv(DATA / "hightech" / "context_gdp_denominators.csv")
    # VA (HNGOV_KJ_2021) / first-release GDP (THEPAPER_HN_GDP_2019)
    share[2019] = one(ht, "430000", 2019, "hightech_industry_value_added") / one(ctx, "430000", 2019, "gdp") * 100
    panel = pd.read_csv(DATA / "macro" / "czt_best_panel_long.csv")
    zz_2021 = (one(panel, "430200", 2021, "hightech_industry_value_added")       # MAYPLUS_ZZ_2021
               / one(panel, "430200", 2021, "gdp_nominal") * 100)               # CSMAR_GDPCT
    yrs = sorted(share)
    steps = [(share[b] - share[a]) / (b - a) for a, b in zip(yrs, yrs[1:])]
    assert _shipped_range("assumptions.hightech.share_change_pp_per_year") == pytest.approx(
        (min(steps), max(steps)), abs=0.005)
    assert _shipped_range("assumptions.hightech.czt_share_of_gdp_2019_pct") == pytest.approx(
        (share[2019], zz_2021), abs=0.005)
    # investment envelope: China 2020 IO table GFCF / GDP .. the highest calibrated CZT rate 2017-2024
    fd = pd.read_csv(DATA / "io" / "china_2020_42" / "final_demand.csv")
    va = pd.read_csv(DATA / "io" / "china_2020_42" / "value_added.csv")
    va = va[va["code"].astype(str).str.fullmatch(r"\d+")]
    lo = fd["FU201"].sum() / va[["VA001", "VA002", "VA003", "VA004"]].to_numpy().sum()
    cap, iv = _czt_capital()
    assert _shipped_range("optimisation.investment_share_of_gdp") == pytest.approx(
        (lo, max(cap.investment_rate.values())), abs=0.0005)
    # kappa: Harberger's g_I at the slowest / fastest single-year real investment growth of the window
    from model.opt.capital import harberger_initial_stock, perpetual_inventory

    d = np.diff(np.log(iv))

    def k_last(g):
        return perpetual_inventory(harberger_initial_stock(iv[0], g, cap.delta), iv[1:], cap.delta)[-1]

    k0 = k_last(math.expm1(d.mean()))
    assert cap.capital_output == pytest.approx(3.491, abs=5e-4)      # calibration/optimisation/README.md
    assert _shipped_range("optimisation.kappa_scale") == pytest.approx(
        (k_last(math.expm1(d.max())) / k0, k_last(math.expm1(d.min())) / k0), abs=0.0005)


def _czt_capital():
    """The LP's perpetual inventory 2017-2024 (model.opt.capital.calibrate_capital) on CZT real GDP chained
    from the panel's real growth (the three cities weighted by the previous year's nominal GDP; the CZT
    aggregate where a city is missing)."""
    from model.io.params import load_parameters, read_long_csv
    from model.opt.capital import calibrate_capital

    p = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    cities = ("430100", "430200", "430300")
    q = p[p["variable"].isin(["gdp_real_growth", "gdp_nominal"])].pivot_table(
        index="year", columns=["variable", "region_code"], values="value")
    y = {2017: 1.0}
    for t in range(2018, 2025):
        g = [q.get(("gdp_real_growth", c), pd.Series(dtype=float)).get(t, np.nan) for c in cities]
        w = [q.get(("gdp_nominal", c), pd.Series(dtype=float)).get(t - 1, np.nan) for c in cities]
        ok = [i for i in range(3) if np.isfinite(g[i]) and np.isfinite(w[i])]
        czt = q.get(("gdp_real_growth", "CZT"), pd.Series(dtype=float)).get(t, np.nan)
        rate = czt if np.isfinite(czt) else sum(w[i] * g[i] for i in ok) / sum(w[i] for i in ok)
        y[t] = y[t - 1] * (1 + rate / 100)
    fd = pd.read_csv(DATA / "io" / "hunan_2017_42" / "final_demand.csv")
    va = pd.read_csv(DATA / "io" / "hunan_2017_42" / "value_added.csv")
    va = va[va["code"].astype(str).str.fullmatch(r"\d+")]
    s_tab = fd["FU201"].sum() / va[["VA001", "VA002", "VA003", "VA004"]].to_numpy().sum()
    delta = float(load_parameters()["capital"]["depreciation_rate"])
    cap = calibrate_capital(p, y, float(s_tab), 2017, 2024, delta)
    return cap, np.array([cap.investment_real[t] for t in range(2017, 2025)])
