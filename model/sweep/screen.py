"""The stored robustness screen behind the scorecard's ``flips_with`` notes.

Which of the labelled assumptions can flip a target's status within its
plausible range? For every preset scenario (``scenarios/*.toml``, not
recursive) a small Morris screen (``calibration/sweeps/screen.toml``: the
seven labelled assumptions and plausible ranges of
``scenarios/sweeps/plan_assumptions.toml``, r = 10 trajectories, 500 paths) is
run through the sweep engine in this process (:mod:`model.sweep.variant`,
:mod:`model.sweep.design`, :mod:`model.sweep.analyse`; no Dask) and stored in
``calibration/sweeps/screen_<scenario>.csv``, one row per (target, parameter):

``target, parameter``   a modelled target and a screened scenario key
``low, high``           the key's plausible range (the screen's)
``base_verdict``        the target's status at the base point (the preset itself)
``base_p_meet``         its P(meet) there (500 paths, 8 LP sample paths)
``mu_star, mu_star_conf, sigma, mu``
                        Morris indices of P(meet) (SALib; per full range of the key)
``flip_steps, steps``   flip count: of the ``steps`` elementary-effect steps along the
                        key (one per trajectory; a step whose end points both ran), those
                        in which the target's verdict (``verdict.<target>``) changes
``flip_pairs``          the verdict changes of those steps, e.g. ``on track ↔ off track: 7``

The note (:func:`flips_with`, :func:`note_of`) — one documented rule: the keys
with at least one flipping step, ranked by flip count, then μ*, then the
screen file's order, at most :data:`MAX_NOTED` (two) of them, e.g.
``assumptions.energy.unobserved_yoy_change_pct (on track → off track in 7 of 10
steps)``; none → :data:`NO_FLIP`. A flipping step is direct evidence that
moving that key alone, inside its range, changes the status; μ* breaks ties by
how much P(meet) moves.

Stored like the backtests (:mod:`model.engine.backtest_store`): the first line is
``# key=<sha256>`` of everything the table depends on (:func:`screen_key`) — the
screen file, the merged scenario (without its name, description, file names and
``forecast.n_paths``, which the screen sets), the calibration data
(``calibration/data/VENDORED.csv``, ``parameters.toml``, ``targets.toml``,
``optimisation/parameters.toml``, ``io/*``) and the code of the engine
(``model/data``, ``model/forecast``, ``model/io``, ``model/opt``,
``model/engine`` (incl. ``engine/projection.py``, the control's sample paths, and
``engine/state.py``, the structural state and IO system a run and a variant share),
``model/scenario/targets.py``, ``model/scenario/overrides.py``, the sweep's ``variant``,
``design``, ``analyse`` and this module, and the functions of ``model/report/scorecard.py`` a variant calls). A table
whose key differs is never shown: :func:`load_screen` returns None and the
scorecard says there is no current screen (:data:`NO_SCREEN`) — so a user's
scenario file, overrides, an as-of origin and changed data or code all get
that note, never a stale one. ``store_screens`` (``czt screen --store``, or
``python -m model.sweep.screen [NAMES]``) refreshes the shipped tables; a test
checks they are current.

Reproducible: the design is the screen file's (seed = the preset's seed); every
variant runs with that seed (common random numbers), in design order, in one
process with one BLAS thread; same inputs, same bytes.

Cost (measured 2026-11-30 with ``python -m model.sweep.screen`` at commit a697539, 80 variants per
preset, one core of a 2-core machine shared with other jobs): baseline 1.4 s, slow_growth 0.9 s,
vision_2035 0.7 s (no structural LP), plan 6.6 s, green 6.8 s, hightech_push 9.0 s (8 LP sample
paths per variant); all six presets 25.5 s (65 s earlier the same day, on a busier machine and
before the sweep engine's later speed-ups).
"""
from __future__ import annotations

import hashlib
import inspect
import io
import json
import math
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..errors import CztInputError
from ..paths import CALIBRATION, ROOT, SCENARIOS

