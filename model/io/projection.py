"""Demand-driven sector projection to 2035 and LMDI decomposition.

Method (Leontief quantity model at constant base-year prices):

1. Final demand of year *t*: ``f_t = F_t · P w_t`` where ``P`` (n × k) holds
   each category's product mix (base-year, region-supplied) and ``w_t`` the
   category composition (base-year shares unless ``final_demand_composition``
   is given).
2. The scale ``F_t`` makes total VA follow the macro path:
   ``vᵀ L f_t = VA_base · G_t`` with ``G_t = gdp_real_t / gdp_real_base``.
3. ``x_t = L f_t``; ``VA_t = v̂ x_t``; high-tech VA ``= ŝ_ht VA_t``.
4. Energy ``E_t = η_t (ê x_t + e_h C_t)`` with household consumption ``C_t``
   scaled with the consumption category. The efficiency factor ``η_t`` is
   calibrated so that the aggregate intensity follows the energy-intensity
   index of the forecasting core (column ``energy_intensity_index``, 2019 =
   100) or, when absent, the default index of
   :func:`model.io.satellite.intensity_index_path`. Structure comes from the
   IO model, efficiency is the residual; :func:`decompose` splits them (LMDI).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.io.params import read_long_csv
from model.results.iamc import REGION_NAMES, to_iamc
from model.io import satellite as sat
from model.io.lmdi import lmdi_intensity
from model.paths import DATA

CATS = ["consumption", "gfcf", "inventory", "exports_outflows"]
UNIT_MONEY = "100m yuan (2017 prices)"


def observed_real_growth(region: str, year: int) -> tuple[float, str]:
    """Observed real GDP growth (percent) of a region, with its basis.

    CZT: the published aggregate where it exists, else the mean of the city
    rates weighted by previous-year nominal GDP (derived). City: its own rate,
    else the CZT rate (assumption, as in the forecasting parameters).
    """
    panel = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    g = panel[panel["variable"] == "gdp_real_growth"]

    def get(code):
        r = g[(g["region_code"] == code) & (g["year"] == year)]
        return None if r.empty else float(r["value"].iloc[0])

    own = get(region)
    if own is not None:
        return own, "observed"
    if region == "CZT":
        cities = ["430100", "430200", "430300"]
        rates = [get(c) for c in cities]
        gdp = panel[(panel["variable"] == "gdp_nominal") & (panel["year"] == year - 1)].set_index("region_code")["value"]
        if None in rates or not all(c in gdp.index for c in cities):
            raise CztInputError("macro/czt_best_panel_long.csv", f"no CZT real growth for {year}")
        w = np.array([gdp[c] for c in cities])
        return float(np.dot(rates, w) / w.sum()), "derived"
    czt = get("CZT")
    if czt is None or region == "430000":
        raise CztInputError("macro/czt_best_panel_long.csv", f"no real growth for region {region} in {year}")
    return czt, "assumption"


def _growth_index(path: pd.DataFrame, region: str, base: int, years: list[int]) -> tuple[np.ndarray, list]:
    notes = []
    if not {"year", "gdp_real"} <= set(path.columns):
        raise CztInputError("macro_path", "needs columns 'year' and 'gdp_real'")
    p = path.drop_duplicates("year", keep="last").set_index("year")["gdp_real"].astype(float)
    if (p <= 0).any() or p.isna().any():
        raise CztInputError("macro_path", f"gdp_real must be positive (year {p.index[(p <= 0) | p.isna()][0]})")
    missing = [y for y in years if y not in p.index and y > (p.index.min() if len(p) else base)]
    if missing:
        raise CztInputError("macro_path", f"gdp_real missing for years {missing[:5]}")
    first = int(p.index.min())
    if first > base:
        level = {base: 1.0}
        for y in range(base + 1, first + 1):
            g, b = observed_real_growth(region, y)
            level[y] = level[y - 1] * (1 + g / 100)
            notes.append(f"bridge {y}: real growth {g}% [{b}]")
        anchor = p[first] / level[first]
    else:
        anchor = p[base]
    G = np.array([p[y] / anchor if y in p.index else level[y] for y in years])
    return G, notes


def _composition(comp: pd.DataFrame | None, w0: pd.Series, years: list[int]) -> pd.DataFrame:
    if comp is None:
        return pd.DataFrame([w0.to_numpy()] * len(years), index=years, columns=w0.index)
    if "year" not in comp.columns:
        raise CztInputError("final_demand_composition", "needs a 'year' column")
    bad = [c for c in comp.columns if c != "year" and c not in CATS]
    if bad:
        raise CztInputError("final_demand_composition", f"unknown category '{bad[0]}' (use {CATS})")
    c = comp.set_index("year").reindex(columns=CATS)
    for k in CATS:
        if c[k].isna().all():
            c[k] = w0[k]
    rows = c.sum(axis=1)
    off = rows[(rows - 1).abs() > 1e-6]
    if len(off):
        raise CztInputError("final_demand_composition", f"year {off.index[0]}: shares sum to {off.iloc[0]:.6g}, not 1")
    full = c.reindex(sorted(set(years) | set(c.index))).interpolate(method="index", limit_direction="both")
    return full.loc[years]


def project(system, macro_path: pd.DataFrame, final_demand_composition: pd.DataFrame | None = None,
            level: str = "cluster", scenario: str = "baseline", end_year: int | None = None,
            return_arrays: bool = False, unobserved_yoy_pct: float | None = None, as_of: int | None = None):
    """Project sector/cluster output, VA, energy and high-tech VA (IAMC long).

    Parameters
    ----------
    system : IOSystem
    macro_path : DataFrame
        Columns ``year``, ``gdp_real`` (real GDP of the region, any constant
        prices; only its growth is used) and optionally
        ``energy_intensity_index`` (2019 = 100, from the forecasting core).
        A path starting after the base year is bridged with observed growth.
    final_demand_composition : DataFrame, optional
        ``year`` plus category shares (``consumption, gfcf, inventory,
        exports_outflows``) of regional final demand; rows sum to 1;
        interpolated linearly between given years.
    level : {"cluster", "sector"}
    scenario : str
    end_year : int, optional
        Default ``[projection] end_year`` (2035).
    return_arrays : bool
        Also return the sector arrays (dict) used by tests and the benchmark.
    as_of : int, optional
        Forecast origin T of the run: the default energy-intensity index uses
        official changes for years <= T only
        (:func:`model.io.satellite.intensity_index_path`); when the core does not
        model energy intensity as of T (``macro_path`` has no
        ``energy_intensity_index``), no energy rows are written (they would
        rest on changes published after T). The table's structure (its year,
        e.g. 2017) is used whatever T is; the notes say so when T is earlier.

    Returns
    -------
    DataFrame (IAMC long) or (DataFrame, dict)
    """
    P = system.params
    base = system.year
    end = int(end_year or P["projection"]["end_year"])
    years = list(range(base, end + 1))
    region = system.region
    G, notes = _growth_index(macro_path, region, base, years)

    f0 = system.fd[CATS]
    tot = f0.sum(axis=0)
    w0 = tot / tot.sum()
    Pm = (f0 / tot).to_numpy()                      # product mix per category
    W = _composition(final_demand_composition, w0, years)
    ftil = Pm @ W.to_numpy().T                      # n × T, per unit of total final demand
    v = system.v
    phi = v @ (system.L @ ftil)
    Fscale = system.va.sum() * G / phi
    F = ftil * Fscale                               # n × T
    X = system.L @ F
    VA = v[:, None] * X
    C = system.hh_consumption.sum() * (Fscale * W["consumption"].to_numpy()) / (Fscale[0] * W["consumption"].iloc[0])

    # energy with efficiency factor calibrated to the intensity index
    Es = system.e[:, None] * X / 1e4                # 10k tce
    Eh = system.e_household * C / 1e4
    Is = (Es.sum(axis=0) + Eh) / VA.sum(axis=0)
    energy_rows = as_of is None or "energy_intensity_index" in macro_path.columns
    if as_of is not None and int(as_of) < base:
        notes.append(f"as of {as_of}: the input-output structure is the {base} table (published after {as_of}); "
                     "this projection is not an as-of forecast")
    if not energy_rows:
        notes.append(f"as of {as_of}: energy intensity is not modelled (no energy rows)")
    default = sat.intensity_index_path(P, start=min(base, 2015), end=end, unobserved_yoy_pct=unobserved_yoy_pct,
                                       as_of=as_of if energy_rows else None).set_index("year")
    idx = default["index"].copy()
    idx_basis = default["basis"].copy()
    if "energy_intensity_index" in macro_path.columns:
        given = macro_path.dropna(subset=["energy_intensity_index"]).set_index("year")["energy_intensity_index"].astype(float)
        if 2019 in given.index and abs(given[2019] - 100) > 1e-6:
            raise CztInputError("macro_path", f"energy_intensity_index must be 2019 = 100, got {given[2019]}")
        idx.loc[given.index.intersection(idx.index)] = given
        idx_basis.loc[given.index.intersection(idx.index)] = "forecast"
        notes.append("energy intensity follows the given index; default index fills years it lacks")
    ix = idx.reindex(years).to_numpy()
    eta = (ix / ix[0]) * Is[0] / Is
    E = Es * eta
    Eh = Eh * eta
    HT = system.hightech[:, None] * VA

    # aggregate
    if level == "cluster":
        S = system._S()
        labels = list(S.index)
        agg = S.to_numpy()
    elif level == "sector":
        labels, agg = system.codes, np.eye(len(system.codes))
    else:
        raise CztInputError("level", f"level must be 'sector' or 'cluster', got '{level}'")
    Xa, VAa, Ea, HTa = agg @ X / 1e4, agg @ VA / 1e4, agg @ E, agg @ HT / 1e4

    rname = REGION_NAMES.get(region, region)
    rows = []

    table_year = region == "430000" and system.ras_report is None

    def add(var, unit, vals, basis):
        # base-year rows: the table itself (observed) for Hunan output/VA, else derived
        b0 = "observed" if (table_year and basis == "forecast") else "derived"
        for t, y in enumerate(years):
            rows.append((rname, var, unit, y, float(vals[t]), basis if y != base else b0))

    for i, lab in enumerate(labels):
        add(f"Gross Output|{lab}", UNIT_MONEY, Xa[i], "forecast")
        add(f"Value Added|{lab}", UNIT_MONEY, VAa[i], "forecast")
        if energy_rows:
            add(f"Energy Consumption|{lab}", "10k tce", Ea[i], "assumption")
        add(f"Value Added|High-Tech|{lab}", UNIT_MONEY, HTa[i], "assumption")
    add("Gross Output", UNIT_MONEY, Xa.sum(axis=0), "forecast")
    add("Value Added", UNIT_MONEY, VAa.sum(axis=0), "forecast")
    add("Value Added|High-Tech", UNIT_MONEY, HTa.sum(axis=0), "assumption")
    add("Value Added|High-Tech|Share", "percent", 100 * HTa.sum(axis=0) / VAa.sum(axis=0), "assumption")
    if not energy_rows:
        out = to_iamc(pd.DataFrame(rows, columns=["region", "variable", "unit", "year", "value", "basis"]), scenario)
        out.attrs["notes"] = notes + [f"{a['key']}: {a['note']}" for a in system.assumptions]
        if return_arrays:
            return out, {"years": years, "X": X, "VA": VA, "HT": HT, "F": F}
        return out
    add("Energy Consumption|Households", "10k tce", Eh, "assumption")
    Etot = Ea.sum(axis=0) + Eh
    add("Energy Consumption", "10k tce", Etot, "assumption")
    I = Etot * 1e4 / (VAa.sum(axis=0) * 1e4)
    add("Energy Intensity|GDP", "tce per 10k yuan (2017 prices)", I, "assumption")
    if 2019 in years:
        add("Energy Intensity|GDP|Index", "index (2019 = 100)", 100 * I / I[years.index(2019)], "assumption")
    add("Energy Intensity|Efficiency Factor", "1 (base year = 1)", eta, "assumption")
    for t, y in enumerate(years):
        d = lmdi_intensity(Ea[:, 0], Ea[:, t], VAa[:, 0], VAa[:, t], Eh[0], Eh[t])
        for comp in ("structure", "efficiency", "households", "other"):
            rows.append((rname, f"Energy Intensity|LMDI|{comp.capitalize()}", "tce per 10k yuan (change since base year)",
                         y, d[comp], "assumption"))
    out = to_iamc(pd.DataFrame(rows, columns=["region", "variable", "unit", "year", "value", "basis"]), scenario)
    out.attrs["notes"] = notes + [f"{a['key']}: {a['note']}" for a in system.assumptions]
    if return_arrays:
        return out, {"years": years, "X": X, "VA": VA, "E": E, "Eh": Eh, "HT": HT, "eta": eta, "index": ix, "F": F}
    return out


def decompose(iamc: pd.DataFrame, year0: int, year1: int, region: str | None = None) -> dict:
    """LMDI decomposition of the intensity change between two projected years.

    Parameters
    ----------
    iamc : DataFrame
        Output of :func:`project` (sector or cluster level).
    year0, year1 : int
    region : str, optional
        Region name if the frame holds several.

    Returns
    -------
    dict
        As :func:`model.io.lmdi.lmdi_intensity`.
    """
    df = iamc if region is None else iamc[iamc["region"] == region]
    var = df["variable"]
    en = df[var.str.match(r"^Energy Consumption\|[^|]+$") & (var != "Energy Consumption|Households")]
    va = df[var.str.match(r"^Value Added\|[^|]+$") & (var != "Value Added|High-Tech")]

    def vec(d, prefix, y):
        s = d[d["year"] == y].set_index("variable")["value"]
        s.index = s.index.str.removeprefix(prefix)
        return s

    E0, E1 = vec(en, "Energy Consumption|", year0), vec(en, "Energy Consumption|", year1)
    Y0, Y1 = vec(va, "Value Added|", year0), vec(va, "Value Added|", year1)
    keys = sorted(set(E0.index) & set(Y0.index))
    if not keys:
        raise CztInputError("decompose", f"no sector energy/VA rows for {year0}/{year1}")
    hh = df[var == "Energy Consumption|Households"].set_index("year")["value"]
    return lmdi_intensity(E0[keys], E1[keys], Y0[keys], Y1[keys], hh.get(year0, 0.0), hh.get(year1, 0.0))


CORE_GDP = "GDP|Real"
CORE_EI = "Energy intensity"


def macro_path_from_iamc(df: pd.DataFrame, region: str = "CZT", quantile="mean") -> pd.DataFrame:
    """Build a ``macro_path`` from the forecasting core's IAMC output.

    Parameters
    ----------
    df : DataFrame
        IAMC long frame with variable ``GDP|Real`` and optionally ``Energy
        intensity`` (index, 2019 = 100).
    region : str
        IAMC region name (``CZT``, ``Changsha``, …).
    quantile : str or float
        Which ``quantile`` rows to use when the frame has that column
        (``"mean"``, 0.5, …); rows with an empty quantile are also accepted.

    Returns
    -------
    DataFrame
        Columns ``year, gdp_real`` [, ``energy_intensity_index``].
    """
    sub = df[df["region"] == region]
    if "quantile" in sub.columns:
        q = sub["quantile"].astype(str)
        pick = sub[q == str(quantile)]
        sub = pick if not pick.empty else sub[sub["quantile"].isna() | (q == "")]
    gdp = sub[sub["variable"] == CORE_GDP]
    if gdp.empty:
        raise CztInputError("macro_path", f"no '{CORE_GDP}' rows for region {region} (quantile {quantile})")
    out = gdp.groupby("year")["value"].mean().rename("gdp_real").to_frame()
    ei = sub[sub["variable"] == CORE_EI]
    if not ei.empty:
        out["energy_intensity_index"] = ei.groupby("year")["value"].mean()
    return out.reset_index()


def macro_path_from_paths(projection, region: str = "CZT", stat: str = "median") -> pd.DataFrame:
    """Build a ``macro_path`` from the core's simulated paths (``model.engine.projection.Projection``).

    Uses the per-year median (or mean) across paths of ``GDP|Real`` and, when
    present, ``Energy intensity``.
    """
    if stat not in ("median", "mean"):
        raise CztInputError("macro_path", f"stat must be 'median' or 'mean', got '{stat}'")
    out = projection.stat(CORE_GDP, region, stat).rename("gdp_real").to_frame()
    try:
        out["energy_intensity_index"] = projection.stat(CORE_EI, region, stat)
    except KeyError:
        pass
    return out.rename_axis("year").reset_index()
