"""Data layer: validated loading of the vendored sources and the modelling panel."""
from .loader import load_long, load_sources
from .panel import Panel, build_panel

__all__ = ["load_long", "load_sources", "Panel", "build_panel"]