#: The screen's sweep file.
SCREEN_FILE = CALIBRATION / "sweeps" / "screen.toml"
#: Folder of the stored tables ``screen_<scenario>.csv``.
STORE = CALIBRATION / "sweeps"
#: Columns of a stored table (module docstring).
COLUMNS = ["target", "parameter", "low", "high", "base_verdict", "base_p_meet", "mu_star", "mu_star_conf", "sigma",
           "mu", "flip_steps", "steps", "flip_pairs"]
#: At most this many keys are named in a note (the issue's "one or two assumptions").
MAX_NOTED = 2
#: The note of a target that no screened key flips.
NO_FLIP = "no screened assumption flips it"
#: The note when the run's scenario has no current screen (never a stale one).
NO_SCREEN = ("no current screen for this scenario (screens are stored for the presets in scenarios/ as shipped — "
             "no overrides, latest data origin — and refreshed with czt screen --store)")
#: Order of the statuses in a verdict-change label (best first).
_STATUS_ORDER = ("on track", "at risk", "off track", "not modelled")

# ----------------------------------------------------------------------------------------------
# the key

#: Code folders (every ``*.py`` below them) and files the stored tables depend on.
CODE_DIRS = ("model/data", "model/forecast", "model/io", "model/opt", "model/engine")
CODE_FILES = ("model/scenario/targets.py", "model/scenario/overrides.py", "model/sweep/variant.py",
              "model/sweep/design.py", "model/sweep/analyse.py", "model/sweep/screen.py")
#: Calibration files the engine reads (besides the vendored data, keyed through VENDORED.csv's hashes).
CALIBRATION_FILES = ("data/VENDORED.csv", "parameters.toml", "targets.toml", "optimisation/parameters.toml")
#: Scenario fields that do not change the screen's results (the screen sets n_paths itself).
_NOT_KEYED = ("name", "description", "extends", "source_files")


