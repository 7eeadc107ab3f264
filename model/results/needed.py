"""What a plan target needs per year, stated in one measure per kind of target.

The scorecard's ``required_annual_growth_pct`` is the constant growth of the
target's variable from its latest observation; that reads well for levels and
indices but not for rates and shares (a percentage's growth) or average-growth
targets. :func:`needed_per_year` says which measure each row uses.
"""
from __future__ import annotations


def target_kinds() -> dict[str, str]:
    """Target id -> kind (level / change_vs_base / avg_growth) from ``calibration/targets.toml``."""
    from ..scenario.targets import TARGETS_FILE
    from .fileio import read_toml

    return {t["id"]: t.get("kind", "level") for t in read_toml(TARGETS_FILE).get("target", [])}


def needed_per_year(r, kinds: dict[str, str]) -> str:
    """The 'needed per year' cell: one stated measure per kind of target (see the scorecard note)."""
    g = r.required_annual_growth_pct
    if g is None or g != g or r.latest_year is None or r.latest_year != r.latest_year:
        return "–"
    kind, unit = kinds.get(r.target, "level"), str(r.unit).strip().lower()
    years = int(r.year) - int(r.latest_year)
    if kind == "avg_growth":
        span = f"{int(r.latest_year) + 1}" + (f"–{int(r.year)}" if years > 1 else "")
        return f"{g:+.1f}% real growth/yr in {span}"
    if kind == "level" and unit.startswith("percent") and years > 0:
        return f"{(float(r.plan_value) - float(r.latest_value)) / years:+.2f} pp/yr"
    return f"{g:+.1f}%/yr"
