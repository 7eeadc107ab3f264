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
capital). The pace is bounded by evidence: :func:`fastest_observed_share_gain`,
the largest average annual gain between two observations of one published
high-tech VA share series in ``calibration/data/hightech/``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..paths import DATA

HIGHTECH_FILE = DATA / "hightech" / "hightech_rd_hunan_czt.csv"


def fastest_observed_share_gain(path=HIGHTECH_FILE) -> tuple[float, str]:
    """Largest average annual gain (pp/yr) of a published high-tech VA share series.

    Over every pair of consecutive observations of each (region, variable)
    whose variable is a high-tech value-added share. Returns the gain and a
    description of where it was observed.
    """
    d = pd.read_csv(path)
    d = d[d["variable"].str.contains("va_share|value_added_share", regex=True)
          & d["variable"].str.contains("high", regex=False)]
    best, where = 0.0, "no series with two observations"
    for (reg, var), g in d.groupby(["region", "variable"]):
        g = g.sort_values("year")
        y, v = g["year"].to_numpy(), g["value"].to_numpy(float)
        for i in range(1, len(y)):
            r = (v[i] - v[i - 1]) / (y[i] - y[i - 1])
            if r > best:
                best, where = float(r), f"{reg} {var} {y[i - 1]}-{y[i]}: {v[i - 1]:g} -> {v[i]:g}"
    return best, where


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
        bound, where = fastest_observed_share_gain()
        if levers.hightech_upgrade_pp > bound + 1e-12:
            raise CztInputError(source, f"key 'levers.hightech_upgrade_pp': {levers.hightech_upgrade_pp} pp/yr is "
                                f"faster than any observed gain of a high-tech share ({bound:.3f} pp/yr, {where})")
        va0 = np.asarray(va0, float)
        room = np.maximum(np.asarray(hightech_cap, float) - h, 0.0)
        eligible = room > 1e-6                     # a ceiling equal to the share up to rounding: no room
        if not eligible.any():
            raise CztInputError(source, "key 'levers.hightech_upgrade_pp': no cluster has room below its "
                                "high-tech ceiling")
        step = levers.hightech_upgrade_pp / 100.0 * float(va0.sum()) / float(va0[eligible].sum())
        dh = np.where(eligible[:, None], np.minimum(step * n_on[None, :], room[:, None]), 0.0)
        notes.append(f"high-tech upgrading {levers.hightech_upgrade_pp} pp/yr of GDP at the base structure, within "
                     f"each cluster's high-tech ceiling (bound {bound:.3f} pp/yr: {where}); costed by the LP core")
    return {"dI": dI, "dO": dO, "efficiency": eff, "dh": dh, "notes": notes}
