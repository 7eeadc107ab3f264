"""Investment-allocation optimisation (Pyomo + HiGHS) against the plan's targets.

Public API
----------
run_optimisation(scenario, state, out_dir, io_system=None) -> dict
    Entry point used by ``czt run plan`` (``model.runner``); writes
    ``allocation.csv``, ``targets_feasibility.csv``, ``frontier.csv/png`` and
    ``model.mps`` and returns the solver summary for ``run.json``.
OptState, OptParams, Target
    Latest observed state, LP parameters, one elastic target
    (:mod:`model.opt.params`).
model.opt.calibrate.params_from_io(acc, state, settings, targets_2035=())
    Adapter from ``model.io`` cluster accounts (or the vendored table).
model.opt.build.build_model(params) -> ConcreteModel
    Pure function building the LP.
model.opt.solve.make_runner(model, solver) / solve_params(params, solver)
    Persistent HiGHS runners (``"highs"`` = Pyomo standard form → highspy,
    ``"appsi_highs"``); ``target_table``, ``dual_range_check``,
    ``diagnose_conflicts``.
model.opt.frontier.energy_gdp_frontier(runner, n_points)
    ε-constraint GDP-vs-energy-intensity frontier.

Importing this package is cheap: pyomo, numpy-heavy calibration and pandas
are imported only by the submodules.
"""
from __future__ import annotations

from .params import OptParams, OptState, Target

__all__ = ["OptParams", "OptState", "Target", "run_optimisation"]


def run_optimisation(scenario, state, out_dir, io_system=None) -> dict:
    """Run the optimisation of ``scenario`` and write its outputs.

    See :func:`model.opt.outputs.run_optimisation` for parameters and outputs.
    """
    from .outputs import run_optimisation as _run
    return _run(scenario, state, out_dir, io_system=io_system)
