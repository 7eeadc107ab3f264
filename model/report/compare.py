"""Compare scenario runs: ``czt compare A B [...]``.

:func:`compare_runs` takes two or more runs (run folders, scenario names whose
folder is ``outputs/<name>/``, or in-memory :class:`~model.runner.RunResult`
objects) and returns a :class:`Comparison` of frames:

* ``levels`` – IAMC long: median, mean, 5% and 95% quantiles of the headline
  variables of every scenario, forecast years only;
* ``differences`` – IAMC long: year-by-year difference of every other scenario
  from the first (``scenario = "B - A"``), for the median and the mean
  (``quantile`` column) and as ``measure`` "difference" (variable's unit) or
  "percent difference" (unit ``%``);
* ``probabilities`` – one row per target: P(meet) and status per scenario and
  the change in P from the first scenario;
* ``allocation`` / ``allocation_differences`` – investment by cluster and year
  (IAMC long) and its difference from the first run that has an
  ``allocation.csv`` (optimisation scenarios), e.g. ``green - plan``;
* ``optimisation_targets`` – the optimisation's target table (required,
  achieved, status, dual) of every optimisation run, stacked.

:func:`write_comparison` writes them as CSV plus ``compare.png`` (levels with
90% bands and differences) and ``allocation.png`` into
``outputs/compare_<A>_<B>.../`` atomically: a hidden temporary folder is
renamed into place only when complete. Every IAMC file has no empty cells, so
``pyam.IamDataFrame(path)`` loads it (``quantile``/``measure`` become extra
columns).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, List, Optional

import numpy as np
import pandas as pd
import typer

from ..errors import CztError, CztInputError
from ..results.fileio import atomic_dir
from ..results.iamc import MODEL_NAME, write_iamc
from ..paths import OUTPUTS

#: (variable, region) pairs compared year by year.
HEADLINE = [("GDP|Nominal", "CZT"), ("GDP|Real", "CZT"), ("GDP|Real growth", "CZT"), ("GDP|Deflator", "CZT"),
            ("GDP per capita", "CZT"), ("Population|Resident", "CZT"), ("Population|Urban", "CZT"),
            ("Urbanisation rate", "CZT"), ("Energy intensity", "CZT"), ("High-tech VA", "CZT"),
            ("High-tech VA|Share of GDP", "CZT"),
            ("GDP|Nominal", "Changsha"), ("GDP|Nominal", "Zhuzhou"), ("GDP|Nominal", "Xiangtan")]
LEVEL_QUANTILES = ("0.05", "0.5", "0.95", "mean")
DIFF_QUANTILES = ("0.5", "mean")
CHART_VARIABLES = ["GDP|Nominal", "Population|Resident", "Energy intensity", "High-tech VA"]
IAMC_OUT = ["model", "scenario", "region", "variable", "unit", "year", "value"]


@dataclass
class Run:
    """One run's comparable data (read from its folder or taken from a RunResult)."""

    name: str
    forecasts: pd.DataFrame
    scorecard: pd.DataFrame
    allocation: pd.DataFrame | None = None
    feasibility: pd.DataFrame | None = None
    source: str = ""
    manifest: dict = field(default_factory=dict)


@dataclass
class Comparison:
    """Frames produced by :func:`compare_runs` (first scenario = reference)."""

    scenarios: list[str]
    levels: pd.DataFrame
    differences: pd.DataFrame
    probabilities: pd.DataFrame
    allocation: pd.DataFrame | None = None
    allocation_differences: pd.DataFrame | None = None
    optimisation_targets: pd.DataFrame | None = None
    sources: dict = field(default_factory=dict)

    def difference(self, variable: str, year: int, scenario: str | None = None, region: str = "CZT",
                   quantile: str = "0.5", measure: str = "difference") -> float:
        """One year-by-year difference (``scenario`` minus the first; default: the second scenario)."""
        other = scenario or self.scenarios[1]
        d = self.differences
        sel = d[(d.scenario == f"{other} - {self.scenarios[0]}") & (d.variable == variable) & (d.region == region)
                & (d.year == year) & (d["quantile"] == quantile) & (d.measure == measure)]
        if len(sel) != 1:
            raise KeyError(f"no difference for {variable}, {region}, {year}, {other}, {quantile}, {measure}")
        return float(sel.value.iloc[0])


