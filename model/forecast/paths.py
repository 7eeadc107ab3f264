"""Method combination and coherent multi-region simulated paths.

Each region's paths are a **mixture** of methods: ``n_paths`` is split between
methods in proportion to their weights (largest-remainder rounding), every
method simulates its share from its full-history fit, and the pieces are
pooled.  Cross-region dependence is then imposed by **rank reordering**
(Iman & Conover 1982; the Schaake shuffle of Clark et al. 2004 with a Gaussian
copula template): a template of ``n_paths`` draws from N(0, R), with R the
empirical correlation matrix of the regions' historical log growth rates over
their common years, gives for each path index a rank per region, and each
region's whole trajectories are permuted so that the rank of its terminal
value matches the template rank.  Reordering only permutes whole paths, so every
region's marginal distribution (at every year) is preserved exactly, while path
``i`` becomes one joint scenario for all regions.  Aggregates are then sums of
regions **path by path** (:meth:`PathSet.add_total`), which keeps them coherent.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.forecast import methods as _m

__all__ = ["PathSet", "simulate_paths", "allocate_paths", "growth_correlation", "couple_pathsets",
           "historical_growth_correlation",
           "rank_reorder", "apply_growth_adjustment", "check_coherence", "coherence_error"]


@dataclass(frozen=True)
class PathSet:
    """Joint simulated paths of several regions.

    Attributes
    ----------
    years : ndarray of int, shape (n_years,)
        Forecast years (first year after the earliest last-observed year, up to
        the end year).  Years a region has already observed hold its observed
        value on every path.
    regions : tuple of str
        Region labels (column order of ``values``).
    values : ndarray, shape (n_paths, n_years, n_regions)
        **Levels** (exp of the simulated log-levels).
    history : pandas.DataFrame
        Observed levels (index = year, columns = regions).
    weights : dict
        ``{region: {method: weight}}`` used for the mixture.
    method_counts : dict
        ``{region: {method: n paths}}``.
    path_method : dict
        ``{region: ndarray of str (n_paths,)}`` method that produced each path
        (after reordering).
    correlation : ndarray
        Correlation matrix of historical growth used for the copula.
    growth_adjustment_pp : float
        Growth adjustment applied (percentage points per year).
    seed : int or None
    notes : tuple of str
        Fallbacks and other warnings.
    """

    years: np.ndarray
    regions: tuple
    values: np.ndarray
    history: pd.DataFrame
    weights: dict = field(default_factory=dict)
    method_counts: dict = field(default_factory=dict)
    path_method: dict = field(default_factory=dict, repr=False)
    correlation: np.ndarray | None = None
    growth_adjustment_pp: float = 0.0
    seed: int | None = None
    notes: tuple = ()
    totals: dict = field(default_factory=dict)

    @property
    def n_paths(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_years(self) -> int:
        return int(self.values.shape[1])

    def _ri(self, region) -> int:
        try:
            return self.regions.index(str(region))
        except ValueError:
            raise CztInputError("forecast.PathSet", f"unknown region {region!r}; "
                                                    f"have {', '.join(self.regions)}") from None

    def _yi(self, year) -> int:
        idx = np.flatnonzero(self.years == int(year))
        if idx.size == 0:
            raise CztInputError("forecast.PathSet", f"year {year} not in "
                                                    f"{self.years[0]}..{self.years[-1]}")
        return int(idx[0])

    def region(self, region) -> np.ndarray:
        """Paths of one region, shape (n_paths, n_years)."""
        return self.values[:, :, self._ri(region)]

    def at(self, region, year) -> np.ndarray:
        """Values of one region in one year across paths, shape (n_paths,)."""
        return self.values[:, self._yi(year), self._ri(region)]

    def add_total(self, name: str = "CZT", parts=None) -> "PathSet":
        """New PathSet with an extra region ``name`` = sum of ``parts``
        (default: all current regions) on every path and year; history summed
        over years where all parts are observed."""
        name = str(name)
        if name in self.regions:
            raise CztInputError("forecast.PathSet.add_total", f"region {name!r} already exists")
        parts = tuple(str(p) for p in (parts if parts is not None else self.regions))
        idx = [self._ri(p) for p in parts]
        tot = self.values[:, :, idx].sum(axis=2)
        hist = self.history.copy()
        hist[name] = hist[list(parts)].sum(axis=1, min_count=len(parts)).where(
            hist[list(parts)].notna().all(axis=1))
        return dataclasses.replace(
            self, regions=self.regions + (name,),
            values=np.concatenate([self.values, tot[:, :, None]], axis=2), history=hist,
            totals={**self.totals, name: parts})

    def to_frame(self, region) -> pd.DataFrame:
        """Paths of one region as a DataFrame (index = path, columns = years)."""
        return pd.DataFrame(self.region(region), columns=self.years)


def coherence_error(ps: PathSet, total: str = "CZT", parts=None) -> float:
    """Largest absolute difference between ``total`` and the sum of ``parts``
    over all paths and years (``parts`` default: those recorded by
    :meth:`PathSet.add_total`, else all other regions)."""
    if parts is None:
        parts = ps.totals.get(total, tuple(r for r in ps.regions if r != total))
    s = ps.values[:, :, [ps._ri(p) for p in parts]].sum(axis=2)
    return float(np.max(np.abs(ps.region(total) - s)))


def check_coherence(ps: PathSet, total: str = "CZT", parts=None, rtol: float = 1e-12) -> bool:
    """True if ``total`` equals the sum of ``parts`` on every path and year
    (to relative tolerance ``rtol``; 0 asks for exact equality)."""
    if parts is None:
        parts = ps.totals.get(total, tuple(r for r in ps.regions if r != total))
    s = ps.values[:, :, [ps._ri(p) for p in parts]].sum(axis=2)
    t = ps.region(total)
    return bool(np.all(np.abs(t - s) <= rtol * np.abs(s)))


def allocate_paths(weights: dict, n_paths: int) -> dict:
    """Split ``n_paths`` between methods in proportion to ``weights``
    (largest-remainder / Hamilton rounding; ties by order).  Returns
    ``{method: count}`` with counts summing to ``n_paths``."""
    names = list(weights)
    w = np.array([max(float(weights[k]), 0.0) for k in names])
    if not np.isfinite(w).all() or w.sum() <= 0:
        raise CztInputError("forecast.allocate_paths", f"weights must be non-negative with a positive sum: {weights}")
    w = w / w.sum()
    raw = w * n_paths
    cnt = np.floor(raw).astype(int)
    rem = n_paths - cnt.sum()
    order = sorted(range(len(names)), key=lambda i: (-(raw[i] - cnt[i]), i))
    for i in order[:rem]:
        cnt[i] += 1
    return {k: int(c) for k, c in zip(names, cnt)}


def growth_correlation(wide_logs: pd.DataFrame, min_years: int = 5) -> tuple[np.ndarray, str]:
    """Correlation of the columns' log growth rates over common years.

    Returns ``(R, note)``; R is the identity (with a note) when fewer than
    ``min_years`` common growth observations exist or a column has zero
    variance.  R is projected to the nearest valid correlation matrix by
    eigenvalue clipping."""
    k = wide_logs.shape[1]
    if k == 1:
        return np.ones((1, 1)), ""
    g = wide_logs.sort_index().diff().dropna(how="any")
    if len(g) < min_years or np.any(g.std(ddof=1).to_numpy() <= 0):
        return np.eye(k), f"identity correlation: only {len(g)} common growth years"
    R = np.corrcoef(g.to_numpy(), rowvar=False)
    w, V = np.linalg.eigh(R)
    w = np.clip(w, 1e-6, None)
    R = (V * w) @ V.T
    d = np.sqrt(np.diag(R))
    R = R / np.outer(d, d)
    return R, ""


def rank_reorder(paths: list[np.ndarray], corr: np.ndarray, rng: np.random.Generator,
                 key: str = "terminal") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Impose a Gaussian-copula rank dependence on per-region path sets.

    Parameters
    ----------
    paths : list of ndarray, each (n_paths, n_years)
        One path array per region (same n_paths).
    corr : ndarray (k, k)
        Correlation of the Gaussian template.
    rng : numpy.random.Generator
    key : {"terminal", "mean"}
        Statistic whose ranks are matched: the terminal value or the path mean.

    Returns
    -------
    (reordered, perms)
        ``reordered[j] = paths[j][perms[j]]`` — each region's rows permuted;
        marginals are unchanged.
    """
    k = len(paths)
    n = paths[0].shape[0]
    w, V = np.linalg.eigh(corr)
    L = V * np.sqrt(np.clip(w, 0.0, None))
    z = rng.standard_normal((n, k)) @ L.T
    out, perms = [], []
    for j, p in enumerate(paths):
        stat = p[:, -1] if key == "terminal" else p.mean(axis=1)
        by_value = np.argsort(stat, kind="stable")          # path ids sorted by value
        rank_z = np.argsort(np.argsort(z[:, j], kind="stable"), kind="stable")
        perm = by_value[rank_z]
        out.append(p[perm])
        perms.append(perm)
    return out, perms


