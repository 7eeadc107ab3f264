"""Capital stock by perpetual inventory (pure functions) and the κ, δ of the LP.

Method (documented in ``calibration/optimisation/README.md``, "Capital")
------------------------------------------------------------------------
1. **Investment rate.** CZT gross fixed capital formation (GFCF) in the IO
   table year is ``s_0 · GDP_0`` with ``s_0`` = GFCF / GDP of the Hunan 2017
   table (the investment column of the accounts). Later years move with
   observed fixed-asset investment (FAI) growth of the three cities relative
   to nominal GDP growth,

       s_t = s_{t-1} · (1 + g^FAI_t) / (1 + g^GDP_t),

   where ``g^FAI_t`` is the FAI-2017-weighted mean of the cities' FAI growth
   (``macro/czt_best_panel_long.csv``, ``fai_growth``; levels ``fai_nominal``
   2017). Years without FAI growth for all three cities keep the last rate
   (ASSUMPTION, flagged in the notes).
2. **Real investment** ``I_t = s_t · Y_t`` with ``Y_t`` real GDP (investment
   goods priced like GDP: ASSUMPTION, no investment deflator in the data).
3. **Initial stock** (Harberger 1978): ``K_0 = I_0 / (g_I + δ)`` with ``g_I``
   the mean real growth of investment over the observed years.
4. **Perpetual inventory** ``K_t = (1 − δ) K_{t−1} + I_t`` to the base year.
5. **By cluster**: ``K_c ∝ D_c / δ`` (IO depreciation VA003, one δ), so
   ``κ_c = K_c / VA_c`` with ``Σ_c K_c`` = the aggregate stock.

δ is the one depreciation rate of the project, ``[capital] depreciation_rate``
of ``calibration/io/parameters.toml`` (9.6 %, Zhang, Wu & Zhang 2004), used by
both the IO module and the LP. Nothing here uses the growth rate the LP is
meant to find.

As-of origin: :func:`calibrate_capital` reads the panel's FAI and nominal GDP
only for the years ``table_year … base_year``; the runner's base year is the
last GDP data year <= ``forecast.as_of``, so no year after T enters (a test
plants later values and sees nothing change).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import CztInputError

CITIES = ("430100", "430200", "430300")


def harberger_initial_stock(i0: float, g_i: float, delta: float) -> float:
    r"""Initial capital stock of the steady-state (Harberger) method.

    .. math:: K_0 = \frac{I_0}{g_I + \delta}

    Parameters
    ----------
    i0 : float
        Investment in the first year (real).
    g_i : float
        Mean real growth rate of investment.
    delta : float
        Depreciation rate.
    """
    if not (g_i + delta > 0):
        raise CztInputError("capital", f"g_I + delta must be > 0, got {g_i} + {delta}")
    return float(i0) / (float(g_i) + float(delta))


def perpetual_inventory(k0: float, investment, delta: float) -> np.ndarray:
    r"""Capital stock path :math:`K_t = (1-\delta) K_{t-1} + I_t`.

    Parameters
    ----------
    k0 : float
        Stock at the start of the first year of ``investment`` (before its
        investment is added), i.e. :math:`K_{-1}`.
    investment : array_like (T,)
        Real investment per year.
    delta : float

    Returns
    -------
    ndarray (T,)
        End-of-year stocks.
    """
    inv = np.asarray(investment, float)
    out = np.empty_like(inv)
    k = float(k0)
    for t, i in enumerate(inv):
        k = (1 - delta) * k + i
        out[t] = k
    return out


@dataclass
class CapitalCalibration:
    """Result of :func:`calibrate_capital` (aggregate, base year ``year``)."""

    year: int
    delta: float
    investment_rate: dict          # year -> nominal GFCF / GDP
    investment_real: dict          # year -> real investment (units of gdp_real)
    capital: float                 # aggregate K in the base year (units of gdp_real)
    capital_output: float          # K / Y in the base year
    g_investment: float
    notes: list = field(default_factory=list)


def _city_series(panel, variable: str) -> dict:
    sub = panel[(panel["variable"] == variable) & panel["region_code"].astype(str).isin(CITIES)]
    return {(str(r.region_code), int(r.year)): float(r.value) for r in sub.itertuples()}


def calibrate_capital(panel, gdp_real: dict, s_table: float, table_year: int, base_year: int,
                      delta: float) -> CapitalCalibration:
    """Aggregate CZT capital stock in ``base_year`` by perpetual inventory.

    Parameters
    ----------
    panel : DataFrame
        Long macro panel (``macro/czt_best_panel_long.csv``): ``fai_nominal``,
        ``fai_growth``, ``gdp_nominal`` of the three cities.
    gdp_real : dict
        Real CZT GDP by year (any constant-price unit) covering
        ``table_year … base_year``.
    s_table : float
        GFCF / GDP of the IO table (investment rate in ``table_year``).
    table_year, base_year : int
    delta : float
        Depreciation rate.

    Returns
    -------
    CapitalCalibration
    """
    w = "capital (perpetual inventory)"
    if not (0 < delta < 1):
        raise CztInputError(w, f"depreciation rate {delta} not in (0, 1)")
    if not (0 < s_table < 1):
        raise CztInputError(w, f"table investment rate {s_table} not in (0, 1)")
    years = list(range(table_year, base_year + 1))
    miss = [y for y in years if y not in gdp_real]
    if miss:
        raise CztInputError(w, f"no real GDP for {miss[0]}")
    fai_lvl = _city_series(panel, "fai_nominal")
    fai_g = _city_series(panel, "fai_growth")
    gdp_n = _city_series(panel, "gdp_nominal")
    wts = {c: fai_lvl.get((c, table_year)) for c in CITIES}
    if any(v is None for v in wts.values()):
        raise CztInputError(w, f"fai_nominal {table_year} missing for a city")
    tot = sum(wts.values())
    notes = [f"investment rate {table_year} = IO-table GFCF/GDP {s_table:.4f}; FAI weights {table_year}: "
             + ", ".join(f"{c} {wts[c] / tot:.3f}" for c in CITIES)]
    s = {table_year: s_table}
    held = []
    for y in years[1:]:
        gf = [fai_g.get((c, y)) for c in CITIES]
        gn = [(gdp_n.get((c, y)), gdp_n.get((c, y - 1))) for c in CITIES]
        if all(v is not None for v in gf) and all(a is not None and b is not None for a, b in gn):
            g_fai = sum(wts[c] * g for c, g in zip(CITIES, gf)) / tot / 100.0
            g_gdp = sum(a for a, _ in gn) / sum(b for _, b in gn) - 1
            s[y] = s[y - 1] * (1 + g_fai) / (1 + g_gdp)
        else:
            s[y] = s[y - 1]
            held.append(y)
    if held:
        notes.append(f"ASSUMPTION: no FAI growth and nominal GDP for all three cities in {held}; "
                     f"investment rate held at {s[held[0] - 1]:.4f}")
    inv = {y: s[y] * float(gdp_real[y]) for y in years}
    iv = np.array([inv[y] for y in years])
    g_i = float(np.exp(np.mean(np.diff(np.log(iv)))) - 1) if len(iv) > 1 else 0.0
    k_start = harberger_initial_stock(iv[0], g_i, delta)
    # K_start is the stock at the end of table_year (Harberger); roll forward from the next year
    path = perpetual_inventory(k_start, iv[1:], delta) if len(iv) > 1 else np.array([k_start])
    k_base = float(path[-1])
    ky = k_base / float(gdp_real[base_year])
    notes.append(f"Harberger initial stock {table_year}: I/(g_I + delta) with g_I = {g_i:.4f} (mean real investment "
                 f"growth {table_year}-{base_year}), delta = {delta}; K/Y {base_year} = {ky:.3f}")
    return CapitalCalibration(year=base_year, delta=delta, investment_rate=s, investment_real=inv,
                              capital=k_base, capital_output=ky, g_investment=g_i, notes=notes)


def cluster_kappa(depreciation, va, capital_output: float) -> np.ndarray:
    r"""Capital–output ratios by cluster from IO depreciation shares.

    .. math:: \kappa_c = \frac{K\,D_c / \sum_j D_j}{VA_c},\qquad K = (K/Y)\,\sum_j VA_j

    (with one δ, :math:`K_c = D_c/\delta` is proportional to :math:`D_c`).
    """
    d = np.asarray(depreciation, float)
    v = np.asarray(va, float)
    if np.any(d <= 0) or np.any(v <= 0):
        raise CztInputError("capital", "depreciation and VA must be positive in every cluster")
    K = capital_output * v.sum()
    return K * d / d.sum() / v


def kappa_scales_from_investment(investment_real, delta: float, z) -> np.ndarray:
    r"""Capital–output scale factors from the sampling error of Harberger's initial stock.

    Harberger's initial stock :math:`K_0 = I_0/(g_I + \delta)` rests on the mean
    real investment growth, estimated from the :math:`m` log changes
    :math:`d_t` of the investment series. Its sampling uncertainty is carried
    to κ (DERIVED):

    .. math::

        \hat g_j = \exp(\bar d + z_j\, s_d/\sqrt{m}) - 1, \quad
        \hat g_j \ge -\delta + 10^{-3}, \qquad
        s_j = K_T(\hat g_j) / K_T(e^{\bar d} - 1),

    with :math:`K_T` the perpetual-inventory stock of the last year rolled
    forward from that initial stock. Every cluster's κ is multiplied by
    :math:`s_j` (``PathInputs.kappa_scale``); δ is not varied.

    Parameters
    ----------
    investment_real : array (T,)
        Real investment, first year the inventory's start; at least 3 years.
    delta : float
        Depreciation rate.
    z : array (n,)
        Standard-normal draws (the caller seeds them).

    Returns
    -------
    ndarray (n,)
        Scales, median ≈ 1.
    """
    iv = np.asarray(investment_real, float)
    d = np.diff(np.log(iv))
    if len(d) < 2:
        raise CztInputError("capital", "kappa uncertainty needs at least 3 years of investment")
    se = float(d.std(ddof=1) / np.sqrt(len(d)))
    g = np.maximum(np.exp(d.mean() + np.asarray(z, float) * se) - 1, -delta + 1e-3)   # g + delta > 0

    def k_last(gi: float) -> float:
        return float(perpetual_inventory(harberger_initial_stock(iv[0], gi, delta), iv[1:], delta)[-1])

    return np.array([k_last(float(x)) for x in g]) / k_last(float(np.exp(d.mean()) - 1))
