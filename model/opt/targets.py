"""The plan's goals as LP targets (pure: scenario settings + state → :class:`~model.opt.params.Target` list).

:func:`plan_targets` maps the scenario's ``optimisation`` settings (the 2025
plan targets) and its ``targets_2035`` into the targets of the structural LP
(:mod:`model.opt.pathlp`), in the units of :data:`~model.opt.params.TARGET_UNITS`.
"""
from __future__ import annotations

from .params import OptState, Target


def _real_ratio(state: OptState, base_year: int) -> float | None:
    """Real GDP of ``base_year`` / real GDP of the state year, if the state allows it."""
    path = state.gdp_real_path or {}
    if base_year in path and state.year in path and path[state.year] > 0:
        return float(path[base_year]) / float(path[state.year])
    if base_year == 2019 and state.gdp_real_ratio_2019:
        return 1.0 / state.gdp_real_ratio_2019
    return None


def _growth_target(tid: str, year: int, base_year: int, avg_growth_pct: float, state: OptState,
                   source: str, notes: list) -> Target | None:
    ratio = _real_ratio(state, base_year)
    if ratio is None and base_year == 2020 and state.gdp_real_ratio_2019:
        # no 2020 real level: approximate the 2020-based average by the 2019-based one
        notes.append(f"{tid}: real GDP {base_year} not in the state; average growth measured from 2019 instead")
        base_year, ratio = 2019, 1.0 / state.gdp_real_ratio_2019
    if ratio is None:
        notes.append(f"{tid} skipped: real GDP of {base_year} relative to {state.year} not in the state")
        return None
    return Target(tid, "gdp_growth", year, avg_growth_pct, base_year=base_year, base_real_ratio=ratio, source=source)


def plan_targets(settings, state: OptState, years: tuple[int, ...], targets_2035=()) -> tuple[list[Target], list[str]]:
    """The plan's 2025 targets (from ``settings``) plus modelled scenario goals.

    The growth target "年均增长8%左右" is read from ``calibration/targets.toml``
    (id ``gdp_growth``: value 8, tolerance 0.5, base 2020); the LP asks for
    the lower edge of the band (7.5 %/yr), consistent with the scorecard's
    reading of "左右". Scenario ``targets_2035`` entries on ``GDP|Nominal``,
    ``GDP|Real`` (change_vs_base / avg_growth), ``High-tech VA``,
    ``High-tech VA|Share of GDP`` and ``Energy intensity`` become LP targets;
    others are listed in the notes as not modelled.

    Returns the targets inside the decision years and notes on skipped ones.
    """
    notes: list[str] = []
    out: list[Target] = []
    y = 2025
    src = "plan outline 2021 (calibration/parameters.toml [optimisation])"
    if settings.gdp_target_2025 is not None and settings.gdp_target_2025 > 0:
        out.append(Target("gdp_level_2025", "gdp_level", y, float(settings.gdp_target_2025), source=src))
    try:
        from ..scenario.targets import load_targets
        gt = next((t for t in load_targets() if t.id == "gdp_growth"), None)
    except Exception as exc:  # targets file unavailable or invalid
        gt = None
        notes.append(f"growth target not read from calibration/targets.toml ({exc})")
    if gt is not None:
        lower = gt.value - (gt.tolerance or 0.0) if gt.comparator == "~" else gt.value
        tg = _growth_target("gdp_growth_2025", gt.year, gt.base_year or 2020, lower, state,
                            f"{gt.source} (calibration/targets.toml; LP asks for the lower edge {lower:g} %/yr)", notes)
        if tg is not None:
            out.append(tg)
    if settings.energy_cut_2025 > 0:
        out.append(Target("energy_intensity_2025", "energy_intensity", y, 100 * (1 - settings.energy_cut_2025),
                          source=src))
    if settings.hightech_share_2025 > 0:
        out.append(Target("hightech_share_2025", "hightech_share", y, 100 * settings.hightech_share_2025, source=src))
    if settings.hightech_level_2025 > 0:
        out.append(Target("hightech_level_2025", "hightech_level", y, float(settings.hightech_level_2025), source=src))
    kind_of = {"GDP|Nominal": "gdp_level", "High-tech VA": "hightech_level",
               "High-tech VA|Share of GDP": "hightech_share", "Energy intensity": "energy_intensity"}
    for t in targets_2035:
        var, comp = t.variable, t.comparator
        kind = getattr(t, "kind", "level")
        src35 = f"scenario targets_2035: {getattr(t, 'note', '')}"
        if comp == "~":
            notes.append(f"scenario target '{t.id}' (~) not modelled by the LP")
            continue
        if var == "GDP|Real" and kind in ("change_vs_base", "avg_growth") and comp in (">=", ">"):
            n = t.year - t.base_year
            g = t.value if kind == "avg_growth" else 100 * ((1 + t.value / 100) ** (1 / n) - 1)
            tg = _growth_target(t.id, t.year, t.base_year, g, state, src35, notes)
            if tg is not None:
                out.append(tg)
            continue
        k = kind_of.get(var)
        sense_ok = k is not None and kind == "level" and (
            (k == "energy_intensity" and comp in ("<=", "<")) or (k != "energy_intensity" and comp in (">=", ">")))
        if not sense_ok:
            notes.append(f"scenario target '{t.id}' ({var} {comp}, {kind}) not modelled by the LP")
            continue
        out.append(Target(t.id, k, t.year, float(t.value), source=src35))
    kept = [t for t in out if t.year in years[1:]]
    for t in out:
        if t not in kept:
            notes.append(f"target '{t.id}' ({t.year}) outside decision years {years[1]}-{years[-1]}")
    return kept, notes
