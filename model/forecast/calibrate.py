"""Interval calibration from a method's own out-of-sample errors (nested, real time).

The simulated spread of a time-series model describes its shocks, not the
error of the model itself (parameter and regime uncertainty, level revisions).
Here the spread at every horizon is rescaled so that the central intervals
cover the errors the same method made out of sample at earlier origins — a
split-conformal step on standardised errors (Vovk, Gammerman & Shafer 2005;
Lei et al. 2018, *JASA* 113:1094; for multi-step forecasts Stankeviciute,
Alaa & van der Schaar 2021).

For a wide log-level panel whose last year is the forecast origin T,
:func:`forecast_errors` refits the method at every earlier origin o and
records, per region and horizon h with o + h <= T,

.. math:: e_{o,h} = \\tilde y_{o+h|o} - y_{o+h}, \\qquad
          s_{o,h} = (q_{0.9} - q_{0.1}) / (2 z_{0.9}), \\qquad
          z_{o,h} = e_{o,h} / s_{o,h},

with :math:`\\tilde y` the median and q the quantiles of the simulated paths
(:math:`z_{0.9} = \\Phi^{-1}(0.9)`). Only outcomes up to T enter, because the
panel itself ends at T. :func:`scale_factors` turns them into one factor per
horizon,

.. math:: c_h = |z|_{(k)} / z_{(1+\\ell)/2}, \\qquad k = \\lceil (n_h + 1)\\,\\ell \\rceil,

the conformal quantile of the :math:`n_h` absolute standardised errors at
horizon h (pooled over regions) over the normal quantile of the nominal level
:math:`\\ell` (0.8). :func:`stretch` applies it about each year's median,
:math:`y' = \\tilde y + c_h (y - \\tilde y)`, which keeps the median and every
path's rank. Horizons with fewer than ``min_n`` errors take the factor of the
longest horizon that has enough; horizons beyond the table take the last
factor. :func:`error_correlation` is the correlation of the regions'
standardised errors at the same (origin, horizon): how far the cities miss
together, used for the copula that joins them.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.forecast import methods as _m

__all__ = ["ERROR_COLUMNS", "check_error_table", "forecast_errors", "mixture_errors", "scale_factors", "half_widths", "stretch", "stretch_to_width",
           "error_correlation", "local_volatility"]

ERROR_COLUMNS = ["region", "method", "origin", "horizon", "error", "scale", "z"]
_Z80 = 1.2815515655446004  # Phi^{-1}(0.9)


def check_error_table(df: pd.DataFrame, path) -> pd.DataFrame:
    """Validate a stored error table (columns, integer horizons >= 1, finite errors and
    positive scales); one-line :class:`~model.errors.CztInputError` naming the file and line."""
    from model.errors import CztInputError

    missing = [c for c in ERROR_COLUMNS if c not in df.columns]
    if missing:
        raise CztInputError(path, f"stored error table lacks column(s) {', '.join(missing)}")
    if df.empty:
        raise CztInputError(path, "stored error table has no rows")
    for col, ok in (("horizon", lambda v: v >= 1), ("error", np.isfinite), ("scale", lambda v: v >= 0),
                    ("origin", lambda v: v >= 1900)):
        v = pd.to_numeric(df[col], errors="coerce")
        bad = v.isna() | ~ok(v.fillna(-1e300))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise CztInputError(f"{path}:{i + 3}", f"column '{col}': invalid value {df[col].iloc[i]!r}")
    df = df.copy()
    df["region"] = df["region"].astype(str)
    return df


def _rng(seed: int, region: str, origin: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), *region.encode(), int(origin)]))


def forecast_errors(wide_logs: pd.DataFrame, method: str | dict | list, *, max_horizon: int = 10,
                    min_train: int = 10, n_paths: int = 400, seed: int = 0) -> pd.DataFrame:
    """Out-of-sample errors and simulated scales of ``method`` at every origin of the panel.

    Parameters
    ----------
    wide_logs : pandas.DataFrame
        Log-levels, index = int year (last row = the forecast origin T),
        columns = regions.
    method : str, dict or list
        Method name, ``{region: method}``, or a list of methods (one set of
        rows per method; combine them with :func:`mixture_errors`).
    max_horizon : int
        Longest horizon recorded.
    min_train : int
        Minimum number of observations of a training window.
    n_paths : int
        Paths simulated per fit.
    seed : int

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ERROR_COLUMNS`; every row has origin + horizon <= T.
    """
    rows = []
    for col in wide_logs.columns:
        s = wide_logs[col].dropna()
        s = pd.Series(s.to_numpy(dtype=float), index=np.asarray(s.index, dtype=int))
        names = (method if isinstance(method, (list, tuple)) else
                 [method[str(col)] if isinstance(method, dict) else method])
        yrs = s.index.to_numpy()
        last = int(yrs[-1])
        for name in names:
            for o in yrs:
                o = int(o)
                if o - int(yrs[0]) + 1 < min_train or o >= last:
                    continue
                hmax = min(max_horizon, last - o)
                f = _m.fit(name, s.loc[:o])
                sims = _m.simulate(f, hmax, n_paths, _rng(seed, str(col), o))
                med = np.median(sims, axis=0)
                q10, q90 = np.quantile(sims, [0.1, 0.9], axis=0)
                sc = (q90 - q10) / (2 * _Z80)
                act = s.loc[o + 1:o + hmax].to_numpy()
                for h in range(1, hmax + 1):
                    e = float(med[h - 1] - act[h - 1])
                    rows.append((str(col), name, o, h, e, float(sc[h - 1]),
                                 e / sc[h - 1] if sc[h - 1] > 0 else np.nan))
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)


def mixture_errors(errors: pd.DataFrame, weight_horizons: int = 5, discount: float = 1.0) -> pd.DataFrame:
    r"""Errors of the inverse-MAE mixture of the methods in ``errors``, with real-time weights.

    At each origin o the weight of method m in region r is
    :math:`w_m \propto 1 / \overline{|e|}_m`, the mean over horizons h <= ``weight_horizons``
    of m's mean absolute error at origins o' with o' + h <= o (equal weights when there is
    none), i.e. what the backtests up to o would have said; the mixture's error is
    :math:`\sum_m w_m e_m` (the weighted mean of the members' medians, in logs) and its scale
    :math:`\sum_m w_m s_m`. One method: its rows unchanged. ``discount`` δ < 1 weights each
    past error by :math:`\delta^{o - t}` (t its outcome year), as the backtests' ``mae``.
    """
    if errors is None or not len(errors) or errors["method"].nunique() <= 1:
        return errors
    out = []
    for region, d in errors.groupby("region", sort=False):
        methods = list(dict.fromkeys(d["method"]))
        done = d.assign(t=d["origin"] + d["horizon"])
        for o, g in d.groupby("origin", sort=True):
            past = done[(done["t"] <= o) & (done["horizon"] <= weight_horizons)]
            pw = past.assign(_w=float(discount) ** (o - past["t"]))
            pw = pw.assign(_we=pw["_w"] * pw["error"].abs())
            score = {}
            for m in methods:
                g_m = pw[pw["method"] == m].groupby("horizon")[["_w", "_we"]].sum()
                score[m] = (g_m["_we"] / g_m["_w"]).mean()
            if all(np.isfinite(v) and v > 0 for v in score.values()):
                inv = {m: 1.0 / score[m] for m in methods}
            else:
                inv = {m: 1.0 for m in methods}
            tot = sum(inv.values())
            w = {m: inv[m] / tot for m in methods}
            piv_e = g.pivot(index="horizon", columns="method", values="error")
            piv_s = g.pivot(index="horizon", columns="method", values="scale")
            e = sum(w[m] * piv_e[m] for m in methods)
            sc = sum(w[m] * piv_s[m] for m in methods)
            for h in e.index:
                out.append((region, "mixture", int(o), int(h), float(e[h]), float(sc[h]),
                            float(e[h] / sc[h]) if sc[h] > 0 else np.nan))
    return pd.DataFrame(out, columns=ERROR_COLUMNS)


def scale_factors(errors: pd.DataFrame, n_horizons: int, *, level: float = 0.8,
                  min_n: int = 6) -> np.ndarray:
    """Conformal spread factor c_h for h = 1..n_horizons (see the module docstring).

    Returns ones when no horizon has ``min_n`` errors (nothing to calibrate on).
    """
    from scipy.stats import norm

    zq = float(norm.ppf(0.5 + level / 2))
    out = np.full(int(n_horizons), np.nan)
    z = errors.dropna(subset=["z"]) if len(errors) else errors
    for h in range(1, int(n_horizons) + 1):
        a = np.sort(np.abs(z.loc[z["horizon"] == h, "z"].to_numpy(dtype=float))) if len(z) else np.array([])
        n = a.size
        if n >= min_n:
            k = min(math.ceil((n + 1) * level), n)
            out[h - 1] = a[k - 1] / zq
    ok = np.flatnonzero(np.isfinite(out))
    if ok.size == 0:
        return np.ones(int(n_horizons))
    for i in range(out.size):  # fill: the longest calibrated horizon not beyond i, else the first one
        if not np.isfinite(out[i]):
            prev = ok[ok < i]
            out[i] = out[prev[-1]] if prev.size else out[ok[0]]
    return out


def half_widths(errors: pd.DataFrame, n_horizons: int, *, level: float = 0.8,
                min_n: int = 6, origin: int | None = None, window: int | None = None,
                decay: float | None = None, by_horizon: bool = False,
                volatility: pd.Series | None = None) -> np.ndarray | None:
    r"""Conformal half-width of the central ``level`` interval (log points) for h = 1..n_horizons.

    The absolute errors are pooled over regions and horizons after dividing by
    the horizon, :math:`r = |e_{o,j}| / j` (the error of an estimated growth
    rate accumulates linearly with the horizon), and

    .. math:: w_h = h \, r_{(k)}, \qquad k = \lceil (n + 1)\,\ell \rceil,

    the conformal quantile of the n values. None when fewer than ``min_n``
    errors exist.

    Two standard choices for errors that are not exchangeable over time (optional):

    * ``window``: only errors whose outcome year :math:`t = o + j` lies in the last
      ``window`` years up to ``origin`` (a rolling calibration window);
    * ``decay`` :math:`\rho`: non-exchangeable (weighted) conformal prediction
      (Barber, Candès, Ramdas & Tibshirani 2023, *Ann. Statist.* 51:816, §4) with
      weights :math:`w_i = \rho^{m_i}`, :math:`m_i` the number of errors whose outcome
      year is later than error i's (so the errors of one year share a weight), and
      the quantile the smallest :math:`r_{(k)}` with
      :math:`\sum_{i \le k} w_{(i)} / (\sum_i w_i + 1) \ge \ell` (the test point
      carries weight 1 at :math:`+\infty`; the largest r when none qualifies).
      With :math:`\rho = 1` this is the unweighted quantile above.

    ``volatility`` :math:`v` (a Series by year, :func:`local_volatility`): normalised
    (locally weighted) split-conformal prediction (Papadopoulos, Vovk & Gammerman 2008,
    *Proc. ICTAI*; Lei et al. 2018, *JASA* 113:1094, §5.2). Each error is divided by the
    volatility known at its origin, :math:`r = |e_{o,j}| / (j\, v_o)`, and the half-width at
    the forecast origin T is :math:`w_h = h\, v_T\, r_{(k)}`: the interval keeps the
    calibrated coverage while its width follows the volatility regime of the recent past.
    Errors whose origin has no volatility are dropped; None when ``origin`` has none.
    Only with the pooled rule (not ``by_horizon``).

    ``by_horizon``: instead of pooling :math:`|e|/j` over horizons, the quantile is taken
    separately for each horizon from that horizon's absolute errors (split-conformal per
    horizon, Stankeviciute, Alaa & van der Schaar 2021), :math:`w_h = |e|_{(k_h)}` over the
    :math:`n_h` errors at horizon h, with the same weights as above (each error's weight
    counts the errors of the *whole* table with a later outcome year, so it does not
    change with the split). Horizons with fewer than ``min_n`` errors, and horizons beyond
    the table, take :math:`w_h = (h / h')\, w_{h'}`, h' the longest horizon with at least
    ``min_n`` errors; then :math:`w_h \leftarrow \max_{j \le h} w_j` (the interval of a
    cumulative log level does not narrow with the horizon). None when no horizon has
    ``min_n`` errors.
    """
    if errors is None or not len(errors):
        return None
    e = errors
    dated = window is not None or (decay is not None and decay != 1.0)
    t = (e["origin"] + e["horizon"]).to_numpy(dtype=int) if dated else np.zeros(len(e), dtype=int)
    if window is not None and origin is not None:
        keep = t > int(origin) - int(window)
        e, t = e[keep], t[keep]
    hz = e["horizon"].to_numpy(dtype=int)
    a = np.abs(e["error"].to_numpy(dtype=float))
    ok = np.isfinite(a)
    v_now = 1.0
    if volatility is not None:
        if by_horizon:
            raise ValueError("volatility normalisation is only implemented for the pooled rule")
        v_now = float(volatility.get(int(origin), np.nan)) if origin is not None else np.nan
        if not (np.isfinite(v_now) and v_now > 0):
            return None
        v_o = volatility.reindex(e["origin"].to_numpy(dtype=int)).to_numpy(dtype=float)
        ok &= np.isfinite(v_o) & (v_o > 0)
        a = np.where(ok, a / np.where(ok, v_o, 1.0), np.nan)
    a, t, hz = a[ok], t[ok], hz[ok]
    if decay is None or decay == 1.0:
        wt = np.ones(a.size)
    else:  # weight of each error: rho^(errors of the whole table with a later outcome year)
        wt = float(decay) ** (a.size - np.searchsorted(np.sort(t), t, side="right"))
    hs = np.arange(1, int(n_horizons) + 1, dtype=float)
    if not by_horizon:
        r = a / hz
        if r.size < min_n:
            return None
        return _conformal_quantile(r, wt, level) * hs * v_now
    q = {h: _conformal_quantile(a[hz == h], wt[hz == h], level)
         for h in np.unique(hz) if np.count_nonzero(hz == h) >= min_n}
    if not q:
        return None
    top = max(q)  # n_h does not grow with h, so every horizon up to `top` normally has its own quantile
    out = np.array([q[int(h)] if int(h) in q else h / top * q[top] for h in hs])
    return np.maximum.accumulate(out)


def local_volatility(wide_logs: pd.DataFrame, window: int, min_obs: int = 2) -> pd.Series:
    r"""Volatility of the growth rate known at each year, pooled over the regions.

    .. math:: v_y = \Big(\frac{1}{|S_y|} \sum_{(t, r) \in S_y} (\Delta^2 \log x_{r,t})^2\Big)^{1/2},

    :math:`S_y` the (year, region) pairs with :math:`y - \text{window} < t \le y` where the
    second difference of the log level (the annual change of the growth rate) exists: the
    root mean square of the growth surprises of the last ``window`` years. NaN where fewer
    than ``min_obs`` values exist. Index = the panel's years.
    """
    w = wide_logs.sort_index()
    w.index = w.index.astype(int)
    years = np.arange(int(w.index.min()), int(w.index.max()) + 1)
    w = w.reindex(years)                     # a missing year is a gap, not a neighbour: the window counts years
    d2 = w.diff().diff()
    sq = (d2 ** 2).sum(axis=1, min_count=1)
    cnt = d2.notna().sum(axis=1)
    s = sq.rolling(int(window), min_periods=1).sum()
    c = cnt.rolling(int(window), min_periods=1).sum()
    return np.sqrt(s / c.where(c >= min_obs))


def _conformal_quantile(r: np.ndarray, w: np.ndarray, level: float) -> float:
    """Weighted split-conformal quantile (Barber et al. 2023): the smallest r_(k) with
    sum_{i<=k} w_(i) / (sum w + 1) >= level, the largest r when none qualifies; with equal
    weights the unweighted r_(k), k = ceil((n + 1) level) capped at n."""
    if np.all(w == 1.0):
        rs = np.sort(r)
        k = min(math.ceil((r.size + 1) * level), r.size)
        return float(rs[k - 1])
    order = np.argsort(r, kind="stable")
    cum = np.cumsum(w[order]) / (w.sum() + 1.0)
    idx = np.flatnonzero(cum >= level)
    return float(r[order][idx[0]] if idx.size else r[order][-1])


def stretch_to_width(log_paths: np.ndarray, widths: np.ndarray, level: float = 0.8) -> np.ndarray:
    """Rescale log paths (n_paths, h) about each year's median so that the central
    ``level`` interval has half-width ``widths[j]`` in year j (the last width
    repeats beyond its length); a year without spread is left as is."""
    h = log_paths.shape[1]
    w = np.asarray(widths, dtype=float)
    if w.size < h:
        w = np.concatenate([w, w[-1] + (w[-1] - (w[-2] if w.size > 1 else 0.0)) * np.arange(1, h - w.size + 1)])
    med = np.median(log_paths, axis=0, keepdims=True)
    lo, hi = np.quantile(log_paths, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    raw = (hi - lo) / 2
    fac = np.where(raw > 0, w[:h] / np.where(raw > 0, raw, 1.0), 1.0)
    return med + fac[None, :] * (log_paths - med)


def stretch(log_paths: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Rescale simulated log paths (n_paths, h) about each year's median by ``factors[:h]``
    (the last factor repeats beyond its length)."""
    h = log_paths.shape[1]
    f = np.asarray(factors, dtype=float)
    if f.size < h:
        f = np.concatenate([f, np.full(h - f.size, f[-1] if f.size else 1.0)])
    med = np.median(log_paths, axis=0, keepdims=True)
    return med + f[None, :h] * (log_paths - med)


def error_correlation(errors: pd.DataFrame, regions: list[str], min_rows: int = 5) -> np.ndarray | None:
    """Correlation of the regions' standardised errors at the same (origin, horizon),
    projected to a valid correlation matrix; None when fewer than ``min_rows``
    joint rows exist or an error column is constant."""
    if errors is None or not len(errors) or len(regions) < 2:
        return None
    w = errors.pivot_table(index=["origin", "horizon"], columns="region", values="z")
    if not set(regions) <= set(w.columns):
        return None
    w = w[list(regions)].dropna()
    if len(w) < min_rows or (w.std(ddof=1) <= 0).any():
        return None
    R = np.corrcoef(w.to_numpy(), rowvar=False)
    val, vec = np.linalg.eigh(R)
    R = (vec * np.clip(val, 1e-6, None)) @ vec.T
    d = np.sqrt(np.diag(R))
    return R / np.outer(d, d)
