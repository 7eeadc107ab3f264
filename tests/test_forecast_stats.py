"""Quantiles, probabilities and required growth from paths (hand-computed)."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import CztInputError
from model.forecast import stats


def test_quantiles_and_mean_by_hand():
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # linear interpolation: position q*(n-1)
    assert stats.quantiles(v, (0.0, 0.25, 0.5, 0.9, 1.0)).tolist() == [1.0, 2.0, 3.0, 4.6, 5.0]
    assert stats.mean(v) == 3.0
    two = np.array([[1.0, 10.0], [3.0, 30.0]])
    np.testing.assert_allclose(stats.quantiles(two, (0.5,)), [[2.0, 20.0]])
    np.testing.assert_allclose(stats.mean(two), [2.0, 20.0])
    assert stats.quantiles(v).shape == (7,)


def test_prob_meets_by_hand():
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert stats.prob_meets(v, 3.0, ">=") == 0.6
    assert stats.prob_meets(v, 3.0, ">") == 0.4
    assert stats.prob_meets(v, 3.0, "<=") == 0.6
    assert stats.prob_meets(v, 3.0, "<") == 0.4
    m = np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 7.0], [4.0, 8.0]])
    np.testing.assert_allclose(stats.prob_meets(m, 4.5, ">"), [0.0, 1.0])
    with pytest.raises(CztInputError):
        stats.prob_meets(v, 3.0, "==")


def test_required_growth_and_cagr():
    assert stats.required_growth(100.0, 2024, 121.0, 2026) == pytest.approx(0.1)
    assert stats.required_growth(100.0, 2020, 100.0, 2030) == pytest.approx(0.0)
    assert stats.cagr(100.0, 121.0, 2) == pytest.approx(0.1)
    with pytest.raises(CztInputError):
        stats.required_growth(100.0, 2024, 121.0, 2024)
    with pytest.raises(CztInputError):
        stats.required_growth(0.0, 2024, 121.0, 2030)