def apply_growth_adjustment(levels: np.ndarray, base: np.ndarray | float, pp: float) -> np.ndarray:
    """Add ``pp`` percentage points to every year's growth rate of every path.

    ``levels`` (n_paths, h) follow the observed ``base`` level; growth
    ``g_t = L_t/L_{t-1} − 1`` becomes ``g_t + pp/100`` and levels are rebuilt
    by compounding (growth factors floored at 1e-6)."""
    if pp == 0:
        return levels
    base = np.asarray(base, dtype=float)
    prev = np.concatenate([np.broadcast_to(base, levels.shape[:1])[:, None], levels[:, :-1]], axis=1)
    fac = np.clip(levels / prev + pp / 100.0, 1e-6, None)
    return base[..., None] * np.cumprod(fac, axis=1) if base.ndim else base * np.cumprod(fac, axis=1)


def _normalise_weights(weights, columns, methods) -> dict:
    if weights is None:
        return {c: {m: 1.0 / len(methods) for m in methods} for c in columns}
    if isinstance(weights, pd.DataFrame):
        out = {}
        for c in columns:
            sub = weights[weights["region"].astype(str) == str(c)]
            if sub.empty:
                raise CztInputError("forecast.simulate_paths", f"no weights for region {c!r}")
            out[c] = dict(zip(sub["method"], sub["weight"].astype(float)))
        return out
    out = {}
    for c in columns:
        w = weights.get(c, weights.get(str(c))) if isinstance(weights, dict) else None
        if w is None:
            raise CztInputError("forecast.simulate_paths", f"no weights for region {c!r}")
        out[c] = dict(w)
    return out


