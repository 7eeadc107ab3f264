"""Regionalisation Hunan → CZT / city with location quotients.

Pure functions (Miller & Blair 2009, §8.2; Flegg, Webber & Elliott 1995):

* ``SLQ_i = (E_i^r / E^r) / (E_i^N / E^N)``
* ``CILQ_ij = SLQ_i / SLQ_j``
* ``FLQ_ij = CILQ_ij · λ*`` (``i ≠ j``), ``FLQ_ii = SLQ_i · λ*``,
  ``λ* = [log2(1 + E^r / E^N)]^δ``
* regional coefficient ``a^r_ij = a^N_ij · min(LQ_ij, 1)``

Here "N" is Hunan (its *domestic*, i.e. Hunan-supplied, coefficients) and
"r" is the sub-region; ``E`` is value added (the only size measure available
by city, in three sectors, see calibration/io/README.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.io.params import read_long_csv
from model.paths import DATA

CITY_PANEL = DATA / "macro" / "czt_best_panel_long.csv"
GROUPS = ("primary", "secondary", "tertiary")


def slq(E_r: np.ndarray, E_n: np.ndarray) -> np.ndarray:
    """Simple location quotients ``SLQ_i = (E_i^r/E^r)/(E_i^N/E^N)``.

    Zero where ``E_i^N = 0``.

    Parameters
    ----------
    E_r, E_n : ndarray, shape (n,)
        Regional and reference sector sizes.

    Returns
    -------
    ndarray, shape (n,)
    """
    E_r, E_n = np.asarray(E_r, float), np.asarray(E_n, float)
    if (E_r < 0).any() or (E_n < 0).any():
        raise CztInputError("slq", "negative sector size")
    share_r = E_r / E_r.sum()
    share_n = E_n / E_n.sum()
    out = np.zeros_like(share_r)
    nz = share_n > 0
    out[nz] = share_r[nz] / share_n[nz]
    return out


def cilq(slq_: np.ndarray) -> np.ndarray:
    """Cross-industry quotients ``CILQ_ij = SLQ_i / SLQ_j`` (0 where SLQ_j = 0)."""
    s = np.asarray(slq_, float)
    inv = np.zeros_like(s)
    inv[s > 0] = 1.0 / s[s > 0]
    return s[:, None] * inv[None, :]


def flq_lambda(size_ratio: float, delta: float) -> float:
    """Flegg regional-size scalar ``λ* = [log2(1 + E^r/E^N)]^δ``.

    Parameters
    ----------
    size_ratio : float
        ``E^r / E^N`` in (0, 1].
    delta : float
        Flegg δ in [0, 1).

    Returns
    -------
    float
    """
    if not 0 < size_ratio <= 1:
        raise CztInputError("flq_lambda", f"region/reference size ratio must be in (0, 1], got {size_ratio}")
    if not 0 <= delta < 1:
        raise CztInputError("flq_lambda", f"Flegg delta must be in [0, 1), got {delta}")
    return float(np.log2(1.0 + size_ratio) ** delta)


def flq(slq_: np.ndarray, size_ratio: float, delta: float) -> np.ndarray:
    """Flegg location quotients; diagonal uses ``SLQ_i`` (Flegg & Webber 1997).

    Parameters
    ----------
    slq_ : ndarray, shape (n,)
    size_ratio : float
    delta : float

    Returns
    -------
    ndarray, shape (n, n)
    """
    lam = flq_lambda(size_ratio, delta)
    Q = cilq(slq_)
    np.fill_diagonal(Q, np.asarray(slq_, float))
    return Q * lam


def lq_matrix(method: str, E_r, E_n, delta: float = 0.3) -> np.ndarray:
    """Location-quotient matrix for ``method`` in {SLQ, CILQ, FLQ}.

    SLQ is applied row-wise (``Q_ij = SLQ_i``); CILQ uses ``SLQ_i`` on the
    diagonal.
    """
    s = slq(E_r, E_n)
    n = len(s)
    m = method.upper()
    if m == "SLQ":
        return np.repeat(s[:, None], n, axis=1)
    if m == "CILQ":
        Q = cilq(s)
        np.fill_diagonal(Q, s)
        return Q
    if m == "FLQ":
        return flq(s, float(np.sum(E_r) / np.sum(E_n)), delta)
    raise CztInputError("regional.method", f"unknown location-quotient method '{method}' (use SLQ, CILQ or FLQ)")


def regionalise(A: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Regional coefficients ``a^r_ij = a_ij · min(Q_ij, 1)``."""
    return np.asarray(A, float) * np.minimum(np.asarray(Q, float), 1.0)


