"""A scenario's levers as arrays over clusters and years of the structural model (pure functions).

:func:`lever_arrays` turns :class:`model.scenario.Levers` into what
:meth:`model.opt.PathLP.simulate` / :meth:`~model.opt.PathLP.solve` take,
over the LP years ``t0 … T`` (``t0`` the observed base year, never moved):

* ``dI`` (n, T): extra investment by destination cluster, 亿元/yr at ``t0``
  prices, from ``start_year`` (``extra_investment``);
* ``dO`` (n, T): extra other final demand by cluster (``demand_shock``);
* ``efficiency`` (T,): ``m_t = (1 − e/100)^{N_t}``, ``N_t`` the number of
  lever years up to ``t`` — multiplies the clusters' energy per unit of output;
* ``dh`` (n, T): added high-tech share of VA by cluster (upgrading).

High-tech upgrading
-------------------
``hightech_upgrade_pp = u`` raises the high-tech share of VA of every cluster
that can upgrade (its ceiling ``h̄_c`` — its VA share in high-tech fields, from
the LP core — above its share ``h_c``) by the same ``Δh_t``, capped at
``h̄_c − h_c``, chosen so that the high-tech share of GDP gains ``u`` pp per
year at the base structure until ceilings bind::

    Δh_t = min(u/100 · N_t · GDP0 / Σ_{h̄_c>h_c} VA0_c,  h̄_c − h_c)

The high-tech VA it adds, ``Δh_t · VA_c,t``, is the ``upgrading`` argument of
PathLP, whose investment rows charge its cost (re-equipping the converted
capital). The pace is bounded by evidence, the same bound the LP's own
upgrading obeys: ``calibration/optimisation/parameters.toml [upgrading]
max_share_gain_per_year`` (the fastest observed gain of Hunan's high-tech VA
share of GDP, derived in :mod:`model.opt.evidence`).
"""
from __future__ import annotations

import numpy as np

from ..errors import CztInputError

def upgrading_bound() -> tuple[float, str]:
    """The one upgrading pace bound (pp of GDP per year) and where it was observed."""
    from ..opt.config import load_opt_config
    from ..opt.evidence import fastest_share_gain

    bound = 100.0 * float(load_opt_config()["upgrading"]["max_share_gain_per_year"])
    return bound, fastest_share_gain()[1]


def _by_cluster(clusters, mapping: dict, key: str, source: str) -> np.ndarray:
    idx = {c: i for i, c in enumerate(clusters)}
    out = np.zeros(len(clusters))
    for c, val in mapping.items():
        if c not in idx:
            raise CztInputError(source, f"key 'levers.{key}.{c}': not a cluster (one of: {', '.join(clusters)})")
        out[idx[c]] = float(val)
    return out


def lever_arrays(levers, clusters, years, hightech, hightech_cap, va0, source: str = "scenario") -> dict:
    """Arrays of the levers over the LP years (module docstring).

    Parameters
    ----------
    levers : model.scenario.Levers
    clusters : sequence of str
    years : sequence of int
        ``t0 … T``.
    hightech, hightech_cap, va0 : ndarray (n,)
        Base-year high-tech share of VA, its ceiling under upgrading, and VA.
    source : str
        File named in errors.

    Returns
    -------
    dict
        ``dI``, ``dO``, ``dh`` (n, T); ``efficiency`` (T,); ``notes`` (list of str).

    Raises
    ------
    CztInputError
        Unknown cluster key, or an upgrading pace above the evidence bound.
    """
    years = np.asarray(years)
    on = (years >= levers.start_year) & (years > years[0])
    n_on = np.cumsum(on)
    dI = _by_cluster(clusters, levers.extra_investment, "extra_investment", source)[:, None] * on[None, :]
    dO = _by_cluster(clusters, levers.demand_shock, "demand_shock", source)[:, None] * on[None, :]
    eff = (1.0 - levers.efficiency_gain_pct / 100.0) ** n_on
    h = np.asarray(hightech, float)
    dh = np.zeros((len(clusters), len(years)))
    notes = []
    if levers.hightech_upgrade_pp > 0:
        bound, where = upgrading_bound()
        if levers.hightech_upgrade_pp > bound + 1e-12:
            raise CztInputError(source, f"key 'levers.hightech_upgrade_pp': {levers.hightech_upgrade_pp} pp/yr is "
                                f"faster than the fastest observed gain of a high-tech share of GDP ({bound:.2f} pp/yr, {where})")
        va0 = np.asarray(va0, float)
        room = np.maximum(np.asarray(hightech_cap, float) - h, 0.0)
        eligible = room > 1e-6                     # a ceiling equal to the share up to rounding: no room
        if not eligible.any():
            raise CztInputError(source, "key 'levers.hightech_upgrade_pp': no cluster has room below its "
                                "high-tech ceiling")
        step = levers.hightech_upgrade_pp / 100.0 * float(va0.sum()) / float(va0[eligible].sum())
        dh = np.where(eligible[:, None], np.minimum(step * n_on[None, :], room[:, None]), 0.0)
        notes.append(f"high-tech upgrading {levers.hightech_upgrade_pp} pp/yr of GDP at the base structure, within "
                     f"each cluster's high-tech ceiling (bound {bound:.2f} pp/yr: {where}); costed by the LP core")
    return {"dI": dI, "dO": dO, "efficiency": eff, "dh": dh, "notes": notes}
