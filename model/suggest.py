""""Did you mean" for scenario and run names, and the preset list of ``czt list``."""
from __future__ import annotations

import difflib
from pathlib import Path

from .paths import OUTPUTS, SCENARIOS


def presets() -> list[str]:
    """Names of the preset scenarios (``scenarios/*.toml``)."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def did_you_mean(name: str, candidates: list[str]) -> str | None:
    """The closest candidate to a mistyped ``name`` (difflib ratio ≥ 0.6), else None."""
    m = difflib.get_close_matches(str(name), candidates, n=1, cutoff=0.6)
    return m[0] if m else None


def preset_hint(name: str) -> str:
    """`` — did you mean 'baseline'?`` for a near-miss preset name, else ``""``."""
    m = did_you_mean(Path(str(name)).stem, presets())
    return f" — did you mean '{m}'?" if m else ""


def run_hint(name: str) -> str:
    """Advice for a missing run folder: a near-miss existing run, else a near-miss preset to run."""
    runs = sorted(p.name for p in OUTPUTS.glob("*") if (p / "run.json").exists()) if OUTPUTS.is_dir() else []
    m = did_you_mean(name, runs)
    if m:
        return f"did you mean '{m}' (outputs/{m})?"
    m = did_you_mean(name, presets())
    if m:
        return f"did you mean '{m}'? (run `czt run {m}` first if it has no run folder)"
    if name in presets():
        return f"run `czt run {name}` first"
    return f"no preset of that name either (presets: {', '.join(presets())})"


def preset_descriptions() -> list[tuple[str, str]]:
    """(name, one-line description) of every preset, from its ``description`` key."""
    from .results.fileio import read_toml

    out = []
    for name in presets():
        d = str(read_toml(SCENARIOS / f"{name}.toml").get("description", "")).strip()
        first = d.split("; ")[0].split(". ")[0].rstrip(".")
        out.append((name, first if len(first) <= 110 else first[:109].rstrip() + "…"))
    return out
