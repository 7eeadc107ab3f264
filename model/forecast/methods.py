"""Univariate forecasting methods for annual log-level series.

Every method is a pure pair ``fit(y) -> FitResult`` and
``simulate(fit, h, n_paths, rng) -> ndarray (n_paths, h)`` of future
**log-levels**, plus ``point(fit, h) -> ndarray (h,)`` (the point forecast of
the log-level, used for backtest errors).  The registry :data:`METHODS` maps a
method name to a :class:`Method` triple.

Methods
-------
``drift``
    Random walk with drift on logs (the benchmark; Hyndman & Athanasopoulos,
    *FPP3* §5.2).  ``Δy_t = μ + σ ε_t``.  Simulated paths integrate parameter
    uncertainty with the standard non-informative prior (σ² drawn from its
    scaled-inverse-χ² posterior, μ | σ² ~ N(μ̂, σ²/m)), so the simulated
    predictive distribution is the Student-t of :func:`drift_interval`.
``ets_damped``
    ETS(A,Ad,N) — additive error, additive damped trend (Gardner & McKenzie
    1985; Hyndman et al. 2008) — statsmodels ``ETSModel`` on logs with its
    default parameter bounds; the (SSE = Gaussian ML) estimation is done by a
    fast MINPACK least squares; states, paths and point forecasts follow
    ``ETSResults`` exactly (checked against statsmodels in the tests, which is
    not imported at run time).
``arima``
    ARIMA(p,1,q) with drift: an ARMA(p,q) with a constant mean on the
    log-differences, p, q ≤ 2, order chosen by AICc (Hurvich & Tsai 1989).
    Estimated by conditional sum of squares (Box & Jenkins), conditioning on the
    first ``max_p`` differences for *every* candidate so that AICc values are
    computed on the same sample; stationarity/invertibility enforced through the
    partial-autocorrelation parameterisation (Barndorff-Nielsen & Schou 1973;
    Monahan 1984), PACFs bounded to ±0.98.  A numpy/scipy (MINPACK) CSS is
    used instead of statsmodels ``SARIMAX`` because the 9-model ``SARIMAX``
    grid costs ~0.6 s per fit versus ~15 ms (tests check the estimates agree
    with ``SARIMAX``).  Paths are simulated in vectorised numpy; the mean
    growth is drawn per path from N(μ̂, se²) with se from the long-run variance
    σ²(1+Σθ)²/((1−Σφ)² n).
``llt``
    Local linear trend (Harvey 1989, ch. 2): ``y = μ + ε``,
    ``μ' = μ + ν + ξ``, ``ν' = ν + ζ``; Gaussian ML via a scalar Kalman filter
    with approximate-diffuse initialisation (first two observations excluded
    from the likelihood) and the scale concentrated out, i.e. the model of
    statsmodels ``UnobservedComponents(level='local linear trend')`` (~7 ms
    instead of ~100 ms per fit; tests check the forecasts agree).  Paths draw the final state from its filtered distribution
    N(a_T, P_T) and propagate state and measurement shocks.
``slowing_growth``
    Converging growth: the growth rate ``g_t = Δy_t`` decays exponentially
    towards a long-run floor, ``g_t = f + c·exp(-k (t - t_0)) + e_t`` with
    AR(1) deviations ``e_t = ρ e_{t-1} + u_t`` (the "regression to the mean"
    of growth rates, Pritchett & Summers 2014; conditional convergence, Barro
    1991).  The curve is fitted by bounded non-linear least squares with
    ``k ∈ [0.01, 2]`` (half-life 0.35–69 years) and the floor ``f`` bounded to
    ``[min g − sd g, max g + sd g]`` so that the curve cannot extrapolate a
    linear fall without limit (estimated by variable projection: f, c by
    least squares for each k, k by a grid plus bounded Brent search); ρ is
    the lag-1 autocorrelation of the residuals clipped to [0, 0.9].  Paths follow the curve plus the AR(1) deviation
    started from the last residual; the curve parameters are treated as known
    (no parameter uncertainty — intervals are conditional on the curve).

``mean_reversion``
    Growth regressing to the world mean (Pritchett & Summers 2014): the
    current growth rate (3-year mean) decays geometrically toward 2%/yr with
    persistence 0.3 per decade; no parameter is fitted to the series.
``naive``
    Random walk without drift on logs (the no-change benchmark, *FPP3* §5.2):
    the level stays where it is, with the root-mean-square log change as the
    shock s.d.; opt-in (the deflator's real-time pool).

Short or failing series fall back to ``drift``; the returned :class:`FitResult`
then has ``method == "drift"``, ``requested`` the method asked for and a
human-readable entry in ``warnings``.  Use the generic :func:`fit`,
:func:`simulate` and :func:`point` (which dispatch on ``fit.method``).
"""
from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from model.errors import CztInputError

__all__ = [
    "FitResult", "Method", "METHODS", "DEFAULT_METHODS", "MIN_OBS",
    "fit", "simulate", "point",
    "fit_drift", "simulate_drift", "point_drift", "drift_interval",
    "fit_ets_damped", "simulate_ets_damped", "point_ets_damped",
    "fit_arima", "simulate_arima", "point_arima", "arima_order_table",
    "fit_llt", "simulate_llt", "point_llt",
    "fit_slowing_growth", "simulate_slowing_growth", "point_slowing_growth",
    "fit_mean_reversion", "simulate_mean_reversion", "point_mean_reversion",
    "MEAN_REVERSION_TARGET", "MEAN_REVERSION_PERSISTENCE",
]

#: minimum number of observations (log-levels) for each method; below it the
#: method falls back to ``drift`` (which itself needs 3).
MIN_OBS = {"drift": 3, "ets_damped": 10, "arima": 8, "llt": 8, "slowing_growth": 8, "mean_reversion": 8}


