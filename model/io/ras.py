"""RAS (biproportional) updating of a flow matrix to new margins.

Stone's RAS (Miller & Blair 2009, §7.4.1): find ``Z¹ = r̂ Z⁰ ŝ`` with row
sums ``u`` and column sums ``v`` by alternately scaling rows and columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.errors import CztInputError


@dataclass
class RASResult:
    """Outcome of :func:`ras`.

    Attributes
    ----------
    Z : ndarray
        Balanced matrix ``r̂ Z⁰ ŝ``.
    r, s : ndarray
        Cumulative row and column multipliers.
    iterations : int
        Row+column sweeps performed.
    residual : float
        Max absolute margin error relative to the largest target margin.
    converged : bool
    """

    Z: np.ndarray
    r: np.ndarray
    s: np.ndarray
    iterations: int
    residual: float
    converged: bool


def ras(Z0: np.ndarray, u: np.ndarray, v: np.ndarray, tol: float = 1e-10, max_iter: int = 10_000) -> RASResult:
    """Biproportional balancing of ``Z0`` to row sums ``u`` and column sums ``v``.

    Iterate ``r = u / (Z 1)``, ``Z ← r̂ Z``; ``s = v / (1ᵀ Z)``, ``Z ← Z ŝ``
    until ``max(|Z1 − u|, |1ᵀZ − v|) ≤ tol · max(u, v)``.

    Parameters
    ----------
    Z0 : ndarray, shape (n, m), non-negative
    u : ndarray, shape (n,)
        Target row sums.
    v : ndarray, shape (m,)
        Target column sums; ``Σu`` must equal ``Σv``.
    tol : float
    max_iter : int

    Returns
    -------
    RASResult

    Raises
    ------
    CztInputError
        Negative entries or targets, mismatched totals, or a zero row/column
        with a positive target.
    """
    Z = np.array(Z0, dtype=float)
    u, v = np.asarray(u, float), np.asarray(v, float)
    if Z.ndim != 2 or Z.shape != (len(u), len(v)):
        raise CztInputError("ras", f"shape mismatch: Z {Z.shape}, u {u.shape}, v {v.shape}")
    if (Z < 0).any() or (u < 0).any() or (v < 0).any():
        raise CztInputError("ras", "negative entries or targets (use GRAS for signed matrices)")
    scale = max(u.max(initial=0), v.max(initial=0), 1e-300)
    if abs(u.sum() - v.sum()) > 1e-9 * max(u.sum(), 1.0):
        raise CztInputError("ras", f"row targets sum to {u.sum():.10g} but column targets to {v.sum():.10g}")
    zr, zc = Z.sum(axis=1), Z.sum(axis=0)
    if ((zr == 0) & (u > 0)).any():
        raise CztInputError("ras", f"row {int(np.argmax((zr == 0) & (u > 0)))} is all zero but has a positive target")
    if ((zc == 0) & (v > 0)).any():
        raise CztInputError("ras", f"column {int(np.argmax((zc == 0) & (v > 0)))} is all zero but has a positive target")
    r_cum, s_cum = np.ones(len(u)), np.ones(len(v))
    residual, it = np.inf, 0
    for it in range(1, max_iter + 1):
        rs = Z.sum(axis=1)
        r = np.divide(u, rs, out=np.ones_like(u), where=rs > 0)
        Z *= r[:, None]
        r_cum *= r
        cs = Z.sum(axis=0)
        s = np.divide(v, cs, out=np.ones_like(v), where=cs > 0)
        Z *= s[None, :]
        s_cum *= s
        residual = max(np.abs(Z.sum(axis=1) - u).max(), np.abs(Z.sum(axis=0) - v).max()) / scale
        if residual <= tol:
            break
    return RASResult(Z=Z, r=r_cum, s=s_cum, iterations=it, residual=float(residual), converged=residual <= tol)


def margins_from_group_va(Z: np.ndarray, x: np.ndarray, va: np.ndarray, groups: np.ndarray,
                          target_group_va: dict) -> dict:
    """Target margins for moving a table to new three-sector VA levels.

    Method (each step an ASSUMPTION stated in calibration/io/README.md):

    1. sector VA scaled within its group: ``va¹_j = va_j · T_g / Σ_{k∈g} va_k``;
    2. VA coefficients unchanged: ``x¹_j = va¹_j / v_j``;
    3. column targets (intermediate inputs): ``v_j = x¹_j − va¹_j``;
    4. row targets (intermediate sales): ``u_i = Σ_j z_ij · x¹_i / x_i``
       (products without output use the aggregate growth), then scaled
       proportionally so ``Σu = Σv``.

    Returns
    -------
    dict
        ``u``, ``v``, ``x``, ``va`` (new), all ndarrays.
    """
    x, va = np.asarray(x, float), np.asarray(va, float)
    va1 = va.copy()
    for g, T in target_group_va.items():
        m = groups == g
        if not m.any():
            raise CztInputError("ras targets", f"unknown group '{g}'")
        va1[m] = va[m] * float(T) / va[m].sum()
    vcoef = np.divide(va, x, out=np.zeros_like(va), where=x > 0)
    x1 = np.divide(va1, vcoef, out=np.zeros_like(va1), where=vcoef > 0)
    col = x1 - va1
    row0 = np.asarray(Z, float).sum(axis=1)
    agg = col.sum() / np.asarray(Z, float).sum()
    growth = np.divide(x1, x, out=np.full_like(x1, agg), where=x > 0)
    row = row0 * growth
    row *= col.sum() / row.sum()
    return {"u": row, "v": col, "x": x1, "va": va1}
