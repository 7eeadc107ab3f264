"""SALib designs of a sweep: the table of variants.

:func:`problem` turns a :class:`~model.sweep.spec.SweepSpec` into SALib's
problem dictionary; :func:`sample` draws the design with SALib's samplers —
Latin hypercube (``SALib.sample.latin``), Morris trajectories
(``SALib.sample.morris``, Morris 1991 with SALib's ``num_levels``) and
Saltelli's extension of Sobol' sequences (``SALib.sample.sobol``, scrambled,
Saltelli 2002 / Saltelli et al. 2010) — or, for ``grid``, the full factorial of
``n`` levels per parameter at the evenly spaced quantiles ``0, 1/(n-1), …, 1``
of each distribution (for a ``range``: ``n`` evenly spaced values including both
ends), scaled by SALib's :func:`SALib.util.scale_samples`.

The table has a ``variant`` column ``0 … N-1`` and one float column per
parameter key in the sweep file's order; rows are in the sampler's order, which
Morris and Sobol' analyses rely on. Same seed, same table (bit for bit).
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .spec import SALIB_DIST, SweepSpec


def problem(spec: SweepSpec) -> dict:
    """SALib problem dictionary of a sweep: ``num_vars``, ``names``, ``bounds``, ``dists``.

    ``bounds`` are SALib's parameters of each distribution (``[lo, hi]`` for a
    range; :data:`model.sweep.spec.BOUNDS_MEANING`), ``dists`` SALib's names
    (``unif``, ``norm``, ``triang``, ``lognorm``, ``truncnorm``).
    """
    return {"num_vars": len(spec.parameters), "names": spec.keys,
            "bounds": [p.salib_bounds for p in spec.parameters],
            "dists": [SALIB_DIST[p.distribution] for p in spec.parameters]}


def _seed(spec: SweepSpec) -> int:
    if spec.seed is None:
        raise ValueError(f"{spec.where}: the sweep has no seed (load it with load_sweep, or set seed)")
    return int(spec.seed)


def _grid(spec: SweepSpec, prob: dict) -> np.ndarray:
    """Full factorial of ``design.n`` evenly spaced quantile levels per parameter (first key slowest)."""
    from SALib.util import scale_samples

    u = np.linspace(0.0, 1.0, spec.design.n)
    unit = np.array(list(itertools.product(u, repeat=prob["num_vars"])), dtype=float)
    x = scale_samples(unit, dict(prob))
    # a range's grid is exactly evenly spaced with its ends (no rounding from lo + u (hi - lo) at u = 1)
    for j, p in enumerate(spec.parameters):
        if p.distribution == "uniform":
            lo, hi = p.salib_bounds
            x[:, j] = np.linspace(lo, hi, spec.design.n)[np.round(unit[:, j] * (spec.design.n - 1)).astype(int)]
    return x


def sample_matrix(spec: SweepSpec) -> np.ndarray:
    """The design as an ``N x k`` array (rows in the sampler's order)."""
    from SALib.sample import latin, morris, sobol

    prob, d, seed = problem(spec), spec.design, _seed(spec)
    if d.method == "grid":
        return _grid(spec, prob)
    if d.method == "lhs":
        return latin.sample(prob, d.n, seed=seed)
    if d.method == "morris":
        return morris.sample(prob, d.n, num_levels=d.levels, seed=seed)
    return sobol.sample(prob, d.n, calc_second_order=d.second_order, scramble=True, seed=seed)


def sample(spec: SweepSpec) -> pd.DataFrame:
    """The design of a sweep: one row per variant.

    Returns
    -------
    pandas.DataFrame
        ``variant`` (0 … N-1), then one float64 column per parameter key, in the
        sweep file's order. ``len`` equals :func:`model.sweep.spec.n_variants`.
    """
    x = np.asarray(sample_matrix(spec), dtype=float)
    df = pd.DataFrame(x, columns=spec.keys)
    df.insert(0, "variant", np.arange(len(df), dtype=np.int64))
    return df
