"""Reviewer report of one run: ``report.html`` (self-contained) and ``report.md``.

:func:`write_report` reads the files of a run folder (``run.json``,
``scorecard.csv``, ``assumptions.csv``, ``panel.csv``, ``forecasts.csv``,
``method_weights.csv``, ``backtest.csv`` and, for optimisation runs,
``allocation.csv``, ``targets_feasibility.csv``, ``frontier.csv/png``,
``model.mps``) and writes two documents with the same sections:

1. summary (scenario, description, headline numbers),
2. scorecard with status colours,
3. fan charts and a table of headline forecasts,
4. optimisation: allocation, target feasibility with duals, frontier,
5. forecasting methods (weights, backtest summary),
6. assumptions in force, which file set them and which outputs rest on them,
7. data provenance (the sources used by the panel, input-file hashes),
8. run manifest.

The HTML needs no network: CSS is inline, charts are embedded as base64 PNG
data URIs, there is no JavaScript and no web font. The Markdown version links
the PNGs next to it in the run folder.

The runner calls ``write_report(tmp_dir, result)`` after ``run.json`` is
written; ``python -m model.report outputs/<scenario>`` rebuilds the report of
an existing run from its files alone.
"""
from __future__ import annotations

import base64
import html
import json
import math
import numbers
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..paths import DATA, ROOT
from .i18n import en_units

STATUS_CLASS = {"on track": "ok", "met": "ok", "at risk": "warn", "binding": "warn",
                "off track": "bad", "violated": "bad", "missed": "bad", "not modelled": "na"}
HEADLINE = [("GDP|Nominal", "CZT"), ("GDP|Real growth", "CZT"), ("GDP per capita", "CZT"),
            ("Population|Resident", "CZT"), ("Urbanisation rate", "CZT"), ("Energy intensity", "CZT"),
            ("High-tech VA", "CZT"), ("High-tech VA|Share of GDP", "CZT")]
