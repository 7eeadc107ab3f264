"""Perpetual inventory of capital and the validated optimisation parameters."""
import numpy as np
import pytest

from model.errors import CztInputError
from model.io.params import read_long_csv
from model.opt.capital import calibrate_capital, cluster_kappa, harberger_initial_stock, perpetual_inventory
from model.opt.config import OPT_PARAMS_FILE, load_opt_config
from model.paths import DATA
from opt_fixtures import GDP_REAL_PATH


def test_harberger_stock_and_the_inventory_recursion():
    k0 = harberger_initial_stock(10.0, 0.05, 0.1)
    assert k0 == pytest.approx(10.0 / 0.15)
    inv = 10.0 * 1.05 ** np.arange(1, 300)
    k = perpetual_inventory(k0, inv, 0.1)
    assert k[0] == pytest.approx(0.9 * k0 + inv[0])                     # K_t = (1 - delta) K_t-1 + I_t
    np.testing.assert_allclose(k[1:], 0.9 * k[:-1] + inv[1:], rtol=1e-12)
    # with investment growing at g the ratio K/I tends to the discrete steady state (1 + g)/(g + delta),
    # within a factor (1 + g) of Harberger's start
    assert k[-1] / inv[-1] == pytest.approx(1.05 / 0.15, rel=1e-9)


def test_capital_from_data_does_not_depend_on_an_assumed_growth_rate():
    panel = read_long_csv(DATA / "macro" / "czt_best_panel_long.csv")
    cap = calibrate_capital(panel, GDP_REAL_PATH, 0.5061, 2017, 2024, 0.096)
    # 2018-2022 from the cities' FAI growth relative to nominal GDP; 2023-24 held (flagged)
    assert set(cap.investment_rate) == set(range(2017, 2025))
    assert cap.investment_rate[2023] == cap.investment_rate[2022] == cap.investment_rate[2024]
    assert any("2023" in n and "ASSUMPTION" in n for n in cap.notes)
    assert 2.5 < cap.capital_output < 4.5
    # a higher depreciation rate gives a smaller stock; the real GDP path scales it linearly
    assert calibrate_capital(panel, GDP_REAL_PATH, 0.5061, 2017, 2024, 0.12).capital < cap.capital
    doubled = {y: 2 * v for y, v in GDP_REAL_PATH.items()}
    assert calibrate_capital(panel, doubled, 0.5061, 2017, 2024, 0.096).capital == pytest.approx(2 * cap.capital)


def test_cluster_kappa_distributes_the_stock_by_depreciation():
    k = cluster_kappa([1.0, 3.0], [10.0, 10.0], 3.0)
    assert (k * [10.0, 10.0]).sum() == pytest.approx(60.0)
    assert k[1] / k[0] == pytest.approx(3.0)
    with pytest.raises(CztInputError):
        cluster_kappa([0.0, 1.0], [1.0, 1.0], 3.0)


def test_parameters_file_is_validated(tmp_path):
    assert load_opt_config()["upgrading"]["max_share_gain_per_year"] > 0
    text = OPT_PARAMS_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "p.toml"
    bad.write_text("steady_state_growth = 0.06\n" + text, encoding="utf-8")
    with pytest.raises(CztInputError, match=r"\[steady_state_growth\]: unknown key"):
        load_opt_config(bad)
    bad.write_text(text.replace("max_cluster_decline = 0.10", "max_cluster_decline = 1.5"), encoding="utf-8")
    with pytest.raises(CztInputError, match=r"p.toml \[max_cluster_decline\]"):
        load_opt_config(bad)


def test_kappa_scales_from_investment_by_hand():
    from model.opt.capital import harberger_initial_stock, kappa_scales_from_investment, perpetual_inventory
    iv = np.array([100.0, 110.0, 115.0, 130.0])
    d = np.diff(np.log(iv))
    se = d.std(ddof=1) / np.sqrt(3)
    z = np.array([0.0, 1.0, -1.0])
    s = kappa_scales_from_investment(iv, 0.096, z)

    def k(g):     # Harberger start, then K_t = (1 - delta) K_{t-1} + I_t
        kk = 100.0 / (g + 0.096)
        for i in iv[1:]:
            kk = 0.904 * kk + i
        return kk
    g0 = np.exp(d.mean()) - 1
    np.testing.assert_allclose(s, [1.0, k(np.exp(d.mean() + se) - 1) / k(g0), k(np.exp(d.mean() - se) - 1) / k(g0)],
                               rtol=1e-12)
    assert s[1] < 1 < s[2]        # faster assumed investment growth -> smaller initial stock
    np.testing.assert_allclose(k(g0), perpetual_inventory(harberger_initial_stock(100.0, g0, 0.096), iv[1:], 0.096)[-1])
    with pytest.raises(CztInputError, match="3 years"):
        kappa_scales_from_investment(iv[:2], 0.096, z)


def test_paths_from_projection_carry_kappa_and_path_values():
    from model.opt.pathlp import paths_from_projection
    from opt_fixtures import synthetic_state

    years = np.arange(2015, 2036)

    class Proj:                                   # the two members paths_from_projection reads
        def __init__(self):
            self.years = years
            k = years - 2024
            real = np.vstack([20000 * 1.05 ** k, 20000 * 1.04 ** k])
            defl = np.vstack([100 * 1.01 ** k, 100 * 1.0 ** k])
            nom = real * defl / 100
            self.data = {"GDP|Real": real, "GDP|Deflator": defl, "GDP|Nominal": nom,
                         "Energy intensity": np.vstack([80 * 0.97 ** k] * 2), "High-tech VA": 0.28 * nom}

        def get(self, var, region="CZT"):
            return self.data[var]

    st = synthetic_state()
    ps = paths_from_projection(Proj(), st, range(2024, 2036), kappa_scale=[0.9, 1.1])
    assert [p.kappa_scale for p in ps] == [0.9, 1.1]
    assert ps[0].gdp_real[0] == pytest.approx(22128.3) and ps[1].gdp_real[-1] == pytest.approx(22128.3 * 1.04 ** 11)
    assert ps[0].deflator[0] == 1 and ps[0].deflator[-1] == pytest.approx(1.01 ** 11)
    np.testing.assert_allclose(ps[1].hightech_share, 0.28)
    with pytest.raises(CztInputError, match="kappa_scale"):
        paths_from_projection(Proj(), st, range(2024, 2036), kappa_scale=[1.0])
