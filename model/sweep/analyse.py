"""Sensitivity indices, tornado charts and the flip frontier of a finished sweep.

Inputs are the design (:func:`model.sweep.design.sample`: ``variant`` + one
column per parameter key) and the results (one row per variant, the columns of
:mod:`model.sweep`, joined on ``variant``).

Sensitivity indices (:func:`sensitivity`), by design:

``morris``  SALib's Morris analysis (Morris 1991; μ* of Campolongo et al. 2007):
            ``mu_star`` (with its bootstrap ``conf``), ``sigma``, ``mu``. Elementary
            effects are per unit of the Morris grid, i.e. in output units per full
            range of the parameter: for y = Σ b_i x_i on ranges r_i, μ*_i = |b_i| r_i.
``sobol``   SALib's Sobol' analysis of the Saltelli design (Saltelli et al. 2010):
            ``S1`` and ``ST`` with bootstrap confidence half-widths, ``S2`` (pairs
            ``"a × b"``) when the design has second order.
``lhs``, ``grid``
            SALib's RBD-FAST (Tarantola et al. 2006; Plischke 2010; bias-corrected as
            Tissot & Prieur 2012): a first-order index ``S1`` with a bootstrap ``conf``.
            Chosen because it needs no special sampling structure (any sample of
            the inputs, so variants that failed can simply be dropped), estimates
            the same quantity as Sobol' S1 (so tables from different designs read
            alike), and costs O(N log N) — unlike the moment-independent δ, whose
            bootstrap re-fits kernel densities and is slow at thousands of
            variants, or rank regression, which SALib lacks and which assumes
            monotone effects. It needs more than 2M = 20 variants (M = 10
            harmonics, SALib's default).

A Morris or Sobol' estimate needs every variant of its structure (trajectories,
Saltelli blocks): an output with failed (NaN) variants is reported as "not
analysable (k variants failed)" — ``value`` NaN, the reason in ``note`` — never
a crash. For lhs/grid the failed variants are dropped for that output (``note``
says how many). An output that does not vary gets indices 0 (``note``
"constant output") without dividing by its zero variance. When no output has
a computed index (every one is NaN or the 0 of a constant output),
:func:`no_sensitivity_reason` says why in one line: ``czt sweep`` prints it as a
warning and the report shows it in place of the table.

Tornado chart (:func:`swings`, :func:`tornado_chart`): for each parameter, the
mean output over the variants whose parameter value is at or below its 20th
percentile in the design (the lowest fifth) and at or above its 80th (the
highest fifth); the bar joins the two, sorted by the size of the swing. With
a grid or Morris design (a few levels) the fifths are the lowest and highest
levels.

Flip frontier (:func:`flip_frontier`, :func:`flip_chart`, :func:`flip_sentence`):
a variant *flips* when its verdict on the chosen target (``verdict.<target>``,
the scorecard status) differs from the base scenario's. Per parameter, the
variants are binned by that parameter — one bin per distinct value when there
are at most :data:`N_BINS` (grid, Morris levels), else :data:`N_BINS` bins of
equal width over the sampled range — and the share of flipped variants in each
bin is a marginal flip probability (averaged over the other parameters as the
design samples them). The threshold is where that share crosses one half,
interpolated linearly between the centres of the adjacent bins on either side
(the first crossing from the low end; ``crossings`` counts them), NaN if it
never does — or if the crossing is noise: the flip shares of the variants below
and above it must differ at the design's ``conf_level`` (two-proportion z-test,
``z`` column), else a parameter without effect would get a threshold wherever
its bins' shares wander around one half. Morris and Saltelli designs are
clustered (the k + 1 points of a trajectory, the k + 2 or 2k + 2 points of a
Saltelli row share most coordinates), so there z is divided by the square root
of the cluster size: Kish's design effect 1 + (m − 1)ρ at its upper bound ρ = 1,
i.e. each cluster counts as one observation (conservative).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .design import problem
from .spec import SweepSpec

#: Bins of a parameter's range in the flip frontier (the "~10 bins" of issue 12; modelling choice:
#: with 1 000 variants a bin holds ~100, so a share's standard error is at most 0.05).
N_BINS = 10
#: RBD-FAST harmonics (SALib's default M).
RBD_HARMONICS = 10
#: The fifths of the tornado chart: lowest and highest 20% of each parameter's values.
TORNADO_QUANTILE = 0.2
#: Index columns of :func:`sensitivity`.
COLUMNS = ["output", "parameter", "index", "value", "conf", "method", "note"]
_INDICES = {"morris": ("mu_star", "sigma", "mu"), "sobol": ("S1", "ST"), "lhs": ("S1",), "grid": ("S1",)}


def _joined(design: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Results in design order (joined on ``variant``; a variant without a result row gets NaNs)."""
    if "variant" in results.columns:
        res = results.drop(columns=[c for c in design.columns if c != "variant" and c in results.columns])
        return design.merge(res, on="variant", how="left", validate="one_to_one")
    if len(results) != len(design):
        raise ValueError(f"results have {len(results)} rows and no 'variant' column; the design has {len(design)}")
    return pd.concat([design.reset_index(drop=True), results.reset_index(drop=True)], axis=1)


