"""Impact of new final demand in one cluster (what an IMPLAN user asks).

For ``ΔF`` 亿元 of new final demand for the products of cluster ``k`` (at the
structure year's prices; region-supplied demand):

* direct output       ``ΔX_d = ΔF e_k``
* Type I (production) ``ΔX_I = L ΔF e_k``; indirect = ``ΔX_I − ΔX_d``
* Type II (with households closed, Miller & Blair 2009 §2.5)
  ``ΔX_II = [L̄ (ΔF e_k, 0)]_{1..n}``; induced = ``ΔX_II − ΔX_I``
* value added ``ΔVA = v ∘ ΔX``, energy ``ΔE = e ∘ ΔX`` (10k tce, since ``e``
  is tce per 10k yuan and ``ΔX`` is in 亿元 = 10k × 10k yuan ÷ 10k), high-tech
  VA ``ΔHT = h ∘ ΔVA``.

:func:`impact` returns these by cluster (or sector) plus a total row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.io import iomath as im


def impact(system, cluster: str, amount: float, level: str = "cluster") -> pd.DataFrame:
    """Effects of ``amount`` 亿元 of new final demand for cluster ``cluster``.

    Parameters
    ----------
    system : model.io.system.IOSystem
    cluster : str
        Cluster id (``level="cluster"``) or IO sector code (``level="sector"``).
    amount : float
        New final demand, 亿元 at the structure year's prices (negative = a cut).
    level : {"cluster", "sector"}

    Returns
    -------
    DataFrame
        Index: the clusters (sectors) and ``total``. Columns ``output_direct``,
        ``output_indirect``, ``output_induced``, ``output_type1``,
        ``output_type2`` (亿元), ``va_type1``, ``va_type2`` (亿元),
        ``energy_type1``, ``energy_type2`` (10k tce), ``hightech_va_type1``,
        ``hightech_va_type2`` (亿元). ``attrs`` carries units and the system.
    """
    if not np.isfinite(amount):
        raise CztInputError("--amount", f"must be a finite number of 亿元, got {amount}")
    A, x, va, h_r, h_c, e = system._level_arrays(level)
    idx = system._level_index(level)
    if cluster not in idx:
        raise CztInputError("--cluster", f"'{cluster}' is not a {level} (one of: {', '.join(idx)})")
    n = len(idx)
    k = idx.index(cluster)
    v = im.calc_v(va, x)
    if level == "cluster":
        S = system._S().to_numpy()
        ht_va = S @ (system.hightech * system.va)
    else:
        ht_va = system.hightech * system.va
    h = np.divide(ht_va, va, out=np.zeros(n), where=va > 0)
    f = np.zeros(n)
    f[k] = float(amount)
    L = im.calc_L(A)
    Lbar = im.calc_L(im.augment_households(A, h_r, h_c))
    x1 = L @ f
    x2 = (Lbar @ np.concatenate([f, [0.0]]))[:n]
    df = pd.DataFrame({
        "output_direct": f, "output_indirect": x1 - f, "output_induced": x2 - x1,
        "output_type1": x1, "output_type2": x2,
        "va_type1": v * x1, "va_type2": v * x2,
        "energy_type1": e * x1, "energy_type2": e * x2,
        "hightech_va_type1": h * v * x1, "hightech_va_type2": h * v * x2,
    }, index=pd.Index(idx, name=level))
    df.loc["total"] = df.sum(axis=0)
    df.attrs.update(units={"output": "100m yuan", "va": "100m yuan", "energy": "10k tce",
                           "hightech_va": "100m yuan"}, region=system.region, year=system.year,
                    cluster=cluster, amount=float(amount))
    return df
