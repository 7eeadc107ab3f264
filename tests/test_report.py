"""Reviewer report: self-contained HTML + Markdown with every section, and it renders in headless Chromium."""
from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.report.html import source_registry, write_report
from model.runner import run_scenario

N_PATHS = 300


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory):
    """A real `plan` run (forecasts + optimisation); the runner writes the report into it."""
    out = tmp_path_factory.mktemp("outputs") / "plan"
    res = run_scenario("plan", out_dir=out, n_paths=N_PATHS)
    return out, res


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs") / "baseline"
    res = run_scenario("baseline", out_dir=out, n_paths=N_PATHS)
    return out, res


def _html(d: Path) -> str:
    return (d / "report.html").read_text(encoding="utf-8")


def _md(d: Path) -> str:
    return (d / "report.md").read_text(encoding="utf-8")


def test_runner_writes_both_reports_and_lists_them(plan_run):
    d, _ = plan_run
    man = json.loads((d / "run.json").read_text())
    assert {"report.html", "report.md"} <= set(man["outputs"])
    assert _html(d).startswith("<!DOCTYPE html>") and _md(d).startswith("# ")
    assert not list(d.glob(".*tmp*"))


def test_html_is_self_contained(plan_run):
    h = _html(plan_run[0])
    assert "<script" not in h.lower() and "<link" not in h.lower() and "@import" not in h
    assert "@font-face" not in h
    # every resource reference is a data URI (URLs in the sources table are text, not links)
    # every resource (src) is a data URI; hrefs are in-page anchors or clickable source addresses (not loaded)
    srcs = re.findall(r"""src\s*=\s*['"]([^'"]*)['"]""", h)
    assert srcs and all(r.startswith("data:image/png;base64,") for r in srcs)
    hrefs = re.findall(r"""href\s*=\s*['"]([^'"]*)['"]""", h)
    assert all(r.startswith(("#", "http://", "https://")) for r in hrefs), [r[:40] for r in hrefs]
    assert "url(" not in h.split("<style>")[1].split("</style>")[0]


def test_embedded_images_are_the_run_pngs(plan_run):
    d, _ = plan_run
    h = _html(d)
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", h)
    pngs = sorted(d.glob("*.png"))
    assert {"fan_gdp.png", "fan_population.png", "fan_energy_intensity.png", "fan_hightech_va.png",
            "frontier.png"} <= {p.name for p in pngs}
    assert {base64.b64decode(x) for x in imgs} == {p.read_bytes() for p in pngs}   # every PNG, nothing else
    for p in pngs:  # the Markdown links the files next to it
        assert f"]({p.name})" in _md(d)


def test_scorecard_rows_carry_their_status_colour(plan_run):
    d, res = plan_run
    h = _html(d)
    card = pd.read_csv(d / "scorecard.csv")
    cls = {"on track": "ok", "at risk": "warn", "off track": "bad", "not modelled": "na"}
    for status, n in card.status.value_counts().items():
        assert h.count(f"<td class='{cls[status]}'>{status}</td>") == n, status
    for r in card.itertuples():
        assert html.escape(r.name) in h and r.name in _md(d)
    gdp = card.set_index("target").loc["gdp_level"]
    assert f"P(meet) = {gdp.prob_meet:.3f}" in h       # headline in the summary
    assert f"{gdp.prob_meet:.3f}" in _md(d)


def test_every_assumption_and_what_rests_on_it(plan_run):
    d, _ = plan_run
    h, m = _html(d), _md(d)
    a = pd.read_csv(d / "assumptions.csv")
    for r in a.itertuples():
        assert r.key in h and r.key in m
    # the targets resting on the high-tech share assumption are named next to it
    row = next(line for line in m.splitlines() if line.startswith("| assumptions.hightech.czt_share_of_gdp_2019_pct"))
    assert "hightech_level" in row and "hightech_share" in row


def test_optimisation_sections_allocation_duals_frontier(plan_run):
    d, res = plan_run
    h, m = _html(d), _md(d)
    assert "id='optimisation'" in h
    feas = pd.read_csv(d / "targets_feasibility.csv")
    for r in feas.itertuples():
        assert r.target in m
        for col in ("interpretation", "verdict"):
            if isinstance(getattr(r, col, None), str):
                assert f"**{r.target}**: {getattr(r, col)}" in m
    for col in ("required", "achieved", "status", "shortfall", "best_reachable"):
        assert col in feas.columns, col             # the planner's table (model.opt.planner.planner_table)
        assert f"<th>{col}</th>" in h
    n_status = feas.status.value_counts()
    for status, cls in (("violated", "bad"), ("missed", "bad"), ("binding", "warn"), ("met", "ok")):
        assert h.count(f"<td class='{cls}'>{status}</td>") == n_status.get(status, 0)
    alloc = pd.read_csv(d / "allocation.csv")
    clusters = alloc[alloc.variable.str.startswith("Optimisation|Investment|")].variable.str.split("|").str[-1].unique()
    assert len(clusters) > 3 and all(c in m for c in clusters)
    from model.report.i18n import cluster_names

    names = cluster_names()
    assert all(names[c][0] in m for c in clusters)                     # English names from cluster_map.csv
    zh = (d / "report_zh.html").read_text(encoding="utf-8")
    assert all(f">{names[c][1]}</td>" in zh for c in clusters)         # cluster_zh in the Chinese report
    assert "Frontier" in m and "model.mps" in m
    assert str(res.optimisation["status"]) in m