# --------------------------------------------------------------------------- loading
def _read_forecasts(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype={"quantile": str, "basis": str, "region": str}, keep_default_na=False,
                         na_values={"value": [""]})
    except FileNotFoundError:
        raise CztInputError(path, "file not found (not a complete run folder)") from None
    need = set(IAMC_OUT) | {"quantile"}
    if need - set(df.columns):
        raise CztInputError(path, f"missing columns {sorted(need - set(df.columns))}")
    return df


def _load_one(item) -> Run:
    if hasattr(item, "forecasts") and hasattr(item, "scorecard"):  # a RunResult
        sc = getattr(item, "scenario", None)
        name = getattr(sc, "name", None) or "run"
        fc = item.forecasts.copy()
        fc["quantile"] = fc["quantile"].astype(str).replace({"nan": "", "None": ""})
        alloc = None
        out_dir = getattr(item, "out_dir", None)
        if out_dir is not None and (Path(out_dir) / "allocation.csv").exists():
            alloc = pd.read_csv(Path(out_dir) / "allocation.csv")
        return Run(name, fc, item.scorecard.copy(), alloc, None, source=str(out_dir or "(in memory)"),
                   manifest=dict(getattr(item, "manifest", {}) or {}))
    p = Path(item)
    if not p.is_dir():
        cand = OUTPUTS / str(item)
        if not cand.is_dir():
            from ..suggest import run_hint

            raise CztInputError(item, f"no run folder (looked for {p} and {cand}); {run_hint(str(item))}")
        p = cand
    if not (p / "run.json").exists():
        raise CztInputError(p, "no run.json: not a complete run folder")
    man = json.loads((p / "run.json").read_text(encoding="utf-8"))
    fc = _read_forecasts(p / "forecasts.csv")
    try:
        card = pd.read_csv(p / "scorecard.csv")
    except FileNotFoundError:
        raise CztInputError(p / "scorecard.csv", "file not found (not a complete run folder)") from None
    alloc = pd.read_csv(p / "allocation.csv") if (p / "allocation.csv").exists() else None
    feas = pd.read_csv(p / "targets_feasibility.csv") if (p / "targets_feasibility.csv").exists() else None
    name = man.get("scenario") or p.name
    return Run(name, fc, card, alloc, feas, source=str(p), manifest=man)


def _select(fc: pd.DataFrame, quantiles: Iterable[str]) -> pd.DataFrame:
    keys = pd.MultiIndex.from_tuples(HEADLINE, names=["variable", "region"])
    idx = pd.MultiIndex.from_frame(fc[["variable", "region"]])
    q = fc["quantile"].astype(str)
    return fc[idx.isin(keys) & q.isin(list(quantiles))].copy()


