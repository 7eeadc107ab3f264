"""Files of the alternative (written by the runner into its temporary run folder).

``lever_effects.csv``
    IAMC long: deviation alternative − control by variable and year, quantiles across
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
    IAMC long: total investment under the best allocation by year (quantiles
    across the sample paths, 亿元 at base-year prices).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..results.iamc import to_iamc, write_csv, write_iamc


def _fan_chart(fan, path: Path, scenario: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    y = fan["year"].to_numpy()
    ax.fill_between(y, fan["q05"], fan["q95"], alpha=0.2, color="tab:blue", label="90% band")
    ax.fill_between(y, fan["q25"], fan["q75"], alpha=0.35, color="tab:blue", label="50% band")
    ax.plot(y, fan["q50"], color="tab:blue", label="median")
    ax.set_title(f"{scenario}: investment under the best allocation (LP across sample paths)")
    ax.set_ylabel("100m yuan, base-year prices")
    ax.legend(loc="upper left")
    fig.savefig(path, dpi=110)


def fan_iamc(fan: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The investment fan (columns ``year, q05 … q95``) as IAMC long rows with a numeric quantile."""
    long = fan.melt(id_vars="year", var_name="q", value_name="value")
    long["quantile"] = long["q"].str[1:].astype(int) / 100
    long = long.assign(region="CZT", variable="Investment|Best allocation", unit="100m CNY (base-year prices)")
    return to_iamc(long.sort_values(["year", "quantile"]), scenario)


def write_alternative(alt, folder: Path, scenario: str) -> list[str]:
    """Write the alternative's tables and chart into ``folder``; return the chart file names.

    ``lever_effects.csv`` and ``investment_fan.csv`` are IAMC long (region CZT, a
    ``quantile`` column); ``lp_paths.csv`` and ``lp_uncertainty.csv`` are plain tables.
    """
    folder = Path(folder)
    write_iamc(to_iamc(alt.effects.assign(region="CZT"), scenario), folder / "lever_effects.csv")
    charts = []
    if alt.lp is not None:
        write_csv(alt.lp, folder / "lp_paths.csv", float_format="%.6g")
        write_csv(alt.lp_summary, folder / "lp_uncertainty.csv", float_format="%.6g")
        if alt.investment_fan is not None and len(alt.investment_fan):
            write_iamc(fan_iamc(alt.investment_fan, scenario), folder / "investment_fan.csv")
            _fan_chart(alt.investment_fan, folder / "fan_investment.png", scenario)
            charts.append("fan_investment.png")
    return charts