def presets() -> list[str]:
    """The preset scenarios: ``scenarios/*.toml`` (not recursive), sorted."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def _scenario(scenario):
    from ..scenario import Scenario, load_scenario

    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def scenario_fingerprint(scenario) -> str:
    """The merged scenario as keyed: its validated dump without :data:`_NOT_KEYED` and ``forecast.n_paths``."""
    d = _scenario(scenario).model_dump(mode="json")
    for k in _NOT_KEYED:
        d.pop(k, None)
    d["forecast"] = {k: v for k, v in d["forecast"].items() if k != "n_paths"}
    return json.dumps(d, sort_keys=True, default=str)


def _code_parts() -> list[tuple[str, bytes]]:
    files = sorted({p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")} | {ROOT / f for f in CODE_FILES})
    parts = [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in files]
    from ..report import scorecard as card

    # the few functions of modules outside the engine that a variant calls (not their whole files,
    # which change for reasons that do not touch the screen, e.g. a report column)
    for name, obj in (("scorecard.status_of", card.status_of),
                      ("scorecard.metric_paths", card.metric_paths)):
        parts.append((name, inspect.getsource(obj).encode()))
    parts.append(("scorecard.thresholds", repr((card.ON_TRACK, card.AT_RISK)).encode()))
    return parts


def _data_parts() -> list[tuple[str, bytes]]:
    files = [CALIBRATION / f for f in CALIBRATION_FILES] + sorted(p for p in (CALIBRATION / "io").glob("*")
                                                                  if p.is_file() and not p.name.startswith("."))
    return [(p.relative_to(CALIBRATION).as_posix(), p.read_bytes()) for p in files]


def screen_key(scenario) -> str:
    """SHA-256 of what a stored screen depends on (module docstring): screen file, merged scenario
    (:func:`scenario_fingerprint`), calibration data and engine code.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A preset name, a scenario file or a loaded (possibly overridden) scenario.
    """
    h = hashlib.sha256()
    for name, blob in ([("screen.toml", SCREEN_FILE.read_bytes()),
                        ("scenario", scenario_fingerprint(scenario).encode())] + _data_parts() + _code_parts()):
        h.update(name.encode() + b"\0" + hashlib.sha256(blob).digest())
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------
# the screen


def screen_spec(scenario=None):
    """The screen's :class:`~model.sweep.spec.SweepSpec` with its base set to ``scenario`` (seed: the scenario's).

    The file is validated against its own base (``plan``) by :func:`~model.sweep.spec.load_sweep`; the
    variant engine validates each key and value against ``scenario`` (:class:`SweepContext` refuses a key
    the scenario lacks; a value outside the scenario's schema makes a failed variant, which
    :func:`screen` refuses).
    """
    from .spec import load_sweep

    spec = load_sweep(SCREEN_FILE)
    if scenario is None:
        return spec
    sc = _scenario(scenario)
    return spec.model_copy(update={"base": sc.name, "seed": int(sc.seed)})


def flip_counts(design: pd.DataFrame, verdicts: Iterable[str], keys: list[str]) -> pd.DataFrame:
    """Flip count of each key along the Morris trajectories of ``design`` (module docstring).

    Parameters
    ----------
    design : DataFrame
        A Morris design in the sampler's order (:func:`model.sweep.design.sample`): trajectories of
        ``len(keys) + 1`` consecutive rows, each row differing from the previous one in exactly one key.
    verdicts : sequence of str
        The target's verdict in each row of ``design`` ("" or NaN: the variant failed).
    keys : list of str
        The design's parameter columns.

    Returns
    -------
    DataFrame
        One row per key (in ``keys`` order): ``parameter, flip_steps, steps, flip_pairs``. ``steps``
        counts the steps along the key whose two end points have a verdict; ``flip_steps`` those
        whose verdicts differ; ``flip_pairs`` the verdict changes (unordered, best status first,
        ``a ↔ b: n``, most frequent first, ``"; "``-separated).

    Raises
    ------
    ValueError
        ``design`` is not a Morris design of ``keys`` (length not a multiple of ``k + 1``, or a step
        that moves no key or more than one).
    """
    k = len(keys)
    x = design[keys].to_numpy(dtype=float)
    v = ["" if (s is None or (isinstance(s, float) and math.isnan(s))) else str(s) for s in verdicts]
    if len(v) != len(x):
        raise ValueError(f"{len(v)} verdicts for a design of {len(x)} rows")
    if len(x) % (k + 1):
        raise ValueError(f"{len(x)} rows are not trajectories of k + 1 = {k + 1} points")
    steps = np.zeros(k, dtype=int)
    flips = np.zeros(k, dtype=int)
    pairs: list[dict[str, int]] = [{} for _ in range(k)]
    for start in range(0, len(x), k + 1):
        for i in range(start, start + k):
            moved = np.flatnonzero(x[i + 1] != x[i])
            if len(moved) != 1:
                raise ValueError(f"rows {i} and {i + 1} differ in {len(moved)} keys; a Morris step moves one")
            j = int(moved[0])
            a, b = v[i], v[i + 1]
            if not (a and b):
                continue
            steps[j] += 1
            if a != b:
                flips[j] += 1
                lo, hi = sorted((a, b), key=lambda s: (_STATUS_ORDER.index(s) if s in _STATUS_ORDER else 9, s))
                label = f"{lo} ↔ {hi}"
                pairs[j][label] = pairs[j].get(label, 0) + 1
    text = ["; ".join(f"{p}: {n}" for p, n in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))) for d in pairs]
    return pd.DataFrame({"parameter": keys, "flip_steps": flips, "steps": steps, "flip_pairs": text})


def _evaluate(spec, sc, design: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The base point and every variant of ``design``, in order, in this process (one BLAS thread)."""
    from threadpoolctl import threadpool_limits

    from .variant import SweepContext, evaluate_variant

    keys = list(spec.keys)
    with threadpool_limits(limits=1):
        ctx = SweepContext.build(sc, keys, n_paths=spec.run.n_paths, n_lp_paths=spec.run.n_lp_paths)
        base = evaluate_variant(ctx, {})
        rows = [evaluate_variant(ctx, dict(zip(keys, map(float, r)))) for r in design[keys].to_numpy()]
    res = pd.DataFrame(rows, columns=ctx.output_columns)
    res.insert(0, "variant", design["variant"].to_numpy())
    return base, res


