"""Rolling-origin (expanding-window) backtests and method weights.

For every origin year ``o`` (the last year of the training window) each method
is fitted to the log-levels up to ``o`` and forecasts ``o+1 .. o+H``; errors
are measured against the observed log-levels wherever they exist (Tashman
2000, "Out-of-sample tests of forecasting accuracy").

Accuracy measures (per region, variable, method, horizon h; errors on
**log-levels**, so ``mae`` ≈ mean absolute percentage error in level terms):

``mae``
    mean |ŷ_{o+h|o} − y_{o+h}| over origins; ``ŷ`` is the method's point
    forecast (``methods.point``).
``mase``
    **classic MASE** (Hyndman & Koehler 2006): each absolute error divided by
    the in-sample mean absolute first difference of the training window of its
    origin (the MAE of the one-step naive forecast), then averaged.
``rel_mae_vs_drift``
    **relative MAE against the drift benchmark**: ``mae`` of the method divided
    by ``mae`` of the random walk with drift on exactly the same
    (origin, horizon) pairs — "MASE against the drift benchmark"; < 1 beats
    drift, and it is exactly 1 for ``drift``.
``smape``
    symmetric MAPE in percent on levels, 200·|F − A| / (|F| + |A|)
    (Makridakis 1993), F = exp(ŷ), A = exp(y).
``coverage_80`` / ``coverage_90``
    share of outcomes inside the central 80 % / 90 % interval of the method's
    simulated paths (10–90 % and 5–95 % path quantiles).
``n``
    number of (origin) forecasts at that horizon; ``n_fallback`` counts how many
    of them came from a fallback (drift) fit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.forecast import methods as _m

__all__ = ["backtest_series", "backtest_panel", "weights_from_backtest", "BACKTEST_COLUMNS",
           "WEIGHT_COLUMNS"]

BACKTEST_COLUMNS = ["region", "variable", "method", "horizon", "n", "mae", "mase",
                    "rel_mae_vs_drift", "smape", "coverage_80", "coverage_90", "n_fallback"]
WEIGHT_COLUMNS = ["region", "variable", "method", "weight", "score_mae", "rule", "note"]


def _series(y, where: str) -> pd.Series:
    if not isinstance(y, pd.Series):
        raise CztInputError(where, "backtests need a pandas Series indexed by int year")
    s = y.dropna()
    if s.empty:
        raise CztInputError(where, "series is empty")
    yrs = np.asarray(s.index, dtype=int)
    if np.any(np.diff(yrs) != 1):
        raise CztInputError(where, f"series has interior gaps between {yrs[0]} and {yrs[-1]}")
    return pd.Series(s.to_numpy(dtype=float), index=yrs)


def _seed_for(seed: int, *keys) -> np.random.Generator:
    ints = [int(seed)]
    for k in keys:
        if isinstance(k, str):
            ints.extend(k.encode())
            ints.append(0)
        else:
            ints.append(int(k) & 0xFFFFFFFF)
    return np.random.default_rng(np.random.SeedSequence(ints))


def _origins(years: np.ndarray, origins, min_train: int, max_h: int) -> list[int]:
    lo, hi = origins
    first, last = int(years[0]), int(years[-1])
    out = []
    for o in range(int(lo), int(hi) + 1):
        if o - first + 1 >= min_train and o + 1 <= last:
            out.append(o)
    return out


def backtest_series(y: pd.Series, *, methods=_m.DEFAULT_METHODS, origins=(2008, 2019),
                    horizons=range(1, 6), region: str = "", variable: str = "",
                    n_paths: int = 500, seed: int = 0, min_train: int = 10,
                    return_raw: bool = False, discount: float = 1.0):
    r"""Rolling-origin backtest of ``methods`` on one log-level series.

    Parameters
    ----------
    y : pandas.Series
        Log-levels indexed by contiguous int years (leading/trailing NaN are
        dropped).
    methods : sequence of str
        Method names from :data:`model.forecast.methods.METHODS`; ``drift`` is
        always evaluated too (it is the benchmark).
    origins : (int, int)
        First and last origin year (inclusive); an origin is used when the
        training window has at least ``min_train`` observations and at least
        one outcome year follows it.
    horizons : iterable of int
        Forecast horizons in years.
    region, variable : str
        Labels copied into the output.
    n_paths : int
        Simulated paths per fit, for the interval coverage.
    seed : int
        Base seed; each (region, variable, method, origin) draws from its own
        child stream, so results do not depend on evaluation order.
    min_train : int
        Minimum training observations for an origin.
    return_raw : bool
        Also return the per-(origin, horizon) error table.
    discount : float
        Discount factor δ of the ``mae`` column: each error is weighted by
        :math:`\delta^{t_{max} - t}`, t = origin + horizon its outcome year and
        :math:`t_{max}` the last outcome year (discounted-error combination weights,
        Stock & Watson 2004, *J. Forecasting* 23:405; δ = 1: the plain MAE).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BACKTEST_COLUMNS`, one row per (method, horizon) with
        ``n > 0``; empty (with those columns) if no origin is possible.
        With ``return_raw``: ``(summary, raw)``.
    """
    s = _series(y, f"forecast.backtest[{region}/{variable}]")
    hs = sorted({int(h) for h in horizons})
    if not hs or hs[0] < 1:
        raise CztInputError("forecast.backtest", f"horizons must be positive integers, got {hs}")
    meths = list(dict.fromkeys(["drift", *methods]))
    for name in meths:
        _m._method(name)
    years = s.index.to_numpy()
    vals = s.to_numpy()
    max_h = max(hs)
    used = _origins(years, origins, min_train, max_h)
    rows = []
    for o in used:
        k = int(o - years[0] + 1)
        train = pd.Series(vals[:k], index=years[:k])
        scale = float(np.mean(np.abs(np.diff(vals[:k]))))
        avail = [h for h in hs if k - 1 + h < vals.size]
        if not avail:
            continue
        hmax = max(avail)
        actual = vals[k - 1 + np.array(avail)]
        for name in meths:
            f = _m.fit(name, train)
            pt = _m.point(f, hmax)[np.array(avail) - 1]
            sims = _m.simulate(f, hmax, n_paths, _seed_for(seed, region, variable, name, o))
            sims = sims[:, np.array(avail) - 1]
            q = np.quantile(sims, [0.05, 0.10, 0.90, 0.95], axis=0)
            fa, aa = np.exp(pt), np.exp(actual)
            for i, h in enumerate(avail):
                err = pt[i] - actual[i]
                rows.append((name, o, h, err, abs(err) / scale if scale > 0 else np.nan,
                             200.0 * abs(fa[i] - aa[i]) / (abs(fa[i]) + abs(aa[i])),
                             q[1, i] <= actual[i] <= q[2, i], q[0, i] <= actual[i] <= q[3, i],
                             f.fell_back))
    raw = pd.DataFrame(rows, columns=["method", "origin", "horizon", "error", "scaled_abs_error",
                                      "smape", "in_80", "in_90", "fallback"])
    summary = _summarise(raw, region, variable, meths, discount)
    return (summary, raw) if return_raw else summary


def _summarise(raw: pd.DataFrame, region: str, variable: str, meths, discount: float = 1.0) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c not in ("region", "variable", "method")
                                          else object) for c in BACKTEST_COLUMNS})
    raw = raw.assign(abs_error=raw["error"].abs())
    g = raw.groupby(["method", "horizon"], sort=False)
    out = g.agg(n=("abs_error", "size"), mae=("abs_error", "mean"),
                mase=("scaled_abs_error", "mean"), smape=("smape", "mean"),
                coverage_80=("in_80", "mean"), coverage_90=("in_90", "mean"),
                n_fallback=("fallback", "sum")).reset_index()
    if discount != 1.0:
        t = raw["origin"] + raw["horizon"]
        wt = float(discount) ** (int(t.max()) - t)
        d = raw.assign(_w=wt, _we=wt * raw["abs_error"]).groupby(["method", "horizon"], sort=False)[["_w", "_we"]].sum()
        dm = (d["_we"] / d["_w"])
        out["mae"] = [float(dm[(a, b)]) for a, b in zip(out["method"], out["horizon"])]
    drift = raw[raw["method"] == "drift"].set_index(["origin", "horizon"])["abs_error"]
    rel = {}
    for (name, h), grp in raw.groupby(["method", "horizon"], sort=False):
        keys = list(zip(grp["origin"], grp["horizon"]))
        dm = drift.reindex(keys).to_numpy()
        mm = grp["abs_error"].to_numpy()
        ok = np.isfinite(dm)
        den = dm[ok].mean() if ok.any() else np.nan
        rel[(name, h)] = (mm[ok].mean() / den) if den and den > 0 else (1.0 if den == 0 and mm[ok].mean() == 0 else np.nan)
    out["rel_mae_vs_drift"] = [rel[(a, b)] for a, b in zip(out["method"], out["horizon"])]
    out.loc[out["method"] == "drift", "rel_mae_vs_drift"] = 1.0
    out.insert(0, "variable", variable)
    out.insert(0, "region", region)
    order = {m: i for i, m in enumerate(meths)}
    out = out.sort_values(["method", "horizon"], key=lambda c: c.map(order) if c.name == "method" else c)
    out["n"] = out["n"].astype(int)
    out["n_fallback"] = out["n_fallback"].astype(int)
    return out[BACKTEST_COLUMNS].reset_index(drop=True)


def backtest_panel(wide_logs: pd.DataFrame, *, methods=_m.DEFAULT_METHODS, origins=(2008, 2019),
                   horizons=range(1, 6), variable: str = "", n_paths: int = 500, seed: int = 0,
                   min_train: int = 10, discount: float = 1.0) -> pd.DataFrame:
    """:func:`backtest_series` for every column of a wide log-level frame
    (index = year, columns = regions); rows concatenated."""
    parts = [backtest_series(wide_logs[c], methods=methods, origins=origins, horizons=horizons,
                             region=str(c), variable=variable, n_paths=n_paths, seed=seed,
                             min_train=min_train, discount=discount)
             for c in wide_logs.columns]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _summarise(pd.DataFrame(), "", variable, [])
    return pd.concat(parts, ignore_index=True)


WEIGHT_RULES = ("inverse_mae", "trimmed_inverse_mae", "best", "equal")
#: a method whose backtest MAE exceeds this multiple of the best method's is
#: dropped by the ``trimmed_inverse_mae`` rule (modelling choice)
TRIM_RATIO = 2.0


def weights_from_backtest(df: pd.DataFrame, rule: str = "inverse_mae", *, methods=None,
                          regions=None, variable: str | None = None) -> pd.DataFrame:
    """Method weights per (region, variable) from a backtest table.

    The score of a method is its MAE averaged over the horizons in ``df``
    (each horizon equally weighted).

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`backtest_series` / :func:`backtest_panel`.
    rule : {"inverse_mae", "trimmed_inverse_mae", "best", "equal"}
        ``inverse_mae``: w ∝ 1/score (Bates & Granger 1969 with independent
        errors; a method with zero MAE takes all weight);
        ``trimmed_inverse_mae``: the same after dropping every method whose
        score exceeds :data:`TRIM_RATIO` × the best score (trimmed combination,
        Timmermann 2006, *Handbook of Economic Forecasting* §7.2; Stock &
        Watson 2004) — keeps a clearly misspecified benchmark from fattening the
        tails; ``best``: weight 1 on the lowest score (ties: first in
        ``methods`` order); ``equal``: 1/k.
    methods : sequence of str, optional
        Methods that may receive weight (default: all methods in ``df``).
        Methods without backtest rows get weight 0, unless no method has rows,
        in which case weights are equal (``note`` says so).
    regions, variable : optional
        Regions/variable to produce rows for even if ``df`` has none for
        them (they get equal weights and a note).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WEIGHT_COLUMNS`; weights sum to 1 per (region, variable).
    """
    if rule not in WEIGHT_RULES:
        raise CztInputError("forecast.weights", f"unknown weight rule {rule!r}; "
                                                f"use one of {', '.join(WEIGHT_RULES)}")
    if methods is None:
        methods = list(dict.fromkeys(df["method"])) if len(df) else list(_m.DEFAULT_METHODS)
    methods = list(methods)
    keys = list(dict.fromkeys(zip(df["region"], df["variable"]))) if len(df) else []
    if regions is not None:
        v = variable if variable is not None else (keys[0][1] if keys else "")
        for r in regions:
            if (str(r), v) not in keys:
                keys.append((str(r), v))
    rows = []
    for reg, var in keys:
        sub = df[(df["region"] == reg) & (df["variable"] == var)] if len(df) else df
        scores = {m: float(sub.loc[sub["method"] == m, "mae"].mean()) if len(sub) else np.nan
                  for m in methods}
        have = {m: s for m, s in scores.items() if np.isfinite(s)}
        note = ""
        if not have or rule == "equal":
            w = {m: 1.0 / len(methods) for m in methods}
            note = "equal weights: no backtest origin available" if not have else "equal weights (rule)"
        elif rule == "best":
            best = min(have, key=lambda m: (have[m], methods.index(m)))
            w = {m: float(m == best) for m in methods}
        else:
            zero = [m for m, s in have.items() if s <= 0]
            if zero:
                w = {m: (1.0 / len(zero) if m in zero else 0.0) for m in methods}
            else:
                if rule == "trimmed_inverse_mae":
                    cut = TRIM_RATIO * min(have.values())
                    dropped = [m for m, s in have.items() if s > cut]
                    have = {m: s for m, s in have.items() if s <= cut}
                    if dropped:
                        note = (f"trimmed (MAE > {TRIM_RATIO:g} x best): " + ", ".join(dropped))
                inv = {m: 1.0 / have[m] if m in have else 0.0 for m in methods}
                tot = sum(inv.values())
                w = {m: inv[m] / tot for m in methods}
            missing = [m for m in methods if m not in have and not np.isfinite(scores[m])]
            if missing:
                note = (note + "; " if note else "") + "no backtest rows for " + ", ".join(missing) + " (weight 0)"
        for m in methods:
            rows.append((reg, var, m, w[m], scores[m], rule, note))
    return pd.DataFrame(rows, columns=WEIGHT_COLUMNS)
