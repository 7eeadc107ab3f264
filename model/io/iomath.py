"""Pure input-output mathematics (no I/O, no side effects).

Notation follows Miller & Blair, *Input-Output Analysis: Foundations and
Extensions*, 2nd ed. (2009) and the layout of ``pymrio/tools/iomath.py``:

=========  ==========================================================
``Z``      n×n inter-industry flows, row *i* supplies column *j*
``x``      gross output (n,)
``f``      final demand (n,) or (n, k)
``A``      technical coefficients ``A = Z x̂⁻¹``
``L``      Leontief inverse ``L = (I − A)⁻¹``
``v``      value-added coefficients ``v = VA / x``
``B``      allocation (output) coefficients ``B = x̂⁻¹ Z``
``G``      Ghosh inverse ``G = (I − B)⁻¹``
=========  ==========================================================

Every function takes and returns ``numpy`` arrays; sectors with zero output
get zero coefficients (``x̂⁻¹`` is a generalised inverse), which is how
Hunan's sector 03 (no extraction of oil and gas) is handled.
"""
from __future__ import annotations

import numpy as np

from model.errors import CztInputError

__all__ = [
    "inv_diag", "calc_A", "calc_Z", "calc_L", "check_productive", "calc_x",
    "calc_x_from_L", "calc_v", "calc_B", "calc_G", "domestic_supply_share",
    "output_multipliers", "value_added_multipliers", "satellite_multipliers",
    "income_multipliers", "augment_households", "type2_output_multipliers",
    "rasmussen_linkages", "key_sectors", "ghosh_forward_multipliers",
    "propagate",
]


def inv_diag(x: np.ndarray) -> np.ndarray:
    """Generalised inverse of a diagonal: ``1/x_i`` where ``x_i ≠ 0`` else 0.

    Parameters
    ----------
    x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
        The diagonal of ``x̂⁻¹`` (zero where ``x_i = 0``).
    """
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    nz = x != 0
    out[nz] = 1.0 / x[nz]
    return out


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z x̂⁻¹`` (``a_ij = z_ij / x_j``).

    Columns of sectors with ``x_j = 0`` are set to zero.

    Parameters
    ----------
    Z : ndarray, shape (n, n)
        Inter-industry flows.
    x : ndarray, shape (n,)
        Gross output.

    Returns
    -------
    ndarray, shape (n, n)
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float)
    if Z.ndim != 2 or Z.shape[0] != Z.shape[1]:
        raise CztInputError("calc_A", f"Z must be square, got shape {Z.shape}")
    if x.shape != (Z.shape[0],):
        raise CztInputError("calc_A", f"x has shape {x.shape}, Z has {Z.shape}")
    return Z * inv_diag(x)[None, :]