# --------------------------------------------------------------------------- frames
def compare_runs(runs: Iterable) -> Comparison:
    """Compare two or more runs; the first is the reference.

    Parameters
    ----------
    runs : iterable of (str, Path or RunResult)
        Run folders, scenario names (folder ``outputs/<name>/``) or results of
        :func:`model.run_scenario`.

    Returns
    -------
    Comparison
        ``levels``, ``differences``, ``probabilities`` and, when the runs have
        an investment allocation, ``allocation`` and ``allocation_differences``.

    Raises
    ------
    CztInputError
        Fewer than two runs, a missing or incomplete run folder, or two runs
        with the same scenario name.
    """
    loaded = [_load_one(r) for r in runs]
    if len(loaded) < 2:
        raise CztInputError("compare", "give at least two runs to compare")
    names = [r.name for r in loaded]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CztInputError("compare", f"scenario name(s) {dup} given more than once")
    ref = loaded[0]

    levels = pd.concat([_select(r.forecasts, LEVEL_QUANTILES).assign(scenario=r.name) for r in loaded],
                       ignore_index=True)
    levels["model"] = MODEL_NAME
    levels = levels[IAMC_OUT + ["quantile"]].sort_values(["scenario", "variable", "region", "quantile", "year"])

    key = ["region", "variable", "unit", "year", "quantile"]
    a = _select(ref.forecasts, DIFF_QUANTILES)[key + ["value"]]
    diffs = []
    for r in loaded[1:]:
        b = _select(r.forecasts, DIFF_QUANTILES)[key + ["value"]]
        m = a.merge(b, on=key, suffixes=("_a", "_b"), how="inner")
        d = m.assign(value=m.value_b - m.value_a, measure="difference")
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = (m.value_b / m.value_a - 1) * 100
        rel = m.assign(value=pct, unit="%", measure="percent difference")
        rel = rel[np.isfinite(rel.value)]
        # growth and share variables are already in % : their percent difference is not shown
        rel = rel[~m.loc[rel.index, "unit"].eq("%")]
        for x in (d, rel):
            diffs.append(x.assign(model=MODEL_NAME, scenario=f"{r.name} - {ref.name}")[IAMC_OUT + ["quantile", "measure"]])
    differences = pd.concat(diffs, ignore_index=True).sort_values(
        ["scenario", "measure", "variable", "region", "quantile", "year"]).reset_index(drop=True)

    probabilities = _probabilities(loaded)
    alloc, alloc_diff = _allocation(loaded)
    opt_t = _opt_targets(loaded)
    return Comparison(scenarios=names, levels=levels.reset_index(drop=True), differences=differences,
                      probabilities=probabilities, allocation=alloc, allocation_differences=alloc_diff,
                      optimisation_targets=opt_t, sources={r.name: r.source for r in loaded})


def _probabilities(loaded: list[Run]) -> pd.DataFrame:
    ref = loaded[0]
    base = ref.scorecard[["target", "name", "comparator", "plan_value", "unit", "year"]].copy()
    for r in loaded[1:]:  # targets only some scenarios have (targets_2035) are kept
        extra = r.scorecard[~r.scorecard.target.isin(base.target)]
        if len(extra):
            base = pd.concat([base, extra[base.columns]], ignore_index=True)
    out = base
    for r in loaded:
        s = r.scorecard.set_index("target")
        out[f"P({r.name})"] = out.target.map(s["prob_meet"]).astype(float)
        out[f"status({r.name})"] = out.target.map(s["status"]).fillna("not in run")
    for r in loaded[1:]:
        out[f"P change {r.name} - {ref.name}"] = out[f"P({r.name})"] - out[f"P({ref.name})"]
    return out


