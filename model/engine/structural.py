"""The structural model's control run and its response to levers (pure numpy).

The structural model is the linear core shared with the investment LP
(:mod:`model.opt.build`): clusters ``c``, years ``t = t0 … T`` (``t0`` the LP
base year), all money in 亿元 at base-year prices.

Control run (one per forecast path ``p``)
-----------------------------------------
Real GDP follows the control path, ``GDP_pt = GDP0 · R_pt / R_p,t0`` (``R``
the path's real GDP). Investment is the trend: ``I_pct = σ0_c · s · GDP_pt``
(``σ0`` the base allocation, ``s`` the IO table's investment rate). Other final
demand keeps its base composition ``o`` and is scaled so that the Leontief
balance reproduces the path's GDP exactly::

    X = L (k_pt o + g I_pt),   v·X = GDP_pt
    ⇒ k_pt = GDP_pt (1 − s v·L g) / (v·L o)

so the structural control reproduces the forecast on every path by
construction (:func:`control`; checked against the forecast median in the
tests).

Response to levers (:func:`respond`)
------------------------------------
With ``ΔI`` extra investment by destination cluster, ``ΔO`` final-demand
shocks, ``m_t`` an energy-efficiency multiplier and ``Δh`` within-cluster
high-tech upgrading::

    ΔK_c,t   = (1 − δ_c) ΔK_c,t−1 + ΔI_c,t                  (ΔK_t0 = 0)
    ΔO^x_c,t = φ_c ΔK_c,t−1 / (κ_c v_c)                      (capacity sold outside)
    ΔX_t     = L (g Σ_c ΔI_c,t + ΔO_t + ΔO^x_t)
    X^a = X + ΔX,  VA^a = v ∘ X^a,  GDP^a = Σ VA^a
    HT^a     = Σ_c (h_c + Δh_c,t) VA^a_c,t
    E^a      = m_t Σ_c e_c X^a_c,t + e_h GDP^a

The first term is the demand effect of the spending (Leontief); the second
is the supply effect of the new capacity: capital installed by the end of
year ``t − 1`` produces ``ΔK/κ`` of value added, of which the share ``φ_c``
(the cluster's exports and outflows over its output in the regionalised IO
table, DERIVED) finds buyers outside the region. Everything is linear, so a
zero lever gives ΔX = 0 and ratios of exactly 1 on every path.

The deviations are returned as ratios alternative / control, which
:mod:`model.engine.alternative` multiplies onto every control sample path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Structure:
    """Parameters of the structural model (arrays over clusters, 亿元 base-year prices).

    Attributes
    ----------
    clusters : tuple of str
    years : tuple of int
        ``t0 … T``; ``t0`` is the base (latest data) year.
    A, L : ndarray (n, n)
        Regional input coefficients and the Leontief inverse ``(I − A)⁻¹``.
    v, g, kappa, delta, phi : ndarray (n,)
        VA per output, investment-goods composition (Σ g = share of
        investment supplied regionally), capital-output ratio κ, depreciation
        δ, share of new capacity sold outside the region φ.
    o : ndarray (n,)
        Base-year other final demand (composition; scaled per path and year).
    inv_share0 : ndarray (n,)
        Base allocation of investment by destination cluster.
    s : float
        Control investment rate (investment / GDP).
    gdp0 : float
        Base-year GDP (= Σ VA0).
    h, e : ndarray (n,)
        High-tech share of VA; energy per unit of output.
    e_h : float
        Household energy per unit of GDP.
    """

    clusters: tuple
    years: tuple
    A: np.ndarray
    L: np.ndarray
    v: np.ndarray
    g: np.ndarray
    kappa: np.ndarray
    delta: np.ndarray
    phi: np.ndarray
    o: np.ndarray
    inv_share0: np.ndarray
    s: float
    gdp0: float
    h: np.ndarray
    e: np.ndarray
    e_h: float

    @property
    def n(self) -> int:
        return len(self.clusters)


def structure_from_params(p, phi: np.ndarray, s: float | None = None) -> Structure:
    """Build a :class:`Structure` from LP parameters (:class:`model.opt.OptParams`).

    Parameters
    ----------
    p : OptParams
    phi : ndarray (n,)
        Share of new capacity sold outside the region, by cluster.
    s : float, optional
        Control investment rate; default ``p.envelope[1]``.
    """
    A = np.asarray(p.A, float)
    n = A.shape[0]
    return Structure(clusters=tuple(p.clusters), years=tuple(p.years), A=A, L=np.linalg.inv(np.eye(n) - A),
                     v=np.asarray(p.v, float), g=np.asarray(p.g, float), kappa=np.asarray(p.kappa, float),
                     delta=np.asarray(p.delta, float), phi=np.clip(np.asarray(phi, float), 0.0, 1.0),
                     o=np.asarray(p.other_fd0, float), inv_share0=np.asarray(p.inv_share0, float),
                     s=float(p.envelope[1] if s is None else s), gdp0=float(p.gdp0),
                     h=np.asarray(p.hightech_share, float), e=np.asarray(p.energy_coef, float),
                     e_h=float(p.energy_hh))


@dataclass
class ControlRun:
    """The structural control on every path (arrays ``(n_paths, n_years)`` or ``(n_paths, n, n_years)``)."""

    gdp: np.ndarray
    X: np.ndarray
    O: np.ndarray
    I: np.ndarray
    ht: np.ndarray
    energy: np.ndarray


def control(st: Structure, real_index: np.ndarray) -> ControlRun:
    """Structural control run reproducing the control GDP paths.

    Parameters
    ----------
    st : Structure
    real_index : ndarray (n_paths, n_years)
        Real GDP of each path over ``st.years`` relative to the base year
        (``R_pt / R_p,t0``; column 0 is 1).

    Returns
    -------
    ControlRun
        ``X, O, I`` of shape ``(n_paths, n, n_years)``; ``gdp`` (= Σ v X),
        ``ht`` (= Σ h v X) and ``energy`` (= Σ e X + e_h GDP) of shape
        ``(n_paths, n_years)``.
    """
    R = np.atleast_2d(np.asarray(real_index, float))
    target = st.gdp0 * R
    vL = st.v @ st.L
    k = target * (1.0 - st.s * float(vL @ st.g)) / float(vL @ st.o)       # k_pt
    O = k[:, None, :] * st.o[None, :, None]
    Itot = st.s * target
    I = Itot[:, None, :] * st.inv_share0[None, :, None]
    X = np.einsum("ij,pjt->pit", st.L, O + st.g[None, :, None] * Itot[:, None, :])
    VA = st.v[None, :, None] * X
    gdp = VA.sum(axis=1)
    ht = (st.h[None, :, None] * VA).sum(axis=1)
    energy = (st.e[None, :, None] * X).sum(axis=1) + st.e_h * gdp
    return ControlRun(gdp=gdp, X=X, O=O, I=I, ht=ht, energy=energy)


@dataclass
class Response:
    """Alternative / control ratios (``(n_paths, n_years)``) and the alternative's levels."""

    gdp_ratio: np.ndarray
    ht_ratio: np.ndarray
    ei_ratio: np.ndarray
    gdp: np.ndarray
    ht: np.ndarray
    energy: np.ndarray
    investment: np.ndarray
    dK: np.ndarray


