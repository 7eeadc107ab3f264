"""A scenario's levers as arrays over clusters and years of the structural model.

Pure functions: :class:`model.scenario.Levers` + :class:`~model.engine.structural.Structure`
→ the arrays :func:`model.engine.structural.respond` takes.

High-tech upgrading
-------------------
``hightech_upgrade_pp = u`` raises the high-tech share of VA of every cluster
with high-tech content (``h_c > 0``) by the same ``Δh_t`` (capped at
``1 − h_c``), chosen so that the share of GDP gains ``u`` pp per year at the
base structure: ``Δh_t = u/100 · (t − t_s + 1) · GDP0 / Σ_{h_c>0} VA0_c``.

Its cost is the capital behind the converted value added: converting
``ΔΔh_c,t · VA_c,t`` of VA re-equips ``κ_c ΔΔh_c,t VA_c,t`` of capital
(``ΔΔh`` the year's increment). That investment is financed inside the
investment envelope: it adds investment-goods demand ``g · cost_t`` (passed as
a demand shock) and crowds out the same amount of trend investment in
proportion to the base allocation (``ΔI = −cost_t σ0``), which removes that
capacity. Net demand effect 0; net supply effect negative — the cost.

The pace is bounded by evidence: :func:`fastest_observed_share_gain` (the
largest average annual gain between two observations of one published
high-tech share series in ``calibration/data/hightech/``).
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


def _by_cluster(st, mapping: dict, key: str, source: str) -> np.ndarray:
    idx = {c: i for i, c in enumerate(st.clusters)}
    out = np.zeros(st.n)
    for c, val in mapping.items():
        if c not in idx:
            raise CztInputError(source, f"key 'levers.{key}.{c}': not a cluster (one of: {', '.join(st.clusters)})")
        out[idx[c]] = float(val)
    return out


def lever_arrays(levers, st, ctl, source: str = "scenario") -> dict:
    """Arrays of the levers for :func:`~model.engine.structural.respond`.

    Parameters
    ----------
    levers : model.scenario.Levers
    st : Structure
    ctl : ControlRun
        The control run (its VA enters the upgrading cost).
    source : str
        File named in errors.

    Returns
    -------
    dict
        ``dI`` (1 or n_paths, n, T), ``dO`` (n, T), ``efficiency`` (T,),
        ``dh`` (n, T), ``upgrade_cost`` (n_paths, T) 亿元, ``notes``.
    """
    years = np.asarray(st.years)
    T = len(years)
    on = (years >= levers.start_year) & (years > years[0])
    notes = []
    dI = _by_cluster(st, levers.extra_investment, "extra_investment", source)[:, None] * on[None, :]
    dO = _by_cluster(st, levers.demand_shock, "demand_shock", source)[:, None] * on[None, :]
    n_on = np.cumsum(on)
    eff = (1.0 - levers.efficiency_gain_pct / 100.0) ** n_on
    dh = np.zeros((st.n, T))
    cost = np.zeros((ctl.X.shape[0], T))
    dI = np.broadcast_to(dI[None], (1, st.n, T)).copy()
    if levers.hightech_upgrade_pp > 0:
        bound, where = fastest_observed_share_gain()
        if levers.hightech_upgrade_pp > bound + 1e-12:
            raise CztInputError(source, f"key 'levers.hightech_upgrade_pp': {levers.hightech_upgrade_pp} pp/yr is "
                                f"faster than any observed gain of a high-tech share ({bound:.3f} pp/yr, {where})")
        va0 = st.v * (st.L @ (st.o + st.g * st.s * st.gdp0))     # base-year VA of the structure
        va0 = va0 * st.gdp0 / va0.sum()
        eligible = st.h > 0
        step = levers.hightech_upgrade_pp / 100.0 * st.gdp0 / float(va0[eligible].sum())
        dh[eligible] = np.minimum(step * n_on[None, :], 1.0 - st.h[eligible, None])
        ddh = np.diff(dh, axis=1, prepend=0.0)                    # (n, T) increments
        VA = st.v[None, :, None] * ctl.X                          # (p, n, T)
        cost = (st.kappa[None, :, None] * ddh[None] * VA).sum(axis=1)   # (p, T)
        dI = dI - cost[:, None, :] * st.inv_share0[None, :, None]
        notes.append(f"high-tech upgrading {levers.hightech_upgrade_pp} pp/yr (bound {bound:.3f} pp/yr: {where}); "
                     f"cost = kappa x converted VA, financed inside the investment envelope")
    dO_paths = dO[None] + st.g[None, :, None] * cost[:, None, :]
    return {"dI": dI, "dO": dO_paths, "efficiency": eff, "dh": dh, "upgrade_cost": cost, "notes": notes}