def _allocation(loaded: list[Run]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    have = [r for r in loaded if r.allocation is not None and len(r.allocation)]
    if not have:
        return None, None
    frames = []
    for r in have:
        a = r.allocation
        a = a[a.variable.str.startswith("Optimisation|Investment")].copy()
        a["scenario"] = r.name
        a["model"] = MODEL_NAME
        frames.append(a[IAMC_OUT])
    alloc = pd.concat(frames, ignore_index=True).sort_values(["scenario", "variable", "year"]).reset_index(drop=True)
    ref = have[0]  # the first run with an allocation is the reference for allocation differences
    key = ["region", "variable", "unit", "year"]
    a = alloc[alloc.scenario == ref.name][key + ["value"]]
    diffs = []
    for r in have:
        if r.name == ref.name:
            continue
        b = alloc[alloc.scenario == r.name][key + ["value"]]
        m = a.merge(b, on=key, how="outer", suffixes=("_a", "_b")).fillna({"value_a": 0.0, "value_b": 0.0})
        diffs.append(m.assign(value=m.value_b - m.value_a, model=MODEL_NAME,
                              scenario=f"{r.name} - {ref.name}")[IAMC_OUT])
    return alloc, (pd.concat(diffs, ignore_index=True) if diffs else None)


def _opt_targets(loaded: list[Run]) -> pd.DataFrame | None:
    have = [r for r in loaded if r.feasibility is not None and len(r.feasibility)]
    if not have:
        return None
    rows = []
    for r in have:
        f = r.feasibility
        cols = [c for c in ("target", "year", "required", "achieved", "unit", "slack", "status", "dual", "dual_unit")
                if c in f.columns]
        rows.append(f[cols].assign(scenario=r.name))
    return pd.concat(rows, ignore_index=True)[["scenario"] + cols]


# --------------------------------------------------------------------------- writing
def default_out_dir(names: list[str]) -> Path:
    """``outputs/compare_<A>_<B>...`` (names made file-system safe)."""
    safe = [re.sub(r"[^A-Za-z0-9_.-]+", "-", n) for n in names]
    return OUTPUTS / ("compare_" + "_".join(safe))


def _chart(cmp: Comparison, path: Path) -> None:
    # matplotlib's object API: no pyplot, no backend switch (a notebook's backend stays as it is)
    import matplotlib
    from matplotlib.figure import Figure

    lv, df = cmp.levels, cmp.differences
    fig = Figure(figsize=(4.2 * len(CHART_VARIABLES), 7.5), dpi=90)
    axes = fig.subplots(2, len(CHART_VARIABLES), squeeze=False)
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    ref = cmp.scenarios[0]
    for j, var in enumerate(CHART_VARIABLES):
        ax = axes[0, j]
        unit = ""
        for i, name in enumerate(cmp.scenarios):
            d = lv[(lv.scenario == name) & (lv.variable == var) & (lv.region == "CZT")]
            if not len(d):
                continue
            unit = d.unit.iloc[0]
            piv = d.pivot_table(index="year", columns="quantile", values="value")
            c = colours[i % len(colours)]
            if {"0.05", "0.95"} <= set(piv.columns):
                ax.fill_between(piv.index, piv["0.05"], piv["0.95"], color=c, alpha=0.12, lw=0)
            ax.plot(piv.index, piv["0.5"], color=c, lw=2, label=name)
        ax.set_title(f"{var} (CZT)\n{unit}", fontsize=9)
        ax.grid(alpha=0.3)
        if j == 0:
            ax.legend(fontsize=8)
        ax = axes[1, j]
        for i, name in enumerate(cmp.scenarios[1:], 1):
            d = df[(df.scenario == f"{name} - {ref}") & (df.variable == var) & (df.region == "CZT")
                   & (df["quantile"] == "0.5") & (df.measure == "difference")].sort_values("year")
            if len(d):
                ax.plot(d.year, d.value, color=colours[i % len(colours)], lw=2, label=f"{name} - {ref}")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(f"difference of medians from {ref}", fontsize=9)
        ax.grid(alpha=0.3)
        if j == 0:
            ax.legend(fontsize=8)
    fig.suptitle("Scenario comparison: medians with 90% bands (top), differences from " + ref + " (bottom)",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path)


def _allocation_chart(cmp: Comparison, path: Path) -> None:
    from matplotlib.figure import Figure

    a = cmp.allocation
    inv = a[a.variable.str.startswith("Optimisation|Investment|")]
    tot = inv.assign(cluster=inv.variable.str.split("|").str[-1]).groupby(["cluster", "scenario"]).value.sum().unstack()
    tot = tot.reindex(columns=[s for s in cmp.scenarios if s in tot.columns])
    tot = tot.sort_values(tot.columns[0])
    from .charts import cjk_font_family
    from .i18n import cluster_label

    tot.index = [cluster_label(c) for c in tot.index]  # 中文 / English names from cluster_map.csv
    family = cjk_font_family()
    fig = Figure(figsize=(10, 0.35 * len(tot) + 1.5), dpi=90)
    ax = fig.add_subplot()
    tot.plot.barh(ax=ax, width=0.8)
    for label in ax.get_yticklabels():
        label.set_family(family)
    ax.set_xlabel(f"cumulative investment {int(inv.year.min())}-{int(inv.year.max())}, {inv.unit.iloc[0]}")
    ax.set_ylabel("")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("产业集群投资分配 / Investment allocation by cluster", family=family)
    fig.tight_layout()
    fig.savefig(path)


def write_comparison(cmp: Comparison, out_dir: Path | None = None, *, force: bool = False) -> Path:
    """Write the comparison's CSVs and charts into ``out_dir`` atomically; return the folder.

    Files: ``levels.csv``, ``differences.csv`` (IAMC), ``probabilities.csv``,
    ``allocation.csv`` and ``allocation_differences.csv`` (IAMC, when present),
    ``optimisation_targets.csv``, ``compare.png``, ``allocation.png`` and
    ``compare.json`` (which runs were compared).
    """
    final = Path(out_dir) if out_dir else default_out_dir(cmp.scenarios)
    # only a new/empty folder or an earlier comparison of the same runs (--force: any czt output folder)
    with atomic_dir(final, kind="compare", name="_".join(map(str, cmp.scenarios)), force=force) as tmp:
        write_iamc(cmp.levels, tmp / "levels.csv")
        write_iamc(cmp.differences, tmp / "differences.csv")
        cmp.probabilities.to_csv(tmp / "probabilities.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
        if cmp.allocation is not None:
            write_iamc(cmp.allocation, tmp / "allocation.csv")
            _allocation_chart(cmp, tmp / "allocation.png")
        if cmp.allocation_differences is not None:
            write_iamc(cmp.allocation_differences, tmp / "allocation_differences.csv")
        if cmp.optimisation_targets is not None:
            cmp.optimisation_targets.to_csv(tmp / "optimisation_targets.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
        _chart(cmp, tmp / "compare.png")
        meta = {"scenarios": cmp.scenarios, "reference": cmp.scenarios[0], "runs": cmp.sources,
                "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "files": sorted(p.name for p in tmp.iterdir()) + ["compare.json"]}
        (tmp / "compare.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return final


def summary_lines(cmp: Comparison, years: tuple[int, ...] = (2025, 2030, 2035)) -> list[str]:
    """A short text summary: P(meet) of the modelled 2025 targets and GDP differences."""
    p = cmp.probabilities
    p = p[p[f"P({cmp.scenarios[0]})"].notna()]
    w = max(12, *(len(s) for s in cmp.scenarios)) + 2
    lines = [f"{'target':<22}" + "".join(f"{s:>{w}}" for s in cmp.scenarios)]
    for _, row in p.iterrows():
        vals = [row[f"P({s})"] for s in cmp.scenarios]
        lines.append(f"{str(row.target):<22}" + "".join(f"{v:>{w}.3f}" if v == v else f"{'–':>{w}}" for v in vals))
    ref = cmp.scenarios[0]
    lines.append("")
    lines.append(f"CZT nominal GDP, difference of medians from {ref} (100m yuan):")
    for s in cmp.scenarios[1:]:
        parts = []
        for y in years:
            try:
                parts.append(f"{y}: {cmp.difference('GDP|Nominal', y, s):+,.0f}")
            except KeyError:
                pass
        lines.append(f"  {s:<20} " + ", ".join(parts))
    eff = {s: _lever_effects(cmp.sources.get(s)) for s in cmp.scenarios[1:]}
    eff = {s: e for s, e in eff.items() if e is not None}
    if eff:
        lines.append("")
        lines.append("Lever effect on CZT nominal GDP, median of the path-by-path deviation from each run's own "
                     "control (lever_effects.csv, 100m yuan):")
        for s, e in eff.items():
            parts = [f"{y}: {e[y]:+,.0f}" for y in years if y in e]
            lines.append(f"  {s:<20} " + ", ".join(parts))
    return lines


def _lever_effects(source) -> dict | None:
    """``{year: median deviation of nominal GDP}`` from a run folder's ``lever_effects.csv`` (None if absent)."""
    if not source:
        return None
    f = Path(str(source)) / "lever_effects.csv"
    if not f.is_file():
        return None
    d = pd.read_csv(f, dtype={"quantile": str})
    d = d[(d.variable == "Deviation|GDP|Nominal") & (d["quantile"] == "0.5")]
    return {int(y): float(v) for y, v in zip(d.year, d.value)} if len(d) else None


def compare_command(
    scenarios: List[str] = typer.Argument(..., help="Two or more run folders or scenario names (outputs/<name>/); the first is the reference."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default outputs/compare_<A>_<B>...)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary table."),
    force: bool = typer.Option(False, "--force", help="Replace a czt-model output folder of other runs at --out "
                                                      "(never a folder that is not a czt-model output)."),
) -> None:
    """Compare scenario runs: year-by-year differences, target probabilities, allocation; CSV + chart."""
    try:
        cmp = compare_runs(scenarios)
        folder = write_comparison(cmp, out, force=force)
    except CztError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code)
    if not quiet:
        typer.echo("\n".join(summary_lines(cmp)))
    typer.echo(f"\nwritten: {folder}")
