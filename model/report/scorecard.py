"""The plan-target scorecard: one row per target, probabilities from the paths.

Status rule (stated in every scorecard): *on track* if P(meet) ≥ 0.75,
*at risk* if 0.25 ≤ P < 0.75, *off track* if P < 0.25, *not modelled* when no
forecast variable tests the target (the row is kept, never dropped).

Robustness (``flips_with``): each modelled row names the one or two labelled
assumptions whose plausible range can flip its status, from the stored Morris
screen of the run's scenario (:func:`model.sweep.screen.flips_with`, passed in
by :func:`model.runner.run_scenario` as ``flips``); a scenario without a current
screen says so (:data:`model.sweep.screen.NO_SCREEN`), never a stale note.
The screen's base point runs at the screen's own path counts, so near a
threshold its status can differ from the run's: the note then says both,
``(screen base: at risk; this run: on track)`` (:func:`base_clause`), appended by
:func:`model.runner.run_scenario` to the card itself when it runs, so ``scorecard.csv``,
the workbook and the reports agree (renderers show the card's notes as written).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..data.panel import Panel
from ..engine.projection import ASSUMPTION_DEPENDENCIES, VARIABLES, Projection
from ..scenario.targets import Target, meets

ON_TRACK, AT_RISK = 0.75, 0.25
COLUMNS = ["target", "name", "plan_value", "unit", "comparator", "year", "latest_value", "latest_year",
           "forecast_median", "forecast_p10", "forecast_p90", "prob_meet", "required_annual_growth_pct",
           "status", "basis", "rests_on", "flips_with", "prob_meet_across_assumption"]
#: Points of the assumption's plausible range at which the energy verdict is re-evaluated.
SENSITIVITY_POINTS = 5


def status_of(p: float | None) -> str:
    """Map a probability to the status label."""
    if p is None or not np.isfinite(p):
        return "not modelled"
    return "on track" if p >= ON_TRACK else ("at risk" if p >= AT_RISK else "off track")


def metric_paths(t: Target, proj: Projection) -> np.ndarray:
    """The target's metric on every path (level, % change vs base, or avg growth %)."""
    x = proj.at(t.variable, t.year, t.region)
    if t.kind == "level":
        return x
    base = proj.at(t.variable, t.base_year, t.region)
    if t.kind == "change_vs_base":
        return (x / base - 1) * 100
    return ((x / base) ** (1 / (t.year - t.base_year)) - 1) * 100


def _latest(t: Target, panel: Panel, plan_figures: pd.DataFrame | None) -> tuple[float, int, str] | tuple[None, None, str]:
    if t.modelled:
        pvar = VARIABLES[t.variable][0]
        lt = panel.latest(pvar, t.region)
        if lt is None:
            return None, None, ""
        y, v, b = lt
        if t.kind != "level" and (t.base_year not in panel.series(pvar, t.region).index or y <= t.base_year):
            return None, None, ""  # an as-of run before the target's base year: no observed change yet
        if t.kind == "change_vs_base":
            base = panel.series(pvar, t.region).get(t.base_year)
            v = (v / base - 1) * 100
        elif t.kind == "avg_growth":
            s = panel.series(pvar, t.region)
            v = ((v / s[t.base_year]) ** (1 / (y - t.base_year)) - 1) * 100
        return v, y, b
    if t.latest_variable and plan_figures is not None:
        d = plan_figures[(plan_figures.variable == t.latest_variable) & (plan_figures.region_code == t.region)]
        as_of = panel.constants.get("as_of")
        if as_of is not None:  # an as-of run sees no figure published for a later year
            d = d[d.year <= int(as_of)]
        if len(d):
            r = d.sort_values("year").iloc[-1]
            return float(r.value), int(r.year), f"observed ({r.kind}, plan outline)"
    return None, None, ""


def required_growth(t: Target, panel: Panel, latest_value, latest_year) -> float | None:
    """Annual growth (%) needed from the latest observation to just meet the target."""
    if latest_value is None or latest_year is None or latest_year >= t.year or not t.modelled:
        return None
    from ..forecast.stats import required_growth as growth_needed

    pvar = VARIABLES[t.variable][0]
    s = panel.series(pvar, t.region)
    if t.kind == "level":
        goal, now = t.value, latest_value
    elif t.kind == "change_vs_base":
        goal, now = s[t.base_year] * (1 + t.value / 100), s[latest_year]
    else:
        goal, now = s[t.base_year] * (1 + t.value / 100) ** (t.year - t.base_year), s[latest_year]
    if now <= 0 or goal <= 0:
        return None
    return growth_needed(now, latest_year, goal, t.year) * 100


