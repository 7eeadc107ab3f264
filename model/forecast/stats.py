"""Summaries of simulated paths: quantiles, means, threshold probabilities and
the growth rate required to reach a target.

Conventions: ``paths`` are array-likes with paths on axis 0 (e.g. (n_paths,)
values of one year, or (n_paths, n_years) of one region).  Quantiles use
numpy's default linear interpolation (Hyndman & Fan 1996 type 7), so they can
be checked by hand.
"""
from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from model.errors import CztInputError

__all__ = ["DEFAULT_QS", "quantiles", "mean", "prob_meets", "required_growth", "cagr",
           "summarise_pathset"]

DEFAULT_QS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
_CMP = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def _arr(paths, where: str) -> np.ndarray:
    a = np.asarray(paths, dtype=float)
    if a.ndim == 0 or a.shape[0] == 0:
        raise CztInputError(where, "need at least one path")
    if np.isnan(a).any():
        raise CztInputError(where, "paths contain NaN")
    return a


def quantiles(paths, qs=DEFAULT_QS) -> np.ndarray:
    """Quantiles across paths (axis 0).

    Returns
    -------
    ndarray, shape (len(qs),) + paths.shape[1:]
    """
    qs = np.asarray(qs, dtype=float)
    if np.any((qs < 0) | (qs > 1)):
        raise CztInputError("forecast.quantiles", f"quantile levels must be in [0, 1]: {qs}")
    return np.quantile(_arr(paths, "forecast.quantiles"), qs, axis=0)


def mean(paths) -> np.ndarray | float:
    """Mean across paths (axis 0); a float for 1-D input."""
    m = _arr(paths, "forecast.mean").mean(axis=0)
    return float(m) if np.ndim(m) == 0 else m


def prob_meets(values, threshold, comparator: str = ">=") -> np.ndarray | float:
    """Share of paths with ``value <comparator> threshold``.

    Parameters
    ----------
    values : array_like
        Values per path (axis 0 = paths), e.g. one region in one year.
    threshold : float or array_like
        Broadcast against ``values[i]``.
    comparator : {">=", ">", "<=", "<"}

    Returns
    -------
    float (1-D ``values``) or ndarray of shares in [0, 1].
    """
    try:
        op = _CMP[comparator]
    except KeyError:
        raise CztInputError("forecast.prob_meets", f"comparator must be one of "
                                                   f"{', '.join(_CMP)}; got {comparator!r}") from None
    p = op(_arr(values, "forecast.prob_meets"), threshold).mean(axis=0)
    return float(p) if np.ndim(p) == 0 else p


def required_growth(latest_value: float, latest_year: int, target: float, target_year: int) -> float:
    """Constant annual growth needed to go from ``latest_value`` in
    ``latest_year`` to ``target`` in ``target_year``:
    ``(target/latest)^(1/(T−t)) − 1``."""
    if not target_year > latest_year:
        raise CztInputError("forecast.required_growth",
                            f"target_year {target_year} must be after latest_year {latest_year}")
    if not (latest_value > 0 and target > 0):
        raise CztInputError("forecast.required_growth",
                            f"values must be positive (latest {latest_value}, target {target})")
    return float((target / latest_value) ** (1.0 / (target_year - latest_year)) - 1.0)


def cagr(start, end, years: float) -> np.ndarray | float:
    """Compound annual growth rate ``(end/start)^(1/years) − 1`` (element-wise)."""
    r = (np.asarray(end, dtype=float) / np.asarray(start, dtype=float)) ** (1.0 / years) - 1.0
    return float(r) if np.ndim(r) == 0 else r


def summarise_pathset(ps, qs=DEFAULT_QS, regions=None) -> pd.DataFrame:
    """Tidy summary of a :class:`~model.forecast.paths.PathSet`.

    Returns
    -------
    pandas.DataFrame
        Columns region, year, mean, then one column per quantile named
        ``q05``, ``q10``, ``q25``, ``q50``, … (percent, 2 digits).
    """
    regions = ps.regions if regions is None else regions
    names = [f"q{round(q * 100):02d}" for q in qs]
    frames = []
    for r in regions:
        v = ps.region(r)
        q = quantiles(v, qs)
        df = pd.DataFrame({"region": r, "year": ps.years, "mean": v.mean(axis=0)})
        for name, row in zip(names, q):
            df[name] = row
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
