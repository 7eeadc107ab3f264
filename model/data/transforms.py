"""Pure transformations used to build the panel (no I/O, no side effects)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def chain_index(growth_pct: pd.Series, base_year: int, base_value: float = 100.0) -> pd.Series:
    r"""Chain a real-growth series into a level index.

    .. math:: I_t = I_{t-1}\,(1 + g_t/100), \qquad I_{\text{base}} = \text{base\_value}

    Parameters
    ----------
    growth_pct : pandas.Series
        Year-on-year growth in percent, indexed by contiguous integer years;
        ``growth_pct[t]`` is the growth from ``t-1`` to ``t``. The first year's
        growth is not used (it links to a year outside the series).
    base_year : int
        Year whose index equals ``base_value``.

    Returns
    -------
    pandas.Series
        Index level for every year of ``growth_pct``.
    """
    years = growth_pct.index.to_numpy()
    if np.any(np.diff(years) != 1):
        raise ValueError("chain_index: years must be contiguous")
    g = growth_pct.to_numpy(dtype=float)
    if np.isnan(g[1:]).any():
        raise ValueError(f"chain_index: missing growth in {list(years[1:][np.isnan(g[1:])])}")
    log_level = np.concatenate([[0.0], np.cumsum(np.log1p(g[1:] / 100.0))])
    if base_year not in set(years):
        raise ValueError(f"chain_index: base year {base_year} outside {years[0]}-{years[-1]}")
    log_level -= log_level[list(years).index(base_year)]
    return pd.Series(base_value * np.exp(log_level), index=growth_pct.index, name=growth_pct.name)


def interpolate_geometric(level: pd.Series, years: list[int] | range) -> pd.Series:
    r"""Fill years between known levels by constant growth (log-linear interpolation).

    For known levels :math:`y_a, y_b` and :math:`a < t < b`:
    :math:`y_t = y_a (y_b/y_a)^{(t-a)/(b-a)}`. Years outside the known range are
    left missing (no extrapolation).
    """
    known = level.dropna()
    out = pd.Series(np.nan, index=pd.Index(list(years), name=level.index.name), dtype=float)
    logs = np.interp(out.index, known.index, np.log(known.to_numpy()), left=np.nan, right=np.nan)
    out[:] = np.exp(logs)
    return out


def implied_growth(level: pd.Series) -> pd.Series:
    """Year-on-year growth (percent) of a level series with contiguous years."""
    return (level / level.shift(1) - 1.0) * 100.0


def annualised_change(values: pd.Series) -> pd.Series:
    """Change per year between consecutive observations of an irregular series.

    ``values`` is indexed by year; the result, indexed by the later year, is
    ``(v_b - v_a) / (b - a)``.
    """
    v = values.dropna().sort_index()
    yrs = v.index.to_numpy()
    return pd.Series(np.diff(v.to_numpy()) / np.diff(yrs), index=yrs[1:])


def pooled_within_sd(groups: dict) -> tuple[float, int]:
    r"""Pooled within-group standard deviation and its degrees of freedom.

    .. math:: s^2 = \frac{\sum_g \sum_i (x_{gi} - \bar x_g)^2}{\sum_g (n_g - 1)}

    Groups with fewer than two values add nothing. Returns ``(nan, 0)`` without
    any degree of freedom.
    """
    ss, dof = 0.0, 0
    for v in groups.values():
        a = np.asarray(v, dtype=float)
        a = a[np.isfinite(a)]
        if a.size >= 2:
            ss += float(((a - a.mean()) ** 2).sum())
            dof += a.size - 1
    return (float(np.sqrt(ss / dof)), dof) if dof else (float("nan"), 0)


def bridge_sd(sigma: float, t, span: float):
    r"""Standard deviation of a Brownian bridge pinned at 0 and ``span``:
    :math:`\sigma \sqrt{t (\text{span} - t) / \text{span}}` (t in years from the first pin)."""
    t = np.asarray(t, dtype=float)
    return sigma * np.sqrt(np.clip(t * (span - t), 0.0, None) / span)
