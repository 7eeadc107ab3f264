"""Shared inputs of the optimisation tests (not a test module).

``GDP_REAL_PATH``: CZT real GDP 2017-2024, 亿元 at 2019 prices, as the panel
chains it from the vendored data (``model.data.panel``, the runner's
``state["forecast_median"]["GDP|Real"]`` history years); the perpetual
inventory of capital needs it.
"""
GDP_REAL_PATH = {2017: 14395.9, 2018: 15587.9, 2019: 16835.0, 2020: 17506.9, 2021: 18851.9, 2022: 19702.8,
                 2023: 20658.2, 2024: 21732.4}


def synthetic_state(growth: float = 0.05, ei_change: float = -0.03, ht_share: float = 0.28) -> dict:
    """A runner-style state (``model.runner._state``) with smooth forecast medians to 2035.

    Observed values of 2024 (GDP 22128.3亿) and the real GDP history above;
    after 2024 real GDP grows at ``growth``, the deflator at 1 %/yr, the
    energy-intensity index at ``ei_change`` per year from 82 in 2024 and the
    high-tech share is constant.
    """
    real = dict(GDP_REAL_PATH)
    for y in range(2025, 2036):
        real[y] = real[y - 1] * (1 + growth)
    defl = {y: 100 * 1.01 ** (y - 2019) for y in real}
    nom = {y: real[y] * defl[y] / 100 * 22128.3 / (real[2024] * defl[2024] / 100) for y in real}
    ei = {y: 82.0 * (1 + ei_change) ** (y - 2024) for y in real}
    ht = {y: ht_share * nom[y] for y in real}
    return {"year": 2024, "gdp_nominal": 22128.3, "gdp_real_2019prices": real[2024],
            "energy_intensity_index": {"year": 2024, "value": 82.0}, "hightech_va": {"year": 2024, "value": ht[2024]},
            "gdp_nominal_2019": nom[2019],
            "forecast_median": {"GDP|Real": real, "GDP|Deflator": defl, "GDP|Nominal": nom,
                                "Energy intensity": ei, "High-tech VA": ht}}