def _method(spec: SweepSpec) -> str:
    return {"morris": "morris", "sobol": "sobol"}.get(spec.design.method, "rbd_fast")


def _rows(output: str, spec: SweepSpec, index_values: dict[str, tuple], note: str = "") -> list[dict]:
    return [{"output": output, "parameter": p, "index": ix, "value": v, "conf": c, "method": _method(spec),
             "note": note} for ix, vals in index_values.items() for p, v, c in vals]


def _filled(output: str, spec: SweepSpec, value: float, note: str) -> list[dict]:
    """Every index of every parameter set to ``value`` (0 for a constant output, NaN if not analysable)."""
    keys = spec.keys
    idx = {ix: [(k, value, value) for k in keys] for ix in _INDICES[spec.design.method]}
    if spec.design.method == "sobol" and spec.design.second_order:
        idx["S2"] = [(f"{a} × {b}", value, value) for i, a in enumerate(keys) for b in keys[i + 1:]]
    return _rows(output, spec, idx, note)


def _analyse_one(spec: SweepSpec, x: np.ndarray, y: np.ndarray, output: str) -> list[dict]:
    from SALib.analyze import morris, rbd_fast, sobol

    d, keys = spec.design, spec.keys
    prob = problem(spec)
    ok = np.isfinite(y)
    n_bad = int((~ok).sum())
    note = ""
    if n_bad:
        if d.method in ("morris", "sobol"):
            return _filled(output, spec, math.nan, f"not analysable ({n_bad} variants failed)")
        x, y = x[ok], y[ok]
        note = f"{n_bad} failed variants dropped"
    if len(y) == 0:
        return _filled(output, spec, math.nan, "not analysable (every variant failed)")
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.max(np.abs(y)))):
        return _filled(output, spec, 0.0, f"constant output ({y[0]:.6g} in every variant); indices 0")
    seed = int(spec.seed or 0)
    if d.method == "morris":
        si = morris.analyze(prob, x, y, num_resamples=d.bootstrap, conf_level=d.conf_level, num_levels=d.levels,
                            seed=seed)
        nan = [math.nan] * len(keys)
        idx = {"mu_star": list(zip(keys, si["mu_star"], si["mu_star_conf"])),
               "sigma": list(zip(keys, si["sigma"], nan)), "mu": list(zip(keys, si["mu"], nan))}
    elif d.method == "sobol":
        # SALib seeds its bootstrap only for a truthy seed; a Generator is truthy for every seed, 0 included
        si = sobol.analyze(prob, y, calc_second_order=d.second_order, num_resamples=d.bootstrap,
                           conf_level=d.conf_level, seed=np.random.default_rng(seed))
        idx = {"S1": list(zip(keys, si["S1"], si["S1_conf"])), "ST": list(zip(keys, si["ST"], si["ST_conf"]))}
        if d.second_order:
            idx["S2"] = [(f"{a} × {b}", si["S2"][i, j], si["S2_conf"][i, j])
                         for i, a in enumerate(keys) for j, b in enumerate(keys) if j > i]
    else:
        if len(y) <= 2 * RBD_HARMONICS:
            return _filled(output, spec, math.nan, f"not analysable ({len(y)} variants; RBD-FAST with "
                                                   f"M = {RBD_HARMONICS} needs more than {2 * RBD_HARMONICS})")
        si = rbd_fast.analyze(prob, x, y, M=RBD_HARMONICS, num_resamples=d.bootstrap, conf_level=d.conf_level,
                              seed=seed)
        idx = {"S1": list(zip(keys, si["S1"], si["S1_conf"]))}
    idx = {k: [(p, float(v), float(c)) for p, v, c in vals] for k, vals in idx.items()}
    return _rows(output, spec, idx, note)


