"""Scenario sweeps and global sensitivity (``czt sweep SPEC.toml``).

Which labelled assumptions decide the verdicts, and how far may each move
before a verdict flips? A sweep varies scenario keys over ranges or
distributions with a SALib design, evaluates every variant through the one
engine (control → structural model with levers → investment LP → scorecard),
and reports sensitivity indices, tornado charts and the "flip" frontier.

Layout (one concern per module; arrows point down, never up):

``spec``      the sweep file: pydantic schema, one-line errors naming file and key
              (:func:`load_sweep`, :class:`SweepSpec`).
``design``    SALib designs (grid, Latin hypercube, Morris, Saltelli/Sobol) →
              a table of variants (``variant`` + one column per parameter key).
``variant``   the fast path: a :class:`SweepContext` built once per process holds
              everything the varied keys do not touch (panel, stored backtests,
              IO system, the built LP, the control paths when no forecast key
              varies); :func:`evaluate_variant` re-solves with new data only.
              Same results as a full ``run_scenario`` with the same overrides.
``execute``   batches of variants, in-process or on Dask (``LocalCluster`` or an
              existing scheduler's address), resume from finished batches, the
              output folder ``outputs/sweep_<name>/``.
``analyse``   Morris μ*/σ and Sobol S1/ST with confidence intervals (SALib),
              tornado charts, the flip frontier of a chosen target.
``screen``    the small stored Morris screen behind the scorecard's "flips with"
              notes (``calibration/sweeps/``, keyed by its inputs like the backtests).

Result columns of one variant (:func:`model.sweep.variant.evaluate_variant`)::

    p_meet.<target>            P(meet) of a modelled plan target (alternative paths)
    p_meet_se.<target>         its Monte-Carlo standard error, sqrt(p(1-p)/n_paths)
    verdict.<target>           the scorecard status ("on track", "off track", ...)
    median.<variable>.<year>   median of a headline variable, 2025 and 2035
    lp_shortfall.<target>      LP (median path) shortfall of a target it carries, in its unit
    lp_best.<target>           LP best achievable value of that target
    lp_reachable.<target>      share of LP sample paths on which the target is reachable
"""