def respond(st: Structure, ctl: ControlRun, dI: np.ndarray | None = None, dO: np.ndarray | None = None,
            efficiency: np.ndarray | None = None, dh: np.ndarray | None = None) -> Response:
    """Structural response to levers on every control path (module docstring).

    Parameters
    ----------
    st : Structure
    ctl : ControlRun
        From :func:`control`.
    dI : ndarray (n_paths or 1, n, n_years), optional
        Extra investment by destination cluster, 亿元 base-year prices.
    dO : ndarray (n, n_years) or (n_paths, n, n_years), optional
        Extra other final demand by cluster (demand shocks).
    efficiency : ndarray (n_years,), optional
        Multiplier ``m_t`` on the clusters' energy per output (1 = none).
    dh : ndarray (n, n_years), optional
        Added high-tech share of VA by cluster (fraction; ``h + dh ≤ 1``).

    Returns
    -------
    Response
    """
    n_p, n, n_t = ctl.X.shape
    dI = np.zeros((1, n, n_t)) if dI is None else np.asarray(dI, float)
    if dI.ndim == 2:
        dI = dI[None]
    dK = np.zeros((dI.shape[0], n, n_t))
    for t in range(1, n_t):
        dK[:, :, t] = (1.0 - st.delta)[None, :] * dK[:, :, t - 1] + dI[:, :, t]
    dOx = np.zeros_like(dK)
    dOx[:, :, 1:] = (st.phi / (st.kappa * st.v))[None, :, None] * dK[:, :, :-1]
    fd = st.g[None, :, None] * dI.sum(axis=1)[:, None, :] + dOx
    if dO is not None:
        dO = np.asarray(dO, float)
        fd = fd + (dO if dO.ndim == 3 else dO[None])
    dX = np.einsum("ij,pjt->pit", st.L, fd)
    X = ctl.X + dX
    VA = st.v[None, :, None] * X
    gdp = VA.sum(axis=1)
    h = st.h[:, None] + (0.0 if dh is None else np.asarray(dh, float))
    ht = (h[None] * VA).sum(axis=1)
    m = np.ones(n_t) if efficiency is None else np.asarray(efficiency, float)
    energy = (st.e[None, :, None] * X).sum(axis=1) * m[None, :] + st.e_h * gdp
    inv = ctl.I.sum(axis=1) + dI.sum(axis=1)
    ei_ctl = ctl.energy / ctl.gdp
    return Response(gdp_ratio=gdp / ctl.gdp, ht_ratio=ht / ctl.ht, ei_ratio=(energy / gdp) / ei_ctl,
                    gdp=gdp, ht=ht, energy=energy, investment=np.broadcast_to(inv, gdp.shape).copy(), dK=dK)
