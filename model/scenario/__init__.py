"""Scenarios as data, validated: what a run is asked to do.

schema
    Scenario files: the pydantic schema with inheritance (``extends``), merged over
    ``calibration/parameters.toml``; :func:`load_scenario` and the checks of names,
    horizons and memory. Its public names are re-exported here
    (``from model.scenario import load_scenario, Scenario``).
targets
    The plan's targets (``calibration/targets.toml``): :func:`~model.scenario.targets.load_targets`,
    :func:`~model.scenario.targets.meets`.
overrides
    Dotted-key overrides of a loaded scenario, validated by the same schema
    (:func:`~model.scenario.overrides.apply_overrides`).
"""
from __future__ import annotations

from .schema import (BASE_BYTES, BYTES_PER_PATH_YEAR, MAX_EXTENDS_DEPTH, N_PATHS_RANGE, NAME_MAX_LENGTH,
                     NAME_PATTERN, PARAMETERS_FILE, RESERVED_NAMES, RESERVED_PREFIXES, Assumptions, BreakYears,
                     CityCode, Comparator, EnergyAssumptions, ForecastSettings, GdpAssumptions, HightechAssumptions,
                     IOSettings, Levers, Method, OptimisationSettings, PanelSettings, PopulationAssumptions, Scenario,
                     Target2035, VariableForecast, WeightRule, check_horizons, check_n_paths, check_name,
                     load_scenario, memory_needed, resolve_parent, resolve_path)

__all__ = ["PARAMETERS_FILE", "Comparator", "NAME_PATTERN", "NAME_MAX_LENGTH", "RESERVED_NAMES", "RESERVED_PREFIXES",
           "check_name", "BYTES_PER_PATH_YEAR", "BASE_BYTES", "N_PATHS_RANGE", "memory_needed", "check_n_paths",
           "Method", "WeightRule", "VariableForecast", "ForecastSettings", "GdpAssumptions", "PopulationAssumptions",
           "EnergyAssumptions", "HightechAssumptions", "CityCode", "BreakYears", "PanelSettings", "Assumptions",
           "IOSettings", "OptimisationSettings", "Target2035", "Levers", "Scenario", "resolve_path", "check_horizons",
           "MAX_EXTENDS_DEPTH", "resolve_parent", "load_scenario"]