def screen(scenario, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run the Morris screen of one scenario and return its table (module docstring, :data:`COLUMNS`).

    Parameters
    ----------
    scenario : str, Path or Scenario
        A preset name (what is stored), or any scenario (computed, not stored).
    progress : callable, optional
        Receives one line when done (variants, seconds).

    Raises
    ------
    CztInputError
        The screen file is invalid, or a variant of the screen failed (a range outside what the
        scenario's engine accepts; a Morris screen needs every variant).
    """
    from .analyse import sensitivity
    from .design import sample

    t0 = time.perf_counter()
    sc = _scenario(scenario)
    spec = screen_spec(sc)
    design = sample(spec)
    base, res = _evaluate(spec, sc, design)
    bad = res[res["error"].astype(str) != ""]
    if base.get("error") or len(bad):
        msg = base.get("error") or bad["error"].iloc[0]
        raise CztInputError(SCREEN_FILE, f"scenario '{sc.name}': {1 if base.get('error') else len(bad)} variant(s) "
                                         f"of the screen failed, e.g. {msg}")
    targets = [c.partition(".")[2] for c in res.columns if c.startswith("verdict.")]
    sens = sensitivity(spec, design, res, [f"p_meet.{t}" for t in targets])
    idx = sens.pivot_table(index=["output", "parameter"], columns="index", values="value", aggfunc="first",
                           dropna=False)
    conf = sens[sens["index"] == "mu_star"].set_index(["output", "parameter"])["conf"]
    ranges = {p.key: p.salib_bounds for p in spec.parameters}
    frames = []
    for t in targets:
        fc = flip_counts(design, res[f"verdict.{t}"], list(spec.keys))
        o = f"p_meet.{t}"
        fc.insert(0, "target", t)
        fc.insert(2, "low", [ranges[p][0] for p in fc["parameter"]])
        fc.insert(3, "high", [ranges[p][1] for p in fc["parameter"]])
        fc.insert(4, "base_verdict", str(base[f"verdict.{t}"]))
        fc.insert(5, "base_p_meet", float(base[o]))
        for col in ("mu_star", "sigma", "mu"):
            fc[col] = [float(idx.loc[(o, p), col]) for p in fc["parameter"]]
        fc["mu_star_conf"] = [float(conf.loc[(o, p)]) for p in fc["parameter"]]
        frames.append(fc)
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    if progress is not None:
        progress(f"screen '{sc.name}': {len(design)} variants x {len(targets)} targets in "
                 f"{time.perf_counter() - t0:.1f} s")
    return out


# ----------------------------------------------------------------------------------------------
# store and load


def _path(name: str) -> Path:
    return STORE / f"screen_{name}.csv"


def as_text(df: pd.DataFrame) -> str:
    """The CSV text a stored table holds (10 significant digits, as the stored backtests)."""
    return df.to_csv(index=False, float_format="%.10g", lineterminator="\n")


def store_screens(names: Iterable[str] | None = None, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Compute and store the screens of presets (``czt screen --store [NAMES]``).

    Parameters
    ----------
    names : iterable of str, optional
        Preset names (default: every preset, :func:`presets`).
    progress : callable, optional
        Receives one line per preset.

    Returns
    -------
    list of Path
        The tables written (``calibration/sweeps/screen_<name>.csv``, each ``# key=<sha256>`` first).

    Raises
    ------
    CztInputError
        A name that is not a preset (one line naming it and the presets).
    CztEnvironmentError
        A keyed input (code, data, the scenario or the screen file) changed while the screen ran,
        twice in a row: the table would not be what its key says.
    """
    from ..errors import CztEnvironmentError
    from ..results.fileio import write_text_atomic

    known = presets()
    names = list(known if names is None else names)
    for n in names:
        if n not in known:
            raise CztInputError("czt screen", f"'{n}' is not a preset scenario (presets: {', '.join(known)})")
    out = []
    for n in names:
        for attempt in (1, 2):
            key = screen_key(n)          # before and after: a key changed meanwhile would mislabel the table
            df = screen(n, progress)
            if screen_key(n) == key:
                break
            if attempt == 2:
                raise CztEnvironmentError(_path(n), "the screen's inputs (code, data or scenario files) changed "
                                                    "while it ran, twice; store it again when they are settled")
        path = _path(n)
        write_text_atomic(path, f"# key={key}\n" + as_text(df))
        out.append(path)
    return out


def read_table(path: Path) -> pd.DataFrame:
    """A stored table without its key line, checked (one-line :class:`CztInputError` naming the file)."""
    text = Path(path).read_text(encoding="utf-8")
    _, _, rest = text.partition("\n")
    try:
        df = pd.read_csv(io.StringIO(rest), keep_default_na=False, na_values=[""],
                         dtype={"target": str, "parameter": str, "base_verdict": str, "flip_pairs": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CztInputError(path, f"not a readable screen table ({str(exc).splitlines()[0]})") from None
    if list(df.columns) != COLUMNS:
        raise CztInputError(path, f"columns {list(df.columns)}; a screen table has {COLUMNS}")
    df["flip_pairs"] = df["flip_pairs"].fillna("")
    return df


def load_screen(scenario) -> pd.DataFrame | None:
    """The stored screen of ``scenario`` if it is current, else None.

    Current: ``calibration/sweeps/screen_<name>.csv`` exists and its key line equals
    :func:`screen_key` of ``scenario`` as given (after any overrides or as-of origin). Absent or
    stale: None — never a stale table.
    """
    sc = _scenario(scenario)
    path = _path(sc.name)
    if sc.name not in presets() or not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n")
    if first != f"# key={screen_key(sc)}":
        return None
    return read_table(path)


def _pair_label(pair: str, base: str) -> str:
    """``"on track ↔ off track"`` as read from the base verdict (``on track → off track``) when it is one end."""
    a, _, b = pair.partition(" ↔ ")
    if base == a:
        return f"{a} → {b}"
    if base == b:
        return f"{b} → {a}"
    return pair


def note_of(rows: pd.DataFrame) -> str:
    """The "flips with" note of one target from its rows of a screen table (the rule of the module docstring).

    Parameters
    ----------
    rows : DataFrame
        The table's rows of one target, in the screen file's key order (``parameter, base_verdict,
        mu_star, flip_steps, steps, flip_pairs``).
    """
    r = rows.reset_index(drop=True)
    r = r.assign(_order=np.arange(len(r)))
    hit = r[r["flip_steps"] >= 1].sort_values(["flip_steps", "mu_star", "_order"], ascending=[False, False, True],
                                              kind="stable").head(MAX_NOTED)
    if hit.empty:
        return NO_FLIP
    parts = []
    for x in hit.itertuples():
        base = str(x.base_verdict)
        pairs = [p.rpartition(": ")[0] for p in str(x.flip_pairs).split("; ") if p]
        ends = [p.partition(" ↔ ")[::2] for p in pairs]
        if all(base in e for e in ends):        # every change starts from the base verdict
            what = f"{base} → " + " or ".join(b if a == base else a for a, b in ends)
        else:
            what = ", ".join(_pair_label(p, base) for p in pairs)
        parts.append(f"{x.parameter} ({what} in {int(x.flip_steps)} of {int(x.steps)} steps)")
    return "; ".join(parts)


_LOAD = object()


def flips_with(scenario, table=_LOAD) -> dict[str, str]:
    """Target -> "flips with" note of the scorecard, from the current stored screen.

    Parameters
    ----------
    scenario : str, Path or Scenario
        The run's scenario as run (overrides and origin applied).
    table : DataFrame or None, optional
        The scenario's :func:`load_screen` when the caller has already loaded it (None: no
        current screen); loaded here when not given.

    Returns
    -------
    dict
        Every target of the current screen -> :func:`note_of`; with no current screen (not a
        preset, no table, or a stale one), every modelled target -> :data:`NO_SCREEN`.
    """
    sc = _scenario(scenario)
    df = load_screen(sc) if table is _LOAD else table
    if df is None:
        from ..scenario.targets import load_targets

        return {t.id: NO_SCREEN for t in load_targets(extra=[t.as_target_dict() for t in sc.targets_2035])
                if t.modelled}
    return {t: note_of(g) for t, g in df.groupby("target", sort=False)}


def main(argv: list[str] | None = None) -> int:
    """``python -m model.sweep.screen [NAMES]``: store the screens of the presets named (default: all)."""
    import sys

    from ..errors import CztError

    names = list(sys.argv[1:] if argv is None else argv) or None
    try:
        t0 = time.perf_counter()
        for p in store_screens(names, progress=print):
            print(f"stored {p.relative_to(ROOT)}")
        print(f"total {time.perf_counter() - t0:.1f} s")
    except CztError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
