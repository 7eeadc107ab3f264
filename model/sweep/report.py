"""The report of a sweep: ``report.md`` and ``report.html`` in ``outputs/sweep_<name>/``.

Sections: what was varied (keys, ranges or distributions, notes, the base
scenario's value), the base scenario's verdicts, the spread of the analysed
outputs across variants with the Monte-Carlo standard error beside every
probability, the sensitivity indices, the tornado charts, the flip frontier
with its plain-language sentence, the caveats (fewer paths per variant than a
single run) and the manifest. It reads only the sweep's tables, so the same
sweep gives the same bytes whatever the scheduler; the run-dependent manifest
fields (start time, wall time, scheduler, workers, command) stay in
``sweep.json``. Rendering reuses the run report's blocks
(:mod:`model.report.html`): self-contained HTML, PNGs embedded.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..report.html import _render_html, _render_md, _Section
from .analyse import CONSTANT, no_sensitivity_reason, output_status

#: Manifest fields that differ between identical sweeps (kept out of the report).
VOLATILE = ("started_utc", "wall_time_s", "command", "scheduler", "workers", "outputs")


def no_sensitivity_line(name: str, reason: str) -> str:
    """The one line the CLI (as a warning) and the report say when no sensitivity index could be computed.

    Parameters
    ----------
    name : str
        The sweep's name.
    reason : str
        :func:`model.sweep.analyse.no_sensitivity_reason`.

    Returns
    -------
    str
    """
    return f"sweep '{name}': no sensitivity index could be computed — {reason}."


def _path_caveat(spec, manifest: dict) -> str:
    """The path counts of a variant against a single ``czt run`` of the base scenario (its own
    ``forecast.n_paths``; LP sample paths :data:`model.engine.alternative.N_LP_PATHS` when it has levers)."""
    from ..engine.alternative import N_LP_PATHS

    base = spec.base_scenario
    n, m = int(manifest["n_paths"]), int(manifest["n_lp_paths"])
    run_n = int(base.forecast.n_paths)
    has_lp = not base.levers.is_zero()
    parts = [f"each variant is simulated on {n} forecast paths"]
    if has_lp:
        parts.append(f"re-solves the structural model on {m} sample paths")
    run = f"{run_n} forecast paths" + (f" and {N_LP_PATHS} LP sample paths" if has_lp else "")
    fewer = n < run_n or (has_lp and m < N_LP_PATHS)
    text = (" and ".join(parts) + (f", fewer than a single `czt run {base.name}` ({run})" if fewer
                                   else f" (a single `czt run {base.name}`: {run})") + ". ")
    return (text + f"Probabilities carry a Monte-Carlo standard error of up to {0.5 / n ** 0.5:.3f} "
            "(sqrt(p(1-p)/n), shown beside each); index differences smaller than that are noise.")


def _describe(p) -> str:
    """A parameter's range or distribution as text (every field but key and note)."""
    d = p.model_dump(exclude_none=True) if hasattr(p, "model_dump") else dict(vars(p))
    parts = [f"{k} = {v}" for k, v in d.items() if k not in ("key", "note") and v not in ((), [], "")]
    return "; ".join(parts)