@dataclass(frozen=True)
class FitResult:
    """A fitted method.

    Attributes
    ----------
    method : str
        Method actually fitted (``"drift"`` after a fallback).
    requested : str
        Method that was asked for.
    params : dict
        Estimated parameters (plain floats / tuples; for reports).
    n_obs : int
        Number of log-level observations used.
    last_year : int or None
        Year of the last observation when ``y`` was a year-indexed Series.
    warnings : tuple of str
        Fallback and estimation notes (empty when all went well).
    state : dict
        Internal arrays needed by ``simulate``/``point`` (not a stable API).
    """

    method: str
    requested: str
    params: dict
    n_obs: int
    last_year: int | None = None
    warnings: tuple[str, ...] = ()
    state: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def fell_back(self) -> bool:
        return self.method != self.requested


@dataclass(frozen=True)
class Method:
    """Registry entry: the pure functions of one method."""

    name: str
    fit: Callable[..., FitResult]
    simulate: Callable[..., np.ndarray]
    point: Callable[[FitResult, int], np.ndarray]


# ----------------------------------------------------------------------------
# input handling


def _as_logs(y, where: str, min_obs: int = 3) -> tuple[np.ndarray, int | None]:
    """Validate ``y`` (array or year-indexed Series) -> (float array, last year)."""
    last_year = None
    if hasattr(y, "index") and hasattr(y, "to_numpy"):
        idx = y.index
        arr = np.asarray(y.to_numpy(dtype=float), dtype=float)
        if len(idx):
            try:
                yrs = np.asarray(idx, dtype=int)
            except (TypeError, ValueError):
                raise CztInputError(where, "series index must be integer years") from None
            if len(yrs) > 1 and np.any(np.diff(yrs) != 1):
                raise CztInputError(where, "years must be contiguous and increasing "
                                           f"(got {yrs[0]}..{yrs[-1]} with gaps)")
            last_year = int(yrs[-1])
    else:
        arr = np.asarray(y, dtype=float)
    if arr.ndim != 1:
        raise CztInputError(where, f"expected a 1-D series, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise CztInputError(where, f"series has {bad.size} NaN/inf value(s) "
                                   f"(first at position {bad[0]}); pass a contiguous series")
    if arr.size < min_obs:
        raise CztInputError(where, f"series too short: {arr.size} observation(s), "
                                   f"need at least {min_obs}")
    return arr, last_year


def _check_h(h: int, n_paths: int | None = None) -> None:
    if int(h) != h or h < 1:
        raise CztInputError("forecast.simulate", f"horizon h must be a positive integer, got {h!r}")
    if n_paths is not None and (int(n_paths) != n_paths or n_paths < 1):
        raise CztInputError("forecast.simulate", f"n_paths must be a positive integer, got {n_paths!r}")


def _fallback(y: np.ndarray, last_year, requested: str, why: str) -> FitResult:
    f = fit_drift(y)
    return FitResult("drift", requested, f.params, f.n_obs, last_year,
                     (f"{requested}: {why}; fell back to drift",), f.state)


# ----------------------------------------------------------------------------
# drift


_DRIFT_MIN_DF = 4


def fit_drift(y) -> FitResult:
    """Random walk with drift on log-levels.

    Parameters
    ----------
    y : array_like or pandas.Series
        Log-levels (Series indexed by contiguous int years, or a 1-D array).

    Returns
    -------
    FitResult
        ``params``: ``mu`` (mean log-difference), ``sigma`` (sd, ddof=1).
    """
    arr, last_year = _as_logs(y, "forecast.drift", MIN_OBS["drift"])
    d = np.diff(arr)
    m = d.size
    mu = float(d.mean())
    sigma = float(d.std(ddof=1)) if m > 1 else 0.0
    return FitResult("drift", "drift", {"mu": mu, "sigma": sigma}, arr.size, last_year, (),
                     {"y_last": float(arr[-1]), "m": m})


def simulate_drift(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator,
                   param_uncertainty: bool = True) -> np.ndarray:
    """Simulated log-level paths (n_paths, h) of the random walk with drift.

    With ``param_uncertainty`` (default) each path draws
    ``σ² ~ (m-1)s²/χ²_{m-1}`` and ``μ ~ N(μ̂, σ²/m)``, so the marginal at each
    horizon is the Student-t predictive of :func:`drift_interval`.  With fewer
    than 4 degrees of freedom (m < 5 differences) σ is kept at s (the
    t-predictive would have Cauchy-like tails) and only μ is drawn.
    """
    _check_h(h, n_paths)
    mu, s = fit.params["mu"], fit.params["sigma"]
    m = fit.state["m"]
    if param_uncertainty and m > 1:
        if m - 1 >= _DRIFT_MIN_DF:
            sig2 = (m - 1) * s * s / rng.chisquare(m - 1, size=(n_paths, 1))
            sig = np.sqrt(sig2)
        else:  # a χ² with < 4 df gives Cauchy-like σ draws: keep σ at s
            sig = np.full((n_paths, 1), s)
        mus = mu + sig / math.sqrt(m) * rng.standard_normal((n_paths, 1))
    else:
        sig = np.full((n_paths, 1), s)
        mus = np.full((n_paths, 1), mu)
    steps = mus + sig * rng.standard_normal((n_paths, h))
    return fit.state["y_last"] + np.cumsum(steps, axis=1)


def point_drift(fit: FitResult, h: int) -> np.ndarray:
    """Point forecast ``y_T + j μ̂``, j = 1..h."""
    return fit.state["y_last"] + fit.params["mu"] * np.arange(1, h + 1)