def test_provenance_lists_the_panels_sources_and_input_hashes(plan_run):
    d, _ = plan_run
    m = _md(d)
    panel = pd.read_csv(d / "panel.csv", dtype={"source_id": str})
    used = {s.strip() for x in panel.source_id.dropna() for s in str(x).split(";")}
    assert used and all(s in m for s in used)
    reg = source_registry()
    assert {"CSMAR_GDPCT", "HNTJ_CENSUS7_NO2"} <= set(reg)
    man = json.loads((d / "run.json").read_text())
    for sha in man["inputs_sha256"].values():
        assert sha in m


def test_manifest_section(plan_run):
    d, _ = plan_run
    man = json.loads((d / "run.json").read_text())
    m = _md(d)
    assert str(man["seed"]) in m and man["started_utc"] not in m  # times only in run.json (same seed -> same bytes)
    if man["code"].get("git_sha"):
        assert man["code"]["git_sha"] in m
    for pkg, ver in man["packages"].items():
        if ver:
            assert f"| {pkg} | {ver} |" in m


def test_run_without_optimisation_has_no_optimisation_section(baseline_run):
    d, _ = baseline_run
    assert "id='optimisation'" not in _html(d) and "## Optimisation" not in _md(d)
    assert "id='scorecard'" in _html(d) and "fan_gdp.png" in _md(d)


def test_report_rebuilds_from_the_files_alone(plan_run, tmp_path):
    d, _ = plan_run
    copy = tmp_path / "plan"
    shutil.copytree(d, copy)
    (copy / "report.html").unlink()
    (copy / "report.md").unlink()
    write_report(copy)
    m = _md(copy)
    for section in ("## Scorecard", "## Forecasts and fan charts", "## Optimisation", "## Assumptions",
                    "## Data provenance", "## Run manifest"):
        assert section in m


# --------------------------------------------------------------------------- rendering
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


def test_report_renders_in_headless_chromium(plan_run, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; CI installs it)")
    import matplotlib.image as mpimg

    d, _ = plan_run
    shot = tmp_path / "shot.png"
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
           (d / "report.html").resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert shot.exists(), proc.stderr[-2000:]
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (2000, 1200)
    flat = (img * 255).round().astype(int).reshape(-1, 3)
    white = (flat >= 250).all(axis=1)
    assert 0.02 < 1 - white.mean() < 0.9, "screenshot is blank (or all dark)"
    assert len(np.unique(flat[::7], axis=0)) > 50, "screenshot has almost no distinct colours"
    # the CSS was applied: the off-track cell colour (#f8d7da) and the heading blue (#0b5cad) are on screen
    near = lambda rgb: (np.abs(flat - np.array(rgb)).sum(axis=1) <= 12).sum()  # noqa: E731
    assert near((0xF8, 0xD7, 0xDA)) > 500
    assert near((0x0B, 0x5C, 0xAD)) > 200


def test_module_entry_point_rebuilds_a_report_and_rejects_a_non_run_folder(plan_run, tmp_path, capsys):
    from model.report.html import main

    d, _ = plan_run
    copy = tmp_path / "again"
    shutil.copytree(d, copy)
    (copy / "report.md").unlink()
    assert main([str(copy)]) == 0 and (copy / "report.md").exists()
    assert main([str(tmp_path / "nothing_here")]) == 2
    assert "usage" in capsys.readouterr().err


