"""Evidence behind the high-tech upgrading bound (pure functions over the vendored data).

The pace at which within-cluster upgrading may raise the high-tech share of
GDP is bounded by the fastest gain ever observed in the published series of
Hunan's high-tech industry VA share of GDP (高新技术产业增加值占GDP比重,
``calibration/data/hightech/``; no CZT series exists). The one value used by
the LP (:mod:`model.opt.pathlp`) and the scenario levers
(:mod:`model.engine.levers`) is
``calibration/optimisation/parameters.toml [upgrading] max_share_gain_per_year``;
:func:`fastest_share_gain` re-derives it and a test keeps the two equal.

Method
------
Observations of the share ``s_y`` (percent of GDP) are, by year,

* the published share where the source gives one
  (``hightech_industry_value_added_share_of_gdp``), else
* the published high-tech VA level over the same year's first-release GDP
  in ``context_gdp_denominators.csv`` (the vintage the shares are published on).

The bound is the largest average annual gain between consecutive observations,

.. math:: \\Delta = \\max_i \\frac{s_{y_i} - s_{y_{i-1}}}{y_i - y_{i-1}}.

Growth rates of high-tech VA are *not* used: chained against GDP growth they
give a 2022 share of about 30 % where the published one is 24.4 % (scope and
price-basis changes), so they cannot measure a change of the share.
"""
from __future__ import annotations

import pandas as pd

from ..paths import DATA

HIGHTECH_DIR = DATA / "hightech"
SHARE_VAR = "hightech_industry_value_added_share_of_gdp"
LEVEL_VAR = "hightech_industry_value_added"


def hightech_share_observations(region: str = "Hunan", directory=HIGHTECH_DIR) -> pd.DataFrame:
    """Observed high-tech VA shares of GDP (percent) by year, with how each was obtained.

    Returns
    -------
    DataFrame
        Columns ``year``, ``share`` (percent), ``how`` (published or derived).
    """
    d = pd.read_csv(directory / "hightech_rd_hunan_czt.csv")
    g = pd.read_csv(directory / "context_gdp_denominators.csv")
    d, g = d[d["region"] == region], g[(g["region"] == region) & (g["variable"] == "gdp")]
    rows = {}
    for r in d[d["variable"] == SHARE_VAR].itertuples():
        rows[int(r.year)] = (float(r.value), f"published ({r.source_id})")
    gdp = {int(r.year): (float(r.value), r.source_id) for r in g.itertuples()}
    for r in d[d["variable"] == LEVEL_VAR].itertuples():
        y = int(r.year)
        if y not in rows and y in gdp:
            rows[y] = (100 * float(r.value) / gdp[y][0],
                       f"derived: {r.value:g} / GDP {gdp[y][0]:g} ({r.source_id}, {gdp[y][1]})")
    out = pd.DataFrame([{"year": y, "share": s, "how": h} for y, (s, h) in sorted(rows.items())])
    return out


def fastest_share_gain(region: str = "Hunan", directory=HIGHTECH_DIR) -> tuple[float, str]:
    """Largest average annual gain of the high-tech share of GDP (fraction of GDP per year).

    Returns
    -------
    (float, str)
        The gain (e.g. ``0.0063`` = 0.63 pp/yr) and where it was observed.
    """
    obs = hightech_share_observations(region, directory)
    best, where = 0.0, "no two observations"
    for a, b in zip(obs.iloc[:-1].itertuples(), obs.iloc[1:].itertuples()):
        gain = (b.share - a.share) / (b.year - a.year)
        if gain > best:
            best, where = gain, f"{region} {a.year}-{b.year}: {a.share:.2f}% -> {b.share:.2f}% of GDP"
    return best / 100.0, where