def drift_interval(fit: FitResult, h: int, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Analytic prediction interval of the drift model (Student-t, m-1 df).

    ``y_T + jμ̂ ± t_{m-1,(1+level)/2} · s · sqrt(j + j²/m)``, j = 1..h
    (FPP3 §5.5, with the drift's estimation variance).

    Returns
    -------
    (lower, upper) : tuple of ndarray, each shape (h,)
    """
    from scipy.stats import t as student_t

    if fit.method != "drift":
        raise CztInputError("forecast.drift_interval", f"needs a drift fit, got {fit.method}")
    j = np.arange(1, h + 1)
    m = fit.state["m"]
    q = student_t.ppf(0.5 + level / 2, max(m - 1, 1))
    half = q * fit.params["sigma"] * np.sqrt(j + j * j / m)
    c = point_drift(fit, h)
    return c - half, c + half


# ----------------------------------------------------------------------------
# ETS(A,Ad,N): MINPACK least squares; states, paths and point forecasts by the recursion


def _ets_recursion(alpha: float, beta: float, phi: float, l0: float, b0: float, y) -> tuple[list, float, float]:
    """One-step errors and final state of ETS(A,Ad,N) (Hyndman et al. 2008, §2.3).

    .. math:: \\hat y_t = l + \\phi b, \\quad e_t = y_t - \\hat y_t, \\quad
              l \\leftarrow \\hat y_t + \\alpha e_t, \\quad b \\leftarrow \\phi b + \\beta e_t

    on Python floats (for the 20-30 annual observations here this is faster than a
    vectorised filter, and needs no scipy.signal import at run time); the arithmetic is
    statsmodels' ``ETSResults.simulate`` recursion with the observed errors.

    Returns
    -------
    (errors, l_T, b_T) : list of float, float, float
    """
    lev, tr = float(l0), float(b0)
    out = [0.0] * len(y)
    for t, yt in enumerate(y):
        f = lev + tr * phi
        err = yt - f
        out[t] = err
        lev = f + alpha * err
        tr = tr * phi + beta * err
    return out, lev, tr


def _ets_resid(u: np.ndarray, y) -> np.ndarray:
    """One-step errors of ETS(A,Ad,N) for transformed parameters ``u``.

    α = lo + (hi−lo)·logistic(u0); β* = β/α likewise; φ = 0.8 + 0.18·logistic(u2)
    (statsmodels' default bounds: 1e-4 < α < 1 − 1e-4, 1e-4 < β/α < 1 − 1e-4,
    0.8 ≤ φ ≤ 0.98); u3, u4 = initial level and trend. ``y``: a list of floats."""
    alpha, beta, phi = _ets_params(u)
    return np.array(_ets_recursion(alpha, beta, phi, u[3], u[4], y)[0])


def _logistic(x):
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))


def _ets_params(u):
    alpha = 1e-4 + (1 - 2e-4) * _logistic(u[0])
    beta = alpha * (1e-4 + (1 - 2e-4) * _logistic(u[1]))
    phi = 0.8 + 0.18 * _logistic(u[2])
    return alpha, beta, phi


def fit_ets_damped(y) -> FitResult:
    """ETS(A,Ad,N) on log-levels, estimated as statsmodels' ``ETSModel`` would be.

    With additive errors the Gaussian MLE of ETSModel minimises the sum of
    squared one-step errors (Hyndman et al. 2008, §5.2), so the five parameters
    (α, β, φ, initial level, initial trend; statsmodels' default bounds) are
    estimated by MINPACK least squares (``ETSModel.fit`` takes 30–500 ms per
    call here, too slow for rolling backtests). The final state comes from the
    same recursion (:func:`_ets_recursion`), σ² = mean squared one-step error
    (statsmodels' concentrated scale) and the log-likelihood
    :math:`-\\tfrac n2(\\log 2\\pi\\sigma^2 + 1)`. Tests check, against
    ``ETSModel(...).smooth(params)``, the states, σ, the log-likelihood, the point
    forecasts and the simulated paths (same random stream), and that the likelihood
    reached is at least that of ``ETSModel.fit``; statsmodels is not imported at
    run time. Falls back to drift when ``len(y) < MIN_OBS['ets_damped']`` or the fit
    fails. ``params``: alpha, beta, phi, sigma (residual sd), initial level and
    trend, loglik.
    """
    arr, last_year = _as_logs(y, "forecast.ets_damped", MIN_OBS["drift"])
    if arr.size < MIN_OBS["ets_damped"]:
        return _fallback(arr, last_year, "ets_damped",
                         f"{arr.size} obs < {MIN_OBS['ets_damped']} needed")
    try:
        from scipy.optimize import leastsq

        yl = arr.tolist()
        d = np.diff(arr)
        best = None
        for start in ((0.5, 0.0, 0.0), (-6.0, 0.0, 0.0)):
            u0 = np.array([*start, arr[0] - d[:3].mean(), d[:3].mean()])
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                u = leastsq(_ets_resid, u0, args=(yl,), xtol=1e-7, ftol=1e-10, maxfev=1000)[0]
            sse = float(np.sum(_ets_resid(u, yl) ** 2))
            if best is None or sse < best[1]:
                best = (u, sse)
        u, sse = best
        alpha, beta, phi = _ets_params(u)
        err, l_T, b_T = _ets_recursion(alpha, beta, phi, u[3], u[4], yl)
        mse = float(np.mean(np.square(err)))
        sigma = math.sqrt(mse)
        loglik = -0.5 * arr.size * (math.log(2 * math.pi * mse) + 1.0) if mse > 0 else math.inf
        if not (np.isfinite(sigma) and all(np.isfinite([alpha, beta, phi, u[3], u[4], l_T, b_T]))):
            raise FloatingPointError("non-finite estimates")
    except Exception as exc:  # noqa: BLE001 - any estimation failure -> benchmark
        return _fallback(arr, last_year, "ets_damped", f"fit failed ({type(exc).__name__}: {exc})")
    params = {"alpha": float(alpha), "beta": float(beta), "phi": float(phi), "sigma": sigma,
              "initial_level": float(u[3]), "initial_trend": float(u[4]), "loglik": float(loglik)}
    return FitResult("ets_damped", "ets_damped", params, arr.size, last_year, (),
                     {"level": l_T, "trend": b_T})


def simulate_ets_damped(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Paths of the fitted ETS(A,Ad,N) from its final state, as ``ETSResults.simulate(h,
    anchor='end', repetitions=n_paths, rng=rng)`` draws them: ε = N(0, 1) draws of shape
    (h, n_paths) times σ, then ŷ = l + φb, y = ŷ + ε, l ← ŷ + αε, b ← φb + βε."""
    if fit.method != "ets_damped":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    p = fit.params
    alpha, beta, phi = p["alpha"], p["beta"], p["phi"]
    eps = rng.standard_normal((h, n_paths)) * p["sigma"]
    lev = np.full(n_paths, fit.state["level"])
    tr = np.full(n_paths, fit.state["trend"])
    out = np.empty((n_paths, h))
    for t in range(h):
        b = tr * phi
        f = lev + b
        out[:, t] = f + eps[t]
        lev = f + alpha * eps[t]
        tr = b + beta * eps[t]
    return out


def point_ets_damped(fit: FitResult, h: int) -> np.ndarray:
    """Point forecast l_T + (φ + … + φ^j) b_T, j = 1..h (the recursion with zero errors)."""
    if fit.method != "ets_damped":
        return point(fit, h)
    _check_h(h, 1)
    lev, tr, phi = fit.state["level"], fit.state["trend"], fit.params["phi"]
    out = np.empty(h)
    for t in range(h):
        tr = tr * phi
        lev = lev + tr
        out[t] = lev
    return out


# ----------------------------------------------------------------------------
# ARIMA(p,1,q) with drift: CSS on the differences, AICc grid


_R_MAX = 0.98  # partial autocorrelations bounded to keep roots off the unit circle


def _pacf_to_poly(u) -> np.ndarray:
    """Map unconstrained reals to the coefficients a of a stationary
    1 - a_1 B - ... - a_p B^p (Durbin-Levinson on r = 0.98·tanh(u))."""
    r = [_R_MAX * math.tanh(x) for x in u]
    if len(r) == 1:
        return np.array(r)
    if len(r) == 2:
        return np.array([r[0] * (1.0 - r[1]), r[1]])
    a = np.zeros(0)
    for k, rk in enumerate(r):
        a = np.r_[a - rk * a[::-1], rk] if k else np.array([rk])
    return a


def _arma_resid(theta_u: np.ndarray, d: np.ndarray, p: int, q: int, P: int) -> np.ndarray:
    """Conditional (CSS) residuals of ARMA(p,q) + mean on ``d``, t = P..m-1,
    pre-sample errors zero."""
    mu = theta_u[0]
    x = d - mu
    w = x[P:]
    if p:
        phi = _pacf_to_poly(theta_u[1:1 + p])
        w = w - phi[0] * x[P - 1:x.size - 1]
        if p > 1:
            w = w - phi[1] * x[P - 2:x.size - 2]
    if q:
        # e_t = w_t - θ1 e_{t-1} - θ2 e_{t-2}: a 28-step scalar recursion is
        # faster in plain Python than lfilter's call overhead
        th = _pacf_to_poly(theta_u[1 + p:1 + p + q])  # = -θ
        a1 = float(th[0])
        a2 = float(th[1]) if q > 1 else 0.0
        e1 = e2 = 0.0
        out = []
        for wt in w.tolist():
            et = wt + a1 * e1 + a2 * e2
            out.append(et)
            e2, e1 = e1, et
        w = np.array(out)
    return w


def _fit_arma_css(d: np.ndarray, p: int, q: int, P: int) -> dict:
    from scipy.optimize import leastsq

    x0 = np.r_[d.mean(), np.zeros(p + q)]
    if p:  # start AR at the lag-1 autocorrelation
        xc = d - d.mean()
        den = float(xc @ xc)
        r1 = float(xc[1:] @ xc[:-1]) / den if den > 0 else 0.0
        x0[1] = np.arctanh(np.clip(r1, -0.9, 0.9) / _R_MAX)
    if p or q:
        # MINPACK lmdif; an MA root drifting to the unit circle makes the
        # transformed problem flat, so the evaluation budget is capped and the
        # best point reached is used (its CSS value is still valid for AICc).
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            xs, ier = leastsq(_arma_resid, x0, args=(d, p, q, P), xtol=1e-6, ftol=1e-8,
                              maxfev=300)[:2]
        if ier not in (1, 2, 3, 4, 5) or not np.all(np.isfinite(xs)):
            raise RuntimeError(f"CSS did not converge (ier={ier})")
    else:
        xs = np.array([d[P:].mean()])

    class _Sol:
        x = np.atleast_1d(xs)

    sol = _Sol
    e = _arma_resid(sol.x, d, p, q, P)
    n = e.size
    sse = float(e @ e)
    sig2_ml = max(sse / n, 1e-300)
    ll = -0.5 * n * (math.log(2 * math.pi * sig2_ml) + 1.0)
    k = p + q + 2  # ARMA coefficients + mean + sigma^2
    aicc = -2 * ll + 2 * k + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf)
    phi = _pacf_to_poly(sol.x[1:1 + p]) if p else np.zeros(0)
    th = -_pacf_to_poly(sol.x[1 + p:1 + p + q]) if q else np.zeros(0)
    return {"p": p, "q": q, "mu": float(sol.x[0]), "phi": phi, "theta": th, "resid": e,
            "sse": sse, "n": n, "loglik": ll, "aicc": aicc,
            "sigma": math.sqrt(sse / max(n - (p + q + 1), 1))}


def arima_order_table(y, max_p: int = 2, max_q: int = 2) -> list[dict]:
    """AICc of every ARMA(p,q)+mean candidate on the log-differences of ``y``.

    Returns a list of dicts (p, q, aicc, loglik, mu, phi, theta, sigma, n),
    sorted by AICc; candidates with too few residuals (n - k - 1 ≤ 0 or
    n < 2k) are omitted.
    """
    if max_p not in (0, 1, 2) or max_q not in (0, 1, 2):
        raise CztInputError("forecast.arima", f"max_p and max_q must be 0, 1 or 2 "
                                              f"(got {max_p}, {max_q})")
    arr, _ = _as_logs(y, "forecast.arima", MIN_OBS["drift"])
    d = np.diff(arr)
    P = min(max_p, max(d.size - 4, 0))
    out = []
    for p in range(0, min(max_p, P) + 1):
        for q in range(0, max_q + 1):
            k = p + q + 2
            n = d.size - P
            if n - k - 1 <= 0 or n < 2 * k:
                continue
            try:
                r = _fit_arma_css(d, p, q, P)
            except Exception:  # noqa: BLE001 - skip candidates that fail
                continue
            if np.isfinite(r["aicc"]):
                out.append(r)
    out.sort(key=lambda r: (r["aicc"], r["p"] + r["q"]))
    return out


def fit_arima(y, max_p: int = 2, max_q: int = 2) -> FitResult:
    """ARIMA(p,1,q) with drift on log-levels; order by AICc over p, q ≤ 2.

    ``params``: p, q, mu (mean growth), phi, theta (tuples), sigma, aicc.
    """
    arr, last_year = _as_logs(y, "forecast.arima", MIN_OBS["drift"])
    if arr.size < MIN_OBS["arima"]:
        return _fallback(arr, last_year, "arima", f"{arr.size} obs < {MIN_OBS['arima']} needed")
    table = arima_order_table(arr, max_p, max_q)
    if not table:
        return _fallback(arr, last_year, "arima", "no ARMA candidate could be estimated")
    best = table[0]
    d = np.diff(arr)
    p, q = best["p"], best["q"]
    # standard error of the mean growth from the long-run variance
    lr = (1.0 + best["theta"].sum()) / (1.0 - best["phi"].sum()) if p or q else 1.0
    se_mu = best["sigma"] * abs(lr) / math.sqrt(best["n"])
    params = {"p": p, "q": q, "mu": best["mu"], "phi": tuple(map(float, best["phi"])),
              "theta": tuple(map(float, best["theta"])), "sigma": best["sigma"],
              "aicc": float(best["aicc"]), "se_mu": float(se_mu)}
    state = {"y_last": float(arr[-1]), "d_tail": d[::-1][:max(p, 1)].copy(),
             "e_tail": best["resid"][::-1][:max(q, 1)].copy(),
             "phi": best["phi"], "theta": best["theta"]}
    return FitResult("arima", "arima", params, arr.size, last_year, (), state)


def _arima_paths(fit: FitResult, h: int, mus: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Log-level paths for per-path means ``mus`` (n,1) and shocks ``eps`` (n,h)."""
    st = fit.state
    phi, th = st["phi"], st["theta"]
    p, q = phi.size, th.size
    n = eps.shape[0]
    # x = d - mu; lags most recent first
    xl = [st["d_tail"][i] - mus[:, 0] for i in range(p)]
    el = [np.full(n, st["e_tail"][j]) for j in range(q)]
    out = np.empty((n, h))
    for t in range(h):
        e = eps[:, t]
        x = e.copy()
        for i in range(p):
            x += phi[i] * xl[i]
        for j in range(q):
            x += th[j] * el[j]
        out[:, t] = mus[:, 0] + x
        if p:
            xl = [x] + xl[:-1]
        if q:
            el = [e] + el[:-1]
    return st["y_last"] + np.cumsum(out, axis=1)


def simulate_arima(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator,
                   param_uncertainty: bool = True) -> np.ndarray:
    """Vectorised simulation; with ``param_uncertainty`` the mean growth is
    drawn per path from N(μ̂, se_μ²)."""
    if fit.method != "arima":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    mu = fit.params["mu"]
    mus = np.full((n_paths, 1), mu)
    if param_uncertainty:
        mus = mus + fit.params["se_mu"] * rng.standard_normal((n_paths, 1))
    eps = fit.params["sigma"] * rng.standard_normal((n_paths, h))
    return _arima_paths(fit, h, mus, eps)


def point_arima(fit: FitResult, h: int) -> np.ndarray:
    if fit.method != "arima":
        return point(fit, h)
    return _arima_paths(fit, h, np.array([[fit.params["mu"]]]), np.zeros((1, h)))[0]


# ----------------------------------------------------------------------------
# local linear trend


def _llt_filter(y, s_eps: float, s_xi: float, s_zeta: float, kappa: float = 1e7):
    """Scalar Kalman filter of the local linear trend (approximate diffuse
    start: level y_0, slope 0, variances ``kappa``).

    Returns (innovations v_t and variances F_t for t >= 2 as lists, filtered
    state (m, v) at T and its covariance (p11, p12, p22))."""
    m, v = y[0], 0.0
    p11, p12, p22 = kappa, 0.0, kappa
    vs, fs = [], []
    n = len(y)
    for t in range(n):
        f = p11 + s_eps
        r = y[t] - m
        k1, k2 = p11 / f, p12 / f
        m, v = m + k1 * r, v + k2 * r
        # Joseph-free forms without cancellation: p11 - p11²/f = p11·s_eps/f
        p11, p12, p22 = p11 * s_eps / f, p12 * s_eps / f, p22 - p12 * p12 / f
        if t >= 2:
            vs.append(r)
            fs.append(f)
        if t == n - 1:
            break
        m = m + v
        p11, p12, p22 = p11 + 2 * p12 + p22 + s_xi, p12 + p22, p22 + s_zeta
    return vs, fs, (m, v), (p11, p12, p22)


def _llt_q(u) -> tuple[float, float, float]:
    """Variance shares (irregular, level, slope) summing to 1 from 2 reals."""
    e1 = math.exp(max(min(u[0], 30.0), -30.0))
    e2 = math.exp(max(min(u[1], 30.0), -30.0))
    s = 1.0 + e1 + e2
    return 1.0 / s, e1 / s, e2 / s


def _llt_cresid(u, y) -> np.ndarray:
    """Residuals whose sum of squares is a monotone transform of the
    concentrated (scale-free) negative log-likelihood: r_t = v_t/√F_t ·
    GM(F)^{1/2}, so Σr² = n σ̂² · GM(F) and log Σr² = log σ̂² + mean log F + c."""
    vs, fs, _, _ = _llt_filter(y, *_llt_q(u))
    v, f = np.asarray(vs), np.asarray(fs)
    return v / np.sqrt(f) * math.exp(0.5 * float(np.mean(np.log(f))))


def fit_llt(y) -> FitResult:
    """Local linear trend model on log-levels by Gaussian maximum likelihood.

    The scale is concentrated out: variances are σ²·(q_ε, q_ξ, q_ζ) with the
    shares on the simplex, σ̂² = mean(v²/F*), and the two share parameters
    are found by MINPACK least squares on :func:`_llt_cresid`.
    ``params``: sigma2_irregular, sigma2_level, sigma2_trend, level, slope
    (filtered at T), loglik.
    """
    arr, last_year = _as_logs(y, "forecast.llt", MIN_OBS["drift"])
    if arr.size < MIN_OBS["llt"]:
        return _fallback(arr, last_year, "llt", f"{arr.size} obs < {MIN_OBS['llt']} needed")
    try:
        from scipy.optimize import leastsq

        ylist = arr.tolist()
        best = None
        for u0 in ((0.0, -2.0), (-3.0, -3.0)):
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                u = leastsq(_llt_cresid, np.array(u0), args=(ylist,), xtol=1e-8, ftol=1e-10,
                            maxfev=400)[0]
            obj = float(np.sum(_llt_cresid(u, ylist) ** 2))
            if best is None or obj < best[1]:
                best = (u, obj)
        q = _llt_q(best[0])
        vs, fs, (m, v), (p11, p12, p22) = _llt_filter(ylist, *q)
        vv, ff = np.asarray(vs), np.asarray(fs)
        sig2 = float(np.mean(vv * vv / ff))
        n = vv.size
        ll = -0.5 * (n * (math.log(2 * math.pi * sig2) + 1.0) + float(np.sum(np.log(ff))))
        var = sig2 * np.asarray(q)
        if not (np.isfinite(ll) and np.all(np.isfinite(var))):
            raise FloatingPointError("non-finite likelihood")
    except Exception as exc:  # noqa: BLE001
        return _fallback(arr, last_year, "llt", f"fit failed ({type(exc).__name__}: {exc})")
    params = {"sigma2_irregular": float(var[0]), "sigma2_level": float(var[1]),
              "sigma2_trend": float(var[2]), "level": float(m), "slope": float(v),
              "loglik": float(ll)}
    cov = sig2 * np.array([[p11, p12], [p12, p22]])
    return FitResult("llt", "llt", params, arr.size, last_year, (), {"var": var, "a": np.array([m, v]), "P": cov})


def simulate_llt(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Draw (μ_T, ν_T) ~ N(a_T, P_T), then propagate level/slope shocks and
    add irregular noise."""
    if fit.method != "llt":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    se, sx, sz = np.sqrt(fit.state["var"])
    P = fit.state["P"]
    w, V = np.linalg.eigh((P + P.T) / 2)
    L = V * np.sqrt(np.clip(w, 0.0, None))
    s0 = fit.state["a"][None, :] + rng.standard_normal((n_paths, 2)) @ L.T
    lev, slope = s0[:, 0].copy(), s0[:, 1].copy()
    z = rng.standard_normal((n_paths, h, 3))
    out = np.empty((n_paths, h))
    for t in range(h):
        lev = lev + slope + sx * z[:, t, 1]
        slope = slope + sz * z[:, t, 2]
        out[:, t] = lev + se * z[:, t, 0]
    return out


def point_llt(fit: FitResult, h: int) -> np.ndarray:
    if fit.method != "llt":
        return point(fit, h)
    m, v = fit.state["a"]
    return m + v * np.arange(1, h + 1)


# ----------------------------------------------------------------------------
# converging ("slowing") growth


def _decay_curve(theta: np.ndarray, t: np.ndarray) -> np.ndarray:
    f, c, k = theta[..., 0:1], theta[..., 1:2], theta[..., 2:3]
    return f + c * np.exp(-k * t)


def fit_slowing_growth(y) -> FitResult:
    """Exponentially converging growth ``g_t = f + c·exp(-k t) + e_t`` fitted
    by bounded least squares on the log-differences (t = 0 at the first growth
    observation).

    ``params``: floor f, gap c, rate k, half_life (years), sigma, g_last_fit.
    """
    arr, last_year = _as_logs(y, "forecast.slowing_growth", MIN_OBS["drift"])
    if arr.size < MIN_OBS["slowing_growth"]:
        return _fallback(arr, last_year, "slowing_growth",
                         f"{arr.size} obs < {MIN_OBS['slowing_growth']} needed")
    try:
        g = np.diff(arr)
        t = np.arange(g.size, dtype=float)
        sd = float(g.std(ddof=1))
        flo, fhi = float(g.min() - sd), float(g.max() + sd)
        span = float(g.max() - g.min()) + sd + 1e-9
        lb = np.array([flo, -4 * span, 0.01])
        ub = np.array([fhi, 4 * span, 2.0])

        def profile(ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """(f, c, SSE) minimising over f, c for each rate k (variable
            projection: the model is linear in f and c given k)."""
            e = np.exp(-np.outer(ks, t))                    # (K, n)
            n = t.size
            se, see = e.sum(1), (e * e).sum(1)
            sg, seg = g.sum(), e @ g
            det = n * see - se * se
            with np.errstate(divide="ignore", invalid="ignore"):
                c = np.where(det > 1e-14, (n * seg - se * sg) / det, 0.0)
            f = (sg - c * se) / n
            out = (f < flo) | (f > fhi)
            if out.any():  # floor at its bound: re-solve c alone
                f = np.clip(f, flo, fhi)
                c = np.where(out, (seg - f * se) / np.maximum(see, 1e-300), c)
            c = np.clip(c, lb[1], ub[1])
            r = g[None, :] - f[:, None] - c[:, None] * e
            return f, c, (r * r).sum(1)

        ks = np.geomspace(lb[2], ub[2], 60)
        f_, c_, sse = profile(ks)
        i = int(np.argmin(sse))
        lo_k, hi_k = ks[max(i - 1, 0)], ks[min(i + 1, ks.size - 1)]
        from scipy.optimize import minimize_scalar

        sol = minimize_scalar(lambda k: float(profile(np.array([k]))[2][0]), bounds=(lo_k, hi_k),
                              method="bounded", options={"xatol": 1e-6})
        k_best = float(sol.x) if sol.fun <= sse[i] else float(ks[i])
        f1, c1, _ = profile(np.array([k_best]))

        class best:  # noqa: N801 - tiny record
            x = np.array([f1[0], c1[0], k_best])

        theta = best.x
        resid = g - _decay_curve(theta[None, :], t)[0]
        dof = max(g.size - 3, 1)
        sigma = math.sqrt(float(resid @ resid) / dof)
        den = float(resid[:-1] @ resid[:-1])
        rho = float(np.clip(resid[1:] @ resid[:-1] / den, 0.0, 0.9)) if den > 0 else 0.0
    except Exception as exc:  # noqa: BLE001
        return _fallback(arr, last_year, "slowing_growth", f"fit failed ({type(exc).__name__}: {exc})")
    f, c, k = map(float, theta)
    params = {"floor": f, "gap": c, "rate": k, "half_life": math.log(2) / k, "sigma": sigma,
              "rho": rho, "g_last_fit": float(f + c * math.exp(-k * t[-1])),
              "resid_last": float(resid[-1])}
    return FitResult("slowing_growth", "slowing_growth", params, arr.size, last_year, (),
                     {"theta": theta, "t_last": float(t[-1]), "y_last": float(arr[-1])})


def _slowing_paths(fit: FitResult, h: int, u: np.ndarray) -> np.ndarray:
    st, pr = fit.state, fit.params
    tt = st["t_last"] + np.arange(1, h + 1)
    curve = _decay_curve(st["theta"][None, :], tt)[0]
    rho = pr["rho"]
    e = np.full(u.shape[0], pr["resid_last"])
    g = np.empty_like(u)
    for j in range(h):
        e = rho * e + u[:, j]
        g[:, j] = curve[j] + e
    return st["y_last"] + np.cumsum(g, axis=1)


def simulate_slowing_growth(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Future growth = fitted curve + AR(1) deviation started at the last
    residual, innovations N(0, σ²(1−ρ²)) (so the deviations have variance σ²)."""
    if fit.method != "slowing_growth":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    sd_u = fit.params["sigma"] * math.sqrt(1.0 - fit.params["rho"] ** 2)
    return _slowing_paths(fit, h, sd_u * rng.standard_normal((n_paths, h)))


def point_slowing_growth(fit: FitResult, h: int) -> np.ndarray:
    if fit.method != "slowing_growth":
        return point(fit, h)
    return _slowing_paths(fit, h, np.zeros((1, h)))[0]


# ----------------------------------------------------------------------------
# growth regressing to the mean (Pritchett & Summers 2014)

#: long-run growth rate that growth regresses to: the world mean of per-capita GDP growth,
#: about 2%/yr (Pritchett & Summers 2014, "Asiaphoria meets regression to the mean", NBER w20573)
MEAN_REVERSION_TARGET = 0.02
#: annual persistence of growth deviations: P&S find decade-average growth rates persist with a
#: coefficient of about 0.3 from one decade to the next; 0.3 ** (1/10) = 0.887 per year
MEAN_REVERSION_PERSISTENCE = 0.3 ** 0.1
#: years averaged for the current growth rate (smooths single-year shocks)
MEAN_REVERSION_WINDOW = 3


def fit_mean_reversion(y) -> FitResult:
    r"""Growth regressing to the world mean (no parameter is estimated from ``y``).

    .. math:: g_{T+j} = g^* + \rho^j (\bar g_T - g^*) + \varepsilon_j,
              \qquad \bar g_T = \tfrac13 (g_T + g_{T-1} + g_{T-2})

    with :math:`g^*` = :data:`MEAN_REVERSION_TARGET` and :math:`\rho` =
    :data:`MEAN_REVERSION_PERSISTENCE` from the cross-country evidence that
    growth rates are weakly persistent and regress to the world mean as
    economies mature (Pritchett & Summers 2014; Barro 1991 on conditional
    convergence). ``params``: g_current, target, rho, sigma — the s.d. of the
    year-on-year changes of growth over :math:`\sqrt 2` (the noise of one
    year's growth), which is also the shock s.d. of the simulated growth.
    """
    arr, last_year = _as_logs(y, "forecast.mean_reversion", MIN_OBS["drift"])
    if arr.size < MIN_OBS["mean_reversion"]:
        return _fallback(arr, last_year, "mean_reversion",
                         f"{arr.size} obs < {MIN_OBS['mean_reversion']} needed")
    g = np.diff(arr)
    g0 = float(g[-MEAN_REVERSION_WINDOW:].mean())
    sigma = float(np.std(np.diff(g), ddof=1) / math.sqrt(2.0))
    params = {"g_current": g0, "target": MEAN_REVERSION_TARGET, "rho": MEAN_REVERSION_PERSISTENCE,
              "sigma": sigma}
    return FitResult("mean_reversion", "mean_reversion", params, arr.size, last_year, (),
                     {"y_last": float(arr[-1])})


def _mean_reversion_growth(fit: FitResult, h: int) -> np.ndarray:
    pr = fit.params
    return pr["target"] + (pr["g_current"] - pr["target"]) * pr["rho"] ** np.arange(1, h + 1)


def simulate_mean_reversion(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Expected growth path plus i.i.d. N(0, sigma²) growth shocks, and the current rate's own
    sampling error (sigma²/3, the window mean) carried with the decay."""
    if fit.method != "mean_reversion":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    pr = fit.params
    g = _mean_reversion_growth(fit, h)[None, :]
    d0 = pr["sigma"] / math.sqrt(MEAN_REVERSION_WINDOW) * rng.standard_normal((n_paths, 1))
    g = g + d0 * pr["rho"] ** np.arange(1, h + 1)[None, :] + pr["sigma"] * rng.standard_normal((n_paths, h))
    return fit.state["y_last"] + np.cumsum(g, axis=1)


def point_mean_reversion(fit: FitResult, h: int) -> np.ndarray:
    if fit.method != "mean_reversion":
        return point(fit, h)
    return fit.state["y_last"] + np.cumsum(_mean_reversion_growth(fit, h))


# ----------------------------------------------------------------------------
# naive: random walk without drift (the no-change benchmark)

def fit_naive(y) -> FitResult:
    r"""Random walk without drift on logs, :math:`y_{T+h} = y_T + \sum_{j \le h} \sigma \varepsilon_j`
    (the naive benchmark, Hyndman & Athanasopoulos, *FPP3* §5.2); ``sigma`` is the root mean
    square of the log changes (the no-change model's one-step error)."""
    arr, last_year = _as_logs(y, "forecast.naive", MIN_OBS["drift"])
    d = np.diff(arr)
    sigma = float(np.sqrt(np.mean(d ** 2)))
    return FitResult("naive", "naive", {"sigma": sigma}, arr.size, last_year, (), {"y_last": float(arr[-1])})


def simulate_naive(fit: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    if fit.method != "naive":
        return simulate(fit, h, n_paths, rng)
    _check_h(h, n_paths)
    return fit.state["y_last"] + np.cumsum(fit.params["sigma"] * rng.standard_normal((n_paths, h)), axis=1)


def point_naive(fit: FitResult, h: int) -> np.ndarray:
    if fit.method != "naive":
        return point(fit, h)
    return np.full(h, fit.state["y_last"])


# ----------------------------------------------------------------------------
# registry and generic dispatch

METHODS: dict[str, Method] = {
    "drift": Method("drift", fit_drift, simulate_drift, point_drift),
    "ets_damped": Method("ets_damped", fit_ets_damped, simulate_ets_damped, point_ets_damped),
    "arima": Method("arima", fit_arima, simulate_arima, point_arima),
    "llt": Method("llt", fit_llt, simulate_llt, point_llt),
    "slowing_growth": Method("slowing_growth", fit_slowing_growth, simulate_slowing_growth,
                             point_slowing_growth),
    "mean_reversion": Method("mean_reversion", fit_mean_reversion, simulate_mean_reversion,
                             point_mean_reversion),
    "naive": Method("naive", fit_naive, simulate_naive, point_naive),
}
#: the candidates of the combination (``mean_reversion`` is opt-in: it estimates no parameter)
DEFAULT_METHODS: tuple[str, ...] = ("drift", "ets_damped", "arima", "llt", "slowing_growth")

_FIT_CACHE: dict[Any, FitResult] = {}
_FIT_CACHE_MAX = 2000  # bounded memory (a fit holds its parameters and final state)


def _method(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise CztInputError("forecast.methods", f"unknown method {name!r}; "
                                                f"choose from {', '.join(METHODS)}") from None


def fit(method: str, y, *, cache: bool = True) -> FitResult:
    """Fit ``method`` to log-levels ``y`` (falls back to drift if needed).

    Fits are pure functions of the data, so results are memoised on
    ``(method, values, last year)`` when ``cache`` is true.
    """
    m = _method(method)
    if not cache:
        return m.fit(y)
    arr, last_year = _as_logs(y, f"forecast.{method}", MIN_OBS["drift"])
    key = (method, last_year, arr.tobytes())
    hit = _FIT_CACHE.get(key)
    if hit is None:
        hit = m.fit(y)
        if len(_FIT_CACHE) >= _FIT_CACHE_MAX:
            _FIT_CACHE.clear()
        _FIT_CACHE[key] = hit
    return hit


def simulate(fit_result: FitResult, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Simulated future log-levels, shape (n_paths, h), for any fitted method."""
    return _method(fit_result.method).simulate(fit_result, h, n_paths, rng)


def point(fit_result: FitResult, h: int) -> np.ndarray:
    """Point forecast of the log-level, shape (h,), for any fitted method."""
    return _method(fit_result.method).point(fit_result, h)
