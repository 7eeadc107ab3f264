"""The Chinese report's translation table (English phrase → 中文).

:mod:`model.report` renders the same sections twice: as is (``report.html``)
and through :func:`tr` (``report_zh.html``). Section titles, sub-headings,
column headers, status words, variable and region names and the fixed
explanatory sentences are translated; a phrase missing from the table is shown
in English (numbers, file names and keys stay as they are).
"""
from __future__ import annotations

import re

from .i18n import BASIS_ZH, REGION_ZH, STATUS_ZH, VARIABLE_ZH, cluster_names

PHRASES = {
    # titles and headings
    "czt-model reviewer report — scenario {name}": "长株潭模型评审报告 — 情景 {name}",
    "Summary": "摘要", "Scorecard": "目标计分卡", "Forecasts and fan charts": "预测与扇形图",
    "Optimisation: allocation, targets and duals, frontier": "优化：投资分配、目标与影子价格、前沿",
    "Forecasting methods and backtests": "预测方法与回测", "Assumptions and what rests on them": "假设及其影响",
    "Data provenance": "数据来源", "Run manifest": "运行清单",
    "Out-of-sample accuracy of the delivered forecast": "所发布预测的样本外精度",
    ("Rolling-origin evaluation (`czt evaluate`): for every origin T the forecast was made exactly as "
     "`czt run --as-of T` makes it (data, method weights and interval calibration from years <= T only) "
     "and scored against later outcomes. MAPE of the median (%), MASE against the random walk with drift, "
     "CRPS in log points, bias = mean log error x 100 (> 0: too high), of which bias_revision is attributed "
     "to the economic-census rebasing of the published nominal level (no forecast of real growth and prices "
     "can foresee it); coverage_80 and coverage_90 are the "
     "shares of outcomes inside the central 80 and 90 per cent ranges of the paths."):
        ("滚动起点评估（`czt evaluate`）：对每个预测起点 T，完全按 `czt run --as-of T` 的方式作出预测"
         "（数据、方法权重与区间校准只用 T 年及以前的数据），再与其后的实际值比较。"
         "mape：中位数的平均绝对百分比误差（%）；mase_drift：相对带漂移随机游走的平均绝对标度误差；"
         "crps：连续分级概率评分（对数点）；bias：平均对数误差 × 100（> 0 表示偏高），"
         "其中 bias_revision 归因于经济普查对已公布名义 GDP 水平的修订（任何对实际增长和价格的预测都无法预见）；"
         "coverage_80 与 coverage_90：实际值落入模拟路径中间 80% 与 90% 区间的比例。"),
    "Headline forecasts, CZT: median [80% interval]": "长株潭主要预测：中位数 [80%区间]",
    "Modelling notes": "建模说明", "Solver summary (run.json → optimisation)": "求解摘要（run.json → optimisation）",
    "Target feasibility and shadow prices (targets_feasibility.csv)": "目标可行性与影子价格（targets_feasibility.csv）",
    "Investment allocation by cluster (allocation.csv)": "按产业集群的投资分配（allocation.csv）",
    "Frontier": "前沿", "Method weights": "方法权重",
    "Backtest summary (mean over regions and horizons)": "回测摘要（各地区与预测期平均）",
    "Scenario settings (forecasting, optimisation, IO)": "情景设置（预测、优化、投入产出）",
    "User-supplied long-run goals (targets_2035)": "用户设定的远期目标（targets_2035）",
    "Sources used by the modelling panel": "建模面板使用的数据来源",
    "Rows computed by the model (no single source)": "模型计算的数据行（无单一来源）",
    "Input files (SHA-256)": "输入文件（SHA-256）", "Package versions": "软件包版本", "Files of this run": "本次运行的文件",
    # column headers
    "target": "目标", "name": "名称", "plan": "规划值", "year": "年份", "latest (year)": "最新值（年份）",
    "median [80% interval]": "中位数 [80%区间]", "P(meet)": "达标概率",
    "needed per year (from latest observation)": "自最新观测起每年所需",
    "Needed per year: what it takes each year from the latest observation to the target year to just meet the "
    "target — growth of the level (%/yr) for levels and indices, change in percentage points (pp/yr) for rates "
    "and shares, and real growth in the remaining years for an average-growth target.":
        "每年所需：自最新观测至目标年份恰好达标每年所需的变化——总量与指数为年均增速（%/年），"
        "比率与比重为每年百分点变化（百分点/年），平均增速目标为剩余年份的实际增速。",
    "status": "状态", "basis": "依据", "rests on": "依赖的假设", "variable": "变量", "unit": "单位",
    "region": "地区", "method": "方法", "assumption": "假设", "value": "取值", "set in": "设定于",
    "outputs resting on it": "依赖该假设的输出", "scorecard targets resting on it": "依赖该假设的目标",
    "setting": "设置", "source_id": "来源编号", "panel rows": "面板行数", "variables": "变量", "years": "年份",
    "where": "出处", "caveats": "注意事项", "documented in": "记录于", "file": "文件", "item": "项目",
    "package": "软件包", "version": "版本", "cluster": "产业集群", "sense": "方向", "required": "要求值",
    "achieved": "可达值", "slack": "缺口", "dual": "影子价格", "dual_unit": "影子价格单位",
    "shortfall": "缺口", "best_reachable": "单独追求时最优值", "extra_investment": "所需追加投资",
    "marginal_cost": "边际成本", "first year": "起始年", "last year": "结束年", "rows": "行数",
    "Uncertainty through the LP (lp_uncertainty.csv, lp_paths.csv)": "线性规划中的不确定性（lp_uncertainty.csv、lp_paths.csv）",
    "mape": "平均绝对百分比误差 %", "mase_drift": "MASE（相对漂移基准）", "crps": "CRPS（对数点）",
    "bias_revision": "其中普查修订", "coverage_80": "80%区间覆盖率", "coverage_90": "90%区间覆盖率",
    "horizon": "预测期", "group": "组", "bias": "偏差", "quantity": "指标", "point": "点", "cost_unit": "成本单位",
    "extra_investment_unit": "追加投资单位", "valid_from": "有效下限", "valid_to": "有效上限", "n_paths": "路径数",
    "ei_cap": "能耗强度上限", "ei_achieved": "实际能耗强度", "gdp": "GDP（不变价）", "gdp_nominal": "GDP（现价）",
    "hightech_share_pct": "高新技术占比 %", "sha256": "SHA-256",
    # figure and table captions
    "CZT nominal GDP (100m yuan): history, median, 50% and 90% bands, plan target ★":
        "长株潭地区生产总值（现价，亿元）：历史、中位数、50%与90%区间，★为规划目标",
    "CZT resident population (10k persons, 2020-census basis)": "长株潭常住人口（万人，2020年普查口径）",
    "CZT energy intensity (index 2019 = 100) — rests on assumptions": "长株潭单位GDP能耗（2019 = 100）——基于假设",
    "CZT high-tech value added (100m yuan) — rests on assumptions": "长株潭高新技术产业增加值（亿元）——基于假设",
    "GDP vs energy intensity frontier (ε-constraint), frontier.png": "GDP与能耗强度前沿（ε约束法），frontier.png",
    "Investment under the best allocation across sample paths, fan_investment.png":
        "各样本路径最优分配下的投资，fan_investment.png",
    "CZT totals of the optimised allocation": "优化分配下的长株潭合计",
    # fixed sentences
    "Status: on track P ≥ 0.75, at risk 0.25 ≤ P < 0.75, off track P < 0.25, not modelled where no forecast "
    "variable tests the target.": "状态：有望实现 P ≥ 0.75；存在风险 0.25 ≤ P < 0.75；难以实现 P < 0.25；"
                                 "未建模指没有预测变量检验该目标。",
    "flips with": "可改变状态的假设",
    "Flips with: the labelled assumptions (at most two) whose plausible range can flip the status, from the stored "
    "Morris screen of this scenario (design: calibration/sweeps/screen.toml; table: "
    "calibration/sweeps/screen_<scenario>.csv); \"k of n steps\": of the screen's elementary-effect steps along that "
    "assumption, those in which the status changed.":
        "可改变状态的假设：在其合理取值范围内可改变目标状态的标注假设（至多两项），来自本情景存储的 Morris 筛查"
        "（设计：calibration/sweeps/screen.toml；结果表：calibration/sweeps/screen_<scenario>.csv）；"
        "“n 步中 k 步”：筛查中沿该假设的基本效应步中状态发生变化的步数。",
    "Where the screen's base status (the same scenario at the screen's own path counts, "
    "calibration/sweeps/screen.toml) differs from this run's, the note says both: the steps counted flip the "
    "screen's base status, which may not be this run's near a threshold.":
        "若筛查基点状态（同一情景在筛查自身的路径数下，见 calibration/sweeps/screen.toml）与本次运行的状态不同，"
        "注释同时列出两者：所计的步数改变的是筛查基点的状态，在阈值附近它可能不是本次运行的状态。",
    "Intervals: 80% (10%–90% quantiles) throughout; fan charts also shade the 50% and 90% bands, as labelled.":
        "区间：全文统一为80%区间（10%–90%分位数）；扇形图另绘50%与90%区间，如图例所示。",
}
WORDS = {**STATUS_ZH, **VARIABLE_ZH, **{k: v for k, v in REGION_ZH.items() if not k.isdigit()}, **BASIS_ZH,
         **{en: zh for en, zh in cluster_names().values()},
         "cities": "三市合并", "n": "样本数"}  # the evaluation's region group (the three cities pooled); a count


