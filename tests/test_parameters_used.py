"""No parameter that moves nothing: every key of calibration/io/parameters.toml and
calibration/optimisation/parameters.toml either changes a result when changed, or is a
descriptive label / single-option method choice that refuses any other value; removed keys
are refused with the reason."""
import copy
import re

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.io import satellite as sat
from model.io.params import IO_PARAMS_FILE, REMOVED, SINGLE_VALUED, IOParams, load_parameters
from model.io.system import IOSystem
from model.io.table import load_table
from model.opt.config import OPT_PARAMS_FILE, OptConfig, load_opt_config


def _leaves(d: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        # dict-valued settings (region names, energy groups) are one key each
        if isinstance(v, dict) and key not in ("regional.cities", "energy.groups"):
            out += _leaves(v, key + ".")
        else:
            out.append(key)
    return out


def _schema_keys(model, prefix: str = "") -> set[str]:
    out = set()
    for name, f in model.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and hasattr(ann, "model_fields"):
            out |= _schema_keys(ann, f"{prefix}{name}.")
        else:
            out.add(f"{prefix}{name}")
    return out


def _rewrite(tmp_path, src, old: str, new: str):
    text = src.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    p = tmp_path / "p.toml"
    p.write_text(text.replace(old, new), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- calibration/io/parameters.toml
ACTING_IO = {   # key -> the test below that shows a change of it changing a result
    "regional.flq_delta": "test_io_regional_keys_change_the_regional_system",
    "regional.method": "test_io_regional_keys_change_the_regional_system",
    "regional.primary": "test_io_regional_keys_change_the_regional_system",
    "regional.secondary_first": "test_io_regional_keys_change_the_regional_system",
    "regional.secondary_last": "test_io_regional_keys_change_the_regional_system",
    "regional.cities": "test_io_regional_keys_change_the_regional_system",
    "regional.delta_grid": "test_io_delta_grid_is_the_sensitivity_grid",
    "energy.anchor_year": "test_io_energy_chain_keys_change_the_energy_total",
    "energy.growth_2015_pct": "test_io_energy_chain_keys_change_the_energy_total",
    "energy.share_year": "test_io_energy_split_keys_change_sector_energy",
    "energy.energy_products": "test_io_energy_split_keys_change_sector_energy",
    "energy.transformation_sectors": "test_io_energy_split_keys_change_sector_energy",
    "energy.groups": "test_io_energy_split_keys_change_sector_energy",
    "hightech.hunan_share_pct": "test_io_hightech_and_capital_keys_change_the_accounts",
    "hightech.hunan_share_year": "test_io_hightech_and_capital_keys_change_the_accounts",
    "capital.depreciation_rate": "test_io_hightech_and_capital_keys_change_the_accounts",
    "projection.end_year": "test_io_projection_end_year_is_the_default_horizon",
}


def test_every_io_key_acts_or_is_held_to_its_one_implemented_value():
    P = load_parameters()
    keys = set(_leaves(P))
    assert keys <= _schema_keys(IOParams) | {"energy.growth_2015_pct"}
    assert keys == set(ACTING_IO) | set(SINGLE_VALUED), keys ^ (set(ACTING_IO) | set(SINGLE_VALUED))
    assert not set(REMOVED) & keys
    for key, (only, _) in SINGLE_VALUED.items():
        d = P
        for part in key.split("."):
            d = d[part]
        assert d == only


def test_io_regional_defaults_agree_with_the_scenario_defaults():
    # [regional] flq_delta / method act on `czt io` and direct builds; scenario runs read
    # calibration/parameters.toml [io]: the two defaults must not drift apart
    from model.scenario import load_scenario
    P, sc = load_parameters(), load_scenario("baseline")
    assert P["regional"]["flq_delta"] == sc.io.flq_delta
    assert P["regional"]["method"] == sc.io.regionalisation.upper()


@pytest.mark.parametrize("old, new, key", [
    ('table = "hunan_2017_42"', 'table = "china_2017_42"', "table"),
    ("base_year = 2017 ", "base_year = 2018 ", "base_year"),
    ('unit_table = "10k yuan"', 'unit_table = "yuan"', "unit_table"),
    ('size_measure = "value_added"', 'size_measure = "employment"', "regional.size_measure"),
    ('deflator_proxy = "cpi"', 'deflator_proxy = "gdp_deflator"', "energy.deflator_proxy"),
    ('gap_growth_source = "gcam_tpes"', 'gap_growth_source = "official"', "energy.gap_growth_source"),
    ("hold_composition = true", "hold_composition = false", "projection.hold_composition"),
])
def test_io_single_valued_keys_refuse_other_values(tmp_path, old, new, key):
    p = _rewrite(tmp_path, IO_PARAMS_FILE, old, new)
    with pytest.raises(CztInputError, match=re.escape(f"p.toml [{key}]") + ".*the only") as exc:
        load_parameters(p)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("old, new, key, words", [
    ('size_measure = "value_added"\n', 'size_measure = "value_added"\nstructure_year = 2019\n',
     "regional.structure_year", "removed: no code read it"),
    ("flq_delta = 0.3\n", "flq_detla = 0.3\n", "regional.flq_detla", "unknown key"),
    ("flq_delta = 0.3\n", "flq_delta = 1.3\n", "regional.flq_delta", "less than 1"),
    ('method = "FLQ"', 'method = "XLQ"', "regional.method", "SLQ"),
    ("growth_2015_pct = 2.245", 'growth_2015_pct = "2.245"', "energy.growth_2015_pct", "must be a number"),
    ("growth_2015_pct = 2.245", "growth_2015_pct = 2.245\ngrowth_2016_pct = 2.0", "energy.growth_2016_pct",
     "not used: 2016 has an observed figure"),
    ("growth_2015_pct = 2.245", "growth_2015_pct = 2.245\ngrowth_2012_pct = 2.0", "energy.growth_2012_pct",
     "not used: the chain takes yearly growth only for 2015-2017"),
])
def test_io_removed_unknown_and_bad_keys_are_one_line_errors(tmp_path, old, new, key, words):
    p = _rewrite(tmp_path, IO_PARAMS_FILE, old, new)
    with pytest.raises(CztInputError, match=re.escape(f"p.toml [{key}]")) as exc:
        load_parameters(p)
    assert words in str(exc.value) and "\n" not in str(exc.value)


@pytest.fixture(scope="module")
def io_params():
    return load_parameters()


def _with(P, **changes):
    Q = copy.deepcopy(P)
    for dotted, v in changes.items():
        d = Q
        *head, last = dotted.split("__")
        for part in head:
            d = d[part]
        d[last] = v
    return Q


def test_io_regional_keys_change_the_regional_system(io_params):
    base = IOSystem.from_calibration(params=io_params)
    cases = {
        "regional__flq_delta": 0.2,
        "regional__method": "SLQ",
        "regional__primary": ["01", "02"],
        "regional__secondary_first": "03",
        "regional__secondary_last": "26",
        "regional__cities": {"430100": "Changsha", "430200": "Zhuzhou"},
    }
    for key, v in cases.items():
        s = IOSystem.from_calibration(params=_with(io_params, **{key: v}))
        moved = not np.allclose(s.A, base.A) or not np.allclose(s.va, base.va)
        assert moved, key


def test_io_delta_grid_is_the_sensitivity_grid(io_params):
    s = IOSystem.from_calibration(params=_with(io_params, regional__delta_grid=[0.12, 0.33]))
    assert list(s.flq_sensitivity().columns) == [0.12, 0.33]


def test_io_energy_chain_keys_change_the_energy_total(io_params):
    base = sat.hunan_energy_total(io_params, 2017)["value"]
    g = sat.hunan_energy_total(_with(io_params, energy__growth_2015_pct=3.245), 2017)["value"]
    assert g / base == pytest.approx(1.03245 / 1.02245, rel=1e-12)
    # the anchor is read: 2008 is the only year with a Hunan intensity level (2005 prices) in the data, so
    # another year is refused by the data check, never silently replaced
    assert sat.hunan_energy_total(io_params, 2017)["steps"]["year"].iloc[0] == io_params["energy"]["anchor_year"]
    with pytest.raises(CztInputError, match="no energy_intensity_gdp for region 430000 in 2007"):
        sat.hunan_energy_total(_with(io_params, energy__anchor_year=2007), 2017)


def test_io_energy_split_keys_change_sector_energy(io_params):
    T = load_table(io_params["table"])

    def split(P):
        return sat.energy_by_sector(T.Z, T.fd["THC"], 10000.0, P)[0]

    base = split(io_params)
    groups = dict(io_params["energy"]["groups"])
    groups["construction"], groups["other_services"] = ["27", "31"], [c for c in groups["other_services"] if c != "31"]
    cases = {"energy__share_year": 2010, "energy__energy_products": ["02", "03", "11"],
             "energy__transformation_sectors": ["11", "25"], "energy__groups": groups}
    for key, v in cases.items():
        P = _with(io_params, **{key: v})
        if key == "energy__transformation_sectors":   # 24 leaves transformation for industry
            P["energy"]["groups"]["industry"] = [*P["energy"]["groups"]["industry"], "24"]
            P["energy"]["groups"]["industry"] = sorted(set(P["energy"]["groups"]["industry"]))
        assert not np.allclose(split(P).to_numpy(), base.to_numpy()), key


def test_io_hightech_and_capital_keys_change_the_accounts(io_params):
    base = IOSystem.from_calibration(params=io_params)
    ht = IOSystem.from_calibration(params=_with(io_params, hightech__hunan_share_pct=30.0))
    assert not np.allclose(ht.hightech, base.hightech)
    yr = IOSystem.from_calibration(params=_with(io_params, hightech__hunan_share_year=2019))
    note = next(a["note"] for a in yr.assumptions if a["key"] == "hightech_residual_r")
    assert "(2019 observed" in note          # descriptive, but shown in the assumption record
    cap = IOSystem.from_calibration(params=_with(io_params, capital__depreciation_rate=0.05))
    k0 = base.cluster_accounts().capital["capital_stock"]
    k1 = cap.cluster_accounts().capital["capital_stock"]
    np.testing.assert_allclose(k1.to_numpy(), k0.to_numpy() * 0.096 / 0.05, rtol=1e-12)


def test_io_projection_end_year_is_the_default_horizon(io_params):
    from model.io.projection import project
    s = IOSystem.from_calibration(params=_with(io_params, projection__end_year=2026))
    path = pd.DataFrame({"year": range(2017, 2041), "gdp_real": 1.06 ** np.arange(24)})
    assert int(project(s, path)["year"].max()) == 2026


# --------------------------------------------------------------------------- calibration/optimisation/parameters.toml
def test_every_opt_key_is_in_the_schema_and_removed_keys_are_gone():
    raw = load_opt_config()
    assert set(_leaves(raw)) == _schema_keys(OptConfig)
    assert "default_deflator_growth" not in OPT_PARAMS_FILE.read_text(encoding="utf-8").split("#")[0]


def test_removed_default_deflator_growth_is_refused_with_the_reason(tmp_path):
    p = _rewrite(tmp_path, OPT_PARAMS_FILE, "max_cluster_decline = 0.10\n",
                 "default_deflator_growth = 0.0\nmax_cluster_decline = 0.10\n")
    with pytest.raises(CztInputError, match=re.escape("p.toml [default_deflator_growth]") + ".*removed: no code read it"):
        load_opt_config(p)


def test_every_opt_key_reaches_the_lp():
    from model.opt.structural import calibrate_structural
    from model.scenario import load_scenario
    from opt_fixtures import synthetic_state

    sc, st = load_scenario("plan"), synthetic_state()
    io = IOSystem.from_calibration(flq_delta=sc.io.flq_delta, method=sc.io.regionalisation.upper())
    cfg = load_opt_config()
    base = calibrate_structural(sc, st, io_system=io, cfg=cfg)
    fields = {  # config key -> StructuralParams field (the PathLP reads these; tests/test_opt_pathlp.py)
        ("max_cluster_decline",): "max_decline",
        ("hard_penalty",): "hard_penalty",
        ("upgrading", "max_share_gain_per_year"): "upgrade_step",
        ("upgrading", "cost_capital_multiple"): "upgrade_cost",
        ("import_substitution", "step_per_year"): "import_sub_step",
        ("terminal", "buffer_years"): "buffer_years",
    }
    assert {".".join(k) for k in fields} == _schema_keys(OptConfig)
    for key, field in fields.items():
        c = copy.deepcopy(cfg)
        d = c
        for part in key[:-1]:
            d = d[part]
        d[key[-1]] = d[key[-1]] * 2 if d[key[-1]] else 3
        sp = calibrate_structural(sc, st, io_system=io, cfg=c)
        assert not np.allclose(np.asarray(getattr(sp, field), float), np.asarray(getattr(base, field), float)), key


def test_opt_keys_change_the_lp_solution():
    from model.opt.pathlp import PathLP
    from model.opt.toy import toy_path, toy_structural

    base = PathLP(toy_structural()).solve(toy_path())
    # the toy's step (0.5/yr of inflows 10) is slack at Z1 = 20/17 (model.opt.toy); at 0.05/yr it binds: less
    half = PathLP(toy_structural(import_sub_step=0.05)).solve(toy_path())
    assert half.import_substitution[0, 1:].sum() < base.import_substitution[0, 1:].sum() - 1e-6