def sensitivity(spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Sensitivity indices of each output to each parameter (module docstring).

    Parameters
    ----------
    spec : SweepSpec
    design : DataFrame
        :func:`model.sweep.design.sample` of ``spec``.
    results : DataFrame
        One row per variant (``variant`` + result columns); a missing row or a
        NaN counts as a failed variant.
    outputs : list of str
        Numeric result columns to analyse.

    Returns
    -------
    DataFrame
        Long form: ``output, parameter, index, value, conf, method, note``;
        ``conf`` is the half-width of the ``design.conf_level`` bootstrap
        interval (NaN for indices without one).
    """
    df = _joined(design, results)
    x = design[spec.keys].to_numpy(dtype=float)
    rows: list[dict] = []
    for o in outputs:
        if o not in df.columns:
            raise ValueError(f"output '{o}' is not a result column")
        y = pd.to_numeric(df[o], errors="coerce").to_numpy(dtype=float)
        rows += _analyse_one(spec, x, y, o)
    return pd.DataFrame(rows, columns=COLUMNS)


#: :func:`output_status` values.
COMPUTED, CONSTANT, NOT_ANALYSABLE = "computed", "constant", "not analysable"
_HINT = {"morris": "a Morris estimate needs every variant of each trajectory",
         "sobol": "a Sobol' estimate needs every variant of each Saltelli block"}


def output_status(sens: pd.DataFrame | None) -> dict[str, str]:
    """What :func:`sensitivity` could do for each output.

    Parameters
    ----------
    sens : DataFrame or None
        A :func:`sensitivity` table.

    Returns
    -------
    dict
        ``output -> status``: :data:`NOT_ANALYSABLE` when every index of the
        output is NaN, :data:`CONSTANT` when the output did not vary (indices 0,
        note "constant output ..."), else :data:`COMPUTED`. Outputs in table order.
    """
    out: dict[str, str] = {}
    if sens is None or sens.empty:
        return out
    for o, g in sens.groupby("output", sort=False):
        if g["value"].isna().all():
            out[o] = NOT_ANALYSABLE
        elif g["note"].astype(str).str.startswith("constant output").all():
            out[o] = CONSTANT
        else:
            out[o] = COMPUTED
    return out


def no_sensitivity_reason(spec: SweepSpec, sens: pd.DataFrame | None, results: pd.DataFrame) -> str | None:
    """Why no sensitivity index of a sweep could be computed, or None if at least one was.

    "Computed" means an output with at least one finite index that is not the 0 of
    a constant output (:func:`output_status`).

    Parameters
    ----------
    spec : SweepSpec
    sens : DataFrame or None
        :func:`sensitivity` of the sweep.
    results : DataFrame
        One row per variant, with its ``error`` column ("" when evaluated).

    Returns
    -------
    str or None
        One line without a leading capital or a final full stop, e.g. ``"every one of
        the 8 variants was refused (most often: ...; the error column of variants.csv
        has each reason)"``; None when some output has computed indices.
    """
    status = output_status(sens)
    if any(s == COMPUTED for s in status.values()):
        return None
    if not status:
        return "no analysed output (none of the targets and variables of [outputs] is a numeric result column)"
    err = results["error"].astype(str) if "error" in results.columns else pd.Series([""] * len(results))
    refused = err[err != ""]
    if len(results) and len(refused) == len(results):
        top = refused.value_counts().index[0]
        top = top if len(top) <= 160 else top[:157] + "..."
        return (f"every one of the {len(results)} variants was refused (most often: {top}; the error column "
                f"of variants.csv has each reason)")
    parts: dict[str, list[str]] = {}
    for o, s in status.items():
        if s == CONSTANT:
            parts.setdefault("constant across the evaluated variants (nothing to apportion; indices set to 0)", []).append(o)
        else:
            note = sens.loc[sens["output"] == o, "note"].astype(str)
            note = next((n for n in note if n), "every index is NaN")
            hint = _HINT.get(spec.design.method) if len(refused) else None
            parts.setdefault(note + (f"; {hint}" if hint else ""), []).append(o)
    return "; ".join(f"{', '.join(outs)}: {why}" for why, outs in parts.items())


# ----------------------------------------------------------------------------------------------
# tornado


def swings(design: pd.DataFrame, results: pd.DataFrame, output: str, keys: list[str] | None = None) -> pd.DataFrame:
    """Mean ``output`` in the lowest and highest fifth of each parameter (module docstring).

    ``keys``: the parameters (default: every design column but ``variant``).

    Returns
    -------
    DataFrame
        ``parameter, low_value, high_value, low_mean, high_mean, swing`` (high - low), sorted by
        ``|swing|`` descending; ``low_value``/``high_value`` are the 20th/80th percentiles that
        bound the fifths. Failed variants (NaN output) are left out.
    """
    df = _joined(design, results)
    y = pd.to_numeric(df[output], errors="coerce")
    rows = []
    for k in keys or [c for c in design.columns if c != "variant"]:
        xv = df[k]
        lo_q, hi_q = xv.quantile(TORNADO_QUANTILE), xv.quantile(1 - TORNADO_QUANTILE)
        lo_m, hi_m = y[xv <= lo_q].mean(), y[xv >= hi_q].mean()
        rows.append({"parameter": k, "low_value": float(lo_q), "high_value": float(hi_q), "low_mean": float(lo_m),
                     "high_mean": float(hi_m), "swing": float(hi_m - lo_m)})
    out = pd.DataFrame(rows, columns=["parameter", "low_value", "high_value", "low_mean", "high_mean", "swing"])
    order = out["swing"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def _main_index(sens: pd.DataFrame | None, output: str) -> dict[str, str]:
    """``parameter -> "μ* = …"`` (or ST, S1) for the chart labels."""
    if sens is None or sens.empty:
        return {}
    s = sens[sens["output"] == output]
    for ix, label in (("mu_star", "μ*"), ("ST", "ST"), ("S1", "S1")):
        t = s[s["index"] == ix]
        if not t.empty:
            return {p: f"{label} = {v:.3g}" for p, v in zip(t["parameter"], t["value"]) if np.isfinite(v)}
    return {}


def tornado_chart(sens: pd.DataFrame | None, design: pd.DataFrame, results: pd.DataFrame, output: str,
                  path: Path, spec: SweepSpec | None = None) -> pd.DataFrame:
    """Draw the tornado chart of one output to ``path`` (PNG) and return its :func:`swings`.

    ``path`` is a file inside a folder the program created (``fileio.atomic_dir``).
    Each bar joins the mean output in the lowest fifth of a parameter (blue dot)
    and in its highest fifth (red dot); the line is the mean over all variants; largest
    swing on top; each is labelled with the parameter's main index from ``sens``
    (μ*, ST or S1). Matplotlib's object API with the Agg canvas (no pyplot).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sw = swings(design, results, output, list(spec.keys) if spec is not None else None)
    mid = float(pd.to_numeric(_joined(design, results)[output], errors="coerce").mean())
    labels = _main_index(sens, output)
    n = len(sw)
    fig = Figure(figsize=(8, 1.2 + 0.45 * n), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = np.arange(n)[::-1]
    for yv, r in zip(ys, sw.itertuples()):
        if not (np.isfinite(r.low_mean) and np.isfinite(r.high_mean)):
            continue
        lo, hi = sorted((r.low_mean, r.high_mean))
        ax.barh(yv, hi - lo, left=lo, color="0.75", height=0.55)
        ax.plot([r.low_mean], [yv], marker="o", color="tab:blue", ms=6)
        ax.plot([r.high_mean], [yv], marker="o", color="tab:red", ms=6)
        if r.parameter in labels:
            ax.text(hi, yv, "  " + labels[r.parameter], va="center", fontsize=7)
    ax.axvline(mid, color="black", lw=0.8)
    ax.margins(x=0.08)
    ax.set_yticks(ys)
    ax.set_yticklabels([p for p in sw["parameter"]], fontsize=7.5)
    ax.set_xlabel(f"{output}: mean with the parameter in its lowest fifth (blue) / highest fifth (red)", fontsize=8)
    ax.set_title(f"Tornado: {output} (line: mean over all variants)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.subplots_adjust(left=0.36, right=0.9, top=1 - 0.5 / fig.get_figheight(),
                        bottom=0.6 / fig.get_figheight())
    fig.savefig(path, metadata={"Software": None})
    return sw


# ----------------------------------------------------------------------------------------------
# flip frontier

FLIP_COLUMNS = ["target", "base_verdict", "parameter", "bin", "lo", "hi", "center", "n", "n_flipped",
                "share_flipped", "threshold", "direction", "crossings", "z"]
#: How many parameters :func:`flip_sentence` names (the rest are in ``flip_frontier.csv``).
SENTENCE_PARAMETERS = 3


def design_effect(spec: SweepSpec) -> int:
    """Points per cluster of the design (module docstring): morris k + 1, sobol k + 2 (2k + 2 with
    second order), lhs and grid 1."""
    k, d = len(spec.parameters), spec.design
    return {"morris": k + 1, "sobol": 2 * k + 2 if d.second_order else k + 2}.get(d.method, 1)


def _split_z(x: np.ndarray, flipped: np.ndarray, t: float) -> float:
    """Two-proportion z statistic of the flip shares above vs below ``t`` (pooled standard error)."""
    lo, hi = x < t, x > t
    n1, n2 = int(lo.sum()), int(hi.sum())
    if not (n1 and n2):
        return 0.0
    p1, p2 = flipped[lo].mean(), flipped[hi].mean()
    p = (flipped[lo].sum() + flipped[hi].sum()) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return float((p2 - p1) / se) if se > 0 else 0.0


def _crossing(centers: np.ndarray, share: np.ndarray) -> tuple[float, str, int]:
    """First crossing of 0.5 by ``share`` along ``centers`` (threshold, direction, number of crossings)."""
    side = share >= 0.5
    idx = np.flatnonzero(side[1:] != side[:-1])
    if len(idx) == 0:
        return math.nan, "", 0
    i = int(idx[0])
    s0, s1, c0, c1 = share[i], share[i + 1], centers[i], centers[i + 1]
    t = c0 + (0.5 - s0) / (s1 - s0) * (c1 - c0)
    return float(t), ("above" if s1 > s0 else "below"), len(idx)


def flip_frontier(spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame, target: str,
                  base_verdict: str) -> pd.DataFrame:
    """Where the verdict on ``target`` differs from ``base_verdict``, parameter by parameter.

    Returns
    -------
    DataFrame
        One row per parameter and bin (module docstring): ``target, base_verdict,
        parameter, bin, lo, hi, center, n, n_flipped, share_flipped`` and, repeated on
        each of the parameter's rows, ``threshold`` (where ``share_flipped`` crosses
        0.5; NaN if never or not significant), ``direction`` (``"above"``: variants
        above the threshold flip; ``"below"``), ``crossings`` and ``z`` (the
        two-proportion z statistic of the split at the first crossing). Variants
        without a verdict (failed) are left out.
    """
    df = _joined(design, results)
    col = f"verdict.{target}"
    if col not in df.columns:
        raise ValueError(f"no column '{col}' in the results")
    v = df[col]
    valid = v.notna() & (v.astype(str) != "")
    df = df[valid]
    flipped = (df[col].astype(str) != str(base_verdict)).to_numpy()
    from scipy.stats import norm

    z_crit = float(norm.ppf(0.5 + spec.design.conf_level / 2))
    deff = float(design_effect(spec))
    rows = []
    for k in spec.keys:
        x = df[k].to_numpy(dtype=float)
        levels = np.unique(x)
        if len(levels) <= N_BINS:
            edges = None
            groups = [(lv, lv, x == lv) for lv in levels]
        else:
            edges = np.linspace(x.min(), x.max(), N_BINS + 1)
            b = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, N_BINS - 1)
            groups = [(edges[i], edges[i + 1], b == i) for i in range(N_BINS)]
        recs = []
        for i, (lo, hi, m) in enumerate(groups):
            n = int(m.sum())
            nf = int(flipped[m].sum())
            recs.append({"target": target, "base_verdict": base_verdict, "parameter": k, "bin": i, "lo": float(lo),
                         "hi": float(hi), "center": float(x[m].mean()) if n else float((lo + hi) / 2), "n": n,
                         "n_flipped": nf, "share_flipped": nf / n if n else math.nan})
        full = [r for r in recs if r["n"] > 0]
        t, direction, nc = _crossing(np.array([r["center"] for r in full]),
                                     np.array([r["share_flipped"] for r in full]))
        z = _split_z(x, flipped, t) / math.sqrt(deff) if nc else math.nan
        if nc and not abs(z) >= z_crit:
            t, direction = math.nan, ""
        for r in recs:
            r.update(threshold=t, direction=direction, crossings=nc, z=z)
        rows += recs
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)


