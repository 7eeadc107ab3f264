"""Forecasting engine: univariate methods, rolling-origin backtests, method
combination and coherent multi-region simulated paths.

Submodules are light to import; statsmodels/scipy are imported lazily inside
the functions that need them.
"""
