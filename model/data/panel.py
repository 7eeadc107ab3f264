"""The modelling panel: sourced values plus documented derivations, each flagged.

Every row of :attr:`Panel.long` carries ``basis`` — ``observed`` (a source
value, unchanged), ``derived`` (computed from source values by the method in
``method``) or ``assumption`` (rests on a labelled parameter in
``calibration/parameters.toml``) — and the ``source_id`` it came from.

Derivations (see README "Data"):

* Real GDP per city is chained from stated real growth (SOURCES C2/C3: levels
  across the 2004/05, 2007/08 and 2017–2019 census revisions are not
  comparable) and expressed in 亿元 at 2019 prices, anchored on the 2019 level
  (post-4th-census basis). CZT = sum of the three cities.
* Implicit deflator (2019 = 100) from nominal and real growth; in census-break
  years (parameter ``panel.deflator_break_years``) Hunan CPI inflation is used.
* Resident population on the 2020-census basis: the 2010 (2020 boundaries) and
  2020 census counts with constant growth between them; the pre-census
  year-end estimates are kept as ``pop_resident_precensus`` and not modelled
  (SOURCES C8), so the break does not read as a population boom.
* Energy-intensity index (2019 = 100) chained from Hunan's official
  year-on-year changes; CZT follows Hunan plus an assumed offset.
* High-tech VA: a CZT share of GDP assumption moved with Hunan's published share.

As-of origin T (``forecast.as_of``): every source row for a year after T is
dropped (:func:`truncate_sources`). The energy and high-tech blocks then use
only observations with year <= T: a block's last data year becomes
min(``last_data_year``, T) and the mean and s.d. of its forecast changes come
from the observed changes up to it. A block that cannot be derived from data
<= T — no anchor (both are anchored on 2019, so T < 2019), no observed change
(mean) or fewer than two (s.d.) — is not modelled as of T unless the scenario
gives the missing value (``assumptions.energy.unobserved_yoy_change_pct`` /
``unobserved_yoy_sd_pct``, ``assumptions.hightech.share_change_pp_per_year`` /
``share_change_sd_pp``): it has no CZT rows and its constants carry the note
"<variable> not modelled as of T: <why>; set <key> to run it". With the vendored
data: energy intensity from T = 2019 (changes 2016-2018; 2016-2018 and 2020 from
T = 2020), high-tech VA from T = 2022 (shares 2018, 2019, 2022), or from 2019
with ``share_change_sd_pp``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CztInputError
from . import transforms as tf

CITIES = ["430100", "430200", "430300"]
CZT = "CZT"
HUNAN = "430000"
BASE_YEAR = 2019
PANEL_COLUMNS = ["region_code", "variable", "unit", "year", "value", "basis", "method", "source_id"]
#: The regions every forecast variable is simulated for: the three cities and CZT (their sum).
REGIONS = CITIES + [CZT]
#: Forecast variable (the name in outputs and targets) -> (panel variable, output unit); the catalogue
#: that scenario files, targets and the IAMC tables are checked against and that
#: :mod:`model.engine.projection` simulates.
VARIABLES = {
    "GDP|Nominal": ("gdp_nominal", "100m CNY"),
    "GDP|Real": ("gdp_real", "100m CNY (2019 prices)"),
    "GDP|Real growth": ("gdp_real_growth", "%"),
    "GDP|Deflator": ("gdp_deflator", "index (2019 = 100)"),
    "GDP per capita": ("gdp_per_capita", "CNY"),
    "Population|Resident": ("pop_resident", "10k persons"),
    "Population|Urban": ("pop_urban", "10k persons"),
    "Urbanisation rate": ("urbanization_rate", "%"),
    "Energy intensity": ("energy_intensity_index", "index (2019 = 100)"),
    "High-tech VA": ("hightech_va", "100m CNY"),
    "High-tech VA|Share of GDP": ("hightech_share_gdp", "%"),
}

UNITS = {
    "gdp_nominal": "100m yuan",
    "gdp_real_growth": "percent",
    "gdp_real_index": "index (2019 = 100)",
    "gdp_real": "100m yuan (2019 prices)",
    "gdp_deflator": "index (2019 = 100)",
    "gdp_per_capita": "yuan",
    "pop_resident": "10k persons",
    "pop_resident_precensus": "10k persons",
    "pop_urban": "10k persons",
    "urbanization_rate": "percent",
    "energy_intensity_change": "percent",
    "energy_intensity_index": "index (2019 = 100)",
    "hightech_share_gdp": "percent",
    "hightech_va": "100m yuan",
}


@dataclass
class Panel:
    """Long panel with flags, plus the derived constants the forecasts need."""

    long: pd.DataFrame
    constants: dict = field(default_factory=dict)
    #: look-ups already made on this ``long`` (forgotten when ``long`` is replaced; ``long`` is read-only
    #: once built); series and tables are returned as copies, so callers may modify theirs
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def _cached(self, key: tuple, make):
        if self._memo.get("long") is not self.long:
            self._memo.clear()
            self._memo["long"] = self.long
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def series(self, variable: str, region: str) -> pd.Series:
        """One variable for one region as a year-indexed Series."""
        def make():
            d = self.long[(self.long.variable == variable) & (self.long.region_code == region)]
            return d.set_index("year")["value"].sort_index()
        return self._cached(("series", variable, region), make).copy()

    def wide(self, variable: str, regions: list[str] | None = None) -> pd.DataFrame:
        """Year × region table of one variable."""
        def make():
            d = self.long[self.long.variable == variable]
            if regions is not None:
                d = d[d.region_code.isin(regions)]
            return d.pivot(index="year", columns="region_code", values="value").sort_index()
        return self._cached(("wide", variable, None if regions is None else tuple(regions)), make).copy()

    def latest(self, variable: str, region: str) -> tuple[int, float, str] | None:
        """(year, value, basis) of the latest row of a variable/region."""
        def make():
            d = self.long[(self.long.variable == variable) & (self.long.region_code == region)]
            if d.empty:
                return None
            r = d.sort_values("year").iloc[-1]
            return int(r.year), float(r.value), str(r.basis)
        return self._cached(("latest", variable, region), make)

    def coverage(self) -> pd.DataFrame:
        """Variable × region coverage: first/last year and counts by basis."""
        g = self.long.groupby(["variable", "region_code"])
        cov = g.year.agg(first="min", last="max", n="count")
        counts = self.long.pivot_table(index=["variable", "region_code"], columns="basis",
                                       values="value", aggfunc="count", fill_value=0)
        return cov.join(counts).reset_index()


def units_for(base_year: int) -> dict[str, str]:
    """:data:`UNITS` with the price/index base year of real GDP and the deflator set to ``base_year``."""
    out = dict(UNITS)
    for k in ("gdp_real_index", "gdp_real", "gdp_deflator"):
        out[k] = out[k].replace(str(BASE_YEAR), str(base_year))
    return out


def truncate_sources(sources: dict[str, pd.DataFrame], as_of: int) -> dict[str, pd.DataFrame]:
    """Keep only rows for years up to ``as_of`` in every source frame (the as-of origin).

    Values are the vendored (latest-vintage) figures: the truncation drops later
    years, it cannot restore the values first published for earlier years.
    """
    return {k: (v[v["year"] <= int(as_of)].copy() if isinstance(v, pd.DataFrame) and "year" in v else v)
            for k, v in sources.items()}


class _Rows:
    def __init__(self, units: dict[str, str] | None = None) -> None:
        self.rows: list[tuple] = []
        self.units = units or UNITS

    def add(self, region, variable, year, value, basis, method, source):
        if value is None or not np.isfinite(value):
            return
        self.rows.append((region, variable, self.units[variable], int(year), float(value), basis, method, source))

    def add_series(self, region, variable, s: pd.Series, basis, method, source):
        for y, v in s.items():
            self.add(region, variable, y, v, basis, method, source)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=PANEL_COLUMNS)


def _obs(df: pd.DataFrame, variable: str, region: str) -> pd.DataFrame:
    return df[(df.variable == variable) & (df.region_code == region)].set_index("year").sort_index()


def _require(df: pd.DataFrame, variable: str, region: str, year: int, where: str) -> float:
    d = df[(df.variable == variable) & (df.region_code == region) & (df.year == year)]
    if d.empty:
        raise CztInputError(where, f"needs {variable} for {region} in {year}, which is missing")
    return float(d.value.iloc[0])


def _last_common_year(panel_src: pd.DataFrame) -> int:
    """Last year with published nominal GDP for every city (an as-of panel can end with one city missing)."""
    d = panel_src[(panel_src.variable == "gdp_nominal") & panel_src.region_code.isin(CITIES)]
    return int(min(d[d.region_code == c].year.max() for c in CITIES))


def build_gdp(panel_src: pd.DataFrame, rows: _Rows, settings, history_start: int, where: str) -> dict:
    """Nominal, real-growth, real and deflator rows for the cities and CZT."""
    a = settings.assumptions.gdp
    last_year = _last_common_year(panel_src)
    base = min(BASE_YEAR, last_year)  # price base: 2019, or the origin year of an earlier as-of panel
    years = range(history_start, last_year + 1)
    panel_src = panel_src[panel_src.year <= last_year]
    cpi = _obs(panel_src, "cpi_index", HUNAN)["value"] - 100.0
    nominal, growth = {}, {}
    czt_growth = _obs(panel_src, "gdp_real_growth", CZT)["value"]
    for c in CITIES:
        n_obs = _obs(panel_src, "gdp_nominal", c)
        n = n_obs["value"].reindex(years)
        for y in n.dropna().index:
            rows.add(c, "gdp_nominal", y, n[y], "observed", "source value", n_obs.at[y, "source_id"])
        gaps = n[n.isna()].index
        if len(gaps):
            filled = tf.interpolate_geometric(n, years)
            for y in gaps:
                if np.isfinite(filled[y]):
                    rows.add(c, "gdp_nominal", y, filled[y], "derived",
                             "interpolated at constant growth between neighbouring published levels", "")
            n = n.fillna(filled)
        nominal[c] = n
        g_obs = _obs(panel_src, "gdp_real_growth", c)
        g = g_obs["value"].reindex(years)
        for y in g.dropna().index:
            rows.add(c, "gdp_real_growth", y, g[y], "observed", "source value", g_obs.at[y, "source_id"])
        growth[c] = g
    # Gap fills in growth terms -------------------------------------------------
    for c in CITIES:
        g = growth[c]
        for y in g[g.isna()].index:
            if y == history_start:
                continue
            if y == 2019 and a.city_growth_2019_fill == "czt_rate" and 2019 in czt_growth.index:
                g[y] = czt_growth[2019]
                rows.add(c, "gdp_real_growth", y, g[y], "derived", "city growth not published: CZT aggregate rate (8.0%)", "THEPAPER_HN_GDP_2019")
            elif y == 2024:
                continue  # handled jointly below
            elif y - 1 in g.index and y + 1 in g.index and np.isfinite(g[y - 1]) and np.isfinite(g[y + 1]):
                g[y] = 0.5 * (g[y - 1] + g[y + 1])
                rows.add(c, "gdp_real_growth", y, g[y], "derived", "interpolated: mean of the neighbouring years' growth", "")
    # Years where some cities have growth and others not (e.g. Zhuzhou 2023):
    # the GDP-weighted mean of the cities that have it.
    for y in years:
        if y in (history_start, 2024):
            continue
        have = [c for c in CITIES if np.isfinite(growth[c][y])]
        if 0 < len(have) < len(CITIES):
            w = np.array([nominal[c][y - 1] for c in have])
            val = float(np.dot(w, [growth[c][y] for c in have]) / w.sum())
            for c in set(CITIES) - set(have):
                growth[c][y] = val
                rows.add(c, "gdp_real_growth", y, val, "derived",
                         "not published: GDP-weighted mean of the other CZT cities' growth", "")
    if last_year >= 2024 and all(not np.isfinite(growth[c][2024]) for c in CITIES):
        czt24 = _require(panel_src, "gdp_real_growth", CZT, 2024, where)
        if a.city_growth_2024_fill == "avg_then_residual":
            avg = _obs(panel_src, "gdp_real_growth_avg_2021_2024", "430100")["value"]
            if 2024 not in avg.index:
                raise CztInputError(where, "needs gdp_real_growth_avg_2021_2024 for 430100 in 2024")
            prod = np.prod([1 + growth["430100"][y] / 100 for y in (2021, 2022, 2023)])
            g_cs = ((1 + avg[2024] / 100) ** 4 / prod - 1) * 100
            # weights: 2023 real GDP at 2019 prices, so the CZT real growth is exactly 5.2%
            w = {c: nominal[c][base] * tf.chain_index(growth[c].loc[:2023], base)[2023] for c in CITIES}
            rest = (czt24 * sum(w.values()) - g_cs * w["430100"]) / (w["430200"] + w["430300"])
            growth["430100"][2024] = g_cs
            rows.add("430100", "gdp_real_growth", 2024, g_cs, "derived",
                     "from the published 2021-2024 average (5.4%) and 2021-2023 growth", "CNS_CS_14FYP")
            for c in ("430200", "430300"):
                growth[c][2024] = rest
                rows.add(c, "gdp_real_growth", 2024, rest, "derived",
                         "rate that makes GDP-weighted CZT growth equal the published 5.2%", "HN_GB_2024")
        else:
            for c in CITIES:
                growth[c][2024] = czt24
                rows.add(c, "gdp_real_growth", 2024, czt24, "derived", "city growth not published: CZT aggregate rate", "HN_GB_2024")
    # Real index, real level, deflator ------------------------------------------
    breaks = settings.panel.deflator_break_years
    real = {}
    defl = {}
    for c in CITIES:
        g = growth[c]
        if g.iloc[1:].isna().any():
            raise CztInputError(where, f"real growth for {c} still missing in {list(g.iloc[1:][g.iloc[1:].isna()].index)}")
        idx = tf.chain_index(g, base)
        rows.add_series(c, "gdp_real_index", idx, "derived", f"chained from real growth ({base} = 100)", "")
        lvl = idx / 100.0 * nominal[c][base]
        real[c] = lvl
        rows.add_series(c, "gdp_real", lvl, "derived", f"{base} nominal level x chained real index", "")
        dg = ((nominal[c] / nominal[c].shift(1)) / (1 + g / 100.0) - 1) * 100
        for y in breaks.get(c, []):
            if y in dg.index:
                if y not in cpi.index:
                    raise CztInputError(where, f"deflator break year {y} for {c} needs Hunan CPI, which is missing")
                dg[y] = cpi[y]
        d = tf.chain_index(dg, base)
        defl[c] = d
        for y, v in d.items():
            m = ("chained: Hunan CPI inflation in census-break year" if y in breaks.get(c, []) else
                 "chained: nominal growth / real growth")
            rows.add(c, "gdp_deflator", y, v, "derived", m, "")
    real_czt = sum(real[c] for c in CITIES)
    rows.add_series(CZT, "gdp_real", real_czt, "derived", "sum of the three cities", "")
    idx_czt = real_czt / real_czt[base] * 100
    rows.add_series(CZT, "gdp_real_index", idx_czt, "derived", f"sum of city real GDP ({base} = 100)", "")
    g_czt = tf.implied_growth(real_czt).dropna()
    for y, v in g_czt.items():
        if y in czt_growth.index:
            rows.add(CZT, "gdp_real_growth", y, czt_growth[y], "observed", "source value", "")
        else:
            rows.add(CZT, "gdp_real_growth", y, v, "derived", "growth of the sum of city real GDP", "")
    nom_consistent = sum(real[c] * defl[c] / 100 for c in CITIES)
    defl_czt = nom_consistent / real_czt * 100
    rows.add_series(CZT, "gdp_deflator", defl_czt, "derived", f"CZT nominal ({base} basis) / CZT real", "")
    czt_nom_pub = _obs(panel_src, "gdp_nominal", CZT)
    nominal_czt = sum(nominal[c] for c in CITIES)
    for y in years:
        if y in czt_nom_pub.index:
            nominal_czt[y] = czt_nom_pub.at[y, "value"]
            rows.add(CZT, "gdp_nominal", y, nominal_czt[y], "observed", "published CZT aggregate", czt_nom_pub.at[y, "source_id"])
        elif np.isfinite(nominal_czt[y]):
            rows.add(CZT, "gdp_nominal", y, nominal_czt[y], "derived", "sum of the three cities' published GDP", "")
    return {"last_year": last_year, "base_year": base, "real": real, "deflator": defl, "nominal": nominal,
            "nominal_czt": nominal_czt}


def build_population(panel_src: pd.DataFrame, census: pd.DataFrame, rows: _Rows, where: str) -> dict:
    """Census-consistent resident population (10k persons) and urbanisation.

    Needs both census counts (2010 and 2020). A panel as of an origin before
    2020 has no census-basis series to forecast (only the 2010 count and
    pre-census year-end estimates on another basis), so it gets no
    ``pop_resident`` rows and population is not modelled as of that origin.
    """
    out = {}
    have = set(census.loc[census.variable == "pop_resident_census", "year"])
    if not {2010, 2020} <= have:
        for c in CITIES:
            ye = _obs(panel_src, "pop_resident_yearend", c)
            for y, r in ye[ye.index < 2020].iterrows():
                rows.add(c, "pop_resident_precensus", y, r.value, "observed",
                         "pre-2020-census basis (not modelled; SOURCES C8)", r.source_id)
        return {"pop": {}}
    # Intercensal uncertainty of the interpolated years: a Brownian bridge in logs pinned at the two
    # census counts, with the year-to-year noise of genuine population growth (post-census figures:
    # pooled within-city s.d. of annual log growth from the 2020 count on).
    growths = {}
    for c in CITIES:
        cen = _obs(census, "pop_resident_census", c)["value"] / 1e4
        ye = _obs(panel_src, "pop_resident_yearend", c)["value"]
        lv = pd.concat([cen[cen.index == 2020], ye[ye.index > 2020]]).sort_index()
        lg = np.log(lv)
        growths[c] = [lg[y] - lg[y - 1] for y in lg.index if y - 1 in lg.index]
    bridge_sigma, bridge_dof = tf.pooled_within_sd(growths)
    for c in CITIES:
        cen = _obs(census, "pop_resident_census", c)["value"] / 1e4
        urb = _obs(census, "pop_urban_census", c)["value"] / 1e4
        if not {2010, 2020} <= set(cen.index):
            raise CztInputError(where, f"census counts for {c} in 2010 and 2020 are required")
        ye = _obs(panel_src, "pop_resident_yearend", c)
        post = ye[ye.index > 2020]["value"]
        pre = ye[ye.index < 2020]
        for y, r in pre.iterrows():
            rows.add(c, "pop_resident_precensus", y, r.value, "observed", "pre-2020-census basis (not modelled; SOURCES C8)", r.source_id)
        last = int(post.index.max()) if len(post) else 2020
        s = pd.Series(np.nan, index=pd.RangeIndex(2010, last + 1, name="year"))
        s[2010], s[2020] = cen[2010], cen[2020]
        for y, v in post.items():
            s[y] = v
        filled = tf.interpolate_geometric(s, s.index)
        for y, v in filled.items():
            if y in (2010, 2020):
                rows.add(c, "pop_resident", y, v, "observed", "census count (2020 boundaries)", "LEIII_CENSUS")
            elif y in post.index:
                rows.add(c, "pop_resident", y, v, "observed", "year-end estimate (post-census basis)", ye.at[y, "source_id"])
            else:
                sd = float(tf.bridge_sd(bridge_sigma, y - 2010, 10)) if bridge_dof else float("nan")
                rows.add(c, "pop_resident", y, v, "derived", "constant growth between census-basis levels"
                         + (f"; intercensal uncertainty {100 * sd:.1f}% (1 s.d., Brownian bridge with the s.d. of "
                            f"post-census annual growth, {100 * bridge_sigma:.2f} pp)" if bridge_dof else ""), "")
        out[c] = filled
        for y in (2010, 2020):
            rows.add(c, "pop_urban", y, urb[y], "observed", "census count", "LEIII_CENSUS")
            rows.add(c, "urbanization_rate", y, urb[y] / cen[y] * 100, "derived", "census urban / resident", "LEIII_CENSUS")
        ur = _obs(panel_src, "urbanization_rate", c)
        for y, r in ur.iterrows():
            if y not in (2010, 2020):
                rows.add(c, "urbanization_rate", y, r.value, "observed", "source value", r.source_id)
    common = sorted(set.intersection(*(set(out[c].index) for c in CITIES)))
    tot = sum(out[c].reindex(common) for c in CITIES)
    for y, v in tot.items():
        basis = "observed" if y in (2010, 2020) else "derived"
        rows.add(CZT, "pop_resident", y, v, basis, "sum of the three cities (census basis)", "")
    for y in (2010, 2020):
        urb = sum(float(_obs(census, "pop_urban_census", c).at[y, "value"]) for c in CITIES) / 1e4
        rows.add(CZT, "pop_urban", y, urb, "observed", "sum of census counts", "LEIII_CENSUS")
        rows.add(CZT, "urbanization_rate", y, urb / tot[y] * 100, "derived", "census urban / resident", "LEIII_CENSUS")
    return {"pop": out, "bridge_sigma": bridge_sigma if bridge_dof else None, "bridge_dof": bridge_dof}


def energy_sources(sources: dict) -> pd.DataFrame:
    """Every observed energy row: ``energy/energy_intensity_official.csv`` plus the Hunan
    yoy energy-intensity changes of the best panel (the 2018 figure, NBS_PROV_EI_2018, came
    with the gap-fill release ``macro/czt_gapfill_releases.csv``); the official file's row
    wins a duplicated key. One observed set for the panel, the forecast and the IO module."""
    p = sources["panel"]
    out = pd.concat([sources["energy"], p[p.variable == "energy_intensity_gdp_change_yoy"]])
    return out.drop_duplicates(subset=["region_code", "year", "variable"])


def block_last_year(last_data_year: int, as_of: int | None) -> int:
    """Last data year of an assumption block as of ``as_of``: ``min(last_data_year, as_of)``."""
    return int(last_data_year) if as_of is None else min(int(last_data_year), int(as_of))


def not_modelled_note(label: str, as_of: int | None, why: str, keys: tuple[str, ...] = ()) -> str:
    """The one note of a block that cannot be derived: "<label> not modelled as of T: <why>; set <key> to run it"."""
    when = f" as of {as_of}" if as_of is not None else ""
    fix = f"; set {' and '.join(keys)} to run it" if keys else ""
    return f"{label} not modelled{when}: {why}{fix}"


def energy_change_assumption(energy: pd.DataFrame, settings, as_of: int | None = None) -> tuple[float, float, str, int]:
    """Mean, s.d. (percent), description and sample size of the yoy intensity change
    used for unobserved years (sample size 0 when both are scenario values).

    Only Hunan's published changes for 2016 … ``min(last_data_year, as_of)``
    enter. A value that the observations cannot give (no change: no mean; fewer
    than two changes: no s.d.) and the scenario does not set is NaN: the block
    is then not modelled (:func:`build_energy`).
    """
    a = settings.assumptions.energy
    last = block_last_year(a.last_data_year, as_of)
    obs = _obs(energy, "energy_intensity_gdp_change_yoy", HUNAN)["value"]
    obs = obs[(obs.index >= 2016) & (obs.index <= last)]
    mu = (a.unobserved_yoy_change_pct if a.unobserved_yoy_change_pct is not None
          else float(obs.mean()) if obs.size else float("nan"))
    sd = (a.unobserved_yoy_sd_pct if a.unobserved_yoy_sd_pct is not None
          else float(obs.std(ddof=1)) if obs.size >= 2 else float("nan"))
    how = ("scenario value" if a.unobserved_yoy_change_pct is not None
           else f"mean/s.d. of Hunan's observed changes {obs.index.min()}-{obs.index.max()}" if obs.size
           else "no observed change")
    n = 0 if a.unobserved_yoy_change_pct is not None else int(obs.size)
    return mu, sd, how, n


def build_energy(energy: pd.DataFrame, rows: _Rows, settings, as_of: int | None = None) -> dict:
    """Energy-intensity index (2019 = 100) for Hunan (chained) and CZT (assumption).

    As of ``as_of`` (T) the block uses Hunan's published yoy changes for years
    <= min(``assumptions.energy.last_data_year``, T) only; its history ends in
    that year, unpublished years up to it take the mean change, and the mean
    and s.d. of the forecast's changes come from those observations
    (:func:`energy_change_assumption`). It is not modelled (no index rows;
    ``not_modelled`` gives the note) when it cannot be derived from them: the
    index is anchored on 2019 = 100, so an origin before 2019 has no anchor;
    with no observed change (mean) or fewer than two (s.d.) the scenario must
    set ``assumptions.energy.unobserved_yoy_change_pct`` /
    ``unobserved_yoy_sd_pct``.
    """
    a = settings.assumptions.energy
    last = block_last_year(a.last_data_year, as_of)
    obs = _obs(energy, "energy_intensity_gdp_change_yoy", HUNAN)
    obs = obs[obs.index <= last]
    mu, sd, how, n_obs = energy_change_assumption(energy, settings, as_of)
    out = {"czt_index": None, "mu": mu, "sd": sd, "how": how, "n": n_obs, "last_year": last, "not_modelled": None}
    label = "Energy intensity"
    if last < BASE_YEAR:
        out["not_modelled"] = not_modelled_note(label, as_of, f"the CZT index is anchored on {BASE_YEAR} (= 100), "
                                                f"after the last data year {last}")
    elif not np.isfinite(mu):
        out["not_modelled"] = not_modelled_note(label, as_of, f"no published Hunan yoy change in 2016-{last}",
                                                ("assumptions.energy.unobserved_yoy_change_pct",
                                                 "assumptions.energy.unobserved_yoy_sd_pct"))
    elif not np.isfinite(sd):
        out["not_modelled"] = not_modelled_note(label, as_of, f"the s.d. of the yoy change needs at least 2 published "
                                                f"Hunan changes in 2016-{last}, there is {n_obs}",
                                                ("assumptions.energy.unobserved_yoy_sd_pct",))
    years = range(2015, last + 1)
    if out["not_modelled"]:
        for y in years:
            if y in obs.index:
                rows.add(HUNAN, "energy_intensity_change", y, obs.at[y, "value"], "observed", "source value",
                         obs.at[y, "source_id"])
        return out
    ch = pd.Series(np.nan, index=pd.RangeIndex(2015, last + 1))
    for y in years:
        if y in obs.index:
            ch[y] = obs.at[y, "value"]
            rows.add(HUNAN, "energy_intensity_change", y, ch[y], "observed", "source value", obs.at[y, "source_id"])
        elif y > 2015:
            ch[y] = mu
            rows.add(HUNAN, "energy_intensity_change", y, mu, "assumption", f"not published: {how}", "")
    idx = tf.chain_index(ch, BASE_YEAR)
    for y, v in idx.items():
        rows.add(HUNAN, "energy_intensity_index", y, v, "derived" if y >= BASE_YEAR and not (y > BASE_YEAR and np.isnan(obs["value"].get(y, np.nan))) else "assumption",
                 "chained from yoy changes (2019 = 100)", "")
    czt_ch = ch + a.czt_relative_to_hunan_pp
    czt_idx = tf.chain_index(czt_ch, BASE_YEAR)
    rows.add_series(CZT, "energy_intensity_index", czt_idx, "assumption",
                    f"Hunan index with offset {a.czt_relative_to_hunan_pp:+.2f} pp/yr (no CZT energy data)", "")
    out["czt_index"] = czt_idx
    return out


def build_hightech(hightech: pd.DataFrame, rows: _Rows, settings, gdp_info: dict,
                   context_gdp: pd.DataFrame | None = None, as_of: int | None = None) -> dict:
    """High-tech VA share and level for CZT (assumption anchored on Hunan's shares).

    ``context_gdp``: :func:`model.data.loader.load_context_gdp` when the caller has it
    (loaded here otherwise).

    As of ``as_of`` (T) only Hunan's shares for years <= L =
    min(``assumptions.hightech.last_data_year``, T) enter: the CZT history runs
    from 2019 to the last published share <= L (shares between two published
    ones are interpolated; none is extrapolated past the last), and the mean
    and s.d. of the annualised share changes come from those shares. The block
    is not modelled (no CZT rows; ``not_modelled`` gives the note) when it
    cannot be derived from them: it is anchored on 2019 (the assumed CZT 2019
    share relative to Hunan's), so an origin before 2019 has no anchor; with
    fewer than two share changes (as of 2019-2021: only 2018-2019) the s.d.
    needs ``assumptions.hightech.share_change_sd_pp`` (the mean,
    ``share_change_pp_per_year``, when there is no change).
    """
    a = settings.assumptions.hightech
    last = block_last_year(a.last_data_year, as_of)
    share_obs = _obs(hightech, "hightech_industry_value_added_share_of_gdp", HUNAN)
    lvl = _obs(hightech, "hightech_industry_value_added", HUNAN)
    ctx = None
    shares = {}
    for y, r in share_obs.iterrows():
        if y <= last:
            shares[y] = r.value
            rows.add(HUNAN, "hightech_share_gdp", y, r.value, "observed", "source value", r.source_id)
    label = "High-tech VA"
    out = {"czt_share": None, "mu": float("nan"), "sd": float("nan"), "ratio": None, "n": 0, "last_year": None,
           "not_modelled": None, "why": None, "keys": ()}
    if last < BASE_YEAR:
        out["why"] = (f"the CZT share is anchored on {BASE_YEAR} (the assumed CZT {BASE_YEAR} share relative to "
                      f"Hunan's), after the last data year {last}")
        out["not_modelled"] = not_modelled_note(label, as_of, out["why"])
        return out
    if BASE_YEAR not in shares:
        from .loader import load_context_gdp  # validated and checked against VENDORED.csv

        ctx = load_context_gdp() if context_gdp is None else context_gdp
        gdp19 = ctx[(ctx.region_code == HUNAN) & (ctx.year == BASE_YEAR) & (ctx.variable == "gdp")].value.iloc[0]
        shares[BASE_YEAR] = lvl.at[BASE_YEAR, "value"] / gdp19 * 100
        rows.add(HUNAN, "hightech_share_gdp", BASE_YEAR, shares[BASE_YEAR], "derived",
                 "9472.89 / 39752.1 (bulletin GDP of the same release)", "HNGOV_KJ_2021")
    hs = pd.Series(shares).sort_index()
    ann = tf.annualised_change(hs)
    mu = (a.share_change_pp_per_year if a.share_change_pp_per_year is not None
          else float(ann.mean()) if ann.size else float("nan"))
    sd = (a.share_change_sd_pp if a.share_change_sd_pp is not None
          else float(ann.std(ddof=1)) if ann.size >= 2 else float("nan"))
    n_obs = 0 if a.share_change_pp_per_year is not None else int(ann.size)
    out.update(mu=mu, sd=sd, n=n_obs)
    span = f"{int(hs.index.min())}-{int(hs.index.max())}"
    if not np.isfinite(mu):
        out["why"] = f"no change of Hunan's published share in {span}"
        out["keys"] = ("assumptions.hightech.share_change_pp_per_year", "assumptions.hightech.share_change_sd_pp")
    elif not np.isfinite(sd):
        out["why"] = (f"the s.d. of the share change needs at least 2 changes of Hunan's published share, "
                      f"{span} gives {int(ann.size)}")
        out["keys"] = ("assumptions.hightech.share_change_sd_pp",)
    if out["why"]:
        out["not_modelled"] = not_modelled_note(label, as_of, out["why"], out["keys"])
    if out["not_modelled"]:
        return out
    ratio = a.czt_share_of_gdp_2019_pct / hs[BASE_YEAR]
    yrs = range(BASE_YEAR, int(hs.index.max()) + 1)
    hs_full = pd.Series(np.interp(list(yrs), hs.index, hs.to_numpy()), index=list(yrs))
    czt_share = hs_full * ratio
    nominal = gdp_info["nominal_czt"]
    for y in yrs:
        m = ("assumed 2019 share (parameters.toml)" if y == BASE_YEAR else
             "assumed 2019 share x Hunan share relative to 2019" + ("" if y in hs.index else " (Hunan share interpolated)"))
        rows.add(CZT, "hightech_share_gdp", y, czt_share[y], "assumption", m, "")
        if y in nominal.index and np.isfinite(nominal[y]):
            va = czt_share[y] / 100 * nominal[y]
            mv = "assumed share x CZT nominal GDP"
            if y == BASE_YEAR:
                mv += f" (= {va / lvl.at[BASE_YEAR, 'value'] * 100:.1f}% of Hunan's {lvl.at[BASE_YEAR, 'value']:g})"
            rows.add(CZT, "hightech_va", y, va, "assumption", mv, "")
    out.update(czt_share=czt_share, ratio=ratio, last_year=int(hs.index.max()))
    return out


#: Panel variables built by the assumption blocks (:func:`build_energy`, :func:`build_hightech`).
ASSUMPTION_BLOCK_VARIABLES = ("energy_intensity_change", "energy_intensity_index", "hightech_share_gdp", "hightech_va")


def _assumption_blocks(sources: dict, rows: _Rows, settings, gdp_info: dict,
                       as_of: int | None = None) -> tuple[dict, dict]:
    """The energy and high-tech blocks as of ``as_of`` (rows added to ``rows``); their constants.

    ``sources`` may be the full or the as-of truncated sources: each block keeps
    only its rows for years <= min(its ``last_data_year``, ``as_of``).
    """
    if as_of is not None:
        sources = truncate_sources(sources, as_of)
    en = build_energy(energy_sources(sources), rows, settings, as_of)
    ctx = sources.get("context_gdp")
    ht = build_hightech(sources["hightech"], rows, settings, gdp_info, ctx, as_of)
    return en, ht


def block_notes(en: dict, ht: dict) -> list[str]:
    """The "not modelled" notes of the energy and high-tech blocks (none when both are modelled)."""
    return [b["not_modelled"] for b in (en, ht) if b.get("not_modelled")]


def with_assumption_blocks(panel: Panel, sources: dict[str, pd.DataFrame], settings) -> Panel:
    """``panel`` with its energy and high-tech blocks rebuilt for ``settings``' assumptions.

    Only ``assumptions.energy`` and ``assumptions.hightech`` enter these blocks
    (with the panel's own nominal GDP and as-of origin); the result has the same
    rows, order and constants as :func:`build_panel` with ``settings`` (a
    scenario sweep varies these assumptions without rebuilding GDP and population).

    Parameters
    ----------
    panel : Panel
        A panel built by :func:`build_panel` from the same ``sources`` (with
        the same GDP, population and as-of settings as ``settings``).
    sources : dict
        The full (not as-of truncated) output of :func:`model.data.loader.load_sources`;
        may carry ``"context_gdp"`` (:func:`model.data.loader.load_context_gdp`, read once
        by a caller that rebuilds often). Rows after the panel's as-of origin are dropped here.
    settings : model.scenario.Scenario
    """
    c = panel.constants
    rows = _Rows(units_for(c["base_year"]))
    en, ht = _assumption_blocks(sources, rows, settings, c["gdp"], c.get("as_of"))
    keep = panel.long[~panel.long.variable.isin(ASSUMPTION_BLOCK_VARIABLES)]
    long = pd.concat([keep, rows.frame()], ignore_index=True)
    long = long.sort_values(["variable", "region_code", "year"]).reset_index(drop=True)
    return Panel(long=long, constants={**c, "energy": en, "hightech": ht})


def build_panel(sources: dict[str, pd.DataFrame], settings, as_of: int | None = None) -> Panel:
    """Assemble the flagged modelling panel from validated source frames.

    Parameters
    ----------
    sources : dict
        Output of :func:`model.data.loader.load_sources`.
    settings : model.scenario.Scenario
        Supplies the assumptions, the history start, the break years and the
        forecast origin ``forecast.as_of``.
    as_of : int, optional
        Forecast origin T (overrides ``settings.forecast.as_of``): GDP and
        population are built only from source rows for years <= T, and real
        GDP and the deflator are priced in min(2019, T). The energy-intensity
        and high-tech blocks (assumptions anchored on 2019) use only their rows
        for years <= min(their ``last_data_year``, T), with mean and s.d. from
        those (:func:`build_energy`, :func:`build_hightech`); a block that
        cannot be derived from them is not modelled (its constants carry
        ``not_modelled``, the note the projection reports).
    """
    where = "calibration/data/macro/czt_best_panel_long.csv"
    if as_of is None:
        as_of = getattr(settings.forecast, "as_of", None)
    full = sources
    notes: list[str] = []
    if as_of is not None:
        latest = _last_common_year(sources["panel"])
        if as_of > latest:
            raise CztInputError("forecast.as_of", f"origin {as_of} is after the latest year with GDP data for "
                                                  f"every city ({latest}); use {latest} or earlier")
        sources = truncate_sources(sources, as_of)
        a = settings.assumptions
        if as_of < max(a.energy.last_data_year, a.hightech.last_data_year):
            notes.append(f"as of {as_of}: GDP, population, energy intensity and high-tech VA use data for years "
                         f"<= {as_of} only (energy intensity and high-tech VA rest on assumptions and are not "
                         "evaluated)")
    gdp_src = sources["panel"]
    base = min(BASE_YEAR, _last_common_year(gdp_src))
    rows = _Rows(units_for(base))
    gdp = build_gdp(sources["panel"], rows, settings, settings.forecast.history_start, where)
    pop = build_population(sources["panel"], sources["census"], rows, where)
    en, ht = _assumption_blocks(full, rows, settings, gdp, as_of)
    long = rows.frame()
    # gdp per capita (census-basis population)
    g = long[(long.variable == "gdp_nominal")].set_index(["region_code", "year"]).value
    p = long[(long.variable == "pop_resident")].set_index(["region_code", "year"]).value
    pc = (g / p * 1e4).dropna()
    extra = pd.DataFrame({"region_code": [k[0] for k in pc.index], "variable": "gdp_per_capita",
                          "unit": UNITS["gdp_per_capita"], "year": [k[1] for k in pc.index], "value": pc.to_numpy(),
                          "basis": "derived", "method": "nominal GDP / census-basis resident population", "source_id": ""})
    long = pd.concat([long, extra], ignore_index=True) if len(extra) else long
    dup = long.duplicated(["region_code", "variable", "year"], keep=False)
    if dup.any():
        raise AssertionError(f"panel has duplicate keys: {long[dup].head()}")
    consts = {"gdp": gdp, "pop": pop, "energy": en, "hightech": ht, "as_of": as_of,
              "base_year": gdp["base_year"], "last_year": gdp["last_year"], "as_of_notes": notes}
    return Panel(long=long.sort_values(["variable", "region_code", "year"]).reset_index(drop=True), constants=consts)
