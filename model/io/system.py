"""``IOSystem``: thin orchestrating object over the pure IO functions.

Build everything from the vendored data with :meth:`IOSystem.from_calibration`;
the object holds sector-level arrays (10k yuan, 2017 current prices unless
stated) and offers cluster/sector accounts, multipliers, linkages, the FLQ
δ-sensitivity, RAS structure updates and projections.

Units: money in the table unit 10k yuan (万元); account outputs convert to
100m yuan (亿元 = 10⁴ 万元). Energy in 10k tce (万tce); energy intensity in
tce per 10k yuan.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.errors import CztInputError
from model.io import iomath as im
from model.io import regional as rg
from model.io import satellite as sat
from model.io.clusters import aggregate_matrix, aggregate_vector, concordance, load_cluster_map
from model.io.params import load_parameters, read_code_csv, read_long_csv
from model.io.ras import margins_from_group_va, ras
from model.io.table import IOTable, load_table
from model.paths import DATA

YI = 1e4  # 10k yuan per 100m yuan
FD_CATEGORIES = ["consumption", "gfcf", "inventory", "exports_outflows"]
REGION_ALIASES = {"CZT": "CZT", "czt": "CZT", "Hunan": "430000", "hunan": "430000", "430000": "430000",
                  "Changsha": "430100", "Zhuzhou": "430200", "Xiangtan": "430300",
                  "430100": "430100", "430200": "430200", "430300": "430300"}


@dataclass
class ClusterAccounts:
    """Cluster- (or sector-) level accounts for the optimisation model.

    All money in 亿元 (100m yuan) at 2017 current prices (or the updated
    year's prices for ``year`` given); coefficient matrices are unit-free.

    Attributes
    ----------
    codes : list of str
        Cluster ids (or sector codes).
    names : DataFrame
        ``name_en``, ``name_zh`` per code.
    A : DataFrame
        Regional (domestic, region-supplied) technical coefficients.
    A_technical : DataFrame
        Total technical coefficients (all origins).
    v : Series
        Value-added coefficients VA/X.
    X, VA : Series
        Base-year gross output and value added, 亿元.
    final_demand : DataFrame
        Columns ``consumption, gfcf, inventory, exports_outflows`` (demand on
        regional production; they sum to ``X − A X``), ``imports_inflows``
        (supply from outside the region) and ``gfcf_total`` (GFCF of all
        origins, the investment column before removing inflows/imports), 亿元.
    gfcf_composition : DataFrame
        Share of GFCF bought from each code: ``regional`` (region-supplied
        GFCF normalised) and ``total`` (all origins).
    capital : DataFrame
        ``depreciation`` (VA003, 亿元), ``depreciation_rate`` (assumed δ),
        ``capital_stock`` (= D/δ, 亿元) and ``capital_output_ratio`` κ = K/VA.
    energy_intensity : Series
        Energy use per unit of output, tce per 10k yuan (derived).
    energy : Series
        Energy use, 10k tce (derived); households' direct use in ``energy_households``.
    hightech_share : Series
        High-tech share of VA (parameter-based).
    hightech_va : Series
        High-tech VA, 亿元.
    units, basis : dict
        Unit and basis (observed / derived / assumption) of each field.
    notes : list of str
    """

    codes: list
    names: pd.DataFrame
    A: pd.DataFrame
    A_technical: pd.DataFrame
    v: pd.Series
    X: pd.Series
    VA: pd.Series
    final_demand: pd.DataFrame
    gfcf_composition: pd.DataFrame
    capital: pd.DataFrame
    energy_intensity: pd.Series
    energy: pd.Series
    energy_households: float
    hightech_share: pd.Series
    hightech_va: pd.Series
    units: dict = field(default_factory=dict)
    basis: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


@dataclass(repr=False)
class IOSystem:
    """Regional IO system built from the Hunan table.

    Use :meth:`from_calibration`; the constructor takes computed arrays.

    Attributes (sector level, table order)
    --------------------------------------
    region : str
        ``CZT``, a city code (430100/430200/430300) or ``430000`` (Hunan).
    year : int
        Structure year (2017, or the RAS-updated year).
    A_tech, A_hunan, A : ndarray
        Technical (all origins), Hunan-supplied, and region-supplied coefficients.
    L : ndarray
        ``(I − A)⁻¹`` of the regional system.
    x, va : ndarray
        Regional output and VA (10k yuan).
    fd : DataFrame
        Regional final demand by category (10k yuan) plus ``imports_inflows``.
    e : ndarray
        Direct energy intensity, tce per 10k yuan output.
    e_household : float
        Household direct energy, tce per 10k yuan of household consumption.
    hh_consumption : ndarray
        Household consumption by product, all origins (10k yuan).
    hightech : ndarray
        High-tech share of VA by sector.
    assumptions : list of dict
        Every assumption/derivation used (key, value, basis, note).
    """

    table: IOTable
    params: dict
    region: str
    year: int
    method: str
    flq_delta: float
    s: np.ndarray
    A_tech: np.ndarray
    A_hunan: np.ndarray
    Q: np.ndarray
    A: np.ndarray
    L: np.ndarray
    s_region: np.ndarray
    x: np.ndarray
    va: np.ndarray
    va_components: pd.DataFrame
    fd: pd.DataFrame
    hh_consumption: np.ndarray
    e: np.ndarray
    e_household: float
    hightech: np.ndarray
    cluster_map: pd.DataFrame
    assumptions: list
    ras_report: dict | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_calibration(cls, flq_delta: float | None = None, region: str = "CZT", method: str | None = None,
                         structure_year: int | None = None, params: dict | None = None,
                         table: IOTable | None = None) -> "IOSystem":
        """Build the system from ``calibration/data/io`` and ``calibration/io``.

        Parameters
        ----------
        flq_delta : float, optional
            Flegg δ (default ``[regional] flq_delta`` = 0.3).
        region : str
            ``"CZT"`` (default), ``"Hunan"``/``"430000"``, or a city
            (``"Changsha"``/``"430100"``, ``"Zhuzhou"``/``"430200"``,
            ``"Xiangtan"``/``"430300"``).
        method : str, optional
            ``SLQ``, ``CILQ`` or ``FLQ`` (default from parameters).
        structure_year : int, optional
            RAS-update the Hunan table to this year's observed three-sector
            VA (e.g. 2019, 2021, 2022, 2024) before regionalising.
        params : dict, optional
            Parsed parameters (default: read ``calibration/io/parameters.toml``).
        table : IOTable, optional
            Alternative validated table (default: Hunan 2017).

        Returns
        -------
        IOSystem
        """
        P = params or load_parameters()
        R = P["regional"]
        if region not in REGION_ALIASES:
            raise CztInputError("IOSystem.from_calibration", f"unknown region '{region}' (use CZT, Hunan or a city name/code)")
        reg = REGION_ALIASES[region]
        delta = float(R["flq_delta"] if flq_delta is None else flq_delta)
        meth = (method or R["method"]).upper()
        T = table or load_table(P["table"])
        base = int(P["base_year"])
        year = int(structure_year or base)
        assumptions: list = []
        groups = rg.group_of(T.codes, R["primary"], R["secondary_first"], R["secondary_last"])

        Z, x_h, vac = T.Z.to_numpy(float), T.x.to_numpy(float), T.va[["VA001", "VA002", "VA003", "VA004"]].copy()
        fd = T.fd
        ras_report = None
        if year != base:
            Z, x_h, vac, ras_report = _ras_update(T, groups, year, assumptions)
        va_h = vac.sum(axis=1).to_numpy()

        # Hunan technical and Hunan-supplied coefficients (import proportionality)
        dom_use = (fd["TIU"] + fd["TC"] + fd["GCF"]).to_numpy()
        s = im.domestic_supply_share(fd["GO"], fd["EX"], fd["OF"], dom_use)
        assumptions.append({"key": "import_proportionality", "value": "s_i = (GO-EX-OF)/(TIU+TC+GCF)", "basis": "assumption",
                            "note": f"every user draws the same Hunan-supplied share of product i (base-year {base} shares)"})
        A_tech = im.calc_A(Z, x_h)
        A_h = s[:, None] * A_tech
        v = im.calc_v(va_h, x_h)
        gdp_ratio = va_h.sum() / T.va[["VA001", "VA002", "VA003", "VA004"]].to_numpy().sum()
        tc, gfcf, inv = (fd[c].to_numpy() * gdp_ratio for c in ("TC", "FU201", "FU202"))
        thc = fd["THC"].to_numpy() * gdp_ratio

        d_all = tc + gfcf + inv
        if reg == "430000":
            x_r, va_r, Q, A_r = x_h, va_h, np.ones_like(A_h), A_h
            vac_r = vac.copy()
            d_scale = 1.0
            sh = s
            assumptions.append({"key": "region", "value": "Hunan", "basis": "observed", "note": "no regionalisation"})
        else:
            cities = {c: n for c, n in R["cities"].items() if reg == "CZT" or c == reg}
            struct = rg.city_va_structure(year, cities, latest=year != base)
            if struct.attrs.get("fallbacks"):
                assumptions.append({"key": "city_structure_fallback", "value": str(struct.attrs["fallbacks"]),
                                    "basis": "derived",
                                    "note": f"cities without three-sector VA in {year}: shares of their latest year "
                                            f"(region code: year) scaled to their {year} nominal GDP"})
            group_va = struct.sum(axis=0) * YI
            va_r = rg.sector_va_estimate(va_h, groups, group_va)
            x_r = np.divide(va_r, v, out=np.zeros_like(va_r), where=v > 0)
            Q = rg.lq_matrix(meth, va_r, va_h, delta)
            A_r = rg.regionalise(A_h, Q)
            vac_r = vac.mul(np.divide(va_r, va_h, out=np.zeros_like(va_r), where=va_h > 0), axis=0)
            d_scale = va_r.sum() / va_h.sum()
            U = A_tech @ x_r
            sh = np.divide(A_r @ x_r, U, out=np.zeros_like(U), where=U > 0)
            assumptions += [
                {"key": "city_structure", "value": f"CSMAR va_primary/secondary/tertiary {year}", "basis": "observed",
                 "note": f"sources {struct.attrs.get('sources')}; cities {list(cities.values())}"},
                {"key": "within_group_structure", "value": "Hunan", "basis": "assumption",
                 "note": "regional sector VA = Hunan sector VA scaled to the region's primary/secondary/tertiary VA"},
                {"key": "va_coefficients", "value": "Hunan", "basis": "assumption", "note": "regional output x_j = VA_j / v_j with Hunan v_j"},
                {"key": "lq_method", "value": meth, "basis": "assumption",
                 "note": f"a_ij(region) = a_ij(Hunan-supplied) * min(LQ_ij, 1); delta = {delta}; size = value added"},
                {"key": "final_use_scale", "value": round(float(d_scale), 6), "basis": "assumption",
                 "note": "regional consumption, GFCF and inventories = Hunan's x regional GDP share (same product mix)"},
                {"key": "regional_supply_share", "value": "from LQ coefficients", "basis": "derived",
                 "note": "final demand drawn from regional supply in the same share as intermediate demand"},
            ]
        U = A_tech @ x_r
        d = d_all * d_scale
        exo = x_r - A_r @ x_r - sh * d
        imp = (1 - sh) * (U + d)
        if (exo < -1e-6 * x_r.max()).any():
            bad = [T.codes[i] for i in np.where(exo < -1e-6 * x_r.max())[0]]
            assumptions.append({"key": "negative_net_exports", "value": ",".join(bad), "basis": "derived",
                                "note": "exports+outflows residual negative for these products (non-survey estimate)"})
        L = im.calc_L(A_r)
        fdf = pd.DataFrame({"consumption": sh * tc * d_scale, "gfcf": sh * gfcf * d_scale, "inventory": sh * inv * d_scale,
                            "exports_outflows": exo, "imports_inflows": imp,
                            "gfcf_total": gfcf * d_scale}, index=T.codes)
        hh = thc * d_scale

        # energy satellite (Hunan base-year intensities)
        Et = sat.hunan_energy_total(P, base)
        E_sec, E_hh = sat.energy_by_sector(T.Z, T.fd["THC"], Et["value"], P)
        x0 = T.x.to_numpy()
        e = np.divide(E_sec.to_numpy() * 1e4, x0, out=np.zeros_like(x0), where=x0 > 0)  # tce / 10k yuan
        e_hh = E_hh * 1e4 / T.fd["THC"].sum()
        assumptions += [
            {"key": "hunan_energy_total_2017", "value": round(Et["value"], 1), "basis": "derived",
             "note": "10k tce; chain " + "; ".join(f"{r.year}: {r.step}" for r in Et["steps"].itertuples())},
            {"key": "energy_sector_split", "value": f"GCAM balance shares {P['energy']['share_year']}", "basis": "derived",
             "note": "within group by purchases of energy products (IO rows " + ",".join(P["energy"]["energy_products"]) + ")"},
            {"key": "energy_intensity_region", "value": "Hunan sector intensities", "basis": "assumption",
             "note": "the region's sectors use energy per unit of output like Hunan's"},
        ]
        # high-tech shares
        w = read_code_csv("hightech_weights.csv", ["weight", "judgement"])["weight"].astype(float)
        ht, k = sat.hightech_shares(pd.Series(T.va["TVA"].to_numpy(), index=T.codes), w,
                                    float(P["hightech"]["hunan_share_pct"]) / 100)
        assumptions.append({"key": "hightech_residual_r", "value": round(k, 6), "basis": "derived",
                            "note": f"s_j = w_j + r (1 - w_j) so Hunan high-tech VA share = {P['hightech']['hunan_share_pct']}% "
                                    f"({P['hightech']['hunan_share_year']} observed, applied to {base}); r spreads what "
                                    "the weights cannot place uniformly"})
        cmap = load_cluster_map(T.codes)
        return cls(table=T, params=P, region=reg, year=year, method=meth, flq_delta=delta, s=s, A_tech=A_tech,
                   A_hunan=A_h, Q=Q, A=A_r, L=L, s_region=sh, x=x_r, va=va_r, va_components=vac_r, fd=fdf, hh_consumption=hh,
                   e=e, e_household=e_hh, hightech=ht.to_numpy(), cluster_map=cmap, assumptions=assumptions,
                   ras_report=ras_report)

    def __repr__(self) -> str:
        return (f"IOSystem(region={self.region!r}, year={self.year}, method={self.method!r}, "
                f"flq_delta={self.flq_delta}, n={len(self.codes)})")

    # ------------------------------------------------------------ properties
    @property
    def codes(self) -> list[str]:
        """Sector codes."""
        return self.table.codes

    @property
    def v(self) -> np.ndarray:
        """Value-added coefficients of the regional system."""
        return im.calc_v(self.va, self.x)

    @property
    def h_r(self) -> np.ndarray:
        """Compensation of employees per unit of output (household row)."""
        return im.calc_v(self.va_components["VA001"].to_numpy(), self.x)

    @property
    def h_c(self) -> np.ndarray:
        """Region-supplied household consumption per unit of total compensation."""
        return self.s_region * self.hh_consumption / self.va_components["VA001"].sum()

    @property
    def energy(self) -> np.ndarray:
        """Sector energy use of the region, 10k tce."""
        return self.e * self.x / 1e4

    @property
    def energy_households(self) -> float:
        """Household direct energy use of the region, 10k tce."""
        return float(self.e_household * self.hh_consumption.sum() / 1e4)

    @property
    def Lbar(self) -> np.ndarray:
        """Inverse of the household-closed system (Type II)."""
        if "Lbar" not in self._cache:
            self._cache["Lbar"] = im.calc_L(im.augment_households(self.A, self.h_r, self.h_c))
        return self._cache["Lbar"]

    # --------------------------------------------------------- multipliers
    def multipliers(self, level: str = "sector") -> pd.DataFrame:
        """Output, VA, income and energy multipliers (Type I and II).

        Parameters
        ----------
        level : {"sector", "cluster"}
            Cluster multipliers come from the aggregated system.

        Returns
        -------
        DataFrame
            Columns ``output_type1, output_type2, value_added, income_simple,
            income_type1, income_type2, energy`` (tce per 10k yuan of final
            demand), ``ghosh_forward``.
        """
        A, x, va, h_r, h_c, e = self._level_arrays(level)
        L = im.calc_L(A)
        Lbar = im.calc_L(im.augment_households(A, h_r, h_c))
        inc = im.income_multipliers(h_r, L, Lbar)
        G = im.calc_G(im.calc_B(im.calc_Z(A, x), x))
        df = pd.DataFrame({
            "output_type1": im.output_multipliers(L),
            "output_type2": im.type2_output_multipliers(Lbar),
            "value_added": im.value_added_multipliers(im.calc_v(va, x), L),
            "income_simple": inc["simple"], "income_type1": inc["type1"], "income_type2": inc["type2"],
            "energy": im.satellite_multipliers(e, L),
            "ghosh_forward": im.ghosh_forward_multipliers(G),
        }, index=self._level_index(level))
        return df

    def linkages(self, level: str = "sector", forward: str = "ghosh") -> pd.DataFrame:
        """Rasmussen backward/forward linkages and key-sector class.

        Parameters
        ----------
        level : {"sector", "cluster"}
        forward : {"ghosh", "leontief"}
            Forward linkages from Ghosh G (default) or from row sums of L.
        """
        A, x, *_ = self._level_arrays(level)
        L = im.calc_L(A)
        bl, fl_l = im.rasmussen_linkages(L)
        if forward == "ghosh":
            _, fl = im.rasmussen_linkages(im.calc_G(im.calc_B(im.calc_Z(A, x), x)))
        elif forward == "leontief":
            fl = fl_l
        else:
            raise CztInputError("linkages", f"forward must be 'ghosh' or 'leontief', got '{forward}'")
        return pd.DataFrame({"backward": bl, "forward": fl, "class": im.key_sectors(bl, fl)}, index=self._level_index(level))

    def flq_sensitivity(self, deltas=None) -> pd.DataFrame:
        """Output multipliers over a grid of Flegg δ (sector rows, δ columns).

        The ``mean`` row gives the output-weighted average multiplier.
        """
        deltas = deltas if deltas is not None else self.params["regional"]["delta_grid"]
        if self.region == "430000":
            raise CztInputError("flq_sensitivity", "Hunan itself is not regionalised; choose CZT or a city")
        s = rg.slq(self.va, self._hunan_va())
        ratio = float(self.va.sum() / self._hunan_va().sum())
        out = {}
        for d in deltas:
            A = rg.regionalise(self.A_hunan, rg.flq(s, ratio, float(d)))
            out[float(d)] = im.output_multipliers(im.calc_L(A))
        df = pd.DataFrame(out, index=self.codes)
        w = self.x / self.x.sum()
        df.loc["mean"] = (df.to_numpy() * w[:, None]).sum(axis=0)
        df.columns.name = "flq_delta"
        return df

    def _hunan_va(self) -> np.ndarray:
        """Hunan sector VA at this system's structure year (10k yuan)."""
        if self.ras_report is not None:
            return np.asarray(self.ras_report["va"])
        return self.table.va["TVA"].to_numpy()

    # ------------------------------------------------------------ accounts
    def _level_index(self, level: str) -> list:
        if level == "sector":
            return self.codes
        if level == "cluster":
            return list(self._S().index)
        raise CztInputError("level", f"level must be 'sector' or 'cluster', got '{level}'")

    def _S(self) -> pd.DataFrame:
        if "S" not in self._cache:
            self._cache["S"] = concordance(self.cluster_map["cluster"])
        return self._cache["S"]

    def _level_arrays(self, level: str):
        """(A, x, va, h_r, h_c, e) at sector or cluster level."""
        if level == "sector":
            return self.A, self.x, self.va, self.h_r, self.h_c, self.e
        self._level_index(level)
        S = self._S().to_numpy()
        x = S @ self.x
        Zc = S @ im.calc_Z(self.A, self.x) @ S.T
        A = im.calc_A(Zc, x)
        va = S @ self.va
        comp = S @ self.va_components["VA001"].to_numpy()
        h_r = im.calc_v(comp, x)
        h_c = S @ self.h_c
        e = im.calc_v(S @ (self.e * self.x), x)
        return A, x, va, h_r, h_c, e

    def cluster_accounts(self, year: int | None = None, level: str = "cluster") -> ClusterAccounts:
        """Accounts for the optimisation LP at cluster (default) or sector level.

        Parameters
        ----------
        year : int, optional
            ``None`` = this system's structure year; another year returns the
            accounts of a RAS-updated system (three-sector VA of that year).
        level : {"cluster", "sector"}

        Returns
        -------
        ClusterAccounts
            Aggregation preserves totals of X, VA, final demand, energy and
            high-tech VA exactly (``S`` is a 0/1 partition).
        """
        if year is not None and int(year) != self.year:
            return self.updated(int(year)).cluster_accounts(None, level)
        idx = self._level_index(level)
        if level == "sector":
            S = pd.DataFrame(np.eye(len(self.codes)), index=self.codes, columns=self.codes)
            names = self.table.sectors.rename(columns={}).loc[:, ["name_en", "name_zh"]]
        else:
            S = self._S()
            cm = self.cluster_map.drop_duplicates("cluster").set_index("cluster")
            names = pd.DataFrame({"name_en": cm["cluster_en"], "name_zh": cm["cluster_zh"]}).loc[idx]
        codes = self.codes
        X = aggregate_vector(pd.Series(self.x, index=codes), S) / YI
        VA = aggregate_vector(pd.Series(self.va, index=codes), S) / YI
        Zr = pd.DataFrame(im.calc_Z(self.A, self.x), index=codes, columns=codes)
        Zt = pd.DataFrame(im.calc_Z(self.A_tech, self.x), index=codes, columns=codes)
        Xw = X.to_numpy() * YI
        A = pd.DataFrame(im.calc_A(aggregate_matrix(Zr, S).to_numpy(), Xw), index=idx, columns=idx)
        At = pd.DataFrame(im.calc_A(aggregate_matrix(Zt, S).to_numpy(), Xw), index=idx, columns=idx)
        fd = aggregate_vector(self.fd / YI, S)
        comp = pd.DataFrame({"regional": fd["gfcf"] / fd["gfcf"].sum(), "total": fd["gfcf_total"] / fd["gfcf_total"].sum()})
        fd = fd[FD_CATEGORIES + ["imports_inflows", "gfcf_total"]]
        delta = float(self.params["capital"]["depreciation_rate"])
        cap = sat.capital_proxies(aggregate_vector(self.va_components["VA003"], S) / YI, VA, delta)
        cap.insert(1, "depreciation_rate", delta)
        E = aggregate_vector(pd.Series(self.energy, index=codes), S)
        ei = pd.Series(im.calc_v(E.to_numpy() * 1e4, Xw), index=idx)
        htva = aggregate_vector(pd.Series(self.hightech * self.va, index=codes), S) / YI
        hts = htva / VA.where(VA > 0)
        units = {"X": "100m yuan", "VA": "100m yuan", "final_demand": "100m yuan", "A": "1", "v": "1",
                 "capital": "100m yuan; rate and ratio unit-free", "energy": "10k tce",
                 "energy_intensity": "tce per 10k yuan of output", "hightech_va": "100m yuan", "hightech_share": "1"}
        reg_basis = "observed" if self.region == "430000" and self.year == int(self.params["base_year"]) else "derived"
        basis = {"X": reg_basis, "VA": reg_basis, "A": "derived", "final_demand": reg_basis if self.region == "430000" else "derived",
                 "capital": "assumption", "energy": "derived", "energy_intensity": "derived",
                 "hightech_share": "assumption", "hightech_va": "assumption"}
        notes = [f"{a['key']}: {a['value']} [{a['basis']}] {a['note']}" for a in self.assumptions]
        notes.append("capital_stock = VA003 / depreciation_rate (steady-state perpetual inventory proxy); IO depreciation is "
                     "book depreciation, so kappa is likely a lower bound")
        return ClusterAccounts(codes=idx, names=names, A=A, A_technical=At, v=VA / X.where(X > 0), X=X, VA=VA,
                               final_demand=fd, gfcf_composition=comp, capital=cap, energy_intensity=ei, energy=E,
                               energy_households=self.energy_households, hightech_share=hts, hightech_va=htva,
                               units=units, basis=basis, notes=notes)

    # ------------------------------------------------------------- updates
    def updated(self, year: int) -> "IOSystem":
        """A new system with the Hunan table RAS-updated to ``year``."""
        return IOSystem.from_calibration(flq_delta=self.flq_delta, region=self.region, method=self.method,
                                         structure_year=year, params=self.params, table=self.table)

    # ---------------------------------------------------------- projection
    def project(self, macro_path: pd.DataFrame, final_demand_composition: pd.DataFrame | None = None,
                level: str = "cluster", scenario: str = "baseline", end_year: int | None = None,
                return_arrays: bool = False, unobserved_yoy_pct: float | None = None, as_of: int | None = None):
        """Project output, VA, energy and high-tech VA to 2035 (IAMC long).

        See :func:`model.io.projection.project` for the method and arguments;
        ``unobserved_yoy_pct`` is the scenario's
        ``assumptions.energy.unobserved_yoy_change_pct`` (one source for the
        unobserved energy-intensity path); ``as_of`` the run's forecast origin.
        """
        from model.io.projection import project
        return project(self, macro_path, final_demand_composition, level=level, scenario=scenario,
                       end_year=end_year, return_arrays=return_arrays, unobserved_yoy_pct=unobserved_yoy_pct,
                       as_of=as_of)

    def intensity_index(self, macro_path: pd.DataFrame, final_demand_composition: pd.DataFrame | None = None,
                        base_year: int = 2019) -> pd.Series:
        """IO-implied GDP energy-intensity index (``base_year`` = 100) of a projection.

        ``100 · (ΣE_t/ΣVA_t) / (ΣE_b/ΣVA_b)`` with household direct energy
        included in ``E``; compare with the forecasting core's index.
        """
        _, arr = self.project(macro_path, final_demand_composition, level="sector", return_arrays=True)
        energy = pd.Series(arr["E"].sum(axis=0) + arr["Eh"], index=arr["years"])
        va = pd.Series(arr["VA"].sum(axis=0), index=arr["years"])
        return sat.io_intensity_index(energy, va, base_year).rename("io_energy_intensity_index")

    def to_iamc(self, level: str = "cluster", scenario: str = "baseline") -> pd.DataFrame:
        """Base-year accounts, multipliers and linkages as an IAMC long frame.

        Variables ``Gross Output|<c>``, ``Value Added|<c>`` (100m yuan),
        ``Energy Consumption|<c>`` (10k tce), ``Value Added|High-Tech|<c>``,
        ``IO|Multiplier|<kind>|<c>`` and ``IO|Linkage|Backward|<c>`` /
        ``IO|Linkage|Forward|<c>`` for the structure year.
        """
        from model.results.iamc import REGION_NAMES, to_iamc
        acc = self.cluster_accounts(level=level)
        mul = self.multipliers(level)
        lk = self.linkages(level)
        rname = REGION_NAMES.get(self.region, self.region)
        obs = "observed" if self.region == "430000" and self.ras_report is None else "derived"
        unit_m = f"100m yuan ({self.year} prices)"
        rows = []
        for c in acc.codes:
            rows += [(f"Gross Output|{c}", unit_m, acc.X[c], obs), (f"Value Added|{c}", unit_m, acc.VA[c], obs),
                     (f"Energy Consumption|{c}", "10k tce", acc.energy[c], "derived"),
                     (f"Value Added|High-Tech|{c}", unit_m, acc.hightech_va[c], "assumption"),
                     (f"IO|Linkage|Backward|{c}", "1", lk.loc[c, "backward"], "derived"),
                     (f"IO|Linkage|Forward|{c}", "1", lk.loc[c, "forward"], "derived")]
            for k in mul.columns:
                unit = "tce per 10k yuan of final demand" if k == "energy" else "1"
                val = mul.loc[c, k]
                if np.isfinite(val):
                    rows.append((f"IO|Multiplier|{k}|{c}", unit, val, "derived" if k != "energy" else "assumption"))
        rows.append(("Energy Consumption|Households", "10k tce", acc.energy_households, "derived"))
        df = pd.DataFrame(rows, columns=["variable", "unit", "value", "basis"])
        df["region"], df["year"] = rname, self.year
        return to_iamc(df, scenario)

    def assumptions_frame(self) -> pd.DataFrame:
        """All assumptions and derivations used to build this system."""
        return pd.DataFrame(self.assumptions)


def _ras_update(T: IOTable, groups: np.ndarray, year: int, assumptions: list):
    """RAS-update the Hunan table to the latest observed three-sector VA up to ``year``.

    Hunan's three-sector VA is not published for every year (none for 2020 in
    the vendored panel); the latest year <= ``year`` that has all three is used,
    and the assumptions record which.
    """
    panel = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    three = panel[(panel["region_code"] == "430000") & (panel["year"] <= year)
                  & panel["variable"].isin(["va_primary", "va_secondary", "va_tertiary"])]
    complete = three.groupby("year")["variable"].nunique()
    complete = complete[complete == 3]
    if complete.empty:
        raise CztInputError("macro/czt_best_panel_long.csv", f"no Hunan va_primary/secondary/tertiary up to {year}")
    year = int(complete.index.max())
    sub = three[three["year"] == year]
    target = {r.variable.removeprefix("va_"): r.value * YI for r in sub.itertuples()}
    vac = T.va[["VA001", "VA002", "VA003", "VA004"]]
    m = margins_from_group_va(T.Z.to_numpy(), T.x.to_numpy(), vac.sum(axis=1).to_numpy(), groups, target)
    res = ras(T.Z.to_numpy(), m["u"], m["v"])
    if not res.converged:
        raise CztInputError("ras", f"RAS did not converge for {year} (residual {res.residual:.3g})")
    va0 = vac.sum(axis=1).to_numpy()
    vac1 = vac.mul(np.divide(m["va"], va0, out=np.zeros_like(va0), where=va0 > 0), axis=0)
    report = {"year": year, "iterations": res.iterations, "residual": res.residual, "targets_100m_yuan": {k: v / YI for k, v in target.items()},
              "u": m["u"], "v": m["v"], "x": m["x"], "va": m["va"], "Z": res.Z, "sources": sorted(sub["source_id"].unique())}
    assumptions.append({"key": "ras_update", "value": year, "basis": "derived",
                        "note": f"Hunan three-sector VA {year} ({report['sources']}); {res.iterations} iterations, residual {res.residual:.2e}; "
                                "within-group VA shares, VA coefficients and intermediate-sales ratios of 2017 kept"})
    return res.Z, m["x"], vac1, report
