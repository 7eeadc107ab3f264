"""Fan charts: history, median, 50% and 90% bands, plan target marked; bilingual titles.

Chinese text is drawn with Noto Sans CJK SC shipped by the ``mplfonts`` wheel
(no system font needed). :func:`cjk_font_family` registers that one file with
matplotlib's font manager (adding a font, changing no rcParams or backend) and
returns a family list that falls back per glyph: Latin from DejaVu Sans, Chinese
from Noto Sans CJK.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..data.panel import CZT
from ..engine.projection import VARIABLES, Projection
from ..scenario.targets import Target

FAN_VARIABLES = {
    "gdp": ("GDP|Nominal", "长株潭地区生产总值（现价，亿元）\nCZT GDP, 100m yuan (current prices)"),
    "population": ("Population|Resident", "长株潭常住人口（万人，2020年普查口径）\nCZT resident population, 10k persons (2020-census basis)"),
    "energy_intensity": ("Energy intensity", "长株潭单位GDP能耗（2019 = 100，基于假设）\nCZT energy use per unit of GDP, index 2019 = 100 (ASSUMPTION-based)"),
    "hightech_va": ("High-tech VA", "长株潭高新技术产业增加值（亿元，基于假设）\nCZT high-tech value added, 100m yuan (ASSUMPTION-based)"),
}


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """Path of the Noto Sans CJK SC font shipped by ``mplfonts`` (None if not installed)."""
    try:
        import mplfonts
    except ImportError:  # pragma: no cover - mplfonts is a dependency
        return None
    p = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return str(p) if p.exists() else None


@lru_cache(maxsize=1)
def cjk_font_family() -> list[str]:
    """Font family list with a CJK fallback, registering the mplfonts font once."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:  # pragma: no cover
        return ["DejaVu Sans"]
    font_manager.fontManager.addfont(path)
    return ["DejaVu Sans", font_manager.FontProperties(fname=path).get_name()]


def target_label(t: Target, value: float, is_plan: bool) -> str:
    """Legend text of a target marker: the plan's targets vs scenario-supplied (user) goals."""
    what = "规划目标 plan target" if is_plan else "用户设定目标 user goal (illustrative)"
    return f"{what} {t.year} ({t.comparator} {value:,.0f})"


def fan_chart(proj: Projection, variable: str, title: str, path: Path, targets: list[Target],
              history: dict[int, float], region: str = CZT, start_year: int = 2005,
              plan_ids: frozenset[str] | None = None) -> None:
    """Draw one fan chart to ``path`` (PNG).

    Uses matplotlib's object API with the Agg canvas (no pyplot, no global
    state) and a fixed layout, which keeps a run's four charts well under a second.
    Targets whose id is not in ``plan_ids`` (scenario-supplied goals such as
    ``vision_2035``'s) are marked as user goals, not as plan targets.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    arr = proj.get(variable, region)
    k = int(np.searchsorted(proj.years, proj.first_forecast_year[variable]))
    yrs = proj.years[k:]
    sub = arr[:, k:]
    q05, q25, q50, q75, q95 = np.quantile(sub, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.08, top=0.88)
    family = cjk_font_family()
    hy = sorted(y for y in history if y >= start_year)
    if hy:
        ax.plot(hy, [history[y] for y in hy], color="black", lw=1.8, label="历史 history")
        # join history to the fan
        yrs_j = np.concatenate([[hy[-1]], yrs]) if hy[-1] < yrs[0] else yrs
        pad = (lambda a: np.concatenate([[history[hy[-1]]], a])) if hy[-1] < yrs[0] else (lambda a: a)
    else:
        yrs_j, pad = yrs, (lambda a: a)
    ax.fill_between(yrs_j, pad(q05), pad(q95), color="tab:blue", alpha=0.18, lw=0, label="90%区间 90% band")
    ax.fill_between(yrs_j, pad(q25), pad(q75), color="tab:blue", alpha=0.35, lw=0, label="50%区间 50% band")
    ax.plot(yrs_j, pad(q50), color="tab:blue", lw=2, label="中位数 median")
    for t in targets:
        if t.variable != variable or t.region != region:
            continue
        if t.kind == "level":
            val = t.value
        elif t.kind == "change_vs_base":
            val = history.get(t.base_year, np.nan) * (1 + t.value / 100)
        else:
            continue
        is_plan = plan_ids is None or t.id in plan_ids
        ax.plot([t.year], [val], marker="*" if is_plan else "D", ms=16 if is_plan else 9,
                color="tab:red" if is_plan else "tab:purple", ls="none", label=target_label(t, val, is_plan))
    ax.set_title(title, fontsize=10.5, family=family)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8, prop={"family": family, "size": 8})
    ax.set_xlim(start_year, proj.years[-1])
    fig.savefig(path)


def all_fan_charts(proj: Projection, panel, targets: list[Target], out_dir: Path) -> list[str]:
    """Write the four headline fan charts; return their file names."""
    from ..scenario.targets import load_targets

    plan_ids = frozenset(t.id for t in load_targets())
    names = []
    for key, (var, title) in FAN_VARIABLES.items():
        if var not in proj.first_forecast_year:  # not modelled as of an early origin (e.g. population before 2020)
            continue
        hist = panel.series(VARIABLES[var][0], CZT)
        hist = hist[hist.index < proj.first_forecast_year[var]]
        name = f"fan_{key}.png"
        fan_chart(proj, var, title, out_dir / name, targets, {int(y): float(v) for y, v in hist.items()},
                  plan_ids=plan_ids)
        names.append(name)
    return names
