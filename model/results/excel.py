"""The Excel workbook of a run (``workbook.xlsx``) for policy teams.

Built from the run folder's files alone (so ``czt export NAME --xlsx`` rebuilds it
for an existing run), with bilingual headers (``中文 / English``) and Chinese units
(亿元, 万人, %, 2019 = 100). Sheets, in order:

* ``计分卡 Scorecard`` — one row per plan target, median and 80% interval;
* ``预测 Forecasts`` — wide form (years as columns): history, median, 10% and 90% quantiles;
* ``投资分配 Allocation`` and ``可行性 Feasibility`` — optimisation runs only;
* ``假设 Assumptions`` — every labelled assumption and what rests on it;
* ``来源 Provenance`` — input files with SHA-256, scenario files, seed, code version.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd

from ..report.i18n import BASIS_ZH, REGION_ZH, STATUS_ZH, bilingual, cluster_label, variable_label
from .iamc import zh_unit

SHEETS = {"scorecard": "计分卡 Scorecard", "forecasts": "预测 Forecasts", "allocation": "投资分配 Allocation",
          "feasibility": "可行性 Feasibility", "assumptions": "假设 Assumptions", "provenance": "来源 Provenance"}
H = bilingual  # header helper
STAT_ROWS = [("history", H("历史值", "history")), ("0.5", H("中位数", "median")),
             ("0.1", H("10%分位（80%区间下限）", "10% quantile (80% interval low)")),
             ("0.9", H("90%分位（80%区间上限）", "90% quantile (80% interval high)"))]


def _read(run_dir: Path, name: str, **kw) -> pd.DataFrame | None:
    p = run_dir / name
    return pd.read_csv(p, encoding="utf-8-sig", **kw) if p.exists() else None


def _zh_status(s) -> str:
    s = str(s)
    return H(STATUS_ZH[s], s) if s in STATUS_ZH else s


def _needed_column(card: pd.DataFrame) -> list[str]:
    from .needed import needed_per_year, target_kinds

    kinds = target_kinds()
    return [needed_per_year(r, kinds) for r in card.itertuples()]


def scorecard_sheet(card: pd.DataFrame) -> pd.DataFrame:
    """Scorecard with bilingual headers and Chinese units."""
    return pd.DataFrame({
        H("目标", "target"): card.target, H("名称", "name"): card["name"],
        H("规划值", "plan value"): card.plan_value, H("单位", "unit"): card.unit.map(zh_unit),
        H("比较", "comparator"): card.comparator, H("目标年份", "target year"): card.year,
        H("最新观测值", "latest observed"): card.latest_value, H("最新年份", "latest year"): card.latest_year,
        H("预测中位数", "forecast median"): card.forecast_median,
        H("80%区间下限", "80% interval low"): card.forecast_p10,
        H("80%区间上限", "80% interval high"): card.forecast_p90,
        H("达标概率", "P(meet)"): card.prob_meet,
        H("自最新观测起所需年均增速 %", "required annual growth from latest observation %"): card.required_annual_growth_pct,
        H("每年所需（说明计量方式）", "needed per year (measure stated)"): _needed_column(card),
        H("状态", "status"): card.status.map(_zh_status),
        H("数据依据", "basis"): card.basis.map(lambda b: H(BASIS_ZH.get(str(b), str(b)), str(b)) if isinstance(b, str) else ""),
        H("依赖的假设", "rests on"): card.rests_on.fillna(""),
        H("可改变状态的假设", "flips with"): (card["flips_with"].fillna("") if "flips_with" in card.columns
                                          else ""),
    })


def forecasts_sheet(fc: pd.DataFrame) -> pd.DataFrame:
    """Wide form: one row per region × variable × statistic, years as columns."""
    fc = fc.copy()
    fc["quantile"] = fc["quantile"].astype(str)
    fc = fc[fc["quantile"].isin([k for k, _ in STAT_ROWS])]
    wide = fc.pivot_table(index=["region", "variable", "unit", "quantile"], columns="year", values="value",
                          aggfunc="first")
    rows = []
    order = {k: i for i, (k, _) in enumerate(STAT_ROWS)}
    labels = dict(STAT_ROWS)
    for (region, var, unit, q), vals in sorted(wide.iterrows(), key=lambda kv: (kv[0][1], kv[0][0], order[kv[0][3]])):
        rows.append({H("地区", "region"): H(REGION_ZH.get(region, region), region),
                     H("变量", "variable"): variable_label(var), H("单位", "unit"): zh_unit(unit),
                     H("统计量", "statistic"): labels[q], **{int(y): v for y, v in vals.items()}})
    return pd.DataFrame(rows)


def allocation_sheet(alloc: pd.DataFrame) -> pd.DataFrame:
    """Optimised allocation by cluster (bilingual cluster names), years as columns."""
    a = alloc.copy()
    parts = a.variable.str.split("|")
    a["cluster"] = parts.str[-1].where(parts.str.len() == 3, "")
    a["measure"] = parts.str[1].where(parts.str.len() == 3, a.variable.str.removeprefix("Optimisation|"))
    wide = a.pivot_table(index=["measure", "cluster", "unit"], columns="year", values="value", aggfunc="first")
    rows = []
    for (measure, cluster, unit), vals in wide.iterrows():
        rows.append({H("指标", "measure"): measure,
                     H("产业集群", "cluster"): cluster_label(cluster) if cluster else H("长株潭合计", "CZT total"),
                     H("单位", "unit"): zh_unit(unit), **{int(y): v for y, v in vals.items()}})
    return pd.DataFrame(rows)


def feasibility_sheet(feas: pd.DataFrame) -> pd.DataFrame:
    cols = {"target": H("目标", "target"), "year": H("年份", "year"), "sense": H("方向", "sense"),
            "required": H("要求值", "required"), "achieved": H("可达值", "achieved"), "unit": H("单位", "unit"),
            "slack": H("缺口", "shortfall"), "shortfall": H("缺口", "shortfall"), "status": H("状态", "status"),
            "dual": H("影子价格", "shadow price (dual)"), "dual_unit": H("影子价格单位", "dual unit"),
            "best_alone": H("单独追求时最优值", "best when pursued alone"),
            "best_reachable": H("单独追求时最优值", "best reachable when pursued alone"),
            "extra_investment": H("所需追加投资", "extra investment needed"),
            "extra_investment_unit": H("追加投资单位", "extra investment unit"),
            "marginal_cost": H("边际成本", "marginal cost"), "cost_unit": H("成本单位", "cost unit"),
            "interpretation": H("解读", "interpretation"), "verdict": H("结论", "verdict")}
    out = feas[[c for c in cols if c in feas.columns]].copy()
    out["unit"] = out["unit"].map(zh_unit)
    out["status"] = out["status"].map(_zh_status)
    return out.rename(columns=cols)


def assumptions_sheet(a: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({H("假设", "assumption"): a.key, H("取值", "value"): a.value,
                         H("依赖该假设的输出", "outputs resting on it"): a.outputs})


def provenance_sheet(man: dict) -> pd.DataFrame:
    rows = [{H("项目", "item"): H("情景", "scenario"), H("内容", "value"): man.get("scenario")},
            {H("项目", "item"): H("随机种子", "seed"), H("内容", "value"): man.get("seed")},
            {H("项目", "item"): H("模拟路径数", "paths"), H("内容", "value"): man.get("n_paths")},
            {H("项目", "item"): H("代码版本", "git SHA"), H("内容", "value"): (man.get("code") or {}).get("git_sha")}]
    rows += [{H("项目", "item"): H("情景文件", "scenario file"), H("内容", "value"): f} for f in man.get("scenario_files") or []]
    rows += [{H("项目", "item"): f, H("内容", "value"): f"SHA-256 {h}"} for f, h in (man.get("inputs_sha256") or {}).items()]
    return pd.DataFrame(rows)


def workbook_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    """The workbook's sheets (sheet name → table) from a run folder's files."""
    run_dir = Path(run_dir)
    man_p = run_dir / "run.json"
    man = json.loads(man_p.read_text(encoding="utf-8")) if man_p.exists() else {}
    out: dict[str, pd.DataFrame] = {}
    card = _read(run_dir, "scorecard.csv")
    if card is not None:
        out[SHEETS["scorecard"]] = scorecard_sheet(card)
    fc = _read(run_dir, "forecasts.csv", dtype={"quantile": str}, keep_default_na=False, na_values={"value": [""]})
    if fc is not None:
        out[SHEETS["forecasts"]] = forecasts_sheet(fc)
    alloc = _read(run_dir, "allocation.csv")
    if alloc is not None and len(alloc):
        out[SHEETS["allocation"]] = allocation_sheet(alloc)
    feas = _read(run_dir, "targets_feasibility.csv")
    if feas is not None and len(feas):
        out[SHEETS["feasibility"]] = feasibility_sheet(feas)
    a = _read(run_dir, "assumptions.csv")
    if a is not None:
        out[SHEETS["assumptions"]] = assumptions_sheet(a)
    out[SHEETS["provenance"]] = provenance_sheet(man)
    return out


def write_workbook(run_dir: Path, path: Path | None = None) -> Path:
    """Write ``workbook.xlsx`` (or ``path``) from the files of ``run_dir``; return its path.

    The file is written beside its target and renamed into place, so a failure
    leaves no half-written workbook; it carries no save-time stamps, so the same
    run files give the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    run_dir = Path(run_dir)
    path = Path(path) if path else run_dir / "workbook.xlsx"
    tables = workbook_tables(run_dir)
    wb = Workbook()
    wb.remove(wb.active)
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) else (v.item() if hasattr(v, "item") else v)
                       for v in row])
        for j, c in enumerate(df.columns, 1):
            cell = ws.cell(row=1, column=j)
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            width = 11 if isinstance(c, int) else min(48, max(12, len(str(c)) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
            if isinstance(c, int) or pd.api.types.is_float_dtype(df[c]):
                for cell in ws.iter_cols(min_col=j, max_col=j, min_row=2):
                    for x in cell:
                        x.number_format = "#,##0.00"
        ws.freeze_panes = "B2" if name != SHEETS["forecasts"] else "E2"
    wb.properties.title = f"czt-model {run_dir.name}"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        _make_reproducible(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


_STAMP = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _make_reproducible(path: Path) -> None:
    """Same run files -> same workbook bytes: drop the save-time stamps openpyxl writes.

    The document's created/modified properties are removed (the run's times are
    in ``run.json``) and every zip entry gets the zip epoch as its date.
    """
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _STAMP.sub(b"", data)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
