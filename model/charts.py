"""Fan charts: history, median, 50% and 90% bands, plan target marked."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .data.panel import CZT
from .projection import VARIABLES, Projection
from .targets import Target

FAN_VARIABLES = {
    "gdp": ("GDP|Nominal", "CZT GDP, 100m CNY (current prices)"),
    "population": ("Population|Resident", "CZT resident population, 10k persons (2020-census basis)"),
    "energy_intensity": ("Energy intensity", "CZT energy use per unit of GDP, index 2019 = 100 (ASSUMPTION-based)"),
    "hightech_va": ("High-tech VA", "CZT high-tech value added, 100m CNY (ASSUMPTION-based)"),
}


def fan_chart(proj: Projection, variable: str, title: str, path: Path, targets: list[Target],
              history: dict[int, float], region: str = CZT, start_year: int = 2005) -> None:
    """Draw one fan chart to ``path`` (PNG).

    Uses matplotlib's object API with the Agg canvas (no pyplot, no global
    state) and a fixed layout, which keeps a run's four charts well under a second.
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
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.08, top=0.92)
    hy = sorted(y for y in history if y >= start_year)
    if hy:
        ax.plot(hy, [history[y] for y in hy], color="black", lw=1.8, label="history")
        # join history to the fan
        yrs_j = np.concatenate([[hy[-1]], yrs]) if hy[-1] < yrs[0] else yrs
        pad = (lambda a: np.concatenate([[history[hy[-1]]], a])) if hy[-1] < yrs[0] else (lambda a: a)
    else:
        yrs_j, pad = yrs, (lambda a: a)
    ax.fill_between(yrs_j, pad(q05), pad(q95), color="tab:blue", alpha=0.18, lw=0, label="90% band")
    ax.fill_between(yrs_j, pad(q25), pad(q75), color="tab:blue", alpha=0.35, lw=0, label="50% band")
    ax.plot(yrs_j, pad(q50), color="tab:blue", lw=2, label="median")
    for t in targets:
        if t.variable != variable or t.region != region:
            continue
        if t.kind == "level":
            val = t.value
        elif t.kind == "change_vs_base":
            val = history.get(t.base_year, np.nan) * (1 + t.value / 100)
        else:
            continue
        ax.plot([t.year], [val], marker="*", ms=16, color="tab:red", ls="none",
                label=f"plan target {t.year} ({t.comparator} {val:,.0f})")
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    ax.set_xlim(start_year, proj.years[-1])
    fig.savefig(path)


def all_fan_charts(proj: Projection, panel, targets: list[Target], out_dir: Path) -> list[str]:
    """Write the four headline fan charts; return their file names."""
    names = []
    for key, (var, title) in FAN_VARIABLES.items():
        hist = panel.series(VARIABLES[var][0], CZT)
        hist = hist[hist.index < proj.first_forecast_year[var]]
        name = f"fan_{key}.png"
        fan_chart(proj, var, title, out_dir / name, targets, {int(y): float(v) for y, v in hist.items()})
        names.append(name)
    return names
