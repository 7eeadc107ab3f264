"""A two-cluster toy of the structural LP with a hand-derived optimum (tests, docs).

:func:`toy_structural` and :func:`toy_path`; the derivation is in
:func:`toy_structural`'s docstring and checked in ``tests/test_opt_pathlp.py``.
"""
from __future__ import annotations

import numpy as np


def toy_structural(**over):
    """Two clusters, two decision years: the hand-solved case of the path LP.

    ``a`` (κ = 2) and ``b`` (κ = 4); A = 0, v = 1, g = 0 (investment goods
    imported), δ = 0.1, VA0 = (10, 10), control investment rate s = 0.2 split
    (½, ½), other final demand ω = (½, ½), inflows M = (10, 10), import
    substitution step 0.5/yr, envelope 0.3, no discounting, inactive share and
    growth bounds, no buffer. Control path: GDP flat at 20.

    Control: O = (10, 10), Ī = (2, 2), K0 = (20, 40), K̄1 = (20, 38).
    With d_c = K_c1 − K̄_c1 ≥ 0 (capital beyond the control in year 1), import
    substitution 0 ≤ Z_c1 ≤ d_c / κ_c (zmax = 5, ramp 5 a year: slack). The
    terminal row (ḡ = 0) requires e_c = I_c2 − 2 ≥ 0.1 d_c (the deviation is not
    run down), so d2_c = 0.9 d_c + e_c and Z_c2 ≤ d2_c / κ_c. ``a`` yields
    0.5 VA per unit of capital against ``b``'s 0.25, so d_b = e_b = 0. The
    year-2 envelope 4 + e_a ≤ 0.3 (20 + (0.9 d_a + e_a)/2) gives
    e_a = (2 + 0.135 d_a)/0.85 (≥ 0.1 d_a: the terminal row is slack); GDP₂
    rises with d_a, so the year-1 envelope 4 + d_a + d_b ≤ 0.3 (20 + d_a/2 +
    d_b/4), i.e. 0.85 d_a + 0.925 d_b ≤ 2, binds at d_a = 40/17:
    GDP1 = 360/17, GDP2 = 6480/289, I1 = (74/17, 2), I2 = (1366/289, 2),
    Z1 = (20/17, 0), Z2 = (700/289, 0).
    """
    from .structural import StructuralParams

    base = dict(
        clusters=("a", "b"), names=("a", "b"), years=(0, 1, 2), A=np.zeros((2, 2)), v=np.ones(2), g=np.zeros(2),
        omega=np.array([0.5, 0.5]), kappa=np.array([2.0, 4.0]), delta=0.1, va0=np.array([10.0, 10.0]),
        inv_rate0=0.2, inv_share0=np.array([0.5, 0.5]), imports0=np.array([10.0, 10.0]),
        energy_coef=np.array([1.0, 0.0]), energy_hh=0.0, hightech=np.array([0.0, 0.5]),
        hightech_cap=np.array([0.0, 1.0]), upgrade_step=0.1, upgrade_cost=np.array([2.0, 4.0]),
        import_sub_step=0.5, envelope=np.full(3, 0.3), max_growth=1.0, max_decline=0.5, max_share_shift=1.0,
        discount_rate=0.0, penalty=1000.0, hard_penalty=1e5, targets=(), mode="max_gdp", buffer_years=0)
    base.update(over)
    return StructuralParams(**base)


def toy_path(years=(0, 1, 2), gdp=20.0, **over):
    """A flat control path for :func:`toy_structural`."""
    from .pathlp import PathInputs

    T = len(years)
    base = dict(years=years, gdp_real=np.full(T, gdp), deflator=np.ones(T), energy_index=np.full(T, 50.0),
                hightech_share=np.full(T, 0.25), gdp_real_ref={})
    base.update(over)
    return PathInputs(**base)
