"""czt-model: scenario forecasts for the Changsha-Zhuzhou-Xiangtan city cluster.

Public API (imports are lazy so ``import model`` is fast)::

    from model import run_scenario
    r = run_scenario("baseline", write=False)
    r.scorecard; r.forecasts
"""
from __future__ import annotations

__all__ = ["run_scenario", "load_scenario", "load_targets", "build_panel", "load_sources", "RunResult"]


def __getattr__(name: str):
    if name in ("run_scenario", "RunResult"):
        from . import runner

        return getattr(runner, name)
    if name == "load_scenario":
        from .scenario import load_scenario

        return load_scenario
    if name == "load_targets":
        from .scenario.targets import load_targets

        return load_targets
    if name in ("build_panel", "load_sources"):
        from . import data

        return getattr(data, name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