def calc_Z(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Flows from coefficients: ``Z = A x̂``.

    Parameters
    ----------
    A : ndarray, shape (n, n)
    x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n, n)
    """
    return np.asarray(A, dtype=float) * np.asarray(x, dtype=float)[None, :]


def check_productive(A: np.ndarray, where: str = "A") -> float:
    """Check that ``I − A`` is productive (Hawkins–Simon); return ρ(A).

    A non-negative ``A`` is productive iff its spectral radius ``ρ(A) < 1``;
    then ``(I − A)⁻¹ = Σ_k A^k ≥ 0`` exists (Miller & Blair 2009, §2.3 and
    app. 2.1).

    Parameters
    ----------
    A : ndarray, shape (n, n)
    where : str
        Name used in the error message.

    Returns
    -------
    float
        The spectral radius ρ(A).

    Raises
    ------
    CztInputError
        If ``A`` is not square, has negative or non-finite entries, or
        ``ρ(A) ≥ 1`` (``I − A`` singular or not productive).
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise CztInputError(where, f"coefficient matrix must be square, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise CztInputError(where, "coefficient matrix has non-finite entries")
    if (A < 0).any():
        i, j = np.argwhere(A < 0)[0]
        raise CztInputError(where, f"negative coefficient at row {i}, column {j} ({A[i, j]:.4g})")
    rho = float(np.max(np.abs(np.linalg.eigvals(A)))) if A.size else 0.0
    if rho >= 1.0 - 1e-12:
        raise CztInputError(where, f"I - A is singular or not productive: spectral radius of A = {rho:.6g} >= 1")
    return rho


def calc_L(A: np.ndarray, check: bool = True) -> np.ndarray:
    """Leontief inverse ``L = (I − A)⁻¹``.

    Parameters
    ----------
    A : ndarray, shape (n, n)
    check : bool
        Run :func:`check_productive` first (default True).

    Returns
    -------
    ndarray, shape (n, n)
    """
    A = np.asarray(A, dtype=float)
    if check:
        check_productive(A)
    n = A.shape[0]
    try:
        return np.linalg.solve(np.eye(n) - A, np.eye(n))
    except np.linalg.LinAlgError as exc:  # pragma: no cover - guarded by check
        raise CztInputError("calc_L", f"I - A is singular ({exc})") from exc


def calc_x(Z: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Gross output from flows and final demand: ``x = Z 1 + f 1``.

    Parameters
    ----------
    Z : ndarray, shape (n, n)
    f : ndarray, shape (n,) or (n, k)

    Returns
    -------
    ndarray, shape (n,)
    """
    f = np.asarray(f, dtype=float)
    fsum = f if f.ndim == 1 else f.sum(axis=1)
    return np.asarray(Z, dtype=float).sum(axis=1) + fsum


def calc_x_from_L(L: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Output required by final demand: ``x = L f``.

    Parameters
    ----------
    L : ndarray, shape (n, n)
    f : ndarray, shape (n,) or (n, k)
        One or ``k`` final-demand vectors as columns.

    Returns
    -------
    ndarray, shape (n,) or (n, k)
    """
    return np.asarray(L, dtype=float) @ np.asarray(f, dtype=float)


def propagate(L: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Propagate many final-demand vectors at once: ``X = F Lᵀ``.

    Parameters
    ----------
    L : ndarray, shape (n, n)
    F : ndarray, shape (m, n)
        ``m`` final-demand vectors as rows.

    Returns
    -------
    ndarray, shape (m, n)
        Row *k* is ``L f_k``.
    """
    F = np.asarray(F, dtype=float)
    if F.ndim != 2 or F.shape[1] != L.shape[0]:
        raise CztInputError("propagate", f"F must be (m, {L.shape[0]}), got {F.shape}")
    return F @ np.asarray(L, dtype=float).T


def calc_v(va: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Value-added (or any primary-input) coefficients ``v_j = VA_j / x_j``.

    Parameters
    ----------
    va : ndarray, shape (n,)
    x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)  (zero where ``x_j = 0``)
    """
    return np.asarray(va, dtype=float) * inv_diag(x)


def calc_B(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Allocation coefficients ``B = x̂⁻¹ Z`` (``b_ij = z_ij / x_i``).

    Parameters
    ----------
    Z : ndarray, shape (n, n)
    x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n, n)
    """
    return inv_diag(x)[:, None] * np.asarray(Z, dtype=float)


def calc_G(B: np.ndarray) -> np.ndarray:
    """Ghosh inverse ``G = (I − B)⁻¹``, so that ``xᵀ = vaᵀ G``.

    Parameters
    ----------
    B : ndarray, shape (n, n)

    Returns
    -------
    ndarray, shape (n, n)
    """
    return calc_L(B)


def domestic_supply_share(go, ex, of, domestic_use) -> np.ndarray:
    """Share of each product's regional use supplied from regional output.

    Import-proportionality assumption (Miller & Blair 2009, §3.3 and §8.3):
    every user of product *i* draws the same share ``s_i`` of it from regional
    production, ``s_i = (x_i − e_i) / u_i`` where ``e_i`` is exports plus
    outflows and ``u_i = TIU_i + TC_i + GCF_i`` is total use inside the region
    (``= x_i − e_i + m_i`` when the table has no discrepancy column).
    ``s_i = 0`` where ``u_i = 0``.

    Parameters
    ----------
    go, ex, of, domestic_use : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    CztInputError
        If a share falls outside [0, 1] (beyond 1e-9).
    """
    num = np.asarray(go, float) - np.asarray(ex, float) - np.asarray(of, float)
    s = num * inv_diag(np.asarray(domestic_use, float))
    bad = np.where((s < -1e-9) | (s > 1 + 1e-9))[0]
    if bad.size:
        raise CztInputError("domestic_supply_share", f"share outside [0, 1] for product index {bad[0]} ({s[bad[0]]:.4g})")
    return np.clip(s, 0.0, 1.0)


def output_multipliers(L: np.ndarray) -> np.ndarray:
    """Simple (Type I) output multipliers: column sums ``m(o)_j = Σ_i l_ij``.

    Parameters
    ----------
    L : ndarray, shape (n, n)

    Returns
    -------
    ndarray, shape (n,)
    """
    return np.asarray(L, dtype=float).sum(axis=0)


def value_added_multipliers(v: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Total value added per unit of final demand: ``m(v) = vᵀ L``.

    With regional coefficients this is below 1; ``1 − m(v)_j`` is the leakage
    to imports and inflows (Miller & Blair 2009, §6.2.3).

    Parameters
    ----------
    v : ndarray, shape (n,)
    L : ndarray, shape (n, n)

    Returns
    -------
    ndarray, shape (n,)
    """
    return np.asarray(v, dtype=float) @ np.asarray(L, dtype=float)


def satellite_multipliers(e: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Total satellite use (e.g. energy) per unit of final demand: ``eᵀ L``.

    Parameters
    ----------
    e : ndarray, shape (n,)
        Direct intensity (e.g. tce per 10k yuan of output).
    L : ndarray, shape (n, n)

    Returns
    -------
    ndarray, shape (n,)
    """
    return np.asarray(e, dtype=float) @ np.asarray(L, dtype=float)


def augment_households(A: np.ndarray, h_r: np.ndarray, h_c: np.ndarray) -> np.ndarray:
    """Coefficients closed with respect to households (Miller & Blair 2009, §2.5).

    ``Ā = [[A, h_c], [h_rᵀ, 0]]`` where ``h_r`` is compensation of employees
    per unit of output (the household row) and ``h_c`` is household
    consumption of each product per unit of total household income (the
    household column).

    Parameters
    ----------
    A : ndarray, shape (n, n)
    h_r : ndarray, shape (n,)
    h_c : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n+1, n+1)
    """
    n = A.shape[0]
    Abar = np.zeros((n + 1, n + 1))
    Abar[:n, :n] = A
    Abar[:n, n] = h_c
    Abar[n, :n] = h_r
    return Abar


def type2_output_multipliers(Lbar: np.ndarray) -> np.ndarray:
    """Type II (total) output multipliers: ``Σ_{i≤n} l̄_ij`` for ``j ≤ n``.

    The household row is excluded (Miller & Blair 2009, §6.2.2, "truncated"
    total output multiplier).

    Parameters
    ----------
    Lbar : ndarray, shape (n+1, n+1)
        Inverse of the household-closed system.

    Returns
    -------
    ndarray, shape (n,)
    """
    n = Lbar.shape[0] - 1
    return Lbar[:n, :n].sum(axis=0)


def income_multipliers(h_r: np.ndarray, L: np.ndarray, Lbar: np.ndarray | None = None) -> dict:
    """Household-income multipliers (Miller & Blair 2009, §6.2.2).

    * simple: ``m(h)_j = Σ_i h_i l_ij``
    * Type I: ``m(h)_j / h_j``
    * total (Type II basis): ``l̄_{n+1,j}``, and Type II ``l̄_{n+1,j} / h_j``

    Ratios are NaN where ``h_j = 0`` (a sector with no output).

    Parameters
    ----------
    h_r : ndarray, shape (n,)
        Compensation per unit of output.
    L : ndarray, shape (n, n)
    Lbar : ndarray, shape (n+1, n+1), optional

    Returns
    -------
    dict of ndarray
        Keys ``simple``, ``type1`` and, with ``Lbar``, ``total``, ``type2``.
    """
    h = np.asarray(h_r, dtype=float)
    simple = h @ L
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"simple": simple, "type1": np.where(h > 0, simple / np.where(h > 0, h, 1), np.nan)}
        if Lbar is not None:
            n = len(h)
            total = Lbar[n, :n]
            out["total"] = total
            out["type2"] = np.where(h > 0, total / np.where(h > 0, h, 1), np.nan)
    return out


def rasmussen_linkages(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rasmussen (1956) normalised power and sensitivity of dispersion.

    ``BL_j = (Σ_i m_ij / n) / (Σ_ij m_ij / n²)`` (backward, column sums) and
    ``FL_i = (Σ_j m_ij / n) / (Σ_ij m_ij / n²)`` (forward, row sums). Pass
    ``M = L`` for backward linkages and ``M = G`` (Ghosh) for forward
    linkages, as Miller & Blair (2009, §12.2) recommend.

    Parameters
    ----------
    M : ndarray, shape (n, n)

    Returns
    -------
    (backward, forward) : tuple of ndarray, shape (n,)
        Both average 1 over the sectors.
    """
    M = np.asarray(M, dtype=float)
    n = M.shape[0]
    mean = M.sum() / n**2
    return M.sum(axis=0) / n / mean, M.sum(axis=1) / n / mean


def key_sectors(backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Classify sectors by linkages (Miller & Blair 2009, §12.2.4).

    Returns
    -------
    ndarray of str
        ``key`` (BL>1 and FL>1), ``backward`` (BL>1 only), ``forward``
        (FL>1 only) or ``weak``.
    """
    b, f = np.asarray(backward) > 1, np.asarray(forward) > 1
    return np.select([b & f, b, f], ["key", "backward", "forward"], default="weak")


def ghosh_forward_multipliers(G: np.ndarray) -> np.ndarray:
    """Ghosh output-(forward) multipliers: row sums ``Σ_j g_ij``.

    Total output made possible downstream per unit of primary input into
    sector *i* (Miller & Blair 2009, §12.1).

    Parameters
    ----------
    G : ndarray, shape (n, n)

    Returns
    -------
    ndarray, shape (n,)
    """
    return np.asarray(G, dtype=float).sum(axis=1)
