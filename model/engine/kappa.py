"""Uncertainty of the capital–output ratios κ, for the structural model's sample paths.

The LP core calibrates the aggregate capital stock by perpetual inventory
(:func:`model.opt.capital.calibrate_capital`) from a Harberger initial stock
``K_0 = I_0 / (g_I + δ)``, where ``g_I`` is the mean real growth of investment
over the observed years (log differences ``d_t``, ``g_I = exp(mean d) − 1``).
That mean is estimated from a handful of years; its sampling uncertainty is
carried to κ:

    ĝ_j = exp(mean d + z_j · sd(d)/√n) − 1,   z_j ~ N(0, 1) (seeded)
    s_j = K_base(ĝ_j) / K_base(g_I)

with ``K_base`` the perpetual-inventory stock of the base year rolled forward
from that initial stock. ``s_j`` is the ``kappa_scale`` of sample path ``j``
(:class:`model.opt.PathInputs`): every cluster's κ is multiplied by it. With
the shipped data the ±2 s.e. range is about 0.95–1.07. δ is the LP's
depreciation rate (the project's one δ unless ``optimisation.depreciation_rate``
sets it) and is not drawn; ``optimisation.kappa_scale`` multiplies every draw
(:class:`model.opt.structural.StructuralParams`).

As of an origin T the state's year is the last GDP data year <= T, and
:func:`model.opt.capital.calibrate_capital` reads only the years from the IO
table year to it: nothing after T enters the draws (the structural model does
not run before 2019, :func:`model.engine.alternative.require_structural_state`).
"""
from __future__ import annotations

import numpy as np

from ..errors import CztInputError

#: Salt of the κ draws, so that they are independent of the forecast's own draws for the same seed.
KAPPA_SEED_SALT = 9_301


def kappa_scales(state, io_system, n: int, seed: int, delta: float | None = None) -> tuple[np.ndarray, str]:
    """``n`` seeded draws of the κ scale (module docstring) and a one-line note.

    Parameters
    ----------
    state : dict or model.opt.OptState
        The runner's state (needs the real GDP path back to the IO table year).
    io_system : model.io.system.IOSystem
        Its Hunan table gives the table year's investment rate.
    n : int
    seed : int
        The scenario's seed.
    delta : float, optional
        The LP's depreciation rate (``optimisation.depreciation_rate``); None =
        the project's one δ (``calibration/io/parameters.toml`` [capital]).

    Returns
    -------
    (ndarray (n,), str)
        Scales (all 1 when the inputs do not allow the calculation, said in the note).
    """
    from ..io.params import load_parameters, read_long_csv
    from ..opt.capital import calibrate_capital, kappa_scales_from_investment
    from ..opt.params import OptState
    from ..paths import DATA

    try:
        st = OptState.from_mapping(state)
        iop = load_parameters()
        delta = float(iop["capital"]["depreciation_rate"]) if delta is None else float(delta)
        ty = int(iop["base_year"])
        tab = io_system.table
        s_tab = float(tab.fd["FU201"].sum() / tab.va[["VA001", "VA002", "VA003", "VA004"]].to_numpy().sum())
        cap = calibrate_capital(read_long_csv(DATA / "macro" / "czt_best_panel_long.csv"), st.gdp_real_path or {},
                                s_tab, ty, int(st.year), delta)
    except (CztInputError, AttributeError, KeyError) as exc:
        return np.ones(n), f"kappa uncertainty not applied ({exc})"
    iv = np.array([cap.investment_real[y] for y in range(ty, int(st.year) + 1)])
    if len(iv) < 3:
        return np.ones(n), "kappa uncertainty not applied (fewer than 3 years of investment)"
    d = np.diff(np.log(iv))
    se = float(d.std(ddof=1) / np.sqrt(len(d)))
    z = np.random.default_rng([int(seed), KAPPA_SEED_SALT]).standard_normal(n)
    s = kappa_scales_from_investment(iv, delta, z)
    return s, (f"kappa uncertainty: mean real investment growth {ty}-{st.year} {np.exp(d.mean()) - 1:.4f} "
               f"(s.e. of the mean log growth {se:.4f}, {len(d)} changes) drawn per sample path; "
               f"kappa scale {s.min():.3f}-{s.max():.3f}")
