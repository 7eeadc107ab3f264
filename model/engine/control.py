"""The control forecast as of an origin T: the flagged panel from data <= T and its simulated paths.

This is the one entry both ``czt run`` (through :mod:`model.runner`) and ``czt evaluate``
(:mod:`model.engine.evaluate`) use: :func:`model.engine.projection.with_origin` sets the origin,
:func:`model.data.build_panel` drops every GDP and population source row after it (the
energy-intensity and high-tech blocks are assumptions anchored on 2019 and keep their full
inputs, said in ``constants["as_of_notes"]``), and :func:`model.engine.projection.project` computes
backtests, method weights, interval calibration and paths from that panel alone. The sample
paths themselves are computed in :mod:`model.engine.projection`; this module re-exports its
public names and adds :func:`control`.
"""
from __future__ import annotations

from .projection import ASSUMPTION_DEPENDENCIES, REGIONS, VARIABLES, Projection, project, with_origin

__all__ = ["control", "project", "with_origin", "Projection", "VARIABLES", "REGIONS", "ASSUMPTION_DEPENDENCIES"]


def control(sources: dict, scenario, as_of: int | None = None):
    """(scenario as of T, panel, projection) for origin ``as_of`` (default ``scenario.forecast.as_of``;
    None = the latest data)."""
    from ..data.panel import build_panel

    sc = with_origin(scenario, as_of if as_of is not None else scenario.forecast.as_of)
    panel = build_panel(sources, sc)
    return sc, panel, project(panel, sc)