def energy_assumption_sensitivity(t: Target, panel: Panel, proj: Projection,
                                  n_points: int = SENSITIVITY_POINTS, grid=None) -> dict | None:
    """P(meet) of an energy-intensity target across the plausible range of its assumption.

    The CZT energy index after the last published year rests on the assumed
    mean yoy change ``μ`` of Hunan's intensity (default: the mean of the
    observed changes). Its plausible range is the range of Hunan's *observed*
    yoy changes (``min … max``, panel rows ``energy_intensity_change`` with
    basis observed). Shifting the mean to ``m`` shifts every unobserved yoy
    change on every path by ``Δ = m − μ`` pp::

        EI'_Y = EI_Y · Π_{s = y0+1 … Y} (r_s + Δ/100) / r_s,   r_s = EI_s / EI_{s−1}

    and P(meet) is re-counted on the shifted paths at ``n_points`` values of
    ``m`` spanning the range (or at the values ``grid``).

    Returns
    -------
    dict or None
        ``grid`` (m values, %/yr), ``prob`` (P(meet) at each), ``default``
        (μ), ``range_note``; None for other targets.
    """
    from dataclasses import replace

    if t.variable != "Energy intensity" or (t.variable, t.region) not in proj.paths:
        return None
    en = panel.constants.get("energy", {})
    ch = panel.long[(panel.long.variable == "energy_intensity_change") & (panel.long.basis == "observed")]
    if not len(ch) or "mu" not in en:
        return None
    lo, hi = float(ch.value.min()), float(ch.value.max())
    mu = float(en["mu"])
    arr = proj.paths[(t.variable, t.region)]
    years = np.asarray(proj.years)
    k0 = int(np.searchsorted(years, proj.first_forecast_year[t.variable]))
    r = np.ones_like(arr)
    r[:, k0:] = arr[:, k0:] / arr[:, k0 - 1:-1]
    grid = np.linspace(lo, hi, n_points) if grid is None else np.asarray(grid, float)
    probs = []
    for m in grid:
        f = np.ones_like(arr)
        f[:, k0:] = np.cumprod((r[:, k0:] + (m - mu) / 100) / r[:, k0:], axis=1)
        shifted = replace(proj, paths={**proj.paths, (t.variable, t.region): arr * f})
        x = metric_paths(t, shifted)
        probs.append(float(meets(x[np.isfinite(x)], t).mean()))
    years_obs = sorted(int(y) for y in ch.year)
    return {"grid": grid, "prob": np.array(probs), "default": mu,
            "range_note": f"Hunan's observed yoy changes {years_obs[0]}-{years_obs[-1]}: {lo:.2f} to {hi:.2f} %/yr"}


def sensitivity_text(d: dict) -> str:
    """One line: P(meet) at the ends and the middle of the assumption's range."""
    pairs = ", ".join(f"{p:.2f} at {m:+.2f}%/yr" for m, p in zip(d["grid"], d["prob"]))
    return f"P(meet) {pairs} (assumed mean yoy change; default {d['default']:+.2f}; range = {d['range_note']})"