def simulate_paths(wide_logs: pd.DataFrame, weights=None, *, end_year: int = 2035,
                   n_paths: int = 2000, seed: int = 0, methods=None,
                   growth_adjustment_pp: float = 0.0, dependence: str = "gaussian_copula",
                   fits: dict | None = None, spread_factors=None, half_widths=None,
                   correlation: np.ndarray | None = None) -> PathSet:
    """Coherent joint paths of the columns of ``wide_logs``.

    Parameters
    ----------
    wide_logs : pandas.DataFrame
        Log-levels, index = int year, columns = regions.  Each column may have
        leading/trailing NaN (dropped) but no interior gaps.
    weights : dict or pandas.DataFrame, optional
        ``{region: {method: weight}}`` or the tidy output of
        :func:`model.forecast.backtest.weights_from_backtest`.  Default: equal
        weights over ``methods``.
    end_year : int
        Last simulated year (must exceed every column's last observed year).
    n_paths : int
        Paths per region (≥ 1).
    seed : int
        Seed; the same seed gives identical paths.
    methods : sequence of str, optional
        Methods for the default equal weights (default: all).
    growth_adjustment_pp : float
        Percentage points added to every simulated year's growth rate on every
        path (e.g. −1 for a slow-growth scenario).
    dependence : {"gaussian_copula", "independent"}
        Rank reordering with the historical growth correlation, or the
        identity correlation (random pairing).
    fits : dict, optional
        Cache ``{(region, method): FitResult}``; filled in place.
    spread_factors : array_like or dict, optional
        Per-horizon factors (h = 1, 2, ...; or ``{region: factors}``) that
        rescale each region's simulated log paths about their yearly median
        (:func:`model.forecast.calibrate.stretch`); None = as simulated.
    half_widths : array_like, optional
        Half-widths (log points, h = 1, 2, ...) the central 80% interval of
        every region is rescaled to (:func:`model.forecast.calibrate.stretch_to_width`).
    correlation : ndarray, optional
        Copula correlation to use instead of the historical growth correlation
        (e.g. :func:`model.forecast.calibrate.error_correlation`).

    Returns
    -------
    PathSet
    """
    where = "forecast.simulate_paths"
    if not isinstance(wide_logs, pd.DataFrame) or wide_logs.shape[1] == 0:
        raise CztInputError(where, "wide_logs must be a DataFrame with at least one region column")
    if int(n_paths) != n_paths or n_paths < 1:
        raise CztInputError(where, f"n_paths must be a positive integer, got {n_paths!r}")
    wl = wide_logs.sort_index()
    cols = [str(c) for c in wl.columns]
    wl.columns = cols
    methods = list(methods) if methods is not None else list(_m.DEFAULT_METHODS)
    W = _normalise_weights(weights, cols, methods)
    ss = np.random.SeedSequence(int(seed))
    child = ss.spawn(len(cols) + 1)
    series, lasts = {}, {}
    for c in cols:
        s = wl[c].dropna()
        if s.empty:
            raise CztInputError(where, f"column {c!r} has no data")
        yrs = np.asarray(s.index, dtype=int)
        if np.any(np.diff(yrs) != 1):
            raise CztInputError(where, f"column {c!r} has interior gaps")
        series[c] = pd.Series(s.to_numpy(dtype=float), index=yrs)
        lasts[c] = int(yrs[-1])
        if end_year <= lasts[c]:
            raise CztInputError(where, f"end_year {end_year} must be after the last observed "
                                       f"year {lasts[c]} of {c!r}")
    first_fc = min(lasts.values()) + 1
    years = np.arange(first_fc, int(end_year) + 1)
    notes, counts, pmeth, arrs = [], {}, {}, []
    fits = {} if fits is None else fits
    for j, c in enumerate(cols):
        h = int(end_year) - lasts[c]
        alloc = allocate_paths(W[c], int(n_paths))
        counts[c] = alloc
        rng = np.random.default_rng(child[j])
        blocks, labels = [], []
        for mname, cnt in alloc.items():
            if cnt == 0:
                continue
            f = fits.get((c, mname))
            if f is None:
                f = _m.fit(mname, series[c])
                fits[(c, mname)] = f
            for wmsg in f.warnings:
                notes.append(f"{c}: {wmsg}")
            blocks.append(_m.simulate(f, h, cnt, rng))
            labels.append(np.full(cnt, mname, dtype=object))
        logs = np.concatenate(blocks, axis=0)
        if spread_factors is not None:
            from model.forecast.calibrate import stretch

            fac = spread_factors.get(c, spread_factors.get(str(c))) if isinstance(spread_factors, dict) else spread_factors
            if fac is not None:
                logs = stretch(logs, fac)
        if half_widths is not None:
            from model.forecast.calibrate import stretch_to_width

            logs = stretch_to_width(logs, half_widths)
        lab = np.concatenate(labels)
        lev = np.exp(logs)
        if growth_adjustment_pp:
            lev = apply_growth_adjustment(lev, float(np.exp(series[c].iloc[-1])), growth_adjustment_pp)
        pre = lasts[c] - first_fc + 1  # observed years inside the forecast window
        if pre > 0:
            obs = np.exp(series[c].loc[first_fc:lasts[c]].to_numpy())
            lev = np.concatenate([np.broadcast_to(obs, (lev.shape[0], pre)), lev], axis=1)
        arrs.append(lev)
        pmeth[c] = lab
    if dependence == "gaussian_copula" and correlation is not None:
        R = np.asarray(correlation, dtype=float)
        if R.shape != (len(cols), len(cols)):
            raise CztInputError(where, f"correlation must be {len(cols)}x{len(cols)}, got {R.shape}")
    elif dependence == "gaussian_copula":
        R, note = growth_correlation(wl)
        if note:
            notes.append(note)
    elif dependence == "independent":
        R = np.eye(len(cols))
    else:
        raise CztInputError(where, f"unknown dependence {dependence!r}")
    arrs, perms = rank_reorder(arrs, R, np.random.default_rng(child[-1]))
    pmeth = {c: pmeth[c][p] for c, p in zip(cols, perms)}
    values = np.stack(arrs, axis=2)
    hist = np.exp(wl)
    return PathSet(years=years, regions=tuple(cols), values=values, history=hist,
                   weights={c: dict(W[c]) for c in cols}, method_counts=counts, path_method=pmeth,
                   correlation=R, growth_adjustment_pp=float(growth_adjustment_pp),
                   seed=int(seed), notes=tuple(dict.fromkeys(notes)))