HEADLINE_YEARS = (2025, 2030, 2035)
WRAP_COLS = {"where", "caveats", "sha256", "file", "value", "dual_unit", "accounts"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Source Han Sans SC",
 "Microsoft YaHei","PingFang SC","Hiragino Sans GB","WenQuanYi Micro Hei",sans-serif;
 margin:0 auto;max-width:1150px;padding:1.2em 1.6em;color:#1f2328;background:#fff;line-height:1.45}
h1{font-size:1.7em;border-bottom:3px solid #0b5cad;padding-bottom:.3em}
h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #d0d7de;padding-bottom:.2em;color:#0b5cad}
h3{font-size:1.08em;margin-top:1.2em}
.scroll{overflow-x:auto;max-width:100%;margin:.6em 0 1em}
table{border-collapse:collapse;font-size:.86em;width:auto}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.wrap{overflow-wrap:anywhere;min-width:12em}
th{background:#f3f5f7}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfc}
td.ok{background:#d8f3dc !important;color:#0f5132;font-weight:600}
td.warn{background:#fff3cd !important;color:#7a4d00;font-weight:600}
td.bad{background:#f8d7da !important;color:#842029;font-weight:600}
td.na{background:#eceff1 !important;color:#555}
td.ok,td.warn,td.bad,td.na{white-space:nowrap}
.note{color:#57606a;font-size:.9em}
.box{border-left:4px solid #0b5cad;background:#f1f6fc;padding:.5em 1em;margin:1em 0}
.legend span{display:inline-block;padding:.1em .6em;margin-right:.4em;border-radius:3px;font-size:.85em}
figure{margin:1em 0;display:inline-block;max-width:100%}
figure img{max-width:100%;border:1px solid #d0d7de}
figcaption{font-size:.85em;color:#57606a}
code{background:#f3f5f7;padding:0 .25em;border-radius:3px;font-size:.9em}
nav a{margin-right:.8em}
"""


# --------------------------------------------------------------------------- blocks
@dataclass
class _Table:
    df: pd.DataFrame
    status_cols: tuple[str, ...] = ()
    caption: str = ""


@dataclass
class _Image:
    path: Path
    caption: str


@dataclass
class _Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)

    def p(self, text: str, cls: str = "") -> "_Section":
        self.blocks.append(("p", text, cls))
        return self

    def h3(self, text: str) -> "_Section":
        self.blocks.append(("h3", text, ""))
        return self

    def ul(self, items: list[str]) -> "_Section":
        self.blocks.append(("ul", items, ""))
        return self

    def table(self, df: pd.DataFrame, status_cols: tuple[str, ...] = (), caption: str = "") -> "_Section":
        self.blocks.append(_Table(df, status_cols, caption))
        return self

    def image(self, path: Path, caption: str) -> "_Section":
        self.blocks.append(_Image(path, caption))
        return self


# --------------------------------------------------------------------------- helpers
def _read_csv(path: Path, **kw) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, **kw)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _isnum(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _cell(col: str, v: Any) -> str:
    """Format a table cell; year-like and counter columns stay plain integers."""
    c = str(col).lower()
    if ("year" in c or c in ("point", "rows", "panel rows", "n")) and _isnum(v) and float(v) == float(v):
        return str(int(v))
    return _fmt(v)


def _fmt(x: Any, nd: int | None = None) -> str:
    """Format one cell: numbers with thousands separators, NaN/None as an en dash."""
    if x is None:
        return "–"
    if _isnum(x) or hasattr(x, "dtype"):
        try:
            v = float(x)
        except (TypeError, ValueError):
            return str(x)
        if not math.isfinite(v):
            return "–"
        if nd is None:
            a = abs(v)
            nd = 0 if a >= 1000 else (1 if a >= 100 else (2 if a >= 0.01 or a == 0 else 4))
        if v == int(v) and abs(v) < 1e15 and nd == 0:
            return f"{int(v):,}"
        return f"{v:,.{nd}f}"
    s = str(x)
    return "–" if s in ("nan", "None", "") else s


def _esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _inline_md(s: str) -> str:
    """Markdown text -> HTML for the small subset used here (``code`` and **bold**)."""
    s = _esc(s)
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", s)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _rel(p: str) -> str:
    """A path relative to the project root where possible."""
    try:
        return Path(p).resolve().relative_to(ROOT.resolve()).as_posix()
    except (ValueError, OSError):
        return str(p)


# --------------------------------------------------------------------------- rendering
_URL = re.compile(r"https?://[^\s<>'\"|)]+[^\s<>'\"|).,;]")


def _linkify(escaped: str) -> str:
    """Make the http(s) addresses in already-escaped text clickable (sources, not resources)."""
    return _URL.sub(lambda m: f"<a href=\"{m.group(0)}\" rel=\"noopener\">{m.group(0)}</a>", escaped)


def _table_html(t: _Table, lang: str = "en") -> str:
    from .zh import tr, tr_cell

    df = t.df
    T = (lambda x: tr(str(x))) if lang == "zh" else (lambda x: en_units(str(x)))  # noqa: E731
    C = (lambda x: tr_cell(x)) if lang == "zh" else en_units  # noqa: E731
    out = ["<div class='scroll'><table>"]
    if t.caption:
        out.append(f"<caption class='note'>{_inline_md(T(t.caption))}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_esc(T(c))}</th>" for c in df.columns) + "</tr></thead><tbody>")
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row):
            cls = ""
            if c in t.status_cols:
                cls = STATUS_CLASS.get(str(v).strip().lower(), "")
            elif _isnum(v) or (hasattr(v, "dtype") and pd.api.types.is_number(v)):
                cls = "num"
            elif c in WRAP_COLS:
                cls = "wrap"
            text = _linkify(_esc(C(_cell(c, v))))
            cells.append(f"<td class='{cls}'>{text}</td>" if cls else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _table_md(t: _Table) -> str:
    df = t.df
    lines = []
    if t.caption:
        lines += [f"*{en_units(t.caption)}*", ""]
    lines.append("| " + " | ".join(_md_cell(en_units(str(c))) for c in df.columns) + " |")
    lines.append("|" + "---|" * len(df.columns))
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row):
            s = _md_cell(en_units(_cell(c, v)))
            cells.append(f"**{s}**" if c in t.status_cols and s != "–" else s)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _render_html(title: str, sections: list[_Section], lang: str = "en") -> str:
    """The HTML document; ``lang="zh"`` renders the same sections through the translation table."""
    from .zh import tr

    T = tr if lang == "zh" else en_units  # noqa: E731
    body = [f"<h1>{_esc(title)}</h1>",
            "<nav>" + "".join(f"<a href='#{s.anchor}'>{_esc(T(s.title))}</a>" for s in sections) + "</nav>"]
    for s in sections:
        body.append(f"<section id='{s.anchor}'><h2>{_esc(T(s.title))}</h2>")
        for b in s.blocks:
            if isinstance(b, _Table):
                body.append(_table_html(b, lang))
            elif isinstance(b, _Image):
                body.append(f"<figure><img alt='{_esc(T(b.caption))}' src='{_data_uri(b.path)}'>"
                            f"<figcaption>{_esc(T(b.caption))}</figcaption></figure>")
            else:
                kind, content, cls = b
                if kind == "p":
                    text = _linkify(_inline_md(T(content)))
                    body.append(f"<p class='{cls}'>{text}</p>" if cls else f"<p>{text}</p>")
                elif kind == "h3":
                    body.append(f"<h3>{_esc(T(content))}</h3>")
                elif kind == "ul":
                    body.append("<ul>" + "".join(f"<li>{_linkify(_inline_md(T(i)))}</li>" for i in content) + "</ul>")
        body.append("</section>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f"<!DOCTYPE html>\n<html lang='{html_lang}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _render_md(title: str, sections: list[_Section]) -> str:
    """The Markdown document (English; units spelled by :func:`~model.report.i18n.en_units`)."""
    E = en_units  # noqa: N806
    out = [f"# {title}", ""]
    for s in sections:
        out += [f"## {E(s.title)}", ""]
        for b in s.blocks:
            if isinstance(b, _Table):
                out += [_table_md(b), ""]
            elif isinstance(b, _Image):
                out += [f"![{E(b.caption)}]({b.path.name})", "", f"*{E(b.caption)}*", ""]
            else:
                kind, content, _ = b
                if kind == "p":
                    out += [E(content), ""]
                elif kind == "h3":
                    out += [f"### {E(content)}", ""]
                elif kind == "ul":
                    out += [f"* {E(i)}" for i in content] + [""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- sections
def _summary(run_dir: Path, man: dict, card: pd.DataFrame | None, result) -> _Section:
    s = _Section("summary", "Summary")
    sc = getattr(result, "scenario", None)
    desc = getattr(sc, "description", "") if sc is not None else ""
    files = man.get("scenario_files") or []
    s.p(f"Scenario **{man.get('scenario', run_dir.name)}**" + (f": {desc}" if desc else "."))
    if files:
        s.p("Scenario files (parent first): " + " → ".join(f"`{_rel(f)}`" for f in files)
            + "; defaults from `calibration/parameters.toml`.")
    # no start time, wall time or command here: same seed -> same bytes; those live only in run.json
    s.p(f"{man.get('n_paths', '?')} simulated paths, seed {man.get('seed', '?')} (start time, wall time and "
        f"command: `run.json`).", "note")
    if man.get("horizon"):
        s.p(man["horizon"], "note")
    if card is not None and len(card):
        modelled = card[card.status != "not modelled"]
        counts = modelled.status.value_counts()
        items = [f"{int(counts.get(k, 0))} {k}" for k in ("on track", "at risk", "off track")]
        s.p(f"Of {len(card)} targets, {len(modelled)} are modelled: " + ", ".join(items)
            + f"; {len(card) - len(modelled)} are not modelled (no forecast variable tests them).")
        ix = card.set_index("target")
        if "gdp_level" in ix.index and pd.notna(ix.at["gdp_level", "forecast_median"]):
            r = ix.loc["gdp_level"]
            s.p(f"**Headline**: CZT GDP {int(r.year)} median {_fmt(r.forecast_median)} 亿元 "
                f"(80% interval {_fmt(r.forecast_p10)}–{_fmt(r.forecast_p90)}) against the plan's "
                f"{_fmt(r.plan_value)}; P(meet) = {float(r.prob_meet):.3f} → **{r.status}**.")
    opt = man.get("optimisation")
    if isinstance(opt, dict) and opt.get("status") not in (None, "skipped"):
        from .scorecard import lp_status_line

        alt = man.get("alternative") if isinstance(man.get("alternative"), dict) else {}
        s.p(f"Optimisation (mode `{opt.get('mode')}`, solver {opt.get('solver')}): "
            f"**{lp_status_line(opt, alt.get('lp'))}**.")
    if isinstance(man.get("alternative"), dict):
        s.p("The forecasts of this scenario are its alternative: the control paths moved by the scenario's levers "
            "through the structural model, path by path (`lever_effects.csv`).")
        eff = _read_csv(run_dir / "lever_effects.csv", dtype={"quantile": str})
        if eff is not None and len(eff):
            rows = []
            for var in sorted(eff.variable.unique()):
                d = eff[eff.variable == var]
                for y in (2025, 2030, 2035):
                    q = d[d.year == y].set_index("quantile").value
                    if {"0.05", "0.5", "0.95"} <= set(q.index):
                        rows.append({"deviation from the control": var.removeprefix("Deviation|"), "year": y,
                                     "unit": d.unit.iloc[0], "median": _fmt(q["0.5"]),
                                     "90% interval": f"{_fmt(q['0.05'])} – {_fmt(q['0.95'])}"})
            if rows:
                s.table(pd.DataFrame(rows), caption="Lever effect: alternative − control on each path, "
                                                    "quantiles across paths (lever_effects.csv)")
    return s


#: How a "flips with" note that there is no current screen begins (model.sweep.screen.NO_SCREEN).
_NO_SCREEN = "no current screen"
FLIPS_NOTE = ("Flips with: the labelled assumptions (at most two) whose plausible range can flip the status, from "
              "the stored Morris screen of this scenario (design: calibration/sweeps/screen.toml; table: "
              "calibration/sweeps/screen_<scenario>.csv); \"k of n steps\": of the screen's elementary-effect steps "
              "along that assumption, those in which the status changed.")


def _flips_cell(note) -> str:
    """The scorecard's "flips with" cell: the note, "no current screen" (explained once below the table), or –."""
    if not isinstance(note, str) or not note:
        return "–"
    return _NO_SCREEN if note.startswith(_NO_SCREEN) else note


def _scorecard(card: pd.DataFrame | None, man: dict) -> _Section:
    s = _Section("scorecard", "Scorecard")
    if card is None:
        return s.p("No `scorecard.csv` in this run folder.")
    s.p(f"Probabilities are shares of the {man.get('n_paths', '?')} simulated paths that meet each target. "
        "Basis *assumption*: the forecast rests on labelled assumptions (column *rests on*, see Assumptions).")
    s.p("Needed per year: what it takes each year from the latest observation to the target year to just meet the "
        "target — growth of the level (%/yr) for levels and indices, change in percentage points (pp/yr) for rates "
        "and shares, and real growth in the remaining years for an average-growth target.", "note")
    from ..results.needed import needed_per_year as _needed, target_kinds

    kinds = target_kinds()
    from .scorecard import BASE_CLAUSE_NOTE  # the notes as the run wrote them (clause included)

    rows = []
    for r in card.itertuples():
        def num(x):
            return x if x is not None and x == x else None
        latest = (f"{_fmt(r.latest_value)} ({int(r.latest_year)})" if num(r.latest_year) is not None else "–")
        med = (f"{_fmt(r.forecast_median)} [{_fmt(r.forecast_p10)}, {_fmt(r.forecast_p90)}]"
               if num(r.forecast_median) is not None else "–")
        rows.append({"target": r.target, "name": r.name,
                     "plan": f"{r.comparator} {_fmt(r.plan_value)} {r.unit}", "year": int(r.year),
                     "latest (year)": latest, "median [80% interval]": med,
                     "P(meet)": (f"{r.prob_meet:.3f}" if num(r.prob_meet) is not None else "–"),
                     "needed per year (from latest observation)": _needed(r, kinds),
                     "status": r.status, "basis": r.basis if isinstance(r.basis, str) else "–",
                     "rests on": ", ".join(k.split(".")[-1] for k in str(r.rests_on).split("; "))
                     if isinstance(r.rests_on, str) and r.rests_on else "–",
                     "flips with": _flips_cell(getattr(r, "flips_with", ""))})
    s.p("Status: on track P ≥ 0.75, at risk 0.25 ≤ P < 0.75, off track P < 0.25, not modelled where no forecast "
        "variable tests the target.", "note")
    s.p("Intervals: 80% (10%–90% quantiles) throughout; fan charts also shade the 50% and 90% bands, as labelled.", "note")
    s.table(pd.DataFrame(rows), status_cols=("status",))
    no_screen = {str(x) for x in card.get("flips_with", pd.Series(dtype=str)).dropna()
                 if str(x).startswith(_NO_SCREEN)}
    if no_screen:
        s.p(f"Flips with: {sorted(no_screen)[0]}.", "note")
    else:
        s.p(FLIPS_NOTE, "note")
    if any(isinstance(n, str) and "(screen base: " in n for n in card.get("flips_with", [])):
        s.p(BASE_CLAUSE_NOTE, "note")
    if "prob_meet_across_assumption" in card.columns:
        sens = [(r.name, r.prob_meet_across_assumption) for r in card.itertuples()
                if isinstance(r.prob_meet_across_assumption, str) and r.prob_meet_across_assumption]
        if sens:
            s.p("Verdicts that rest on an assumption, across its plausible range:")
            s.ul([f"**{n}**: {t}" for n, t in sens])
    return s


def _forecast_section(run_dir: Path, man: dict, fc: pd.DataFrame | None, result) -> _Section:
    s = _Section("forecasts", "Forecasts and fan charts")
    charts = man.get("charts") or sorted(p.name for p in run_dir.glob("fan_*.png"))
    caps = {"fan_gdp.png": "CZT nominal GDP (100m yuan): history, median, 50% and 90% bands, plan target ★",
            "fan_population.png": "CZT resident population (10k persons, 2020-census basis)",
            "fan_energy_intensity.png": "CZT energy intensity (index 2019 = 100) — rests on assumptions",
            "fan_hightech_va.png": "CZT high-tech value added (100m yuan) — rests on assumptions"}
    for name in charts:
        p = run_dir / name
        if p.exists():
            s.image(p, caps.get(name, name))
    if fc is not None and len(fc):
        q = fc["quantile"].astype(str)
        rows = []
        for var, reg in HEADLINE:
            d = fc[(fc.variable == var) & (fc.region == reg)]
            if not len(d):
                continue
            is_fc = d.basis.astype(str).str.startswith("forecast")
            row = {"variable": var, "unit": d.unit.iloc[0], "basis": d[is_fc].basis.iloc[0] if is_fc.any() else ""}
            for y in HEADLINE_YEARS:
                dy = d[(d.year == y) & is_fc]
                qq = dict(zip(q.loc[dy.index], dy.value))
                dy = dy if len(dy) else d[d.year == y]
                if "0.5" in qq:
                    row[str(y)] = f"{_fmt(qq['0.5'])} [{_fmt(qq.get('0.1'))}, {_fmt(qq.get('0.9'))}]"
                elif len(dy):
                    row[str(y)] = _fmt(dy.value.iloc[0]) + " (data)"
                else:
                    row[str(y)] = "–"
            rows.append(row)
        if rows:
            s.h3("Headline forecasts, CZT: median [80% interval]")
            s.table(pd.DataFrame(rows))
    notes = _dedup_notes(man.get("notes") or [])
    if notes:
        s.h3("Modelling notes")
        s.ul(notes)
    return s


def _dedup_notes(notes: list) -> list[str]:
    """Notes once each, region codes replaced by city names (``430100`` → ``Changsha``)."""
    from .i18n import REGION_EN

    out: list[str] = []
    for n in notes:
        t = re.sub(r"\b(43\d{4})\b", lambda m: REGION_EN.get(m.group(1), m.group(1)), str(n))
        if t not in out:
            out.append(t)
    return out


def _optimisation_section(run_dir: Path, man: dict) -> _Section | None:
    alloc = _read_csv(run_dir / "allocation.csv")
    feas = _read_csv(run_dir / "targets_feasibility.csv")
    front = _read_csv(run_dir / "frontier.csv")
    opt = man.get("optimisation") if isinstance(man.get("optimisation"), dict) else None
    if alloc is None and feas is None and front is None and not opt:
        return None
    s = _Section("optimisation", "Optimisation: allocation, targets and duals, frontier")
    if opt:
        keys = ["mode", "lp_objective", "solver", "status", "objective", "objective_unit", "iterations",
                "solver_time_s", "n_clusters", "years", "n_variables", "n_constraints", "price_basis",
                "resolved_consistently", "accounts", "wall_time_s"]
        rows = [{"item": k, "value": _fmt(opt[k]) if _isnum(opt[k]) else str(opt[k])} for k in keys if k in opt]
        s.h3("Solver summary (run.json → optimisation)")
        s.table(pd.DataFrame(rows))
        if opt.get("notes"):
            s.ul([str(n) for n in opt["notes"]])
        conf = opt.get("conflicts") or {}
        if conf:
            pairs = conf.get("conflicting_pairs") or []
            s.p("Target conflicts: " + ("all targets jointly reachable" if conf.get("all_jointly_reachable")
                                        else "not all targets are jointly reachable")
                + (f"; minimum total slack {_fmt(conf.get('min_total_slack'))}" if conf.get("min_total_slack") is not None else "")
                + ("; conflicting pairs: " + ", ".join(f"{a}–{b}" for a, b, *_ in pairs) if pairs else "") + ".")
    if feas is not None and len(feas):
        s.h3("Target feasibility and shadow prices (targets_feasibility.csv)")
        s.p("*best_reachable*: the best value within the bounds when only that target is pursued; "
            "*extra_investment*: what meeting it would take beyond the plan's investment (empty: unreachable within "
            "the bounds); *marginal_cost*: for binding targets only, the cost of tightening by one unit, valid "
            "between *valid_from* and *valid_to* (HiGHS ranging). A missed target has no price.", "note")
        cols = [c for c in ("target", "year", "sense", "required", "achieved", "unit", "slack", "shortfall", "status",
                            "dual", "dual_unit", "dual_valid_from", "dual_valid_to", "best_alone", "best_reachable",
                            "extra_investment", "extra_investment_unit", "marginal_cost", "cost_unit", "valid_from",
                            "valid_to") if c in feas.columns]
        s.table(feas[cols], status_cols=("status",))
        for col in ("interpretation", "verdict"):
            if col in feas.columns:
                s.ul([f"**{r.target}**: {getattr(r, col)}" for r in feas.itertuples() if isinstance(getattr(r, col), str)])
        if "conflicts_with" in feas.columns and feas.conflicts_with.notna().any():
            s.p("Conflicting targets (cannot be improved together): " + "; ".join(
                f"{r.target} ↔ {r.conflicts_with.replace(';', ', ')}" for r in feas.itertuples()
                if isinstance(r.conflicts_with, str) and r.conflicts_with), "note")
    if alloc is not None and len(alloc):
        s.h3("Investment allocation by cluster (allocation.csv)")
        inv = alloc[alloc.variable.str.startswith("Optimisation|Investment|")]
        sh = alloc[alloc.variable.str.startswith("Optimisation|Investment share|")]
        years = sorted(inv.year.unique()) if len(inv) else []
        pick = [y for y in (years[:1] + [2025, 2030] + years[-1:]) if y in years]
        pick = sorted(set(pick))
        if len(inv):
            unit = inv.unit.iloc[0]
            t = inv.assign(cluster=inv.variable.str.split("|").str[-1]).pivot_table(
                index="cluster", columns="year", values="value", aggfunc="first")[pick]
            t.columns = [f"investment {c}" for c in t.columns]
            if len(sh):
                u = sh.assign(cluster=sh.variable.str.split("|").str[-1]).pivot_table(
                    index="cluster", columns="year", values="value", aggfunc="first")[pick]
                u.columns = [f"share {c} %" for c in u.columns]
                t = t.join(u)
            t = t.sort_values(t.columns[-1 if not len(sh) else len(pick) - 1], ascending=False).reset_index()
            from .i18n import cluster_label

            t.insert(1, "name", [cluster_label(c, "en") for c in t["cluster"]])  # cluster_map.csv names (zh in report_zh)
            s.table(t, caption=f"investment in {unit}; share of the year's total investment in %")
        tot = alloc[alloc.variable.isin(["Optimisation|GDP|Real", "Optimisation|GDP|Nominal", "Optimisation|Investment",
                                          "Optimisation|Energy intensity", "Optimisation|High-tech VA",
                                          "Optimisation|High-tech VA|Share of GDP"])]
        if len(tot):
            tt = tot.pivot_table(index=["variable", "unit"], columns="year", values="value", aggfunc="first")
            tt = tt[[c for c in pick if c in tt.columns]].reset_index()
            s.table(tt, caption="CZT totals of the optimised allocation")
    lpu = _read_csv(run_dir / "lp_uncertainty.csv")
    if lpu is not None and len(lpu):
        s.h3("Uncertainty through the LP (lp_uncertainty.csv, lp_paths.csv)")
        s.p("The LP re-solved on sample paths of the forecast (each with its own demand and deflator): "
            "the distribution of what the best allocation reaches, and the share of paths on which a target "
            "is reachable.", "note")
        s.table(lpu)
    ipng = run_dir / "fan_investment.png"
    if ipng.exists():
        s.image(ipng, "Investment under the best allocation across sample paths, fan_investment.png")
    fpng = run_dir / "frontier.png"
    if fpng.exists():
        s.h3("Frontier")
        s.image(fpng, "GDP vs energy intensity frontier (ε-constraint), frontier.png")
    if front is not None and len(front):
        cols = [c for c in ("point", "year", "ei_cap", "ei_achieved", "gdp", "gdp_nominal", "hightech_share_pct",
                            "marginal_gdp_per_point", "status") if c in front.columns]
        sub = front[cols]
        if len(sub) > 12:
            idx = sorted(set([round(i * (len(sub) - 1) / 10) for i in range(11)]))
            sub = sub.iloc[idx]
        s.table(sub, caption=f"{len(front)} frontier points in frontier.csv (every ~10th shown)")
    mps = run_dir / "model.mps"
    if mps.exists():
        from ..results.manifest import sha256_file

        s.p(f"The LP as solved: `model.mps` ({mps.stat().st_size:,} bytes, SHA-256 `{sha256_file(mps)[:16]}…`).", "note")
    return s


def _methods_section(run_dir: Path) -> _Section | None:
    w = _read_csv(run_dir / "method_weights.csv", dtype={"region": str})
    bt = _read_csv(run_dir / "backtest.csv", dtype={"region": str})
    if (w is None or not len(w)) and (bt is None or not len(bt)):
        return None
    s = _Section("methods", "Forecasting methods and backtests")
    s.p("Each variable's paths are a mixture of time-series methods weighted by their rolling-origin backtest "
        "accuracy (method_weights.csv); backtest.csv has MAE, MASE, sMAPE and interval coverage per horizon.")
    if w is not None and len(w) and {"variable", "region", "method", "weight"} <= set(w.columns):
        t = w.pivot_table(index=["variable", "region"], columns="method", values="weight", aggfunc="first").reset_index()
        t.columns.name = None
        s.h3("Method weights")
        s.table(t)
    if bt is not None and len(bt) and {"variable", "method"} <= set(bt.columns):
        num = [c for c in ("mase", "rel_mae_vs_drift", "smape", "coverage_80", "coverage_90") if c in bt.columns]
        t = bt.groupby(["variable", "method"])[num].mean().reset_index()
        s.h3("Backtest summary (mean over regions and horizons)")
        s.table(t)
    return s


def _scenario_origins(files: list[str]) -> dict[str, str]:
    """Which file set each ``assumptions.*`` key (defaults: parameters.toml)."""
    out: dict[str, str] = {}

    def walk(d: dict, prefix: str, src: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.", src)
            else:
                out[f"{prefix}{k}"] = src

    for f in ["calibration/parameters.toml", *files]:
        p = Path(f) if Path(f).is_absolute() else ROOT / f
        try:
            with open(p, "rb") as fh:
                walk(tomllib.load(fh), "", _rel(str(p)))
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return out


def _assumptions_section(run_dir: Path, man: dict, card: pd.DataFrame | None,
                         panel: pd.DataFrame | None, result) -> _Section:
    s = _Section("assumptions", "Assumptions and what rests on them")
    a = _read_csv(run_dir / "assumptions.csv")
    if a is None and result is not None:
        a = getattr(result, "assumptions", None)
    if a is None or not len(a):
        return s.p("No `assumptions.csv` in this run folder.")
    origins = _scenario_origins(man.get("scenario_files") or [])
    rests: dict[str, list[str]] = {}
    if card is not None and "rests_on" in card.columns:
        for r in card.itertuples():
            if isinstance(r.rests_on, str) and r.rests_on:
                for k in r.rests_on.split("; "):
                    rests.setdefault(k, []).append(r.target)
    rows = []
    for r in a.itertuples():
        rows.append({"assumption": r.key, "value": r.value,
                     "set in": origins.get(r.key, "calibration/parameters.toml (derived default)"
                                           if str(r.value) == "derived default" else "calibration/parameters.toml"),
                     "outputs resting on it": r.outputs,
                     "scorecard targets resting on it": ", ".join(rests.get(r.key, [])) or "–"})
    s.p("Every labelled assumption in force (assumptions.csv). *derived default*: the value is computed from the "
        "data as documented in `calibration/parameters.toml`. Outputs resting on an assumption carry "
        "`basis = assumption` in forecasts.csv and the scorecard.")
    s.table(pd.DataFrame(rows))
    opt_keys = {k: v for k, v in origins.items() if k.startswith("optimisation.") and not v.endswith("parameters.toml")}
    sc = getattr(result, "scenario", None)
    if sc is not None:
        settings = []
        for sec in ("forecast", "optimisation", "io"):
            for k, v in getattr(sc, sec).model_dump().items():
                key = f"{sec}.{k}"
                settings.append({"setting": key, "value": str(v),
                                 "set in": origins.get(key, "calibration/parameters.toml")})
        s.h3("Scenario settings (forecasting, optimisation, IO)")
        s.table(pd.DataFrame(settings))
        if sc.targets_2035:
            s.h3("User-supplied long-run goals (targets_2035)")
            s.table(pd.DataFrame([{"id": t.id, "variable": t.variable, "comparator": t.comparator, "value": t.value,
                                   "unit": t.unit, "year": t.year, "kind": t.kind, "note": t.note}
                                  for t in sc.targets_2035]))
    elif opt_keys:
        s.table(pd.DataFrame([{"setting": k, "set in": v} for k, v in opt_keys.items()]))
    if panel is not None and len(panel) and "basis" in panel.columns:
        c = panel.basis.value_counts()
        s.p("Modelling panel (panel.csv): " + ", ".join(f"{int(v)} {k}" for k, v in c.items())
            + f" rows of {len(panel)}; rows with basis *assumption* are listed by variable below.")
        asum = panel[panel.basis == "assumption"]
        if len(asum):
            t = asum.groupby(["variable", "region_code"]).year.agg(["min", "max", "count"]).reset_index()
            t.columns = ["variable", "region", "first year", "last year", "rows"]
            s.table(t)
    return s


_SRC_ROW = re.compile(r"^\|\s*([A-Z][A-Z0-9_]+)\s*\|(.*)\|\s*$")


def source_registry(data_dir: Path = DATA) -> dict[str, dict]:
    """``source_id -> {where, covers, caveats, file}`` parsed from every ``SOURCES.md`` table."""
    reg: dict[str, dict] = {}
    for md in sorted(data_dir.glob("*/SOURCES.md")) + sorted(data_dir.glob("*/README.md")):
        for line in md.read_text(encoding="utf-8").splitlines():
            m = _SRC_ROW.match(line)
            if not m or m.group(1) in reg:
                continue
            parts = [x.strip() for x in m.group(2).split("|")]
            reg[m.group(1)] = {"where": parts[0] if parts else "", "covers": parts[1] if len(parts) > 1 else "",
                               "caveats": parts[2] if len(parts) > 2 else "",
                               "file": md.relative_to(data_dir).as_posix()}
    return reg


def _short(s: str, n: int = 160) -> str:
    s = re.sub(r"\s+", " ", s.replace("**", "")).strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _provenance_section(man: dict, panel: pd.DataFrame | None) -> _Section:
    s = _Section("provenance", "Data provenance")
    s.p("Every number in the panel comes from `calibration/data/` (a byte-for-byte copy of the sourced data, "
        "hashes in `calibration/data/VENDORED.csv`). The table lists the sources the modelling panel uses, "
        "with their location and caveats as recorded in each folder's `SOURCES.md`.")
    reg = source_registry()
    if panel is not None and len(panel) and "source_id" in panel.columns:
        use = panel.dropna(subset=["source_id"])
        rows = []
        for sid, d in use.groupby("source_id"):
            for one in str(sid).split(";"):
                one = one.strip()
                info = reg.get(one, {})
                rows.append({"source_id": one, "panel rows": len(d),
                             "variables": ", ".join(sorted(d.variable.unique())[:6]) + (" …" if d.variable.nunique() > 6 else ""),
                             "years": f"{int(d.year.min())}–{int(d.year.max())}",
                             "where": _short(info.get("where", "(not in a SOURCES.md table)"), 120),
                             "caveats": _short(info.get("caveats", ""), 160),
                             "documented in": info.get("file", "–")})
        if rows:
            t = pd.DataFrame(rows).groupby("source_id", as_index=False).agg(
                {"panel rows": "sum", "variables": "first", "years": "first", "where": "first",
                 "caveats": "first", "documented in": "first"}).sort_values("panel rows", ascending=False)
            s.h3("Sources used by the modelling panel")
            s.table(t)
        m = panel[panel.source_id.isna()] if "method" in panel.columns else None
        if m is not None and len(m):
            t = m.groupby(["basis", "method"]).size().reset_index(name="rows").sort_values("rows", ascending=False)
            s.h3("Rows computed by the model (no single source)")
            s.table(t.head(25))
    hashes = man.get("inputs_sha256") or {}
    if hashes:
        s.h3("Input files (SHA-256)")
        s.table(pd.DataFrame([{"file": _rel(k), "sha256": v} for k, v in hashes.items()]))
    return s


def _manifest_section(man: dict) -> _Section:
    s = _Section("manifest", "Run manifest")
    code = man.get("code") or {}
    rows = [("scenario", man.get("scenario")), ("scenario files", ", ".join(_rel(f) for f in man.get("scenario_files") or [])),
            ("seed", man.get("seed")), ("paths", man.get("n_paths")),
            ("start time, wall time, command", "in run.json (kept out of the report so that it is reproducible)"),
            ("git SHA", code.get("git_sha")), ("working tree dirty", code.get("git_dirty")),
            ("package version", code.get("package_version"))]
    s.table(pd.DataFrame([{"item": k, "value": "–" if v is None else str(v)} for k, v in rows]))
    pk = man.get("packages") or {}
    if pk:
        s.h3("Package versions")
        s.table(pd.DataFrame([{"package": k, "version": "–" if v is None else str(v)} for k, v in pk.items()]))
    outs = man.get("outputs") or []
    if outs:
        s.h3("Files of this run")
        s.p(", ".join(f"`{o}`" for o in outs))
    return s


# --------------------------------------------------------------------------- entry points
def build_sections(run_dir: Path, result=None) -> tuple[str, list[_Section]]:
    """Assemble the report's title and sections from a run folder (and optionally its result)."""
    run_dir = Path(run_dir)
    mpath = run_dir / "run.json"
    man = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else dict(getattr(result, "manifest", {}) or {})
    if isinstance(man.get("optimisation"), str):
        man["optimisation"] = None
    card = _read_csv(run_dir / "scorecard.csv")
    if card is None and result is not None:
        card = result.scorecard
    fc = _read_csv(run_dir / "forecasts.csv", dtype={"quantile": str}, keep_default_na=False, na_values={"value": [""]})
    if fc is not None and len(fc):
        fc["quantile"] = fc["quantile"].replace("", "nan")
    panel = _read_csv(run_dir / "panel.csv", dtype={"region_code": str, "source_id": str})
    name = man.get("scenario") or run_dir.name
    sections = [_summary(run_dir, man, card, result), _scorecard(card, man),
                _forecast_section(run_dir, man, fc, result)]
    from .evaluate import evaluation_section

    for extra in (_optimisation_section(run_dir, man), _methods_section(run_dir), evaluation_section(_Section)):
        if extra is not None:
            sections.append(extra)
    sections += [_assumptions_section(run_dir, man, card, panel, result), _provenance_section(man, panel),
                 _manifest_section(man)]
    return f"czt-model reviewer report — scenario {name}", sections


def write_report(run_dir: Path, result=None) -> None:
    """Write ``report.html`` (self-contained) and ``report.md`` into ``run_dir``.

    Parameters
    ----------
    run_dir : Path
        A run folder holding at least ``run.json`` and ``scorecard.csv`` (the
        runner passes its temporary folder, before it is renamed into place).
    result : model.runner.RunResult, optional
        The run's result; adds the scenario's description and settings. The
        report is built from the files alone when omitted.
    """
    from ..results.fileio import write_text_atomic

    run_dir = Path(run_dir)
    title, sections = build_sections(run_dir, result)
    html_text = _render_html(title, sections)
    legend = ("<p class='legend'><span class='ok' style='background:#d8f3dc'>on track / met</span>"
              "<span style='background:#fff3cd'>at risk / binding</span>"
              "<span style='background:#f8d7da'>off track / violated</span>"
              "<span style='background:#eceff1'>not modelled</span></p>")
    html_text = html_text.replace("<section id='scorecard'><h2>Scorecard</h2>",
                                  "<section id='scorecard'><h2>Scorecard</h2>" + legend, 1)
    from .zh import tr

    name = title.split("scenario ")[-1]
    zh_text = _render_html(tr("czt-model reviewer report — scenario {name}", name=name), sections, lang="zh")
    zh_legend = ("<p class='legend'><span style='background:#d8f3dc'>有望实现 / 已满足</span>"
                 "<span style='background:#fff3cd'>存在风险 / 约束趋紧</span>"
                 "<span style='background:#f8d7da'>难以实现 / 未满足</span>"
                 "<span style='background:#eceff1'>未建模</span></p>")
    zh_text = zh_text.replace("<section id='scorecard'><h2>目标计分卡</h2>",
                              "<section id='scorecard'><h2>目标计分卡</h2>" + zh_legend, 1)
    for fname, text in (("report.html", html_text), ("report_zh.html", zh_text),
                        ("report.md", _render_md(title, sections))):
        write_text_atomic(run_dir / fname, text)


def main(argv: list[str] | None = None) -> int:
    """``python -m model.report RUN_DIR``: rebuild the report of an existing run from its files."""
    args = sys.argv[1:] if argv is None else argv
    from ..results.fileio import read_marker

    # only a czt run folder (marker/manifest): never over a user's own report.html beside some run.json
    if len(args) != 1 or not (Path(args[0]) / "run.json").exists() or (read_marker(Path(args[0])) or {}).get("kind") != "run":
        print("usage: python -m model.report RUN_DIR  (a folder with run.json)", file=sys.stderr)
        return 2
    write_report(Path(args[0]))
    print(Path(args[0]) / "report.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
