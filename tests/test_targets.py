"""Plan targets as data: every quantified 2025 target of 第二章 第四节, validated."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import CztInputError
from model.paths import DATA
from model.scenario.targets import Target, load_targets, meets

PLAN_TEXT = (DATA / "plan" / "plan_outline_2021_zh.txt").read_text(encoding="utf-8")


def test_all_twenty_targets_with_their_plan_sentences():
    ts = load_targets()
    assert len(ts) == 20
    section = PLAN_TEXT[PLAN_TEXT.index("第四节 发展目标"):PLAN_TEXT.index("第三章")]
    for t in ts:
        assert t.source in section, t.id
    by = {t.id: t for t in ts}
    assert by["gdp_level"].value == 27000 and by["gdp_level"].comparator == ">="
    assert by["energy_intensity"].base_year == 2019 and by["energy_intensity"].value == -10
    assert by["hightech_level"].value == 9500 and by["hightech_share"].value == 35
    assert {t.id for t in ts if not t.modelled} >= {"pm25", "forest_cover", "life_expectancy", "rd_share"}


def test_meets_comparators_by_hand():
    base = dict(id="x", name="x", unit="u", year=2025, source="s")
    v = np.array([7.4, 7.5, 8.0, 8.5, 8.6])
    assert meets(v, Target(value=8, comparator="~", tolerance=0.5, **base)).tolist() == [False, True, True, True, False]
    assert meets(v, Target(value=8, comparator=">=", **base)).tolist() == [False, False, True, True, True]
    assert meets(v, Target(value=8, comparator="<", **base)).tolist() == [True, True, False, False, False]


def test_bad_targets_file_names_file_target_and_key(tmp_path):
    p = tmp_path / "t.toml"
    p.write_text('[[target]]\nid = "a"\nname = "A"\nvalue = 1\nunit = "u"\ncomparator = "=="\nyear = 2025\nsource = "s"\n')
    with pytest.raises(CztInputError, match=r"t.toml target #1 \(a\): key 'comparator'"):
        load_targets(p)
    p.write_text('[[target]]\nid = "a"\nname = "A"\nvalue = 1\nunit = "u"\ncomparator = "~"\nyear = 2025\nsource = "s"\n')
    with pytest.raises(CztInputError, match="needs a tolerance"):
        load_targets(p)


def test_check_returns_the_offending_rows():
    import pandas as pd

    from model.scenario.targets import check

    ts = load_targets()
    df = pd.DataFrame({"model": "m", "scenario": "s", "region": "CZT", "unit": "u", "year": 2025,
                       "variable": ["GDP|Nominal", "GDP|Nominal", "High-tech VA"],
                       "quantile": ["0.5", "0.9", "0.5"], "value": [23554.0, 27500.0, 9600.0]})
    bad = check(df, ts)
    assert bad[["variable", "quantile", "target"]].values.tolist() == [["GDP|Nominal", "0.5", "gdp_level"]]
    assert bad.target_value.iloc[0] == 27000
