"""The flagged modelling panel: derivations checked against the shipped data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.data import build_panel, load_sources
from model.data import transforms as tf
from model.scenario import load_scenario


@pytest.fixture(scope="module")
def panel():
    return build_panel(load_sources(), load_scenario("baseline"))


def test_chain_index_ignores_level_break():
    # A level series with a +30% census jump in 2005 but stated real growth of 10%/yr:
    growth = pd.Series([np.nan, 10.0, 10.0, 10.0, 10.0], index=range(2003, 2008))
    idx = tf.chain_index(growth, base_year=2005)
    assert idx[2005] == 100.0
    np.testing.assert_allclose(idx.to_numpy(), 100 * 1.1 ** np.arange(-2, 3), rtol=1e-12)
    with pytest.raises(ValueError, match="missing growth"):
        tf.chain_index(pd.Series([np.nan, 5.0, np.nan], index=range(2000, 2003)), 2000)


def test_interpolate_geometric_is_constant_growth():
    s = pd.Series({2010: 100.0, 2020: 200.0})
    out = tf.interpolate_geometric(s, range(2010, 2022))
    g = out.pct_change().dropna().loc[:2020]
    np.testing.assert_allclose(g, 2 ** 0.1 - 1, rtol=1e-12)
    assert np.isnan(out[2021])  # no extrapolation


def test_czt_real_gdp_is_sum_of_cities_anchored_on_2019(panel):
    w = panel.wide("gdp_real")
    np.testing.assert_allclose(w["CZT"], w[["430100", "430200", "430300"]].sum(axis=1), rtol=1e-12)
    # 2019 level = sum of the published city levels = the bulletin's 16835.0
    assert w.at[2019, "CZT"] == pytest.approx(16834.98, abs=0.01)
    # CZT 2024 real growth equals the published 5.2% by construction of the 2024 fills
    g = w["CZT"].pct_change() * 100
    assert g[2024] == pytest.approx(5.2, abs=1e-9)


def test_census_break_does_not_read_as_a_population_boom(panel):
    pop = panel.wide("pop_resident")
    assert pop.at[2020, "CZT"] == pytest.approx(1667.6833, abs=1e-3)  # 7th census
    growth = pop["CZT"].pct_change().dropna() * 100
    assert growth.max() < 2.5  # the pre-census 2019 estimate (1530.45) would imply +9% in one year
    pre = panel.wide("pop_resident_precensus")
    assert pre.at[2019, "430100"] == pytest.approx(839.45)  # kept, flagged, not modelled


def test_every_row_is_flagged_and_derived_rows_say_how(panel):
    assert set(panel.long.basis) <= {"observed", "derived", "assumption"}
    assert (panel.long.method.str.len() > 0).all()
    zz23 = panel.long[(panel.long.region_code == "430200") & (panel.long.year == 2023) & (panel.long.variable == "gdp_nominal")]
    assert zz23.basis.iloc[0] == "derived"
    assert zz23.value.iloc[0] == pytest.approx(np.sqrt(3616.81 * 3902.4), rel=1e-12)


def test_energy_and_hightech_rest_on_assumptions(panel):
    ei = panel.series("energy_intensity_index", "CZT")
    assert ei[2019] == 100 and ei[2020] == pytest.approx(98.02)  # Hunan 2020: -1.98%
    assert set(panel.long[panel.long.variable.isin(["hightech_va", "hightech_share_gdp"]) & (panel.long.region_code == "CZT")].basis) == {"assumption"}
    ht = panel.series("hightech_va", "CZT")
    assert ht[2019] == pytest.approx(0.296 * 16835.0, rel=1e-9)


def test_deflator_uses_cpi_in_census_break_years(panel):
    d = panel.wide("gdp_deflator")["430100"]
    assert (d[2008] / d[2007] - 1) * 100 == pytest.approx(6.0245, abs=1e-9)  # Hunan CPI 2008 (106.0245)


def test_one_observed_set_of_energy_changes_for_panel_and_io(panel):
    """The unobserved-year energy-intensity change is the mean of ALL of Hunan's observed changes
    2016-2020, including 2018 (-5.12 %, NBS_PROV_EI_2018, from the gap-fill release), the same set
    the IO module counts as observed: (-5.34 - 5.24 - 5.12 - 1.98) / 4 = -4.42."""
    from model.io import satellite as sat

    e = panel.constants["energy"]
    assert e["n"] == 4 and e["mu"] == pytest.approx((-5.34 - 5.24 - 5.12 - 1.98) / 4)
    assert sat.core_unobserved_yoy() == pytest.approx(e["mu"])
    observed_io = sat.official_intensity_yoy()
    assert set(observed_io[(observed_io.index >= 2016) & (observed_io.index <= 2020)].index) == {2016, 2017, 2018, 2020}
    ch = panel.long[(panel.long.variable == "energy_intensity_change") & (panel.long.basis == "observed")]
    assert set(ch.year) == {2016, 2017, 2018, 2020}
