"""A two-cluster toy with a hand-derivable optimum (tests, docs).

Clusters ``a`` (κ = 2, energy 1 per unit of output, not high-tech) and
``b`` (κ = 4, no energy, fully high-tech); no intermediate use (A = 0), VA = X (v = 1),
investment goods imported (g = 0), δ = 0.1, VA0 = (10, 10), so K0 = (20, 40)
and without investment the capacity in year 1 is (9, 9). Envelope
s = 0.2 of GDP, no discounting, share-drift bound inactive (m = 0.5 around
σ0 = 0.5), demand band [0, 2]·O0 with O0 = (10, 10).

Hand-derived optimum of *max GDP₁* without targets: all investment in ``a``
(0.5 VA per unit vs 0.25), I_a ≤ 0.2 (18 + I_a/2) ⇒ I_a = 4, GDP₁ = 20.

With an energy-intensity cap c = value/100 (E = VA_a, so VA_a ≤ c·GDP):
GDP₁(c) = 54 / (3.8 − 2c) for 0.475 ≤ c ≤ 0.55, I_a = 2(c GDP − 9),
I_b = 4((1 − c) GDP − 9); at c = 0.5: GDP = 135/7, I = (9/7, 18/7), and
dGDP/dvalue = 108 / (100 (3.8 − 2c)²) = 0.137755… per index point.

*min investment* with GDP₁ ≥ 19: I = (2, 0), objective 2.
"""
from __future__ import annotations

import numpy as np

from .params import OptParams, Target


def toy_params(targets: tuple[Target, ...] = (), mode: str = "max_gdp", **over) -> OptParams:
    """Return the two-cluster toy parameters (see module docstring)."""
    base = dict(
        clusters=("a", "b"), years=(0, 1), A=np.zeros((2, 2)), v=np.ones(2), g=np.zeros(2),
        kappa=np.array([2.0, 4.0]), delta=np.array([0.1, 0.1]), va0=np.array([10.0, 10.0]),
        inv_share0=np.array([0.5, 0.5]), energy_coef=np.array([1.0, 0.0]), energy_hh=0.0,
        hightech_share=np.array([0.0, 1.0]), envelope=np.array([0.2, 0.2]), deflator=np.ones(2),
        other_fd0=np.array([10.0, 10.0]), demand_band=np.array([0.0, 1.0]), demand_growth=0.0,
        max_growth=1.0, max_decline=0.5, max_share_shift=0.5, efficiency_gain=0.0, discount_rate=0.0,
        targets=tuple(targets), mode=mode, penalty=1000.0,
    )
    base.update(over)
    return OptParams(**base)