def _status(m: re.Match, g: str = "st") -> str:
    return STATUS_ZH.get(m.group(g), m.group(g))


_FLIP_PART = re.compile(r"^(?P<k>[A-Za-z_][\w.|-]*) \((?P<w>.+) in (?P<n>\d+) of (?P<m>\d+) steps\)$")
_NO_SCREEN_ZH = ("本情景无当前筛查（筛查结果仅为 scenarios/ 中按原样发布的预设情景存储——无覆盖设置、最新数据起点——"
                 "并由 czt screen --store 更新）")


def _flips_zh(text: str) -> str:
    """A scorecard "flips with" note (model.sweep.screen.note_of) in Chinese; keys stay as they are."""
    parts = []
    for part in text.split("; "):
        m = _FLIP_PART.match(part)
        if not m:
            return text
        what = re.sub("|".join(sorted(map(re.escape, STATUS_ZH), key=len, reverse=True)),
                      lambda s: STATUS_ZH[s.group(0)], m["w"]).replace(" or ", "或")
        parts.append(f"{m['k']}（{what}：{m['m']} 步中 {m['n']} 步）")
    return "；".join(parts)


# sentences with numbers in them: (pattern on the English text, Chinese from the match)
PATTERNS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^(?P<n>.+) \(screen base: (?P<b>[a-z ]+); this run: (?P<r>[a-z ]+)\)$", re.S),
     lambda m: f"{tr_cell(m['n'])}（筛查基点状态：{STATUS_ZH.get(m['b'], m['b'])}；"
               f"本次运行状态：{STATUS_ZH.get(m['r'], m['r'])}）"),
    (re.compile(r"^no screened assumption flips it$"), lambda m: "筛查的假设均不能改变其状态"),
    (re.compile(r"^(?P<v>GDP\|(?:Nominal|Real)), origins (?P<a>\d{4})-(?P<b>\d{4})$"),
     lambda m: f"{tr(m['v'])}，预测起点 {m['a']}–{m['b']} 年"),
    (re.compile(r"^no current screen$"), lambda m: "无当前筛查"),
    (re.compile(r"^Flips with: no current screen for this scenario .*\.$", re.S), lambda m: "可改变状态的假设：" + _NO_SCREEN_ZH + "。"),
    (re.compile(r"^no current screen for this scenario .*$", re.S), lambda m: _NO_SCREEN_ZH),
    (re.compile(r"^[A-Za-z_][\w.|-]*\.[\w.|-]+ \(.+ in \d+ of \d+ steps\)(; .+)?$"), lambda m: _flips_zh(m.group(0))),
    (re.compile(r"^Scenario \*\*(?P<n>[^*]+)\*\*(?::\s*(?P<d>.*)|\.)$", re.S),
     lambda m: f"情景 **{m['n']}**" + (f"：{m['d']}" if m["d"] else "。")),
    (re.compile(r"^Scenario files \(parent first\): (?P<f>.*); defaults from `calibration/parameters.toml`\.$"),
     lambda m: f"情景文件（先父后子）：{m['f']}；默认值来自 `calibration/parameters.toml`。"),
    (re.compile(r"^(?P<n>[\d,?]+) simulated paths, seed (?P<s>[\d?]+) \(start time, wall time and command: `run.json`\)\.$"),
     lambda m: f"模拟路径 {m['n']} 条，随机种子 {m['s']}（开始时间、耗时与命令见 `run.json`）。"),
    (re.compile(r"^Of (?P<n>\d+) targets, (?P<m>\d+) are modelled: (?P<a>\d+) on track, (?P<b>\d+) at risk, "
                r"(?P<c>\d+) off track; (?P<d>\d+) are not modelled \(no forecast variable tests them\)\.$"),
     lambda m: (f"共 {m['n']} 项目标，其中 {m['m']} 项已建模：{m['a']} 项有望实现、{m['b']} 项存在风险、"
                f"{m['c']} 项难以实现；{m['d']} 项未建模（没有预测变量检验）。")),
    (re.compile(r"^\*\*Headline\*\*: CZT GDP (?P<y>\d{4}) median (?P<med>[\d,.]+) 亿元 \(80% interval (?P<lo>[\d,.]+)–"
                r"(?P<hi>[\d,.]+)\) against the plan's (?P<plan>[\d,.]+); P\(meet\) = (?P<p>[\d.]+) → \*\*(?P<st>[a-z ]+)\*\*\.$"),
     lambda m: (f"**要点**：长株潭 {m['y']} 年地区生产总值中位数 {m['med']} 亿元（80%区间 {m['lo']}–{m['hi']}），"
                f"规划目标 {m['plan']} 亿元；达标概率 {m['p']} → **{_status(m)}**。")),
    (re.compile(r"^Probabilities are shares of the (?P<n>[\d,?]+) simulated paths that meet each target\. Basis "
                r"\*assumption\*: the forecast rests on labelled assumptions \(column \*rests on\*, see Assumptions\)\.$"),
     lambda m: (f"达标概率为 {m['n']} 条模拟路径中达到目标的比例。依据为“假设”的预测依赖于标注的假设"
                f"（见“依赖的假设”列及“假设及其影响”一节）。")),
    (re.compile(r"^(?P<g>[+-][\d.]+)% real growth/yr in (?P<s>[\d–]+)$"),
     lambda m: f"{m['s']}年实际增速 {m['g']}%/年"),
    (re.compile(r"^(?P<g>[+-][\d.]+) pp/yr$"), lambda m: f"{m['g']} 百分点/年"),
    (re.compile(r"^investment (?P<y>\d{4})$"), lambda m: f"投资 {m['y']}"),
    (re.compile(r"^share (?P<y>\d{4}) %$"), lambda m: f"占比 {m['y']} %"),
    (re.compile(r"^(?P<n>\d+) frontier points in frontier.csv \(every ~10th shown\)$"),
     lambda m: f"frontier.csv 中共 {m['n']} 个前沿点（约每10个显示1个）"),
    (re.compile(r"^investment in (?P<u>.+); share of the year's total investment in %$"),
     lambda m: f"投资单位：{tr_cell(m['u'])}；占比为占当年总投资的百分比"),
    (re.compile(r"^(?P<g>[+-][\d.]+)%/yr$"), lambda m: f"{m['g']}%/年"),
    (re.compile(r"^The forecasts of this scenario are its alternative: the control paths moved by the scenario's levers "
                r"through the structural model, path by path \(`lever_effects.csv`\)\.$"),
     lambda m: "本情景的预测为其替代情景：基准路径经由结构模型逐条路径施加情景政策杠杆后的结果（`lever_effects.csv`）。"),
]


