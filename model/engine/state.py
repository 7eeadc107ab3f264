"""What the structural model (levers, LP) starts from: the scenario's IO system and the latest
observed state with the control's forecast medians.

Used by :mod:`model.runner` and by the sweep's fast path (:mod:`model.sweep.variant`), so that a
sweep variant and a full run build the structural model from one function.
"""
from __future__ import annotations

import numpy as np


def io_system(sc):
    """The scenario's regional IO system."""
    from ..io import IOSystem

    return IOSystem.from_calibration(flq_delta=sc.io.flq_delta, method=sc.io.regionalisation.upper())


def structural_state(panel, proj, sc) -> dict:
    """Latest observed state and forecast medians handed to the optimisation.

    The structural model (levers, optimisation) is calibrated on the 2019 base
    (plan baseline, high-tech VA from 2019, capital stock); an as-of origin before
    2019 has none of that, so such a run is refused with one line.
    """
    ht = panel.latest("hightech_va", "CZT")
    if ht is None or 2019 not in panel.series("gdp_nominal", "CZT"):
        from ..errors import CztInputError

        raise CztInputError(sc.source_files[-1] if sc.source_files else sc.name,
                            f"forecast.as_of: {sc.forecast.as_of} is before 2019, and the structural model behind "
                            "[levers] and [optimisation] is calibrated on data from 2019 on; use an origin >= 2019, "
                            "or a lever-free scenario (e.g. baseline) for earlier origins")
    y, gdp, _ = panel.latest("gdp_nominal", "CZT")
    ei_y, ei, _ = panel.latest("energy_intensity_index", "CZT")
    ht_y, ht, _ = ht
    med = {}
    for var in ("GDP|Nominal", "GDP|Real", "GDP|Deflator", "Energy intensity", "High-tech VA"):
        arr = proj.get(var)                          # = proj.stat(var) (median over paths), without pandas
        ok = np.isfinite(arr).all(axis=0)
        med[var] = {int(y): float(v) for y, v in zip(proj.years[ok], np.median(arr[:, ok], axis=0))}
    return {"year": y, "gdp_nominal": gdp, "gdp_real_2019prices": panel.series("gdp_real", "CZT")[y],
            "energy_intensity_index": {"year": ei_y, "value": ei},
            "hightech_va": {"year": ht_y, "value": ht}, "gdp_nominal_2019": panel.series("gdp_nominal", "CZT")[2019],
            "forecast_median": med}