def flip_thresholds(flip: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter of a :func:`flip_frontier`: its threshold, direction, crossings and
    ``share_range`` (highest minus lowest bin share: how much the parameter moves the verdict),
    sorted by ``share_range`` descending."""
    g = flip.groupby("parameter", sort=False)
    out = g[["threshold", "direction", "crossings", "z"]].first()
    out["share_range"] = g["share_flipped"].max() - g["share_flipped"].min()
    out = out.reset_index()
    order = out["share_range"].fillna(-1).sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def flip_sentence(spec: SweepSpec, flip: pd.DataFrame, target: str, base_verdict: str) -> str:
    """A plain-language summary of the flip frontier for the report.

    E.g. ``"energy_intensity stays on track unless assumptions.energy.unobserved_yoy_change_pct
    > -2.9 (flip share crosses one half there)"``; with no crossing, how many variants flip.
    """
    if flip.empty:
        return f"{target}: no variant has a verdict (every variant failed)"
    th = flip_thresholds(flip)
    first = flip[flip["parameter"] == flip["parameter"].iloc[0]]
    n, nf = int(first["n"].sum()), int(first["n_flipped"].sum())
    crossing = th[th["threshold"].notna()]
    if crossing.empty:
        if nf == 0:
            return f"{target} stays {base_verdict} in every one of the {n} variants of the sweep"
        if nf == n:
            return f"{target} is never {base_verdict} in the sweep (all {n} variants differ from the base)"
        side = ("stays " + base_verdict if nf < n / 2 else "differs from the base verdict (" + base_verdict + ")")
        return (f"{target} {side} in {max(n - nf, nf) / n:.0%} of the {n} variants; no single parameter moves "
                f"the share of flips across one half")
    parts = [f"{r.parameter} {'>' if r.direction == 'above' else '<'} {r.threshold:.3g}"
             + (f" (first of {r.crossings} crossings)" if r.crossings > 1 else "")
             for r in crossing.head(SENTENCE_PARAMETERS).itertuples()]
    more = len(crossing) - SENTENCE_PARAMETERS
    return (f"{target} stays {base_verdict} unless " + " or ".join(parts)
            + (f" (or {more} more, flip_frontier.csv)" if more > 0 else "")
            + f" (where the share of the {n} variants whose verdict flips crosses one half)")


def flip_chart(spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame, flip: pd.DataFrame, target: str,
               path: Path) -> list[str]:
    """Scatter of the two parameters that move the verdict most, coloured by verdict (PNG at ``path``).

    "Most" by ``share_range`` of :func:`flip_thresholds`; their thresholds are
    drawn as lines. With one parameter, the target's P(meet) is the y axis.
    Returns the parameters drawn.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    df = _joined(design, results)
    col = f"verdict.{target}"
    df = df[df[col].notna() & (df[col].astype(str) != "")]
    th = flip_thresholds(flip) if not flip.empty else pd.DataFrame(columns=["parameter", "threshold"])
    params = list(th["parameter"][:2]) or list(spec.keys[:2])
    fig = Figure(figsize=(7, 5.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xk = params[0]
    yk = params[1] if len(params) > 1 else f"p_meet.{target}"
    base = flip["base_verdict"].iloc[0] if not flip.empty else ""
    colours = ["tab:green", "tab:red", "tab:orange", "tab:purple", "tab:brown", "tab:gray"]
    verdicts = sorted(df[col].astype(str).unique(), key=lambda s: (s != base, s))
    for c, vd in zip(colours * 10, verdicts):
        m = df[col].astype(str) == vd
        ax.scatter(df.loc[m, xk], pd.to_numeric(df.loc[m, yk], errors="coerce"), s=9, alpha=0.6, color=c,
                   label=f"{vd} ({int(m.sum())})" + (" = base" if vd == base else ""))
    t = th.set_index("parameter")["threshold"] if not th.empty else pd.Series(dtype=float)
    if xk in t and np.isfinite(t[xk]):
        ax.axvline(t[xk], color="black", ls="--", lw=1)
    if yk in t and np.isfinite(t[yk]):
        ax.axhline(t[yk], color="black", ls="--", lw=1)
    ax.set_xlabel(xk, fontsize=8)
    ax.set_ylabel(yk, fontsize=8)
    ax.set_title(f"Verdict on {target} by variant (dashed: flip thresholds)", fontsize=10)
    if verdicts:  # no variant with a verdict (every one failed): nothing to label
        ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.92, bottom=0.1)
    fig.savefig(path, metadata={"Software": None})
    return [xk, yk]
