"""Energy and high-tech satellite accounts (derived; see calibration/io/README.md).

Energy
------
1. Hunan total energy consumption in the base year, ``E_tot`` (10k tce), by
   the documented chain of :func:`hunan_energy_total` (no official level exists
   in the data).
2. Split into energy-balance groups with the GCAM Hunan balance shares of
   total primary energy supply (:func:`balance_shares`); TPES minus final
   consumption goes to energy-conversion sectors, residential use to
   households.
3. Within a group, each sector's share equals its share of the group's
   purchases of energy products (IO rows 02, 03, 11, 24, 25)
   (:func:`energy_by_sector`).

Direct intensity ``e_j = E_j / x_j`` (tce per 10k yuan of output).

High-tech
---------
Sector shares ``s_j = w_j + r (1 − w_j)`` with judgement weights ``w_j``
(1 core, 0.5 partial, 0 outside the fields) and one uniform residual share
``r`` solved so the VA-weighted share matches Hunan's published aggregate
(:func:`hightech_shares`). ``r`` is the part of Hunan's broad 高新技术产业 that
no sector weight places ("high-tech transformation of traditional
industries"); it is spread over the non-high-tech part of every sector's VA
instead of inflating the partial sectors (the former ``min(1, k w_j)`` made
every partial sector, steel included, 91 % high-tech).

As-of origin
------------
The default energy-intensity index (:func:`intensity_index_path`) takes
``as_of`` = T: only Hunan's official changes for years <= T enter, and every
other year takes the core's assumed change as of T
(:func:`core_unobserved_yoy` with ``as_of``: the mean of the published
changes 2016 … min(``assumptions.energy.last_data_year``, T), or the
scenario's value). Where that mean cannot be derived (no published change
<= T and no scenario value; the core then does not model energy intensity)
the index is NaN from the first year that needs it.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from model.errors import CztInputError
from model.io.params import read_long_csv
from model.paths import DATA

ENERGY_OFFICIAL = DATA / "energy" / "energy_intensity_official.csv"
ENERGY_BALANCE = DATA / "energy" / "hunan_energy_balance_by_sector_2005_2014.csv"
GAPFILL = DATA / "macro" / "czt_gapfill_releases.csv"
GDP_NBS = DATA / "macro" / "hunan_gdp_nbs_1992_2020.csv"
CPI = DATA / "macro" / "hunan_cpi_csmar_1951_2021.csv"


def _value(df: pd.DataFrame, year: int, variable: str, where: str, region: str = "430000", unit_contains: str | None = None) -> float:
    sub = df[(df["region_code"].astype(str) == region) & (df["year"] == year) & (df["variable"] == variable)]
    if unit_contains is not None:
        sub = sub[sub["unit"].str.contains(unit_contains, regex=False)]
    if sub.empty:
        raise CztInputError(str(where), f"no {variable} for region {region} in {year}")
    return float(sub["value"].iloc[0])


def official_intensity_yoy(as_of: int | None = None) -> pd.Series:
    """Hunan official GDP energy-intensity yoy changes (percent) from the data.

    Combines ``energy/energy_intensity_official.csv`` and the 2018 value in
    ``macro/czt_gapfill_releases.csv``; with ``as_of`` = T only years <= T.
    """
    rows = []
    for path in (ENERGY_OFFICIAL, GAPFILL):
        df = read_long_csv(path)
        sub = df[(df["region_code"] == "430000") & (df["variable"] == "energy_intensity_gdp_change_yoy")]
        rows.append(sub[["year", "value"]])
    s = pd.concat(rows).drop_duplicates("year").set_index("year")["value"].sort_index()
    if as_of is not None:
        s = s[s.index <= int(as_of)]
    return s.astype(float)


def core_unobserved_yoy(scenario: str = "baseline", as_of: int | None = None) -> float:
    """The forecasting core's assumed yoy change for unobserved years (percent).

    :func:`model.data.panel.energy_change_assumption` for ``scenario`` as of
    ``as_of``: its ``assumptions.energy.unobserved_yoy_change_pct``, or the mean
    of Hunan's observed changes the core uses (years <= ``as_of`` only; NaN
    when there is none).
    """
    from model.data.loader import load_sources
    from model.data.panel import energy_change_assumption, energy_sources, truncate_sources
    from model.scenario import load_scenario
    src = load_sources() if as_of is None else truncate_sources(load_sources(), as_of)
    return float(energy_change_assumption(energy_sources(src), load_scenario(scenario), as_of)[0])


def intensity_index_path(params: dict, start: int = 2015, end: int = 2035,
                         unobserved_yoy_pct: float | None = None, as_of: int | None = None) -> pd.DataFrame:
    """Default energy-intensity index (2019 = 100) chained from yoy changes.

    Official yoy changes where published; every unobserved year uses ONE
    assumed change, the same as the forecasting core's
    (``assumptions.energy.unobserved_yoy_change_pct`` of the scenario, passed
    as ``unobserved_yoy_pct``; when None, the core's default for the
    calibration's baseline, :func:`core_unobserved_yoy`). There is no separate
    IO value. ``as_of`` = T: official changes for years <= T only, and the
    core's default as of T (module docstring "As-of origin").

    Returns
    -------
    DataFrame
        Columns ``year, index, yoy_pct, basis`` (basis ``observed`` or
        ``assumption``).
    """
    off = official_intensity_yoy(as_of)
    if unobserved_yoy_pct is None:
        unobserved_yoy_pct = core_unobserved_yoy(as_of=as_of)
    yrs = list(range(start, end + 1))
    yoy, basis = {}, {}
    for y in yrs[1:]:
        if y in off.index:
            yoy[y], basis[y] = float(off[y]), "observed"
        else:
            yoy[y], basis[y] = float(unobserved_yoy_pct), "assumption"
    level = {start: 1.0}
    for y in yrs[1:]:
        level[y] = level[y - 1] * (1 + yoy[y] / 100)
    base = level[2019]
    return pd.DataFrame({"year": yrs, "index": [100 * level[y] / base for y in yrs],
                         "yoy_pct": [yoy.get(y, np.nan) for y in yrs],
                         "basis": [basis.get(y, "observed") for y in yrs]})


def io_intensity_index(energy: pd.Series, va: pd.Series, base_year: int = 2019) -> pd.Series:
    """IO-implied GDP energy-intensity index ``100·(E_t/VA_t)/(E_b/VA_b)``.

    Parameters
    ----------
    energy, va : Series indexed by year
        Total energy use and real value added.
    base_year : int

    Returns
    -------
    Series
        Equal to 100 in ``base_year``.
    """
    I = energy / va
    if base_year not in I.index:
        raise CztInputError("io_intensity_index", f"base year {base_year} not in the projection years")
    return 100 * I / I[base_year]


_TOTAL_CACHE: dict = {}


def hunan_energy_total(params: dict, year: int = 2017) -> dict:
    """Derive Hunan total energy consumption (10k tce) for ``year`` (2015–2018).

    Chain (calibration/io/parameters.toml ``[energy]``):
    ``E_2008 = 1.225 tce/10k yuan × GDP_2008(2005 prices)``, GDP deflated with
    the Hunan CPI 2006–2008; 2008→2014 grown with GCAM total primary energy
    supply; 2015 with the assumed growth; 2016–2018 with official growth.

    Returns
    -------
    dict
        ``value`` (10k tce), ``steps`` (DataFrame of the chain with basis),
        ``basis`` = "derived".
    """
    p = params["energy"]
    cache_key = (json.dumps(p, sort_keys=True, default=str), year)
    if cache_key in _TOTAL_CACHE:
        hit = _TOTAL_CACHE[cache_key]
        return {"value": hit["value"], "steps": hit["steps"].copy(), "basis": hit["basis"]}
    off = read_long_csv(ENERGY_OFFICIAL)
    gap = read_long_csv(GAPFILL)
    gdp = read_long_csv(GDP_NBS)
    cpi = read_long_csv(CPI)
    bal = read_long_csv(ENERGY_BALANCE)
    ay = int(p["anchor_year"])
    steps = []
    ei = _value(off, ay, "energy_intensity_gdp", ENERGY_OFFICIAL, unit_contains="2005 prices")
    gdp_nom = _value(gdp, ay, "gdp_nominal", GDP_NBS)
    defl = 1.0
    for y in range(2006, ay + 1):
        defl *= _value(cpi, y, "cpi_index", CPI) / 100
    gdp_real = gdp_nom / defl
    E = ei * gdp_real * 1e4 / 1e4   # tce/10k yuan × 亿元×1e4 (10k yuan) = tce; /1e4 → 10k tce
    steps.append({"year": ay, "step": f"{ei} tce/10k yuan x GDP {gdp_nom} 亿元 / CPI-deflator {defl:.6f}",
                  "value": E, "basis": "derived"})

    def tpes(y):
        return _value(bal[bal["variable"] == "total_primary_energy_supply"], y, "total_primary_energy_supply", ENERGY_BALANCE)

    last_bal = int(bal["year"].max())
    E = E * tpes(last_bal) / tpes(ay)
    steps.append({"year": last_bal, "step": f"x GCAM TPES growth {ay}-{last_bal}", "value": E, "basis": "derived"})
    for y in range(last_bal + 1, year + 1):
        try:
            g = _value(off, y, "energy_consumption_total_growth_yoy", ENERGY_OFFICIAL)
            b = "observed"
        except CztInputError:
            try:
                g = _value(gap, y, "energy_consumption_total_growth_yoy", GAPFILL)
                b = "observed"
            except CztInputError:
                key = f"growth_{y}_pct"
                if key not in p:
                    raise CztInputError("calibration/io/parameters.toml", f"[energy] needs {key} (no official growth for {y})")
                g, b = float(p[key]), "assumption"
        E *= 1 + g / 100
        steps.append({"year": y, "step": f"x (1 + {g}%) [{b}]", "value": E, "basis": b})
    out = {"value": E, "steps": pd.DataFrame(steps), "basis": "derived"}
    _TOTAL_CACHE[cache_key] = out
    return {"value": E, "steps": out["steps"].copy(), "basis": "derived"}


def balance_shares(params: dict) -> pd.Series:
    """Shares of Hunan TPES by energy-balance group in ``share_year`` (GCAM).

    Groups: the final-consumption sectors of the balance, ``residential`` and
    ``transformation`` (= TPES − total final consumption). Sum to 1.
    """
    y = int(params["energy"]["share_year"])
    bal = read_long_csv(ENERGY_BALANCE)
    b = bal[bal["year"] == y]
    fec = b[b["variable"] == "final_energy_consumption"].set_index("sector")["value"]
    fec = fec.drop(index=[s for s in ("industry_non_energy_use",) if s in fec.index])
    tpes = float(b.loc[b["variable"] == "total_primary_energy_supply", "value"].iloc[0])
    tfc = float(b.loc[b["variable"] == "final_energy_consumption_total", "value"].iloc[0])
    if abs(fec.sum() - tfc) > 0.01 * tfc:
        raise CztInputError(str(ENERGY_BALANCE), f"{y}: sector final consumption {fec.sum():.3f} != total {tfc:.3f}")
    s = pd.concat([fec, pd.Series({"transformation": tpes - fec.sum()})]) / tpes
    return s


def energy_by_sector(Z: pd.DataFrame, household_purchases: pd.Series, E_total: float, params: dict) -> tuple[pd.Series, float]:
    """Allocate ``E_total`` to sectors and households (10k tce).

    ``E_j = E_total · σ_g(j) · p_j / Σ_{k∈g} p_k`` where ``σ_g`` is the group
    share (:func:`balance_shares`) and ``p_j`` the value of sector *j*'s
    purchases of energy products (column sums of the energy rows of ``Z``).
    The transformation share is spread over the conversion sectors the same
    way; ``residential`` goes to households.

    Returns
    -------
    (Series, float)
        Energy by sector and household direct energy.
    """
    pe = params["energy"]
    shares = balance_shares(params)
    purch = Z.loc[pe["energy_products"]].sum(axis=0)
    E = pd.Series(0.0, index=Z.columns)
    groups = dict(pe["groups"])
    groups["transformation"] = pe["transformation_sectors"]
    covered = set()
    for g, codes in groups.items():
        if g not in shares.index:
            raise CztInputError("calibration/io/parameters.toml", f"[energy.groups] {g} not in the energy balance")
        p = purch.loc[codes]
        if p.sum() <= 0:
            raise CztInputError("calibration/io/parameters.toml", f"group {g}: no energy purchases")
        E.loc[codes] += E_total * shares[g] * p / p.sum()
        covered |= set(codes)
    missing = set(Z.columns) - covered
    if missing:
        raise CztInputError("calibration/io/parameters.toml", f"sector {sorted(missing)[0]} in no [energy.groups] group")
    return E, float(E_total * shares["residential"])


def hightech_shares(va: pd.Series, weights: pd.Series, target_share: float) -> tuple[pd.Series, float]:
    r"""Sector high-tech shares matching an aggregate share with a uniform residual.

    .. math:: s_j = w_j + r\,(1 - w_j),\qquad
              r = \frac{\tau\sum_j VA_j - \sum_j w_j VA_j}{\sum_j (1 - w_j) VA_j}

    with ``τ = target_share``: the weights place what they can, the residual
    ``r`` (≥ 0) is spread uniformly over the non-high-tech part of every
    sector's VA.

    Parameters
    ----------
    va : Series
        Sector value added.
    weights : Series
        Judgement weights in [0, 1] (same index).
    target_share : float
        Aggregate high-tech share of VA in (0, 1).

    Returns
    -------
    (Series, float)
        Shares and the residual ``r``.
    """
    w = weights.reindex(va.index)
    if w.isna().any():
        raise CztInputError("calibration/io/hightech_weights.csv", f"no weight for sector {w.index[w.isna()][0]}")
    if ((w < 0) | (w > 1)).any():
        raise CztInputError("calibration/io/hightech_weights.csv", f"row {w.index[(w < 0) | (w > 1)][0]}: weight outside [0, 1]")
    total = float(va.sum())
    placed = float((w * va).sum() / total)
    if not 0 < target_share < 1:
        raise CztInputError("calibration/io/parameters.toml", f"[hightech] share {target_share:.3f} not in (0, 1)")
    if target_share < placed:
        raise CztInputError("calibration/io/parameters.toml", f"[hightech] share {target_share:.3f} below what the "
                            f"weights alone place ({placed:.3f}); not reachable with a non-negative residual")
    r = (target_share * total - float((w * va).sum())) / float(((1 - w) * va).sum())
    return (w + r * (1 - w)).rename("hightech_share"), float(r)


def capital_proxies(depreciation: pd.Series, va: pd.Series, delta: float) -> pd.DataFrame:
    """Capital-stock and capital-output proxies from IO depreciation (VA003).

    ``K_j = D_j / δ`` (steady-state perpetual-inventory proxy), ``κ_j = K_j / VA_j``.

    Returns
    -------
    DataFrame
        Columns ``depreciation``, ``capital_stock``, ``capital_output_ratio``
        (same money unit as inputs).
    """
    if not 0 < delta < 1:
        raise CztInputError("calibration/io/parameters.toml", f"[capital] depreciation_rate {delta} not in (0, 1)")
    K = depreciation / delta
    kappa = K / va.where(va > 0)
    return pd.DataFrame({"depreciation": depreciation, "capital_stock": K, "capital_output_ratio": kappa})
