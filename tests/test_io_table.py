"""Hunan 2017 and national tables: loading, identities, multipliers, bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.io import iomath as im
from model.io.system import IOSystem
from model.io.table import from_frames, load_table

HUNAN_GDP_2017_YI = 33902.96   # Hunan 2017 GDP as first published (io/SOURCES.md §1)


@pytest.fixture(scope="module")
def hunan():
    return load_table("hunan_2017_42")


@pytest.fixture(scope="module")
def sys_hunan():
    return IOSystem.from_calibration(region="Hunan")


@pytest.fixture(scope="module")
def sys_czt():
    return IOSystem.from_calibration(region="CZT")


def test_hunan_va_equals_published_gdp(hunan):
    assert hunan.va["TVA"].sum() / 1e4 == pytest.approx(HUNAN_GDP_2017_YI, abs=0.005)
    assert hunan.va[["VA001", "VA002", "VA003", "VA004"]].sum().sum() / 1e4 == pytest.approx(HUNAN_GDP_2017_YI, abs=0.005)
    assert hunan.n == 42 and hunan.codes[0] == "01" and hunan.codes[-1] == "42"


def test_hunan_row_and_column_balances(hunan):
    fd = hunan.fd
    row = hunan.Z.sum(axis=1) + fd["TC"] + fd["GCF"] + fd["EX"] + fd["OF"] - fd["IM"] - fd["IF"] + fd["ERR"]
    np.testing.assert_allclose(row, hunan.x, rtol=1e-12, atol=1e-6)
    col = hunan.Z.sum(axis=0) + hunan.va[["VA001", "VA002", "VA003", "VA004"]].sum(axis=1)
    np.testing.assert_allclose(col, hunan.x, rtol=1e-12, atol=1e-6)
    # expenditure GDP equals production GDP
    exp = (fd["TC"] + fd["GCF"] + fd["EX"] + fd["OF"] - fd["IM"] - fd["IF"]).sum()
    assert exp == pytest.approx(hunan.va["TVA"].sum(), rel=1e-12)


def test_sector_03_guarded(hunan, sys_hunan):
    assert hunan.x["03"] == 0
    i = hunan.codes.index("03")
    assert np.all(sys_hunan.A_tech[:, i] == 0) and sys_hunan.s[i] == 0
    assert np.all(sys_hunan.A[i, :] == 0)   # no Hunan-made oil and gas is bought


def test_leontief_inverse_identity_and_multipliers(sys_hunan, sys_czt):
    for s in (sys_hunan, sys_czt):
        n = len(s.codes)
        np.testing.assert_allclose(s.L @ (np.eye(n) - s.A), np.eye(n), atol=1e-9)
        m = s.multipliers()
        assert (m["output_type1"] >= 1 - 1e-12).all()
        assert (m["output_type2"] >= m["output_type1"] - 1e-12).all()
        # value-added multiplier <= 1: regional leakage to imports and inflows
        assert (m["value_added"] <= 1 + 1e-12).all()


def test_regional_system_reproduces_output(sys_hunan, sys_czt):
    # x = A x + f with f the region-supplied final demand (import proportionality)
    for s in (sys_hunan, sys_czt):
        f = s.fd[["consumption", "gfcf", "inventory", "exports_outflows"]].sum(axis=1).to_numpy()
        np.testing.assert_allclose(s.L @ f, s.x, rtol=1e-9, atol=1e-3)
    # for Hunan the final-demand categories are the published ones
    t = sys_hunan.table
    np.testing.assert_allclose(sys_hunan.fd["exports_outflows"], t.fd["EX"] + t.fd["OF"], rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(sys_hunan.fd["imports_inflows"], t.fd["IM"] + t.fd["IF"], rtol=1e-9, atol=1e-3)


def test_regionalised_multipliers_not_above_provincial(sys_hunan, sys_czt):
    tech = im.output_multipliers(im.calc_L(sys_hunan.A_tech))
    prov = sys_hunan.multipliers()["output_type1"].to_numpy()
    assert np.all(prov <= tech + 1e-12)
    for region in ("CZT", "Changsha", "Zhuzhou", "Xiangtan"):
        r = sys_czt if region == "CZT" else IOSystem.from_calibration(region=region)
        assert np.all(r.multipliers()["output_type1"].to_numpy() <= prov + 1e-12), region
    # smaller regions leak more: Xiangtan < CZT on average
    xt = IOSystem.from_calibration(region="Xiangtan").multipliers()["output_type1"].mean()
    assert xt < sys_czt.multipliers()["output_type1"].mean()


def test_flq_sensitivity_monotone_in_delta(sys_czt):
    sens = sys_czt.flq_sensitivity([0.1, 0.2, 0.3, 0.4])
    means = sens.loc["mean"].to_numpy()
    assert np.all(np.diff(means) < 0)       # larger delta -> smaller regional coefficients
    assert sens.loc["mean", 0.3] == pytest.approx(
        np.average(sys_czt.multipliers()["output_type1"], weights=sys_czt.x), rel=1e-12)


def test_national_domestic_multipliers_plausible_and_above_hunan(sys_hunan, sys_czt):
    """National 2017 domestic (non-competitive) table vs Hunan's regional one.

    Checked: national domestic output multipliers lie in [1.3, 4] (a 42-sector
    national economy); they exceed Hunan's regional ones on average (a province
    leaks to other provinces as well as abroad), which in turn exceed CZT's;
    national VA multipliers are close to 1 (only foreign leakage) and above
    Hunan's; the sector pattern is positively correlated.
    """
    nat = load_table("china_2017_42")
    A = im.calc_A(nat.Z_domestic.to_numpy(), nat.x.to_numpy())
    L = im.calc_L(A)
    m_nat = im.output_multipliers(L)
    v_nat = im.value_added_multipliers(im.calc_v(nat.va["TVA"].to_numpy(), nat.x.to_numpy()), L)
    assert m_nat.min() >= 1.3 and m_nat.max() <= 4.0
    m_hn = sys_hunan.multipliers()
    assert m_nat.mean() > m_hn["output_type1"].mean() > sys_czt.multipliers()["output_type1"].mean()
    assert v_nat.min() > 0.5 and v_nat.mean() > m_hn["value_added"].mean()
    assert np.corrcoef(m_nat, m_hn["output_type1"])[0, 1] > 0.5
    # the domestic block balances on its own: x = Z_d 1 + f_d, so x = L f_d
    fdd = nat.fd_domestic[["TC", "FU201", "FU202", "EX"]].sum(axis=1).to_numpy()
    np.testing.assert_allclose(L @ fdd, nat.x.to_numpy(), rtol=1e-9)


# ----------------------------------------------------------------- bad input
def _toy():
    codes = ["01", "02"]
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=codes, columns=codes)
    fd = pd.DataFrame({"TC": [350.0, 1700.0], "GO": [1000.0, 2000.0]}, index=codes)
    va = pd.DataFrame({"VA001": [650.0, 1400.0]}, index=codes)
    return Z, fd, va


def test_toy_table_validates():
    t = from_frames("toy", *_toy())
    assert list(t.x) == [1000.0, 2000.0]


def test_non_square_Z_rejected():
    Z, fd, va = _toy()
    Z["03"] = 0.0
    with pytest.raises(CztInputError, match=r"toy/Z.csv: Z is not square"):
        from_frames("toy", Z, fd, va)


def test_negative_flow_rejected():
    Z, fd, va = _toy()
    Z.loc["02", "01"] = -5.0
    with pytest.raises(CztInputError, match=r"row 02, column 01: negative flow"):
        from_frames("toy", Z, fd, va)


def test_sector_code_mismatch_rejected():
    Z, fd, va = _toy()
    Z.columns = ["01", "2"]
    with pytest.raises(CztInputError, match="sector-code mismatch"):
        from_frames("toy", Z, fd, va)
    Z, fd, va = _toy()
    fd.index = ["01", "99"]
    with pytest.raises(CztInputError, match=r"final_demand.csv: sector-code mismatch"):
        from_frames("toy", Z, fd, va)


def test_unbalanced_table_rejected():
    Z, fd, va = _toy()
    fd.loc["02", "TC"] += 10
    with pytest.raises(CztInputError, match="row 02: row balance fails"):
        from_frames("toy", Z, fd, va)


def test_singular_I_minus_A_rejected():
    # every unit of output is used up as input: I - A singular
    codes = ["01", "02"]
    Z = pd.DataFrame([[500.0, 500.0], [500.0, 500.0]], index=codes, columns=codes)
    t_A = im.calc_A(Z.to_numpy(), np.array([1000.0, 1000.0]))
    with pytest.raises(CztInputError, match="singular or not productive"):
        im.calc_L(t_A)


def test_missing_folder_and_region_errors():
    with pytest.raises(CztInputError, match="folder not found"):
        load_table("nowhere_2017_42")
    with pytest.raises(CztInputError, match="unknown region"):
        IOSystem.from_calibration(region="Hengyang")


def test_lq_methods_ordering(sys_hunan, sys_czt):
    """FLQ (λ* < 1) gives coefficients no larger than CILQ; all methods stay
    below Hunan's Hunan-supplied coefficients."""
    prov = sys_hunan.multipliers()["output_type1"].to_numpy()
    m = {}
    for meth in ("SLQ", "CILQ", "FLQ"):
        s = IOSystem.from_calibration(region="CZT", method=meth)
        assert s.method == meth
        assert np.all(s.A <= sys_hunan.A + 1e-15)
        m[meth] = s.multipliers()["output_type1"].to_numpy()
        assert np.all(m[meth] <= prov + 1e-12)
    assert np.all(m["FLQ"] <= m["CILQ"] + 1e-12)
    np.testing.assert_allclose(m["FLQ"], sys_czt.multipliers()["output_type1"])