# --------------------------------------------------------------------------- issue 11: Chinese report, fonts, layout
def test_chinese_report_from_the_same_sections(plan_run):
    d, _ = plan_run
    zh = (d / "report_zh.html").read_text(encoding="utf-8")
    en = _html(d)
    assert "<html lang='zh-CN'>" in zh and "长株潭模型评审报告" in zh
    for heading in ("目标计分卡", "预测与扇形图", "假设及其影响", "数据来源", "运行清单"):
        assert f">{heading}</h2>" in zh
    # same sections and the same tables: anchors, table count and embedded charts are identical
    assert re.findall(r"<section id='(\w+)'", zh) == re.findall(r"<section id='(\w+)'", en)
    assert zh.count("<table>") == en.count("<table>")
    assert re.findall(r"base64,([A-Za-z0-9+/=]{64})", zh) == re.findall(r"base64,([A-Za-z0-9+/=]{64})", en)
    card = pd.read_csv(d / "scorecard.csv")
    from model.report.i18n import STATUS_ZH
    for status, n in card.status.value_counts().items():
        assert zh.count(f">{STATUS_ZH[status]}</td>") == n, status
    # the summary's sentences with numbers are translated too, with the same numbers
    gdp = card.set_index("target").loc["gdp_level"]
    assert f"<strong>要点</strong>：长株潭 2025 年地区生产总值中位数 {gdp.forecast_median:,.0f} 亿元" in zh
    assert f"达标概率 {gdp.prob_meet:.3f} → <strong>{STATUS_ZH[gdp.status]}</strong>" in zh
    assert f"共 {len(card)} 项目标" in zh
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(h) for h in re.findall(r"<h2>(.*?)</h2>", zh))          # every section title
    caps = re.findall(r"<figcaption>(.*?)</figcaption>", zh)
    assert sum(bool(cjk.search(c)) for c in caps) >= 4                             # the four fan charts at least


def test_css_has_cjk_fallbacks_and_tables_scroll(plan_run):
    h = _html(plan_run[0])
    css = h.split("<style>")[1].split("</style>")[0]
    for font in ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"):
        assert f'"{font}"' in css
    assert ".scroll{overflow-x:auto" in css
    assert h.count("<div class='scroll'><table>") == h.count("<table>") > 5


def test_one_interval_convention_deduplicated_notes_and_clickable_sources(plan_run):
    d, _ = plan_run
    h, m = _html(d), _md(d)
    assert "median [90% interval]" not in m and "median [80% interval]" in m
    notes = m.split("### Modelling notes")[1].split("##")[0]
    items = [line for line in notes.splitlines() if line.startswith("* ")]
    assert items and len(items) == len(set(items))
    assert not re.search(r"\b4302\d\d|\b4301\d\d|\b4303\d\d", notes)
    links = re.findall(r'<a href="(https?://[^"]+)"', h)
    assert links, "no clickable source address"


def _chromium_shot(exe: str, url: str, shot: Path, profile: Path, env=None, size="1200,1600") -> np.ndarray:
    import matplotlib.image as mpimg

    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", f"--screenshot={shot}", f"--window-size={size}", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert shot.exists(), proc.stderr[-2000:]
    return (mpimg.imread(shot)[..., :3] * 255).round().astype(int)


def _glyph_page(tmp_path: Path, text: str, name: str) -> str:
    css = re.search(r"body\{font-family:([^;]+);", _CSS_SRC()).group(1)
    p = tmp_path / f"{name}.html"
    p.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>body{{margin:0;background:#fff}}"
                 f"p{{font-family:{css};font-size:64px;margin:10px;line-height:1}}</style></head>"
                 f"<body><p>{text}</p></body></html>", encoding="utf-8")
    return p.resolve().as_uri()


def _CSS_SRC() -> str:
    from model.report.html import CSS

    return CSS


def _no_cjk_env(tmp_path: Path) -> dict:
    """A fontconfig setup that sees only DejaVu (as on a machine without a CJK font)."""
    import os

    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
                    "<dir>/usr/share/fonts/truetype/dejavu</dir>"
                    f"<cachedir>{tmp_path / 'fccache'}</cachedir></fontconfig>")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _has_cjk_font() -> bool:
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    return bool(out.strip())


@pytest.mark.parametrize("with_font", [True, False])
def test_chinese_report_renders_with_and_without_a_cjk_font(plan_run, tmp_path, with_font):
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; CI installs it)")
    if with_font and not _has_cjk_font():
        pytest.skip("no CJK font on this machine (Debian: apt-get install fonts-noto-cjk; CI installs it)")
    if not with_font and not Path("/usr/share/fonts/truetype/dejavu").is_dir():
        pytest.skip("DejaVu fonts not found for the no-CJK-font setup")
    env = None if with_font else _no_cjk_env(tmp_path)
    d, _ = plan_run
    img = _chromium_shot(exe, (d / "report_zh.html").resolve().as_uri(), tmp_path / "zh.png", tmp_path / "p1", env)
    flat = img.reshape(-1, 3)
    assert 0.02 < 1 - (flat >= 250).all(axis=1).mean() < 0.9, "screenshot is blank (or all dark)"
    near = lambda rgb: (np.abs(flat - np.array(rgb)).sum(axis=1) <= 12).sum()  # noqa: E731
    assert near((0x0B, 0x5C, 0xAD)) > 200                   # the CSS applied either way
    # tofu check: a Chinese glyph in the report's font stack vs the missing-glyph box (a private-use code point)
    shot = lambda text, n: _chromium_shot(exe, _glyph_page(tmp_path, text, n), tmp_path / f"{n}.png",  # noqa: E731
                                          tmp_path / f"p{n}", env, size="400,120")
    box, zh1, zh2 = shot("\ue000", "box"), shot("长", "c1"), shot("潭", "c2")
    assert (box < 128).any()
    if with_font:
        assert not np.array_equal(zh1, box) and not np.array_equal(zh2, box) and not np.array_equal(zh1, zh2)
    else:  # without a CJK font Chromium draws boxes: the check above can fail, and the page still renders
        assert np.array_equal(zh1, zh2)


