"""Files of the alternative (written by the runner into its temporary run folder).

``lever_effects.csv``
    Deviation alternative − control by variable and year: quantiles across
    paths (CZT; GDP in 亿元, the high-tech share in pp, the energy index in
    index points, investment in 亿元 at base-year prices).
``lp_paths.csv``
    Optimised investment only: per LP sample path, the best achievable
    nominal GDP, high-tech share and energy index in 2025 and the last LP year,
    and whether each target is reachable under the best allocation.
``lp_uncertainty.csv``
    Their distribution across the sample paths (quantiles) and
    P(target reachable under the best allocation).
``investment_fan.csv``, ``fan_investment.png``
    Total investment under the best allocation by year (quantiles across the
    sample paths, 亿元 at base-year prices).
"""
from __future__ import annotations

from pathlib import Path


def _fan_chart(fan, path: Path, scenario: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    y = fan["year"].to_numpy()
    ax.fill_between(y, fan["q05"], fan["q95"], alpha=0.2, color="tab:blue", label="90% band")
    ax.fill_between(y, fan["q25"], fan["q75"], alpha=0.35, color="tab:blue", label="50% band")
    ax.plot(y, fan["q50"], color="tab:blue", label="median")
    ax.set_title(f"{scenario}: investment under the best allocation (LP across sample paths)")
    ax.set_ylabel("100m CNY, base-year prices")
    ax.legend(loc="upper left")
    fig.savefig(path, dpi=110)


def write_alternative(alt, folder: Path, scenario: str) -> list[str]:
    """Write the alternative's tables and chart into ``folder``; return the chart file names."""
    folder = Path(folder)
    alt.effects.to_csv(folder / "lever_effects.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
    charts = []
    if alt.lp is not None:
        alt.lp.to_csv(folder / "lp_paths.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
        alt.lp_summary.to_csv(folder / "lp_uncertainty.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
        if alt.investment_fan is not None and len(alt.investment_fan):
            alt.investment_fan.to_csv(folder / "investment_fan.csv", index=False, float_format="%.6g", encoding="utf-8-sig")
            _fan_chart(alt.investment_fan, folder / "fan_investment.png", scenario)
            charts.append("fan_investment.png")
    return charts