def city_va_structure(year: int, cities: dict, path=CITY_PANEL, latest: bool = False) -> pd.DataFrame:
    """Value added by three sectors for each city (亿元, current prices).

    Reads ``va_primary``, ``va_secondary``, ``va_tertiary`` from the macro
    best panel (CSMAR_GDPCT for 2017–2021, city bulletins after).

    Parameters
    ----------
    year : int
    cities : dict
        Region code → name.
    latest : bool
        If a city has no three-sector VA in ``year``, use its latest earlier
        year with all three and scale them to the city's nominal GDP of
        ``year`` (the shares of that year; DERIVED, listed in
        ``attrs["fallbacks"]``). Without it a missing value is an error.

    Returns
    -------
    DataFrame
        Index region code, columns ``primary, secondary, tertiary``, plus
        attributes ``sources`` and ``fallbacks`` ({code: year of the shares}).
    """
    df = read_long_csv(path)
    vars_ = [f"va_{g}" for g in GROUPS]
    rows, sources, fallbacks = {}, set(), {}
    for c in cities:
        sub = df[(df["region_code"] == c) & df["variable"].isin(vars_)]
        piv = sub.pivot_table(index="year", columns="variable", values="value", aggfunc="first")
        piv = piv.reindex(columns=vars_).dropna()
        if year in piv.index:
            rows[c] = piv.loc[year].to_numpy(float)
            sources |= set(sub[sub["year"] == year]["source_id"])
            continue
        earlier = piv.index[piv.index < year]
        if not latest or len(earlier) == 0:
            miss = next(g for g in GROUPS if not ((df["region_code"] == c) & (df["year"] == year)
                                                  & (df["variable"] == f"va_{g}")).any())
            raise CztInputError(str(path), f"no va_{miss} for region {c} in {year}")
        y0 = int(earlier.max())
        shares = piv.loc[y0].to_numpy(float)
        gdp = df[(df["region_code"] == c) & (df["year"] == year) & (df["variable"] == "gdp_nominal")]["value"]
        total = float(gdp.iloc[0]) if len(gdp) else float(shares.sum())
        rows[c] = shares / shares.sum() * total
        fallbacks[c] = y0
        sources |= set(sub[sub["year"] == y0]["source_id"])
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(GROUPS)).loc[list(cities)]
    out.attrs["sources"] = sorted(sources)
    out.attrs["fallbacks"] = fallbacks
    return out


def group_of(codes: list[str], primary: list[str], sec_first: str, sec_last: str) -> np.ndarray:
    """Three-sector group (primary/secondary/tertiary) of each IO code."""
    out = []
    for c in codes:
        if c in primary:
            out.append("primary")
        elif sec_first <= c <= sec_last:
            out.append("secondary")
        else:
            out.append("tertiary")
    return np.array(out)


def sector_va_estimate(va_n: np.ndarray, groups: np.ndarray, group_va_r: pd.Series) -> np.ndarray:
    """Estimate regional sector VA: Hunan sector VA scaled within each group.

    ``VA_j^r = VA_j^N · VA_g^r / VA_g^N`` for ``j ∈ g`` — the regional
    within-group structure is assumed equal to Hunan's (ASSUMPTION forced by
    city data that stop at three sectors).

    Parameters
    ----------
    va_n : ndarray, shape (n,)
        Reference (Hunan) VA by sector, any unit.
    groups : ndarray of str, shape (n,)
    group_va_r : Series
        Regional VA by group, same unit as ``va_n``.

    Returns
    -------
    ndarray, shape (n,)
    """
    va_n = np.asarray(va_n, float)
    out = np.zeros_like(va_n)
    for g in GROUPS:
        m = groups == g
        tot = va_n[m].sum()
        if tot <= 0:
            raise CztInputError("sector_va_estimate", f"reference VA of group {g} is not positive")
        out[m] = va_n[m] * float(group_va_r[g]) / tot
    return out