def _varied(spec, base: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in spec.parameters:
        bv = base.at[0, p.key] if p.key in base.columns else None
        rows.append({"key": p.key, "range / distribution": _describe(p),
                     "base value": "derived default" if bv is None or bv != bv else bv,
                     "note": getattr(p, "note", "") or ""})
    return pd.DataFrame(rows)


def _spread(results: pd.DataFrame, base: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Each analysed output across the variants: base, 5%, median, 95%, min, max (and MC SE of probabilities)."""
    ok = results[results["error"] == ""]
    rows = []
    for o in outputs:
        x = ok[o].dropna()
        row = {"output": o, "base": base.at[0, o] if o in base.columns else None,
               "min": x.min() if len(x) else None, "5%": x.quantile(0.05) if len(x) else None,
               "median": x.median() if len(x) else None, "95%": x.quantile(0.95) if len(x) else None,
               "max": x.max() if len(x) else None}
        if o.startswith("p_meet."):
            se = f"p_meet_se.{o.split('.', 1)[1]}"
            row["base MC s.e."] = base.at[0, se] if se in base.columns else None
            row["max MC s.e."] = ok[se].max() if se in ok.columns and len(ok) else None
        rows.append(row)
    return pd.DataFrame(rows)


def _verdict_counts(results: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    ok = results[results["error"] == ""]
    rows = []
    for c in [c for c in results.columns if c.startswith("verdict.")]:
        t = c.split(".", 1)[1]
        counts = ok[c].value_counts()
        se = f"p_meet_se.{t}"
        rows.append({"target": t, "base verdict": base.at[0, c] if c in base.columns else "",
                     "base P(meet)": base.at[0, f"p_meet.{t}"] if f"p_meet.{t}" in base.columns else None,
                     "MC s.e.": base.at[0, se] if se in base.columns else None,
                     "variants by verdict": ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))})
    return pd.DataFrame(rows)


def _indices_table(sens: pd.DataFrame) -> pd.DataFrame:
    """One row per (output, parameter): the indices side by side, each with its confidence half-width, and the note."""
    if sens is None or sens.empty:
        return pd.DataFrame()
    rows: dict[tuple, dict] = {}
    for r in sens.itertuples(index=False):
        row = rows.setdefault((r.output, r.parameter), {"output": r.output, "parameter": r.parameter})
        row[r.index] = r.value
        if getattr(r, "conf", None) is not None and r.conf == r.conf:
            row[f"{r.index} ±"] = r.conf
        note = getattr(r, "note", "")
        if isinstance(note, str) and note and note not in str(row.get("note", "")):
            row["note"] = f"{row['note']}; {note}" if row.get("note") else note
    df = pd.DataFrame(list(rows.values()))
    cols = [c for c in df.columns if c != "note"] + (["note"] if "note" in df.columns else [])
    return df[cols]


def build_sections(folder: Path, *, spec, manifest: dict, results: pd.DataFrame, base: pd.DataFrame,
                   sensitivity: pd.DataFrame, charts: dict[str, str], flip: pd.DataFrame | None,
                   flip_png: str | None, flip_sentence: str | None) -> list[_Section]:
    """The report's sections (see the module docstring)."""
    n, n_err = len(results), int((results["error"] != "").sum())
    d = manifest.get("design", {})
    outputs = list(charts) or manifest.get("analysed_outputs", [])
    s1 = _Section("summary", "Summary")
    s1.p(f"Sweep **{spec.name}** of the scenario **{manifest['base']}**: {n} variants "
         f"({d.get('method', '?')} design, {len(spec.parameters)} keys varied)"
         + (f"; {n_err} variants refused by the scenario schema or the engine (their `error` column says why)."
            if n_err else "; every variant evaluated."))
    if getattr(spec, "description", ""):
        s1.p(spec.description)
    s1.p(f"Every variant runs with the base scenario's seed ({manifest.get('scenario_seed')}: common random "
         f"numbers), so differences between variants come from the varied keys, not from fresh noise; the "
         f"design's own seed is {manifest.get('seed')}.")
    s1.p("**Caveat:** " + _path_caveat(spec, manifest), "note")
    s2 = _Section("varied", "What was varied").table(_varied(spec, base))
    s3 = _Section("verdicts", "Verdicts: base scenario and across the variants").table(
        _verdict_counts(results, base), status_cols=("base verdict",))
    s3.h3("Analysed outputs across the variants")
    s3.table(_spread(results, base, outputs),
             caption="evaluated variants only; MC s.e. = Monte-Carlo standard error of a probability")
    s4 = _Section("sensitivity", "Sensitivity indices (sensitivity.csv)")
    ok = results[results["error"] == ""]
    analysed = manifest.get("analysed_outputs", [])
    status = output_status(sensitivity)
    none = no_sensitivity_reason(spec, sensitivity, results)
    if none:
        s4.p(f"**Warning:** {no_sensitivity_line(spec.name, none)}", "note")
    flat = [o for o in analysed if status.get(o) == CONSTANT and o not in charts]
    unvaried = [o for o in analysed if o not in flat and o not in charts and ok[o].nunique(dropna=True) <= 1]
    if not none:
        varying = sensitivity[~sensitivity["output"].isin(flat)] if sensitivity is not None and len(sensitivity) \
            else sensitivity
        s4.table(_indices_table(varying))
    if flat:
        s4.p(f"Constant across the evaluated variants (indices 0, no tornado chart): {', '.join(flat)}.")
    if unvaried:
        s4.p("No tornado chart (fewer than two distinct values among the evaluated variants): "
             f"{', '.join(unvaried)}.")
    more = [o for o in analysed if o not in flat and o not in unvaried and o not in charts]
    if more:
        s4.p(f"No tornado chart drawn (at most {len(charts)}): {', '.join(more)}; their indices are in the table.")
    for o, png in charts.items():
        s4.image(folder / png, f"Tornado chart: {o}")
    secs = [s1, s2, s3, s4]
    if flip is not None:
        s5 = _Section("flip", f"Flip frontier: {manifest.get('flip_target')} (flip_frontier.csv)")
        if flip_sentence:
            s5.p(flip_sentence)
        from .analyse import flip_thresholds

        th = flip_thresholds(flip)
        th["crossings"] = th["crossings"].astype(int).astype(str)
        s5.table(th, caption="per parameter: where the share of variants whose verdict differs "
                                                "from the base crosses one half (NaN: never); the bins are in "
                                                "flip_frontier.csv")
        if flip_png:
            s5.image(folder / flip_png, f"Flip frontier: {manifest.get('flip_target')}")
        secs.append(s5)
    man = {k: v for k, v in manifest.items() if k not in VOLATILE}
    s6 = _Section("manifest", "Manifest (sweep.json)")
    rows = []
    for k, v in man.items():
        if isinstance(v, dict):
            rows += [{"field": f"{k}.{kk}", "value": str(vv)} for kk, vv in v.items()]
        else:
            rows.append({"field": k, "value": ", ".join(map(str, v)) if isinstance(v, list) else str(v)})
    s6.table(pd.DataFrame(rows))
    secs.append(s6)
    return secs


def write_sweep_report(folder: Path, **kw) -> None:
    """Write ``report.md`` and ``report.html`` into the sweep folder ``folder`` (being written)."""
    folder = Path(folder)
    kw = {k: v for k, v in kw.items() if k != "design"}
    sections = build_sections(folder, **kw)
    title = f"czt-model sweep: {kw['spec'].name}"
    (folder / "report.md").write_text(_render_md(title, sections), encoding="utf-8")
    (folder / "report.html").write_text(_render_html(title, sections), encoding="utf-8")