def historical_growth_correlation(log_a: pd.Series, log_b: pd.Series, min_years: int = 5) -> float:
    """Pearson correlation of the log growth rates of two year-indexed
    log-level series over their common years (0.0 if fewer than
    ``min_years`` common growth observations or a constant series)."""
    g = pd.concat([log_a.sort_index().diff(), log_b.sort_index().diff()], axis=1).dropna()
    if len(g) < min_years or (g.std(ddof=1) <= 0).any():
        return 0.0
    return float(np.corrcoef(g.to_numpy(), rowvar=False)[0, 1])


def couple_pathsets(ref: PathSet, other: PathSet, rho: float, *, ref_region: str | None = None,
                    other_region: str | None = None, seed: int = 0) -> PathSet:
    """Re-pair the joint paths of ``other`` with those of ``ref`` (Gaussian
    copula with correlation ``rho`` on the terminal values of ``ref_region``
    and ``other_region``).

    Whole joint paths of ``other`` are permuted (all its regions together), so
    its marginals, its cross-region dependence and any totals stay exactly as
    they were; path ``i`` of the result is meant to be read together with path
    ``i`` of ``ref`` (e.g. a high-tech value-added path over a GDP path, to
    compute a share path by path).  Use ``rho`` from
    :func:`historical_growth_correlation`.

    Returns
    -------
    PathSet
        ``other`` with permuted paths (same n_paths as ``ref`` required).
    """
    if ref.n_paths != other.n_paths:
        raise CztInputError("forecast.couple_pathsets",
                            f"path counts differ ({ref.n_paths} vs {other.n_paths})")
    if not -1.0 <= rho <= 1.0:
        raise CztInputError("forecast.couple_pathsets", f"rho must be in [-1, 1], got {rho}")
    ra = ref.region(ref_region if ref_region is not None else ref.regions[-1])[:, -1]
    ob = other.region(other_region if other_region is not None else other.regions[-1])[:, -1]
    n = ref.n_paths
    from scipy.stats import norm

    rank_a = np.argsort(np.argsort(ra, kind="stable"), kind="stable")
    z_a = norm.ppf((rank_a + 0.5) / n)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7919]))
    z_b = rho * z_a + math.sqrt(max(1.0 - rho * rho, 0.0)) * rng.standard_normal(n)
    perm = np.argsort(ob, kind="stable")[np.argsort(np.argsort(z_b, kind="stable"), kind="stable")]
    return dataclasses.replace(other, values=other.values[perm],
                               path_method={k: v[perm] for k, v in other.path_method.items()},
                               notes=other.notes + (f"paths coupled to another PathSet with rho={rho:.3f}",))