def test_chinese_report_shows_chinese_units(plan_run):
    from model.report.zh import tr_cell

    assert tr_cell(">= 27,000 100m yuan") == ">= 27,000 亿元" and tr_cell(">= 1,300 10k persons") == ">= 1,300 万人"
    assert tr_cell("100m yuan (nominal)") == "亿元" and tr_cell("gdp_level") == "gdp_level"
    zh = (plan_run[0] / "report_zh.html").read_text(encoding="utf-8")
    assert ">&gt;= 27,000 亿元</td>" in zh and "万人" in zh
    assert "100m yuan</td>" not in zh


def test_needed_per_year_states_one_measure_per_kind_of_target(plan_run):
    d, _ = plan_run
    m = _md(d)
    card = pd.read_csv(d / "scorecard.csv").set_index("target")
    row = lambda t: next(line for line in m.splitlines() if line.startswith(f"| {t} |"))  # noqa: E731
    u = card.loc["urbanisation"]                                 # a rate: percentage points a year
    assert f"{(u.plan_value - u.latest_value) / (u.year - u.latest_year):+.2f} pp/yr" in row("urbanisation")
    g = card.loc["gdp_level"]                                    # a level: growth of the level
    assert f"{g.required_annual_growth_pct:+.1f}%/yr" in row("gdp_level")
    a = card.loc["gdp_growth"]                                   # an average-growth target: growth still needed
    assert f"{a.required_annual_growth_pct:+.1f}% real growth/yr in {int(a.latest_year) + 1}" in row("gdp_growth")
    zh = (d / "report_zh.html").read_text(encoding="utf-8")
    assert "自最新观测起每年所需" in zh and "百分点/年" in zh


def test_english_reports_spell_the_currency_as_the_vendored_data_do(plan_run):
    """One spelling, "yuan" (the data's unit column), although forecasts.csv keeps its "100m CNY" unit strings."""
    from model.paths import DATA
    from model.report.i18n import en_units

    units = pd.concat([pd.read_csv(f, usecols=["unit"], dtype=str) for f in sorted((DATA / "macro").glob("*.csv"))])
    assert "100m yuan (current prices)" in set(units["unit"]) and not units["unit"].str.contains("CNY").any()
    d, _ = plan_run
    fc_units = set(pd.read_csv(d / "forecasts.csv", usecols=["unit"])["unit"])
    assert "100m CNY" in fc_units                        # the machine-readable unit strings stay as they are
    md = _md(d)
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", _html(d))
    for text in (md, page):
        assert "CNY" not in text
        assert "| 100m yuan |" in text or "<td>100m yuan</td>" in text      # the forecast table's unit cell
        assert "100m yuan (2019 prices)" in text and "CZT nominal GDP (100m yuan)" in text
    zh = (d / "report_zh.html").read_text(encoding="utf-8")
    assert "长株潭地区生产总值（现价，亿元）" in zh                          # the caption still translates
    assert en_units("100m CNY (2024 prices)") == "100m yuan (2024 prices)" and en_units("CNY") == "yuan"
    assert en_units("billion CNY/yr; CNY_2019; CNYX") == "billion CNY/yr; CNY_2019; CNYX"   # IAMC units untouched


def test_the_evaluation_section_is_in_chinese_in_the_chinese_report(plan_run):
    """The stored evaluation's section: explanation, headings, column names and the pooled-cities group."""
    from model.report.evaluate import EVALUATION_TEXT
    from model.report.zh import tr

    d, _ = plan_run
    zh = (d / "report_zh.html").read_text(encoding="utf-8")
    assert tr(EVALUATION_TEXT) != EVALUATION_TEXT and "滚动起点评估" in zh and "三市合并" in tr("cities")
    assert "Rolling-origin" not in zh and "origins 2010-2019" not in zh
    assert "<h3>地区生产总值（现价），预测起点 2010–2019 年</h3>" in zh
    for col in ("mape", "crps", "bias_revision", "coverage_80", "coverage_90"):
        assert f"<th>{tr(col)}</th>" in zh and f"<th>{col}</th>" not in zh
    assert "<td>三市合并</td>" in zh and "<td>cities</td>" not in zh
