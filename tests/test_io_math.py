"""Pure IO maths against textbook numbers and identities (model/io/iomath, ras, lmdi, regional)."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import CztInputError
from model.io import iomath as im
from model.io import regional as rg
from model.io.lmdi import lmdi_intensity, logmean
from model.io.ras import ras


@pytest.fixture
def miller_blair_2x2():
    """Two-sector example of Miller & Blair (2009), *Input-Output Analysis:
    Foundations and Extensions*, 2nd ed., Cambridge University Press, §2.3
    (flows table, Table 2.3; coefficients and Leontief inverse as printed in
    the text, to 4 decimals)."""
    return {
        "Z": np.array([[150.0, 500.0], [200.0, 100.0]]),
        "x": np.array([1000.0, 2000.0]),
        "f": np.array([350.0, 1700.0]),
        "A_book": np.array([[0.15, 0.25], [0.20, 0.05]]),
        "L_book": np.array([[1.2541, 0.3300], [0.2640, 1.1221]]),
    }


def test_miller_blair_A_and_L_match_book(miller_blair_2x2):
    mb = miller_blair_2x2
    A = im.calc_A(mb["Z"], mb["x"])
    np.testing.assert_allclose(A, mb["A_book"], atol=5e-13)
    L = im.calc_L(A)
    np.testing.assert_allclose(np.round(L, 4), mb["L_book"], atol=0)
    # x = L f and x = Z1 + f reproduce the book's output
    np.testing.assert_allclose(im.calc_x_from_L(L, mb["f"]), mb["x"], rtol=1e-12)
    np.testing.assert_allclose(im.calc_x(mb["Z"], mb["f"]), mb["x"])
    # output multipliers are the column sums of the printed inverse
    np.testing.assert_allclose(im.output_multipliers(L), mb["L_book"].sum(axis=0), atol=1e-4)


def test_ghosh_identity_and_forward_multipliers(miller_blair_2x2):
    mb = miller_blair_2x2
    B = im.calc_B(mb["Z"], mb["x"])
    G = im.calc_G(B)
    va = mb["x"] - mb["Z"].sum(axis=0)
    np.testing.assert_allclose(va @ G, mb["x"], rtol=1e-12)        # xᵀ = vaᵀ G
    np.testing.assert_allclose(im.ghosh_forward_multipliers(G), G.sum(axis=1))
    # G = x̂⁻¹ L x̂ (Miller & Blair 2009, eq. 12.9)
    L = im.calc_L(im.calc_A(mb["Z"], mb["x"]))
    np.testing.assert_allclose(G, np.diag(1 / mb["x"]) @ L @ np.diag(mb["x"]), rtol=1e-12)


def test_type2_closes_households_and_exceeds_type1(miller_blair_2x2):
    mb = miller_blair_2x2
    A = im.calc_A(mb["Z"], mb["x"])
    h_r = np.array([0.3, 0.25])      # compensation per unit output (toy values for the identity)
    h_c = np.array([0.05, 0.4])      # household purchases per unit income
    Abar = im.augment_households(A, h_r, h_c)
    Lbar = im.calc_L(Abar)
    np.testing.assert_allclose(Lbar @ (np.eye(3) - Abar), np.eye(3), atol=1e-12)
    L = im.calc_L(A)
    assert np.all(Lbar[:2, :2] >= L - 1e-15)
    assert np.all(im.type2_output_multipliers(Lbar) > im.output_multipliers(L))
    inc = im.income_multipliers(h_r, L, Lbar)
    np.testing.assert_allclose(inc["simple"], h_r @ L)
    assert np.all(inc["type2"] > inc["type1"])


def test_rasmussen_normalisation_and_key_sectors():
    L = np.array([[1.5, 0.2, 0.1], [0.4, 1.2, 0.3], [0.1, 0.1, 1.1]])
    bl, fl = im.rasmussen_linkages(L)
    assert bl.mean() == pytest.approx(1.0) and fl.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(bl, L.sum(0) / L.sum(0).mean())
    cls = im.key_sectors(np.array([1.2, 1.1, 0.9, 0.8]), np.array([1.1, 0.9, 1.3, 0.7]))
    assert list(cls) == ["key", "backward", "forward", "weak"]


def test_zero_output_sector_gets_zero_coefficients():
    Z = np.array([[10.0, 0.0], [5.0, 0.0]])
    x = np.array([100.0, 0.0])
    A = im.calc_A(Z, x)
    assert np.all(A[:, 1] == 0) and A[0, 0] == pytest.approx(0.1)


@pytest.mark.parametrize("A, msg", [
    (np.ones((2, 3)) * 0.1, "square"),
    (np.array([[0.1, -0.2], [0.1, 0.1]]), "negative"),
    (np.array([[0.5, 0.5], [0.5, 0.5]]), "singular or not productive"),
    (np.array([[0.9, 0.6], [0.5, 0.4]]), "not productive"),
])
def test_bad_coefficients_raise_clear_error(A, msg):
    with pytest.raises(CztInputError, match=msg):
        im.calc_L(A)


def test_calc_A_rejects_non_square_Z():
    with pytest.raises(CztInputError, match="square"):
        im.calc_A(np.ones((2, 3)), np.ones(2))


def test_propagate_many_vectors_equals_column_by_column(miller_blair_2x2):
    L = im.calc_L(im.calc_A(miller_blair_2x2["Z"], miller_blair_2x2["x"]))
    F = np.random.default_rng(1).uniform(0, 100, size=(50, 2))
    X = im.propagate(L, F)
    np.testing.assert_allclose(X[7], L @ F[7])
    with pytest.raises(CztInputError):
        im.propagate(L, np.ones((5, 3)))


def test_ras_reproduces_margins_and_is_biproportional():
    rng = np.random.default_rng(0)
    Z0 = rng.uniform(1, 10, size=(5, 4))
    u = Z0.sum(1) * rng.uniform(0.8, 1.3, 5)
    v = Z0.sum(0) * rng.uniform(0.8, 1.3, 4)
    v *= u.sum() / v.sum()
    res = ras(Z0, u, v, tol=1e-12)
    assert res.converged and res.iterations > 1
    np.testing.assert_allclose(res.Z.sum(1), u, rtol=1e-10)
    np.testing.assert_allclose(res.Z.sum(0), v, rtol=1e-10)
    np.testing.assert_allclose(res.Z, np.diag(res.r) @ Z0 @ np.diag(res.s), rtol=1e-10)


def test_ras_rejects_inconsistent_totals_and_negatives():
    Z0 = np.ones((2, 2))
    with pytest.raises(CztInputError, match="sum to"):
        ras(Z0, np.array([1.0, 1.0]), np.array([1.0, 2.0]))
    with pytest.raises(CztInputError, match="negative"):
        ras(-Z0, np.array([1.0, 1.0]), np.array([1.0, 1.0]))


def test_lmdi_is_exact_and_separates_structure_from_efficiency():
    E0, Y0 = np.array([50.0, 10.0]), np.array([100.0, 100.0])
    # pure structure shift: sector intensities unchanged, activity moves to sector 2
    Y1 = np.array([60.0, 140.0])
    E1 = E0 / Y0 * Y1
    d = lmdi_intensity(E0, E1, Y0, Y1)
    assert d["structure"] + d["efficiency"] + d["households"] + d["other"] == pytest.approx(d["delta"], abs=1e-14)
    assert d["efficiency"] == pytest.approx(0.0, abs=1e-14) and d["structure"] < 0
    # pure efficiency: same shares, intensities fall 10 %
    d2 = lmdi_intensity(E0, 0.9 * E0, Y0, Y0, Eh0=5.0, Eh1=4.0)
    assert d2["structure"] == pytest.approx(0.0, abs=1e-14)
    assert d2["D_efficiency"] == pytest.approx(0.9)
    assert d2["structure"] + d2["efficiency"] + d2["households"] == pytest.approx(d2["delta"])
    assert logmean(2.0, 2.0) == 2.0 and logmean(1.0, np.e) == pytest.approx((np.e - 1))


def test_flq_formula_and_cap():
    E_n = np.array([100.0, 300.0, 600.0])
    E_r = np.array([10.0, 60.0, 30.0])
    s = rg.slq(E_r, E_n)
    np.testing.assert_allclose(s, [1.0, 2.0, 0.5])
    lam = rg.flq_lambda(0.1, 0.3)
    assert lam == pytest.approx(np.log2(1.1) ** 0.3)
    Q = rg.flq(s, 0.1, 0.3)
    assert Q[0, 1] == pytest.approx(0.5 * lam) and Q[1, 1] == pytest.approx(2.0 * lam)
    A = np.full((3, 3), 0.1)
    Ar = rg.regionalise(A, Q)
    assert np.all(Ar <= A) and Ar[1, 2] == pytest.approx(0.1)     # capped at 1 where FLQ > 1
    with pytest.raises(CztInputError, match="delta"):
        rg.flq_lambda(0.1, 1.5)
    with pytest.raises(CztInputError, match="unknown location-quotient"):
        rg.lq_matrix("XLQ", E_r, E_n)
