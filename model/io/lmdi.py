"""LMDI decomposition of aggregate energy-intensity change.

Aggregate intensity ``I = E/Y = Σ_i S_i I_i`` with activity shares
``S_i = Y_i/Y`` and sector intensities ``I_i = E_i/Y_i``. LMDI-I (Ang 2004,
Energy Policy 32; Ang 2005, Energy Policy 33) splits a change exactly:

* additive: ``ΔI = ΔI_str + ΔI_int``, ``ΔI_str = Σ w_i ln(S_i¹/S_i⁰)``,
  ``ΔI_int = Σ w_i ln(I_i¹/I_i⁰)`` with ``w_i = L(E_i¹/Y¹, E_i⁰/Y⁰)``;
* multiplicative: ``I¹/I⁰ = D_str · D_int``,
  ``ln D_x = Σ (w_i / L(I¹, I⁰)) ln(x_i¹/x_i⁰)``;

where ``L(a, b) = (a − b)/(ln a − ln b)`` (``L(a, a) = a``) is the
logarithmic mean. Sectors with zero activity or energy in either period are
dropped from the sums (zero-value strategy of Ang & Liu 2007 in the limit)
and their contribution is reported as ``other``. Energy not tied to a
producing sector (household direct use) enters as a separate additive term
``households = E_h¹/Y¹ − E_h⁰/Y⁰``.
"""
from __future__ import annotations

import numpy as np

from model.errors import CztInputError


def logmean(a, b) -> np.ndarray:
    """Logarithmic mean ``L(a, b) = (a − b)/(ln a − ln b)``, ``L(a, a) = a``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a - b) / (np.log(a) - np.log(b))
    return np.where(np.isclose(a, b, rtol=1e-12, atol=0), a, out)


def lmdi_intensity(E0, E1, Y0, Y1, Eh0: float = 0.0, Eh1: float = 0.0) -> dict:
    """Decompose the change of ``I = (ΣE_i + E_h)/ΣY_i`` between two periods.

    Parameters
    ----------
    E0, E1 : array_like, shape (n,)
        Sector energy use in periods 0 and 1.
    Y0, Y1 : array_like, shape (n,)
        Sector activity (value added, constant prices).
    Eh0, Eh1 : float
        Household direct energy use (not attributed to a sector).

    Returns
    -------
    dict
        ``I0``, ``I1``, ``delta`` (= I1 − I0), additive ``structure``,
        ``efficiency``, ``households``, ``other`` (summing to ``delta``) and
        multiplicative ``D_structure``, ``D_efficiency`` for the sector part.
    """
    E0, E1, Y0, Y1 = (np.asarray(a, float) for a in (E0, E1, Y0, Y1))
    if not (E0.shape == E1.shape == Y0.shape == Y1.shape):
        raise CztInputError("lmdi_intensity", "E0, E1, Y0, Y1 must have the same shape")
    if min(E0.min(), E1.min(), Y0.min(), Y1.min()) < 0:
        raise CztInputError("lmdi_intensity", "negative energy or activity")
    Ytot0, Ytot1 = Y0.sum(), Y1.sum()
    ok = (E0 > 0) & (E1 > 0) & (Y0 > 0) & (Y1 > 0)
    e0, e1 = E0 / Ytot0, E1 / Ytot1            # contributions S_i I_i
    S0, S1 = Y0 / Ytot0, Y1 / Ytot1
    w = logmean(e1[ok], e0[ok])
    I0s, I1s = E0.sum() / Ytot0, E1.sum() / Ytot1
    str_ = float(np.sum(w * np.log(S1[ok] / S0[ok])))
    eff = float(np.sum(w * np.log((E1[ok] / Y1[ok]) / (E0[ok] / Y0[ok]))))
    other = float(e1[~ok].sum() - e0[~ok].sum())
    hh = Eh1 / Ytot1 - Eh0 / Ytot0
    I0, I1 = I0s + Eh0 / Ytot0, I1s + Eh1 / Ytot1
    Ls = logmean(e1[ok].sum(), e0[ok].sum())
    return {"I0": I0, "I1": I1, "delta": I1 - I0, "structure": str_, "efficiency": eff,
            "households": hh, "other": other,
            "D_structure": float(np.exp(str_ / Ls)), "D_efficiency": float(np.exp(eff / Ls))}
