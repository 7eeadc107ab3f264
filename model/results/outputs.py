"""Turn a :class:`~model.engine.projection.Projection` into the IAMC long forecast table."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..data.panel import BASE_YEAR, VARIABLES, Panel
from .iamc import HISTORY, QUANTILES, REGION_NAMES, to_iamc

if TYPE_CHECKING:  # the engine hands its Projection to results; results never import the engine
    from ..engine.projection import Projection


#: variables whose price/index base follows the panel's base year (:func:`model.data.panel.units_for`)
REBASED = ("GDP|Real", "GDP|Deflator")


def forecast_table(panel: Panel, proj: Projection, scenario: str) -> pd.DataFrame:
    """History (with its basis) and simulated quantiles/mean for every variable.

    History rows have ``quantile = "history"``; projection rows carry one row per
    quantile in :data:`~model.results.iamc.QUANTILES` plus ``quantile = "mean"``.
    """
    frames = []
    base = int(panel.constants.get("base_year") or BASE_YEAR)  # an as-of panel before 2019 prices in its origin
    for (var, region), arr in proj.paths.items():
        pvar, unit = VARIABLES[var]
        if var in REBASED:
            unit = unit.replace(str(BASE_YEAR), str(base))
        start = proj.first_forecast_year[var]
        h = panel.long[(panel.long.variable == pvar) & (panel.long.region_code == region) & (panel.long.year < start)]
        if len(h):
            frames.append(pd.DataFrame({"region": REGION_NAMES[region], "variable": var, "unit": unit,
                                        "year": h.year.to_numpy(), "value": h.value.to_numpy(),
                                        "quantile": HISTORY, "basis": h.basis.to_numpy()}))
        k = int(np.searchsorted(proj.years, start))
        sub = arr[:, k:]
        ok = np.isfinite(sub).all(axis=0)
        yrs = proj.years[k:][ok]
        if not len(yrs):
            continue
        sub = sub[:, ok]
        q = np.quantile(sub, QUANTILES, axis=0)
        stats = np.vstack([q, sub.mean(axis=0)])
        labels = [f"{x:g}" for x in QUANTILES] + ["mean"]
        frames.append(pd.DataFrame({
            "region": REGION_NAMES[region], "variable": var, "unit": unit,
            "year": np.tile(yrs, len(labels)), "value": stats.ravel(),
            "quantile": np.repeat(labels, len(yrs)), "basis": proj.basis[var]}))
    out = pd.concat(frames, ignore_index=True)
    return to_iamc(out, scenario).sort_values(["variable", "region", "year", "quantile"]).reset_index(drop=True)
