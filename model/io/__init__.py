"""Input-output module: Hunan 2017 table → CZT clusters, multipliers,
energy and high-tech accounts, sector projections.

``from model.io import IOSystem`` (imported lazily so that importing the
package stays light).
"""
from __future__ import annotations

__all__ = ["IOSystem", "ClusterAccounts"]


def __getattr__(name):
    if name in ("IOSystem", "ClusterAccounts"):
        from model.io import system
        return getattr(system, name)
    raise AttributeError(f"module 'model.io' has no attribute {name!r}")
