"""Investment-allocation optimisation (Pyomo + HiGHS) against the plan's targets.

Importing this package is cheap: pyomo is imported only by the submodules
``build``, ``solve``, ``frontier`` and ``outputs``. Entry point for the runner:
:func:`run_optimisation` (``czt run plan``).
"""
from __future__ import annotations

from .params import OptParams, OptState, Target

__all__ = ["OptParams", "OptState", "Target", "run_optimisation"]


def run_optimisation(scenario, state, out_dir, io_system=None) -> dict:
    """Run the optimisation of ``scenario`` and write outputs (see :mod:`model.opt.outputs`)."""
    from .outputs import run_optimisation as _run
    return _run(scenario, state, out_dir, io_system=io_system)
