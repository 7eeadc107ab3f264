"""Mixture paths, rank reordering and coherence (model.forecast.paths)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.forecast import paths as P
from model.forecast import stats


def panel(n=25, rho=0.8, seed=4, last=2024):
    rng = np.random.default_rng(seed)
    years = np.arange(last - n + 1, last + 1)
    common = rng.standard_normal(n)
    cols = {}
    for c, lev in (("430100", 7.0), ("430200", 6.0), ("430300", 5.8)):
        e = np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.standard_normal(n)
        cols[c] = lev + np.cumsum(0.07 + 0.02 * e)
    return pd.DataFrame(cols, index=years)


def test_allocate_paths_largest_remainder():
    assert P.allocate_paths({"a": 1, "b": 1, "c": 1}, 10) == {"a": 4, "b": 3, "c": 3}
    assert P.allocate_paths({"a": 0.25, "b": 0.75}, 1000) == {"a": 250, "b": 750}
    assert sum(P.allocate_paths({"a": 0.1, "b": 0.2, "c": 0.7}, 2001).values()) == 2001


def test_rank_reorder_preserves_marginals_and_induces_correlation():
    rng = np.random.default_rng(0)
    a = np.cumsum(rng.standard_normal((2000, 5)), axis=1)
    b = np.cumsum(rng.standard_normal((2000, 5)), axis=1)
    R = np.array([[1.0, 0.8], [0.8, 1.0]])
    (ra, rb), _ = P.rank_reorder([a, b], R, np.random.default_rng(1))
    for orig, new in ((a, ra), (b, rb)):
        for t in range(5):
            np.testing.assert_array_equal(np.sort(orig[:, t]), np.sort(new[:, t]))
    assert np.corrcoef(ra[:, -1], rb[:, -1])[0, 1] > 0.7
    assert abs(np.corrcoef(a[:, -1], b[:, -1])[0, 1]) < 0.1


def test_simulate_paths_coherent_reproducible_correlated():
    wl = panel()
    w = {c: {"drift": 0.5, "arima": 0.5} for c in wl.columns}
    ps = P.simulate_paths(wl, w, end_year=2035, n_paths=1000, seed=3)
    assert ps.values.shape == (1000, 11, 3)
    assert ps.years.tolist() == list(range(2025, 2036))
    assert ps.method_counts["430100"] == {"drift": 500, "arima": 500}
    same = P.simulate_paths(wl, w, end_year=2035, n_paths=1000, seed=3)
    np.testing.assert_array_equal(ps.values, same.values)
    other = P.simulate_paths(wl, w, end_year=2035, n_paths=1000, seed=4)
    assert not np.allclose(ps.values, other.values)
    # historical growth is positively correlated -> so are the paths
    assert ps.correlation[0, 1] > 0.5
    g = np.log(ps.values[:, -1, :] / ps.values[:, 0, :])
    assert np.corrcoef(g[:, 0], g[:, 1])[0, 1] > 0.4
    # coherence: total equals the sum of the cities on every path, exactly
    tot = ps.add_total("CZT")
    assert tot.regions[-1] == "CZT"
    np.testing.assert_array_equal(tot.region("CZT"), ps.values.sum(axis=2))
    assert P.check_coherence(tot, "CZT", rtol=0.0)
    assert P.coherence_error(tot, "CZT") == 0.0
    assert tot.history["CZT"].iloc[-1] == pytest.approx(np.exp(wl.iloc[-1]).sum())
    # independent pairing has the same marginals but ~no correlation
    ind = P.simulate_paths(wl, w, end_year=2035, n_paths=1000, seed=3, dependence="independent")
    np.testing.assert_array_equal(np.sort(ind.values[:, -1, 0]), np.sort(ps.values[:, -1, 0]))
    gi = np.log(ind.values[:, -1, :] / ind.values[:, 0, :])
    assert abs(np.corrcoef(gi[:, 0], gi[:, 1])[0, 1]) < 0.15


def test_growth_adjustment_shifts_growth_by_pp():
    wl = panel()
    w = {c: {"drift": 1.0} for c in wl.columns}
    base = P.simulate_paths(wl, w, end_year=2030, n_paths=500, seed=1)
    slow = P.simulate_paths(wl, w, end_year=2030, n_paths=500, seed=1, growth_adjustment_pp=-1.0)
    b, s = base.region("430100"), slow.region("430100")
    last = np.exp(wl["430100"].iloc[-1])
    gb = np.diff(np.c_[np.full(500, last), b], axis=1) / np.c_[np.full(500, last), b][:, :-1]
    gs = np.diff(np.c_[np.full(500, last), s], axis=1) / np.c_[np.full(500, last), s][:, :-1]
    np.testing.assert_allclose(np.sort(gs, axis=0), np.sort(gb, axis=0) - 0.01, atol=1e-12)


def test_single_column_and_ragged_last_years():
    wl = panel()[["430100"]].rename(columns={"430100": "CZT"})
    ps = P.simulate_paths(wl, None, end_year=2030, n_paths=200, seed=0, methods=["drift"])
    assert ps.values.shape == (200, 6, 1)
    rag = panel()
    rag.loc[2024, "430300"] = np.nan  # one city a year behind
    ps = P.simulate_paths(rag, {c: {"drift": 1.0} for c in rag.columns}, end_year=2030,
                          n_paths=100, seed=0)
    assert ps.years[0] == 2024
    np.testing.assert_allclose(ps.region("430100")[:, 0], np.exp(rag.loc[2024, "430100"]))
    assert np.ptp(ps.region("430300")[:, 0]) > 0
    with pytest.raises(CztInputError, match="end_year"):
        P.simulate_paths(panel(), None, end_year=2024, n_paths=10, seed=0)


def test_summarise_pathset():
    wl = panel()
    ps = P.simulate_paths(wl, {c: {"drift": 1.0} for c in wl.columns}, end_year=2027,
                          n_paths=100, seed=0).add_total()
    df = stats.summarise_pathset(ps)
    assert list(df.columns[:3]) == ["region", "year", "mean"]
    assert "q50" in df.columns and len(df) == 4 * 3
    row = df[(df.region == "CZT") & (df.year == 2027)].iloc[0]
    assert row["q50"] == pytest.approx(np.median(ps.at("CZT", 2027)))


def test_couple_pathsets_keeps_marginals_and_coherence():
    wl = panel()
    w = {c: {"drift": 1.0} for c in wl.columns}
    gdp = P.simulate_paths(wl, w, end_year=2030, n_paths=1000, seed=1).add_total()
    other = P.simulate_paths(wl, w, end_year=2030, n_paths=1000, seed=2).add_total()
    rho = P.historical_growth_correlation(wl["430100"], wl["430200"])
    assert rho > 0.5
    cp = P.couple_pathsets(gdp, other, 0.9, ref_region="CZT", other_region="CZT", seed=0)
    for r in other.regions:
        np.testing.assert_array_equal(np.sort(cp.region(r), axis=0), np.sort(other.region(r), axis=0))
    assert P.check_coherence(cp, "CZT", rtol=0.0)
    c = np.corrcoef(np.log(gdp.region("CZT")[:, -1]), np.log(cp.region("CZT")[:, -1]))[0, 1]
    assert c > 0.8
