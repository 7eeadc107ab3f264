"""The scenario engine: one chain from the control forecast to the alternative.

control
    The time-series control: simulated sample paths of every headline
    variable, as of a forecast origin (only data published for years <= T);
    the paths are computed in ``projection``, whose rolling-origin backtests
    are stored and keyed by ``backtest_store`` (``calibration/backtests/``).
alternative
    A scenario's levers acting through the structural model (input-output +
    capital + investment LP), applied as deviations from the structural
    model's own control run, path by path (REMI-style control vs alternative).
    Helpers: ``levers`` (a scenario's ``[levers]`` as arrays over clusters and
    years), ``kappa`` (capital–output ratio uncertainty of the sample paths),
    ``outputs`` (the alternative's files: ``lever_effects.csv``, the LP's
    uncertainty tables and investment fan).
evaluate
    Rolling as-of evaluation of exactly what control/alternative deliver.

Arrows point down: this layer calls ``model.forecast``, ``model.io``,
``model.opt`` and ``model.data`` and writes through ``model.results``; none of
those (nor ``model.scenario``) imports it.
"""