def scorecard(targets: list[Target], panel: Panel, proj: Projection,
              plan_figures: pd.DataFrame | None = None, flips: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Evaluate every target; see the module docstring for the status rule.

    Parameters
    ----------
    targets : list of Target
    panel : Panel
    proj : Projection
        The paths scored (the alternative where levers act).
    plan_figures : DataFrame, optional
        The plan outline's figures (latest values of unmodelled targets).
    flips : mapping, optional
        Target id -> "flips with" note (:func:`model.sweep.screen.flips_with`); shown in the
        ``flips_with`` column of modelled rows ("" without it, and for unmodelled rows).
    """
    rows = []
    for t in targets:
        latest_v, latest_y, latest_b = _latest(t, panel, plan_figures)
        row = {"target": t.id, "name": t.name, "plan_value": t.value, "unit": t.unit,
               "comparator": t.comparator + (f" (±{t.tolerance:g})" if t.tolerance else ""),
               "year": t.year, "latest_value": latest_v, "latest_year": latest_y,
               "forecast_median": None, "forecast_p10": None, "forecast_p90": None, "prob_meet": None,
               "required_annual_growth_pct": required_growth(t, panel, latest_v, latest_y),
               "status": "not modelled", "basis": latest_b or "no data", "rests_on": "", "flips_with": "",
               "prob_meet_across_assumption": ""}
        if t.modelled and (t.variable, t.region) in proj.paths and t.year <= proj.years[-1]:
            m = metric_paths(t, proj)
            m = m[np.isfinite(m)]
            p = float(meets(m, t).mean())
            row.update(forecast_median=float(np.median(m)), forecast_p10=float(np.quantile(m, 0.1)),
                       forecast_p90=float(np.quantile(m, 0.9)), prob_meet=p, status=status_of(p))
            deps = ASSUMPTION_DEPENDENCIES.get(t.variable, [])
            row["basis"] = "assumption" if deps else latest_b
            row["rests_on"] = "; ".join(deps)
            row["flips_with"] = (flips or {}).get(t.id, "")
            sens = energy_assumption_sensitivity(t, panel, proj)
            if sens is not None:
                row["prob_meet_across_assumption"] = sensitivity_text(sens)
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["latest_year"] = out["latest_year"].astype("Int64")
    return out


def _fmt(x, nd=1):
    if x is None or pd.isna(x):
        return "–"
    return f"{x:,.{nd}f}" if abs(x) < 1e6 else f"{x:,.0f}"


def scorecard_markdown(sc: pd.DataFrame, scenario: str, horizon_note: str, n_paths: int) -> str:
    """Human-readable scorecard (Markdown)."""
    lines = [f"# Plan-target scorecard — scenario `{scenario}`", "",
             f"Probabilities are shares of {n_paths} simulated paths meeting each target. "
             f"Status: on track P ≥ {ON_TRACK}, at risk {AT_RISK} ≤ P < {ON_TRACK}, off track P < {AT_RISK}. "
             "Rows with basis *assumption* rest on labelled assumptions (see `rests_on` in scorecard.csv).",
             "", horizon_note, "",
             "| target | plan | year | latest (year) | median [80% interval] | P(meet) | required growth %/yr | status | basis |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sc.itertuples():
        latest = f"{_fmt(r.latest_value)} ({int(r.latest_year)})" if pd.notna(r.latest_year) else "–"
        fc = (f"{_fmt(r.forecast_median)} [{_fmt(r.forecast_p10)}, {_fmt(r.forecast_p90)}]"
              if pd.notna(r.forecast_median) else "–")
        p = f"{r.prob_meet:.3f}" if pd.notna(r.prob_meet) else "–"
        lines.append(f"| {r.name} | {r.comparator} {r.plan_value:g} {r.unit} | {r.year} | {latest} | {fc} | {p} | "
                     f"{_fmt(r.required_annual_growth_pct, 2)} | **{r.status}** | {r.basis} |")
    sens = [r for r in sc.itertuples() if getattr(r, "prob_meet_across_assumption", "")]
    if sens:
        lines += ["", "Verdicts that rest on an assumption, across its plausible range:", ""]
        lines += [f"* {r.name}: {r.prob_meet_across_assumption}" for r in sens]
    lines += flips_markdown(sc)
    return "\n".join(lines) + "\n"


def screen_base_verdicts(card: pd.DataFrame, table: pd.DataFrame | None) -> dict[str, str]:
    """Target -> the stored screen's base status, for the rows whose ``flips_with`` note is that screen's.

    The screen's base point is the run's scenario at the screen's own path counts
    (``calibration/sweeps/screen.toml``), so near a threshold its status can differ
    from the run's. A row's note counts as the screen's when it equals
    :func:`model.sweep.screen.note_of` of the table's rows of that target (so a table
    stored after the run, or a run without a current screen, gives nothing).

    Parameters
    ----------
    card : DataFrame
        A scorecard (``target``, ``flips_with``).
    table : DataFrame or None
        A stored screen table (:func:`model.sweep.screen.read_table`).

    Returns
    -------
    dict
        Target id -> ``base_verdict`` of the table.
    """
    from ..sweep.screen import note_of

    if table is None or table.empty or "flips_with" not in card.columns:
        return {}
    notes = dict(zip(card["target"], card["flips_with"]))
    out = {}
    for t, g in table.groupby("target", sort=False):
        note = notes.get(t)
        if isinstance(note, str) and note and note == note_of(g):
            out[t] = str(g["base_verdict"].iloc[0])
    return out


def base_clause(status, base: str | None) -> str:
    """`` (screen base: at risk; this run: on track)`` when the two statuses differ, else ""."""
    if not base or not isinstance(status, str) or not status or status == base:
        return ""
    return f" (screen base: {base}; this run: {status})"


def flips_notes(card: pd.DataFrame, bases: Mapping[str, str] | None = None) -> list:
    """Each row's ``flips_with`` note, with :func:`base_clause` appended where ``bases`` (target -> the
    screen's base status) differs from the row's ``status``; non-strings as they are."""
    bases = bases or {}
    return [n + base_clause(st, bases.get(t)) if isinstance(n, str) and n else n
            for t, n, st in zip(card["target"], card["flips_with"], card["status"])]


#: Said under the notes when a clause of :func:`base_clause` is shown.
BASE_CLAUSE_NOTE = ("Where the screen's base status (the same scenario at the screen's own path counts, "
                    "calibration/sweeps/screen.toml) differs from this run's, the note says both: the steps counted "
                    "flip the screen's base status, which may not be this run's near a threshold.")


def flips_markdown(sc: pd.DataFrame) -> list[str]:
    """Markdown lines of the ``flips_with`` notes (one line when no current screen covers the run).

    The notes are shown as the run wrote them: :func:`model.runner.run_scenario` appends the
    :func:`base_clause` when it runs (against the screen that was current then); a report rebuilt
    later never recomputes it from whatever screen is stored by then.
    """
    if "flips_with" not in sc.columns:
        return []
    notes = [(r.name, r.flips_with) for r in sc.itertuples() if isinstance(r.flips_with, str) and r.flips_with]
    if not notes:
        return []
    head = ["", "Flips with — the labelled assumptions whose plausible range can flip each status "
                "(stored Morris screen, `calibration/sweeps/screen_<scenario>.csv`; column `flips_with`):", ""]
    if len({t for _, t in notes}) == 1 and notes[0][1].startswith("no current screen"):
        return head + [f"* every modelled target: {notes[0][1]}"]
    return head + [f"* {n}: {t}" for n, t in notes] + (["", BASE_CLAUSE_NOTE] if any(
        "(screen base: " in t for _, t in notes) else [])


_SHORT_NAME = {"gdp_level": "GDP", "gdp_growth": "growth", "energy_intensity": "energy index",
               "hightech_share": "high-tech share", "hightech_level": "high-tech VA"}


def _short_amount(x: float, unit: str) -> str:
    u = unit.lower()
    if u.startswith("100m yuan") or u.startswith("100m cny"):
        return f"{x:,.0f}".replace(",", " ") + "亿"
    if "per year" in u:
        return f"{x:.1f} pp/yr"
    if u.startswith("percent"):
        return f"{x:.1f} pp"
    return f"{x:.1f} points"


def lp_status_line(opt: dict | None, lp_paths: dict | None = None) -> str:
    """One line saying what the LP found, e.g. ``LP solved — targets: 1 met, 4 missed (GDP short 2 888亿, …)``.

    Parameters
    ----------
    opt : dict
        The optimisation summary (``run.json`` ``optimisation``): its
        ``status_line`` when the LP core wrote one, else ``status`` and
        ``targets`` {id: {status, shortfall, unit, …}} (older run folders).
    lp_paths : dict, optional
        ``{"paths": m, "optimal": k}`` of the LP re-solved across sample paths.
    """
    if not opt:
        return "-"
    if opt.get("status_line"):          # the LP core's own line (model.opt.pathlp.status_line)
        line = str(opt["status_line"])
        if lp_paths:
            line += f"; re-solved on {lp_paths['paths']} forecast paths ({lp_paths['optimal']} solved)"
        return line
    tg = opt.get("targets") or {}
    missed = {k: t for k, t in tg.items() if t.get("status") not in ("met", "binding")}
    met = len(tg) - len(missed)
    ok = opt.get("status") == "optimal"
    head = "LP solved" if ok else f"LP not solved ({opt.get('status')})"
    line = f"{head} — targets: {met} met, {len(missed)} missed"
    if missed:
        kind = {k: str(t.get("kind") or k.rsplit("_", 1)[0]) for k, t in missed.items()}
        line += " (" + ", ".join(f"{_SHORT_NAME.get(kind[k], k)} short {_short_amount(float(t['shortfall']), t['unit'])}"
                                 for k, t in missed.items()) + ")"
    if lp_paths:
        line += f"; re-solved on {lp_paths['paths']} forecast paths ({lp_paths['optimal']} solved)"
    return line
