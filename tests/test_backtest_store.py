"""Stored backtests: reused only while data, settings and code are unchanged."""
from __future__ import annotations

import pandas as pd

from model.engine import backtest_store as bs
from model.data import build_panel, load_sources
from model.engine.projection import stored_backtests_current
from model.scenario import load_scenario


def test_key_changes_with_data_and_settings():
    df = pd.DataFrame({"430100": [1.0, 2.0, 3.0]}, index=[2000, 2001, 2002])
    k = bs.backtest_key(df, methods=["drift"], seed=1)
    assert k == bs.backtest_key(df.copy(), methods=["drift"], seed=1)
    assert k != bs.backtest_key(df * 1.0000001, methods=["drift"], seed=1)
    assert k != bs.backtest_key(df, methods=["drift", "llt"], seed=1)
    assert k != bs.backtest_key(df, methods=["drift"], seed=2)


def test_save_load_round_trip_requires_exact_key(tmp_path, monkeypatch):
    monkeypatch.setattr(bs, "STORE", tmp_path / "store")
    monkeypatch.setattr(bs, "CACHE", tmp_path / "cache")
    df = pd.DataFrame({"region": ["430100"], "method": ["drift"], "mae": [0.0123456789]})
    bs.save("GDP|Real", "abc", df)
    pd.testing.assert_frame_equal(bs.load("GDP|Real", "abc"), df)
    assert bs.load("GDP|Real", "abd") is None


def test_shipped_backtests_are_current():
    sc = load_scenario("baseline")
    status = stored_backtests_current(build_panel(load_sources(), sc), sc)
    stale = [k for k, ok in status.items() if not ok]
    assert not stale, f"stale stored backtests {stale}: run `czt backtest --store`"
