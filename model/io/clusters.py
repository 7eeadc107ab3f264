"""Industry clusters of the CZT plan as data: 42 sectors → clusters.

The mapping lives in ``calibration/io/cluster_map.csv`` (one row per sector
with the ``judgement`` behind it). Aggregation uses a 0/1 concordance matrix
``S`` (clusters × sectors): flows ``Z_c = S Z Sᵀ``, vectors ``y_c = S y``, so
totals are preserved exactly.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.io.params import IO_CALIBRATION, read_code_csv

CLUSTER_FILE = "cluster_map.csv"


def load_cluster_map(codes: list[str], path: Path | None = None) -> pd.DataFrame:
    """Read the sector → cluster mapping and check it covers ``codes`` exactly.

    Parameters
    ----------
    codes : list of str
        Sector codes of the table, in order.
    path : Path, optional
        Alternative mapping file.

    Returns
    -------
    DataFrame
        Indexed by sector code (table order), columns ``cluster``,
        ``cluster_en``, ``cluster_zh``, ``judgement``.
    """
    where = str(path or IO_CALIBRATION / CLUSTER_FILE)
    df = read_code_csv(CLUSTER_FILE, ["cluster", "cluster_en", "judgement"], path)
    missing = [c for c in codes if c not in df.index]
    extra = [c for c in df.index if c not in codes]
    if missing:
        raise CztInputError(where, f"sector code {missing[0]} has no cluster")
    if extra:
        raise CztInputError(where, f"row {extra[0]}: code not in the table")
    empty = df.index[df["judgement"].isna() | (df["judgement"].astype(str).str.strip() == "")]
    if len(empty):
        raise CztInputError(where, f"row {empty[0]}: empty judgement")
    return df.loc[codes]


def concordance(mapping: pd.Series) -> pd.DataFrame:
    """Concordance matrix ``S`` (clusters × sectors), ``s_cj = 1`` if j ∈ c.

    Parameters
    ----------
    mapping : Series
        Sector code → cluster id.

    Returns
    -------
    DataFrame
        Clusters in order of first appearance; columns are sector codes.
    """
    clusters = list(dict.fromkeys(mapping.values))
    S = np.zeros((len(clusters), len(mapping)))
    for j, c in enumerate(mapping.values):
        S[clusters.index(c), j] = 1.0
    return pd.DataFrame(S, index=clusters, columns=mapping.index)


def aggregate_matrix(M: pd.DataFrame, S: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a flow matrix: ``S M Sᵀ``."""
    return pd.DataFrame(S.to_numpy() @ M.to_numpy() @ S.to_numpy().T, index=S.index, columns=S.index)


def aggregate_vector(y, S: pd.DataFrame):
    """Aggregate a vector (Series) or column block (DataFrame): ``S y``."""
    if isinstance(y, pd.DataFrame):
        return pd.DataFrame(S.to_numpy() @ y.to_numpy(), index=S.index, columns=y.columns)
    return pd.Series(S.to_numpy() @ np.asarray(y, float), index=S.index, name=getattr(y, "name", None))