def tr(text: str, **fmt) -> str:
    """Chinese for an English phrase of the report (the phrase itself if untranslated)."""
    s = PHRASES.get(text) or WORDS.get(text)
    if s is None:
        for pat, make in PATTERNS:
            m = pat.match(text)
            if m:
                return make(m)
        s = text
    return s.format(**fmt) if fmt else s


_UNIT_TAIL = re.compile(r"(?<=\d) (100m (?:CNY|yuan)(?: \((?:nominal|\d{4} prices)\))?|10k persons|10k tce|percent of GDP|percent|"
                        r"index \(2019 = 100\)|CNY|yuan)$")


def tr_cell(text: str) -> str:
    """A table cell: whole-cell status/variable/region/basis words and unit spellings are translated.

    A unit standing alone (``100m yuan``) or after a number (``>= 27,000 100m yuan``)
    becomes its Chinese display unit (亿元, 万人, %, 2019 = 100) from :func:`model.results.iamc.zh_unit`.
    """
    from ..results.iamc import zh_unit

    if text in WORDS:
        return WORDS[text]
    for pat, make in PATTERNS:
        m = pat.match(text)
        if m:
            return make(m)
    z = zh_unit(text)
    if z != text:
        return z
    return _UNIT_TAIL.sub(lambda m: " " + ("元" if m.group(1) in ("CNY", "yuan") else zh_unit(m.group(1))), text)


def coverage(phrases: list[str]) -> float:
    """Share of ``phrases`` that the table translates."""
    return sum(1 for p in phrases if tr(p) != p or re.fullmatch(r"[\W\d_]*", p)) / max(1, len(phrases))
