"""pyam-ready IAMC tables of a run.

``forecasts.csv`` keeps every row's ``basis`` and a text ``quantile`` (``history``,
``0.05`` … ``0.95``, ``mean``) so a reader sees what each number rests on. pyam
needs something else: a numeric ``quantile`` extra column without empty cells,
units that iam-units parses, and no per-row column that differs between a region
and its parts (a ``basis`` column makes CZT's *derived* history a different series
from the cities' *observed* history, so ``check_aggregate`` cannot line them up).
This module writes two frames:

``quantiles`` (``iamc_quantiles.csv``)
    extra column ``quantile`` (float, one of :data:`~model.results.iamc.QUANTILES`).
    A history value is known, so every quantile of it equals the value: history
    rows appear once per quantile level, and ``df.filter(quantile=0.5)`` is one
    continuous series (history, then the median path).
``mean`` (``iamc_mean.csv``)
    history and the path mean, no extra column.

CZT is the sum of the three cities on every simulated path, so ``CZT = Σ cities``
holds for history (at every quantile level) and for the mean in every year. It
does not hold for forecast quantiles — the quantile of a sum is not the sum of
the quantiles — and a ``check_aggregate`` on those years reports the gap.

Row-level ``basis`` becomes scenario metadata (``meta``): which variables rest
on labelled assumptions and which assumptions, the seed and the number of paths.
Units follow :func:`model.results.iamc.iamc_unit` (e.g. ``100m CNY`` → ``billion CNY/yr``
× 0.1, ``10k persons`` → ``million`` × 0.01); :func:`model.results.iamc.unit_registry`
adds the yuan to iam-units for ``convert_unit``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .iamc import HISTORY, IAMC_COLUMNS, QUANTILES, iamc_unit, write_csv

PYAM_FILES = {"quantiles": "iamc_quantiles.csv", "mean": "iamc_mean.csv"}


def _convert_units(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for unit in out.unit.unique():
        mapped = iamc_unit(unit)
        if mapped is None:
            continue  # kept in its own spelling (not parseable); listed by unmapped_units()
        sel = out.unit == unit
        out.loc[sel, "value"] = out.loc[sel, "value"] * mapped[1]
        out.loc[sel, "unit"] = mapped[0]
    return out


def unmapped_units(df: pd.DataFrame) -> list[str]:
    """Internal units in ``df`` that have no IAMC spelling in :mod:`model.results.iamc`."""
    return sorted(u for u in df.unit.unique() if iamc_unit(u) is None)


def pyam_frames(forecasts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ``quantiles`` and ``mean`` frames (see module docstring) from ``forecasts.csv`` rows.

    Parameters
    ----------
    forecasts : DataFrame
        IAMC long forecast table as written by the runner (text ``quantile``,
        ``basis``).
    """
    fc = forecasts.copy()
    q = fc["quantile"].astype(str)
    hist = fc[q == HISTORY]
    proj = fc[q != HISTORY]
    labels = proj["quantile"].astype(str)
    # history is known: every quantile of it is the value itself
    hq = pd.concat([hist.assign(quantile=x) for x in QUANTILES], ignore_index=True)
    pq = proj[labels != "mean"].assign(quantile=lambda d: d["quantile"].astype(float))
    quant = pd.concat([hq, pq], ignore_index=True)[IAMC_COLUMNS + ["quantile"]]
    quant["quantile"] = quant["quantile"].astype(float)
    mean = pd.concat([hist, proj[labels == "mean"]], ignore_index=True)[IAMC_COLUMNS]
    out = {}
    for k, d in (("quantiles", quant), ("mean", mean)):
        d = _convert_units(d)
        d["year"] = d["year"].astype(int)
        d["value"] = d["value"].astype(float)
        keys = [c for c in d.columns if c != "value"]
        out[k] = d.sort_values(keys).reset_index(drop=True)
    return out


def pyam_meta(result) -> pd.DataFrame:
    """One row per (model, scenario): seed, paths, and what rests on assumptions."""
    fc = result.forecasts
    sc = result.scenario
    rests = sorted(fc[fc.basis.astype(str).str.contains("assumption")].variable.unique())
    hist = fc[fc["quantile"].astype(str) == HISTORY]
    counts = hist.basis.value_counts()
    a = result.assumptions
    return pd.DataFrame([{
        "model": fc.model.iloc[0], "scenario": fc.scenario.iloc[0],
        "description": getattr(sc, "description", ""), "seed": getattr(sc, "seed", np.nan),
        "n_paths": getattr(result.projection, "n_paths", np.nan),
        "variables_resting_on_assumptions": "; ".join(rests),
        "assumptions": "; ".join(f"{r.key}={r.value}" for r in a.itertuples()) if a is not None else "",
        "history_rows_observed": int(counts.get("observed", 0)),
        "history_rows_derived": int(counts.get("derived", 0)),
        "history_rows_assumption": int(counts.get("assumption", 0)),
    }]).set_index(["model", "scenario"])


def to_pyam(result, statistic: str = "quantiles"):
    """The run as a :class:`pyam.IamDataFrame` with its metadata.

    Parameters
    ----------
    result : model.runner.RunResult
    statistic : {"quantiles", "mean"}
        Which frame (module docstring).

    Raises
    ------
    ImportError
        pyam is not installed (``pip install -e ".[pyam]"``).
    """
    if statistic not in PYAM_FILES:
        raise ValueError(f"statistic: expected one of {sorted(PYAM_FILES)}, got {statistic!r}")
    try:
        import pyam
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_pyam needs pyam: pip install -e '.[pyam]' (see README)") from exc
    df = pyam.IamDataFrame(pyam_frames(result.forecasts)[statistic])
    meta = pyam_meta(result)
    for col in meta.columns:
        df.set_meta(meta[col], name=col)
    return df


def write_pyam_files(forecasts: pd.DataFrame, folder: Path) -> list[str]:
    """Write ``iamc_quantiles.csv`` and ``iamc_mean.csv`` into ``folder``; return their names."""
    frames = pyam_frames(forecasts)
    for k, name in PYAM_FILES.items():
        write_csv(frames[k], Path(folder) / name, float_format="%.10g")
    return list(PYAM_FILES.values())
