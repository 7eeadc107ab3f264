"""Run a sweep: batches of variants in-process or on Dask, resume, the output folder.

:func:`run_sweep` takes a sweep file (or a loaded :class:`~model.sweep.spec.SweepSpec`),
draws its design (:func:`model.sweep.design.sample`), cuts the table of variants
into batches of ``spec.run.batch_size`` and evaluates every batch with the pure
task :func:`evaluate_batch`. Each task carries only a small picklable
:class:`Recipe` (the base scenario's validated dump, the varied keys and the path
counts); the worker builds the :class:`~model.sweep.variant.SweepContext` from it
once and keeps it for every later batch of the same recipe (:func:`_evaluator_for`).

Schedulers (``scheduler``):

``inprocess``  a plain loop in this process (the default for one worker);
``local``      a :class:`distributed.LocalCluster` of ``workers`` single-threaded
               processes (the default for more than one worker), shut down on
               success, error, Ctrl-C and SIGTERM;
``tcp://...``  the address of a running Dask scheduler (``dask scheduler`` /
               ``dask worker``; every worker needs this package at the same commit).

Every variant is evaluated with the base scenario's seed (common random numbers),
and every batch starts from the same solver state (:meth:`EngineEvaluator.begin_batch`)
with one BLAS thread, so a variant's results depend only on its values and its
batch: the variant table is the same, byte for byte, whatever the scheduler and
the number of workers, and after a resume.

Resume. Finished batches are written at once (Parquet, temp file + rename) into a
work folder the program creates beside the output, ``.<out name>.partial/``
(it carries the czt-model marker, kind ``sweep-partial``, and a ``key`` file: the
hash of the sweep spec, the base scenario, the design, the code and the
calibration data). A rerun with the same key skips the finished batches
("resumed: k of K batches already done"); a different key starts over (the old
work folder is ours and is replaced); a folder of that name that is not ours is
refused with one line. The final folder is assembled from the batch files only
(so a resumed sweep writes the same bytes as an uninterrupted one), written with
:func:`model.results.fileio.atomic_dir` (kind ``sweep``) and the work folder is removed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import CztEnvironmentError, CztError, CztInputError, CztOutputError, Terminated
from ..results.fileio import MARKER, atomic_dir, check_output_dir, read_marker, write_output_file, write_text_atomic

#: Marker kind of the resumable work folder ``.<out name>.partial/``.
PARTIAL_KIND = "sweep-partial"
BASE_VARIANT = -1  # the base scenario's own row (variant id in ``base.parquet``)
_LOCK = "lock"


# --------------------------------------------------------------------------- the task
@dataclass(frozen=True)
class Recipe:
    """What a worker needs to build the sweep context: small and picklable.

    Attributes
    ----------
    scenario : str
        The base scenario's validated dump (``Scenario.model_dump_json()``).
    keys : tuple of str
        The varied scenario keys (dotted), in the spec's order.
    n_paths, n_lp_paths : int
        Forecast paths and LP sample paths per variant.
    fingerprint : str
        :func:`fingerprint` of the machine running the sweep, set for a scheduler
        address: a worker whose code or calibration data differ refuses the task
        ("" skips the check: in-process and LocalCluster workers run this installation).
    """

    scenario: str
    keys: tuple[str, ...]
    n_paths: int
    n_lp_paths: int
    fingerprint: str = ""

    @property
    def digest(self) -> str:
        """SHA-256 of the recipe (the per-process context cache key)."""
        blob = json.dumps([self.scenario, list(self.keys), self.n_paths, self.n_lp_paths])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class EngineEvaluator:
    """The engine's fast path for one recipe: ``SweepContext`` built once, ``evaluate_variant`` per variant.

    Parameters
    ----------
    recipe : Recipe
    """

    def __init__(self, recipe: Recipe):
        from ..scenario import Scenario
        from .variant import SweepContext

        base = Scenario.model_validate_json(recipe.scenario)
        self.ctx = SweepContext.build(base, list(recipe.keys), n_paths=recipe.n_paths, n_lp_paths=recipe.n_lp_paths)
        self.output_columns = list(self.ctx.output_columns)

    def begin_batch(self) -> None:
        """Forget the solver state earlier batches left behind, so a batch's results depend on the batch only.

        The context keeps up to four built LPs (keyed by the values of the keys that
        rebuild them) with their HiGHS state; which are kept, and the state they
        start from, depend on what this process evaluated before, and that moves a
        variant's last digits (about 1e-10 relative, seen between in-process and
        two Dask workers). At the start of every batch each built LP's instances go
        back to a canonical state — the build's data and a fixed starting basis
        (:meth:`~model.sweep.variant.SweepContext.reset_solvers`; about 0.1 ms an
        instance instead of a rebuild and cold solves) — and a new build starts from
        the same state, so every batch starts from the same state wherever it runs:
        the same bytes in-process, on any number of workers, and after a resume.
        """
        reset = getattr(self.ctx, "reset_solvers", None)
        if reset is not None:
            reset()

    def __call__(self, values: dict) -> dict:
        from .variant import evaluate_variant

        return evaluate_variant(self.ctx, values)


_CACHE: dict[tuple, Callable[[dict], dict]] = {}


def _evaluator_for(recipe: Recipe, evaluator: Callable | None) -> Callable[[dict], dict]:
    """The evaluate function of ``recipe`` in this process, built on first use and kept (one recipe at a time)."""
    factory = EngineEvaluator if evaluator is None else evaluator
    key = (recipe.digest, recipe.fingerprint, getattr(factory, "__module__", ""),
           getattr(factory, "__qualname__", repr(factory)))
    fn = _CACHE.get(key)
    if fn is None:
        if recipe.fingerprint and recipe.fingerprint != fingerprint():
            raise CztEnvironmentError(f"Dask worker on {os.uname().nodename}",
                                      "its czt-model code or calibration data differ from those of the machine "
                                      "running czt sweep; check out the same commit there and pip install -e .")
        _CACHE.clear()  # a worker keeps the context of the sweep it is running, not of every earlier one
        fn = _CACHE[key] = factory(recipe)
    return fn


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def evaluate_batch(recipe: Recipe, batch: pd.DataFrame, evaluator: Callable | None = None) -> pd.DataFrame:
    """Evaluate one batch of variants: the pure task every scheduler runs.

    Parameters
    ----------
    recipe : Recipe
        Base scenario, keys and path counts (the context is built from it once per process).
    batch : DataFrame
        ``variant`` + one column per key (rows of the design). A missing value (NaN)
        leaves the key at the base scenario's value.
    evaluator : callable, optional
        ``evaluator(recipe) -> f`` with ``f(values: dict) -> dict`` of result columns
        (default :class:`EngineEvaluator`, the real engine). Tests inject a small
        picklable one here.

    Returns
    -------
    DataFrame
        One row per variant: ``variant``, the key columns, the result columns
        (``f.output_columns`` order when given, else first appearance) and ``error``
        ("" when the variant was evaluated; else the one-line reason it was refused).
    """
    fn = _evaluator_for(recipe, evaluator)
    if hasattr(fn, "begin_batch"):
        fn.begin_batch()
    keys = list(recipe.keys)
    rows = []
    for rec in batch.to_dict("records"):
        values = {k: _py(rec[k]) for k in keys if k in rec and not _isnan(rec[k])}
        try:
            out = dict(fn(values))
        except CztError as exc:  # a variant the schema or the engine refuses: recorded, the sweep goes on
            out = {"error": str(exc)}
        err = out.pop("error", None)
        rows.append({"variant": int(rec["variant"]), **{k: _py(rec[k]) for k in keys}, **out,
                     "error": "" if err is None or (isinstance(err, float) and math.isnan(err)) else str(err)})
    df = pd.DataFrame(rows)
    cols = getattr(fn, "output_columns", None) or list(df.columns)
    cols = [c for c in cols if c not in ("variant", "error", *keys)]
    return df.reindex(columns=["variant", *keys, *cols, "error"])


def _isnan(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def _batch_task(recipe: Recipe, index: int, batch: pd.DataFrame, evaluator: Callable | None) -> tuple:
    """Scheduler wrapper of :func:`evaluate_batch`: also where and how long it ran, and the process's peak RSS.

    A :class:`~model.errors.CztError` (a refused base scenario, a worker with other
    code) comes back as data — ``(index, None, {"czt_error": ...})`` — and is raised
    again by :func:`_reraise` on the machine running the sweep (its one-line form
    survives the trip; the exception itself does not pickle with its two fields).
    """
    from threadpoolctl import threadpool_limits

    t = time.perf_counter()
    try:
        with threadpool_limits(limits=1):
            df = evaluate_batch(recipe, batch, evaluator)
    except CztError as exc:
        cls = type(exc)
        fields = (exc.where, exc.what) if hasattr(exc, "where") and hasattr(exc, "what") else (str(exc),)
        return index, None, {"czt_error": (cls.__module__, cls.__qualname__, fields)}
    return index, df, {"pid": os.getpid(), "host": os.uname().nodename, "seconds": time.perf_counter() - t,
                       "peak_rss_mb": _peak_rss_mb()}


def _reraise(info: dict) -> None:
    import importlib

    mod, name, fields = info["czt_error"]
    cls = getattr(importlib.import_module(mod), name, None)
    if not (isinstance(cls, type) and issubclass(cls, CztError)):
        cls, fields = CztEnvironmentError, ("Dask worker", " ".join(map(str, fields)))
    raise cls(*fields)


def _peak_rss_mb() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20


# --------------------------------------------------------------------------- results
@dataclass
class SweepResult:
    """What a sweep produced.

    Attributes
    ----------
    spec : SweepSpec
    design : DataFrame
        ``variant`` + one column per key.
    results : DataFrame
        One row per variant (keys, result columns, ``error``), sorted by variant.
    sensitivity : DataFrame
        Long table ``output, parameter, index, value, conf``.
    out_dir : Path or None
    manifest : dict
        The content of ``sweep.json``.
    base : DataFrame
        The base scenario's own row (variant -1).
    flip, flip_sentence : DataFrame, str
        The flip frontier of ``spec.outputs.flip_target`` and its plain-language summary.
    stats : dict
        Batches run now / resumed, per-batch seconds, the base scenario's task seconds
        (``base_seconds``, including the first context build), the batch phase's wall
        time, worker processes and their peak RSS (MB).
    """

    spec: Any
    design: pd.DataFrame
    results: pd.DataFrame
    sensitivity: pd.DataFrame
    out_dir: Path | None
    manifest: dict
    base: pd.DataFrame | None = None
    flip: pd.DataFrame | None = None
    flip_sentence: str | None = None
    stats: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- keys and hashes
def _code_hash() -> str:
    """SHA-256 over the model package's source (resume must not mix code versions)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _calibration_files() -> list[Path]:
    """Every calibration file a variant may read: all of ``calibration/`` but the stored sweep screens
    (``calibration/sweeps/``: results of sweeps, read only by run reports' notes)."""
    from ..paths import CALIBRATION

    return sorted(p for p in CALIBRATION.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.startswith(".") and p.relative_to(CALIBRATION).parts[0] != "sweeps")


def _spec_dump(spec) -> str:
    d = spec.model_dump(mode="json") if hasattr(spec, "model_dump") else dict(vars(spec))
    return json.dumps(d, sort_keys=True, default=str)


def _frame_hash(df: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(df, index=True).values.tobytes()
                          + ",".join(map(str, df.columns)).encode()).hexdigest()


def fingerprint() -> str:
    """SHA-256 of the model package's source and the calibration data (what every worker must share)."""
    from ..results.manifest import input_hashes

    blob = json.dumps({"code": _code_hash(), "data": input_hashes(_calibration_files())}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def sweep_key(spec, recipe: Recipe, design: pd.DataFrame, evaluator: Callable | None = None,
              fp: str | None = None) -> str:
    """The resume key: spec, base scenario, design, code, calibration data and evaluator.

    Two runs with the same key produce the same batches, so finished batch files
    of one may be reused by the other, whatever the scheduler. ``fp``: a
    :func:`fingerprint` already computed.
    """
    parts = {"spec": _spec_dump(spec), "recipe": recipe.digest, "design": _frame_hash(design),
             "batch_size": int(spec.run.batch_size), "fingerprint": fp or fingerprint(),
             "evaluator": "engine" if evaluator is None else f"{evaluator.__module__}.{evaluator.__qualname__}"}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------- the work folder
def partial_dir(final: Path) -> Path:
    """The resumable work folder of the output ``final``: the hidden sibling ``.<name>.partial``."""
    final = Path(final)
    return final.with_name(f".{final.name}.partial")


def _pid_alive(pid: int) -> bool:
    from ..results.fileio import _pid_alive as alive

    return pid != os.getpid() and alive(pid)


def open_partial(final: Path, key: str, name: str) -> tuple[Path, bool]:
    """Create or reuse the work folder of ``final``; return it and whether it was reused.

    A folder there that is not ours (no marker of kind ``sweep-partial``) is refused
    with one line; one with another key is ours and is replaced; one locked by a
    live ``czt sweep`` process is refused. Leftover temp files of a killed run are
    removed. The lock file holds this process's id until :func:`close_partial`.
    """
    work = partial_dir(final)
    if work.is_symlink() or (work.exists() and not work.is_dir()):
        raise CztOutputError(work, "exists and is not a czt-model sweep work folder; remove it or choose another --out")
    reused = False
    if work.exists():
        mark = read_marker(work)
        if mark is None or mark.get("kind") != PARTIAL_KIND:
            if any(work.iterdir()):
                raise CztOutputError(work, "exists and is not a czt-model sweep work folder (no marker); refusing "
                                           "to touch it (remove it or choose another --out)")
        else:
            pid = 0
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((work / _LOCK).read_text(encoding="utf-8").split()[0])
            if pid and _pid_alive(pid):
                raise CztOutputError(work, f"another czt sweep (process {pid}) is running this sweep; wait for "
                                           f"it or stop it")
            old = (work / "key").read_text(encoding="utf-8").strip() if (work / "key").is_file() else ""
            if old == key:
                reused = True
            else:
                shutil.rmtree(work)
    if not reused:
        check_output_dir(work, kind=PARTIAL_KIND, name=name)
        work.mkdir(parents=True, exist_ok=True)
        write_text_atomic(work / MARKER, f"kind={PARTIAL_KIND}\nname={name}\n")
        write_text_atomic(work / "key", key + "\n")
    for p in work.iterdir():  # temp files of a killed writer
        if p.name.startswith(".") and ".tmp-" in p.name:
            p.unlink(missing_ok=True)
    write_text_atomic(work / _LOCK, f"{os.getpid()}\n")
    return work, reused


def _batch_path(work: Path, index: int) -> Path:
    return work / ("base.parquet" if index == BASE_VARIANT else f"batch_{index:05d}.parquet")


def _read_batch(path: Path, expect: pd.DataFrame) -> pd.DataFrame | None:
    """A finished batch file, or None if it is missing, unreadable or not of these variants."""
    if not path.is_file():
        return None
    try:
        df = pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - a damaged file is recomputed, whatever pyarrow says
        return None
    if list(df["variant"]) != list(expect["variant"]):
        return None
    return df


def _write_batch(work: Path, index: int, df: pd.DataFrame) -> None:
    write_output_file(_batch_path(work, index), lambda tmp: df.to_parquet(tmp, index=False))


# --------------------------------------------------------------------------- schedulers
def scheduler_kind(scheduler: str | None, workers: int) -> str:
    """``inprocess``, ``local`` or ``address`` (one-line input error on a bad combination)."""
    if workers < 1:
        raise CztInputError("--workers", f"must be at least 1 (got {workers})")
    if scheduler is None:
        return "inprocess" if workers == 1 else "local"
    s = str(scheduler).strip()
    if s == "inprocess":
        if workers != 1:
            raise CztInputError("--scheduler", f"inprocess runs one worker; use --scheduler local for --workers "
                                               f"{workers}")
        return "inprocess"
    if s == "local":
        return "local"
    if "://" in s or (":" in s and s.rsplit(":", 1)[1].isdigit()):
        return "address"
    raise CztInputError("--scheduler", f"'{s}' is not inprocess, local or a Dask scheduler address "
                                       f"(tcp://host:8786)")


@contextlib.contextmanager
def _quiet_dask():
    """Silence distributed's log chatter (INFO/WARNING lines on stderr) while the sweep runs."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "bokeh")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)  # a failure reaches the user as one line of ours
    try:
        yield
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


@contextlib.contextmanager
def dask_client(kind: str, workers: int, address: str | None = None):
    """A ``distributed.Client`` on a fresh LocalCluster or on ``address``; closed on exit, whatever happened."""
    import dask
    from distributed import Client, LocalCluster

    with _quiet_dask(), dask.config.set({"distributed.admin.system-monitor.gil.enabled": False}):
        if kind == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.CRITICAL)
            try:
                client = Client(cluster)
                try:
                    yield client
                finally:
                    with contextlib.suppress(Exception):
                        client.close()
            finally:
                with contextlib.suppress(Exception):
                    cluster.close()
        else:
            try:
                client = Client(address)  # waits distributed.comm.timeouts.connect (dask config / env)
            except (OSError, TimeoutError) as exc:
                raise CztEnvironmentError("--scheduler", f"cannot reach the Dask scheduler at {address} "
                                                         f"({type(exc).__name__}); start it with `dask scheduler` "
                                                         f"or check the address") from None
            try:
                yield client
            finally:
                with contextlib.suppress(Exception):
                    client.close()


def _run_batches(pending: list[tuple[int, pd.DataFrame]], recipe: Recipe, evaluator, client,
                 on_done: Callable[[int, pd.DataFrame, dict], None]) -> None:
    """Evaluate the pending batches (in this process if ``client`` is None, else on Dask).

    ``on_done`` receives each batch as soon as it finishes (``as_completed``), so
    a finished batch is on disk before the next one is awaited.
    """
    def done(i: int, df: pd.DataFrame | None, info: dict) -> None:
        if df is None:
            _reraise(info)
        on_done(i, df, info)

    if client is None:
        for i, frame in pending:
            done(*_batch_task(recipe, i, frame, evaluator))
        return
    from distributed import KilledWorker, as_completed

    tag = recipe.digest[:10]
    label = {i: "the base scenario's task" if i == BASE_VARIANT else f"batch {i}" for i, _ in pending}
    futures = [client.submit(_batch_task, recipe, i, frame, evaluator, key=f"czt-sweep-{tag}-{i}", pure=False)
               for i, frame in pending]
    index = {f.key: i for f, (i, _) in zip(futures, pending)}
    try:
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except KilledWorker:  # Dask gave up after the worker process died on it repeatedly
                what = label[index[fut.key]]
                raise CztEnvironmentError("Dask worker", f"a worker process died each time it evaluated {what} "
                                                         f"(out of memory? each needs about 0.5 GB with 500 "
                                                         f"paths); the finished batches are kept: run the same "
                                                         f"command again to resume") from None
            done(*result)
            fut.release()
    except BaseException:
        for f in futures:
            with contextlib.suppress(Exception):
                f.cancel()
        raise


def _n_workers(client) -> int:
    return len(client.scheduler_info().get("workers", {}))


# --------------------------------------------------------------------------- the sweep
def _load(spec_or_path):
    from .spec import load_sweep

    if isinstance(spec_or_path, (str, Path)):
        return load_sweep(spec_or_path)
    return spec_or_path


def base_scenario(spec):
    """The sweep's validated base scenario (the one :func:`~model.sweep.spec.load_sweep` loaded, if any)."""
    from ..scenario import load_scenario

    if getattr(spec, "base_scenario", None) is not None:
        return spec.base_scenario
    if getattr(spec, "base_file", ""):
        return load_scenario(spec.base_file)
    from .spec import resolve_base

    return load_scenario(resolve_base(spec.base, Path(spec.source_file or ".") / "sweep.toml"))


def _batches(design: pd.DataFrame, size: int) -> list[tuple[int, pd.DataFrame]]:
    return [(i, design.iloc[s:s + size].reset_index(drop=True)) for i, s in enumerate(range(0, len(design), size))]


def _base_row(base, keys: list[str]) -> pd.DataFrame:
    """The base scenario as a one-row batch (variant -1) with its own values of the keys (NaN: derived default)."""
    dump = base.model_dump()
    row: dict = {"variant": BASE_VARIANT}
    for k in keys:
        node: Any = dump
        for part in k.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        row[k] = np.nan if node is None or isinstance(node, (dict, list)) else node
    return pd.DataFrame([row])


#: At most this many outputs are analysed (sensitivity indices), and at most MAX_TORNADO get a tornado chart.
MAX_ANALYSED, MAX_TORNADO = 24, 12


def analysed_outputs(spec, results: pd.DataFrame) -> list[str]:
    """The outputs analysed (indices; a tornado chart each if they vary): a handful named by ``spec.outputs``.

    In this order, at most :data:`MAX_ANALYSED`: P(meet) of each chosen target,
    the LP shortfall of those the LP carries (``lp_shortfall.<target>`` or
    ``lp_shortfall.<target>_<year>``), the 2035 median of each chosen variable —
    not every result column.
    """
    import re

    outs = spec.outputs
    targets = list(outs.targets or [])
    cands = [f"p_meet.{t}" for t in targets]
    for t in targets:
        cands += [c for c in results.columns if re.fullmatch(rf"lp_shortfall\.{re.escape(t)}(_\d{{4}})?", c)]
    for v in outs.variables or []:
        years = sorted(c for c in results.columns if c.startswith(f"median.{v}."))
        cands += years[-1:]
    out = [c for c in dict.fromkeys(cands) if c in results.columns and pd.api.types.is_numeric_dtype(results[c])]
    return out[:MAX_ANALYSED]


def _varies(results: pd.DataFrame, column: str) -> bool:
    ok = results[results["error"] == ""] if "error" in results.columns else results
    return ok[column].nunique(dropna=True) > 1


def slug(text: str) -> str:
    """A file-name-safe form of an output column (``p_meet.gdp_level`` → ``p_meet-gdp_level``)."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def run_sweep(spec_or_path, *, workers: int = 1, scheduler: str | None = None, out_dir: Path | None = None,
              force: bool = False, progress: Callable[[str], None] | None = None,
              evaluator: Callable | None = None) -> SweepResult:
    """Run a sweep and write ``outputs/sweep_<name>/``.

    Parameters
    ----------
    spec_or_path : SweepSpec, str or Path
        A sweep file (validated by :func:`model.sweep.spec.load_sweep` before any
        work) or a loaded spec.
    workers : int
        Dask worker processes (``local``); 1 runs in-process by default.
    scheduler : str, optional
        ``inprocess``, ``local`` or a Dask scheduler address ``tcp://host:8786``
        (default: ``inprocess`` for one worker, else ``local``).
    out_dir : Path, optional
        Output folder (default ``outputs/sweep_<name>``).
    force : bool
        Replace a czt-model output folder of another kind or name at ``out_dir``.
    progress : callable, optional
        Receives one-line progress messages.
    evaluator : callable, optional
        ``evaluator(recipe) -> f(values) -> dict`` replacing the engine (tests).

    Returns
    -------
    SweepResult
    """
    from ..paths import OUTPUTS
    from .design import sample

    t0 = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def say(msg: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - t0:5.1f}s] {msg}")

    spec = _load(spec_or_path)
    kind = scheduler_kind(scheduler, workers)
    final = Path(out_dir) if out_dir is not None else OUTPUTS / f"sweep_{spec.name}"
    check_output_dir(final, kind="sweep", name=spec.name, force=force)  # before any work
    base = base_scenario(spec)
    keys = list(spec.keys)
    fp = fingerprint()
    recipe = Recipe(scenario=base.model_dump_json(), keys=tuple(keys), n_paths=int(spec.run.n_paths),
                    n_lp_paths=int(spec.run.n_lp_paths), fingerprint=fp if kind == "address" else "")
    design = sample(spec).reset_index(drop=True)
    batches = _batches(design, int(spec.run.batch_size))
    key = sweep_key(spec, recipe, design, evaluator, fp)
    address = str(scheduler).strip() if kind == "address" else None
    with contextlib.ExitStack() as stack:
        client = None
        n_workers = 1
        if kind != "inprocess":  # before the work folder: an unreachable scheduler leaves nothing behind
            client = stack.enter_context(dask_client(kind, workers, address))
            n_workers = _n_workers(client)
            if n_workers == 0:
                raise CztEnvironmentError("--scheduler", f"the Dask scheduler at {address} has no workers; start "
                                                         f"some with `dask worker {address}`")
            say(f"Dask {'LocalCluster' if kind == 'local' else 'scheduler ' + address}: {n_workers} workers")
        final.parent.mkdir(parents=True, exist_ok=True)
        work, reused = open_partial(final, key, spec.name)
        say(f"sweep '{spec.name}': {len(design)} variants of '{base.name}' over {len(keys)} keys, {len(batches)} "
            f"batches of {spec.run.batch_size} ({spec.run.n_paths} paths, {spec.run.n_lp_paths} LP paths each)")
        tasks = [(BASE_VARIANT, _base_row(base, keys))] + batches
        done = {i for i, frame in tasks if _read_batch(_batch_path(work, i), frame) is not None} if reused else set()
        if reused:
            say(f"resumed: {len(done - {BASE_VARIANT})} of {len(batches)} batches already done")
        pending = [(i, f) for i, f in tasks if i not in done]
        stats = {"resumed_batches": len(done - {BASE_VARIANT}), "run_batches": 0, "batch_seconds": [],
                 "workers": {}, "n_workers": n_workers}
        step = max(1, math.ceil(len(batches) / 40))

        def on_done(i: int, df: pd.DataFrame, info: dict) -> None:
            _write_batch(work, i, df)
            if i == BASE_VARIANT:  # its task includes building the context on the first worker
                stats["base_seconds"] = info["seconds"]
                return
            stats["run_batches"] += 1
            stats["batch_seconds"].append(info["seconds"])
            w = stats["workers"].setdefault(f"{info['host']}:{info['pid']}", {"batches": 0, "peak_rss_mb": 0.0})
            w["batches"] += 1
            w["peak_rss_mb"] = max(w["peak_rss_mb"], round(info["peak_rss_mb"], 1))
            n = stats["run_batches"] + stats["resumed_batches"]
            if n % step == 0 or n == len(batches):
                say(f"batch {n}/{len(batches)} done ({min(n * spec.run.batch_size, len(design))} variants)")

        try:
            t_batches = time.perf_counter()
            _run_batches(pending, recipe, evaluator, client, on_done)
            stats["batch_phase_s"] = time.perf_counter() - t_batches
        except BaseException as exc:
            finished = len(list(work.glob("batch_*.parquet")))
            with contextlib.suppress(OSError):
                (work / _LOCK).unlink()
            if not finished and not reused:  # nothing to resume from (e.g. the base refused): leave nothing
                shutil.rmtree(work, ignore_errors=True)
                raise
            kept = f"{finished} of {len(batches)} batches kept in {work}; run the same command again to resume"
            if isinstance(exc, (KeyboardInterrupt, Terminated)):
                with contextlib.suppress(Exception):
                    exc.kept = kept  # the CLI says it in its one error line (even with -q)
            elif progress is not None:
                progress(f"stopped: {kept}")
            raise
    results = pd.concat([pd.read_parquet(_batch_path(work, i)) for i, _ in batches], ignore_index=True)
    results = results.sort_values("variant", kind="stable").reset_index(drop=True)
    base_df = pd.read_parquet(_batch_path(work, BASE_VARIANT))
    if list(results["variant"]) != list(design["variant"]):
        raise RuntimeError("assembled variants do not match the design")  # pragma: no cover - a bug
    n_err = int((results["error"] != "").sum())
    say(f"{len(results)} variants evaluated" + (f" ({n_err} refused, see the error column)" if n_err else ""))
    manifest = _manifest(spec, base, design, results, n_workers, kind, started)
    sens, flip, sentence = write_sweep_folder(final, spec=spec, design=design, results=results, base=base_df,
                                    manifest=manifest, force=force, t0=t0, say=say)
    shutil.rmtree(work, ignore_errors=True)
    say(f"done: {final}")
    return SweepResult(spec=spec, design=design, results=results, sensitivity=sens, out_dir=final,
                       manifest=manifest, base=base_df, flip=flip, flip_sentence=sentence, stats=stats)


def _manifest(spec, base, design, results, n_workers: int, kind: str, started: str) -> dict:
    from ..results.manifest import code_version, input_hashes, package_versions

    files = [*_calibration_files(), *[Path(p) for p in base.source_files]]
    if getattr(spec, "source_file", None):
        files.append(Path(spec.source_file))
    pk = package_versions()
    for p in ("SALib", "dask", "distributed", "pyarrow"):
        from ..results.manifest import _version

        pk[p] = _version(p)
    return {
        "sweep": spec.name, "description": getattr(spec, "description", ""),
        "sweep_file": getattr(spec, "source_file", None), "base": base.name,
        "base_files": list(base.source_files), "seed": int(spec.seed if getattr(spec, "seed", None) is not None
                                                          else base.seed),
        "scenario_seed": int(base.seed),
        "design": json.loads(json.dumps(spec.design.model_dump(mode="json") if hasattr(spec.design, "model_dump")
                                        else dict(vars(spec.design)), default=str)),
        "parameters": [p.key for p in spec.parameters],
        "n_variants": int(len(design)), "n_refused": int((results["error"] != "").sum()),
        "n_paths": int(spec.run.n_paths), "n_lp_paths": int(spec.run.n_lp_paths),
        "batch_size": int(spec.run.batch_size),
        "workers": int(n_workers), "scheduler": kind,
        "code": code_version(), "packages": pk, "inputs_sha256": input_hashes(files),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else None,
        "started_utc": started,
    }


# --------------------------------------------------------------------------- the output folder
def _base_verdict(base: pd.DataFrame, target: str) -> str:
    col = f"verdict.{target}"
    return str(base.at[0, col]) if col in base.columns else ""


def write_sweep_folder(final: Path, *, spec, design: pd.DataFrame, results: pd.DataFrame, base: pd.DataFrame,
                       manifest: dict, force: bool = False, t0: float | None = None,
                       say: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None,
                                                                          str | None]:
    """Analyse the assembled variants and write the output folder atomically.

    Files: ``variants.parquet``/``variants.csv`` (one row per variant),
    ``base.csv`` (the base scenario's own row), ``sensitivity.csv``,
    ``tornado_<output>.png`` per analysed output that varies (:func:`analysed_outputs`),
    ``flip_frontier.csv`` + ``flip_<target>.png``, ``sweep.json`` and
    ``report.md``/``report.html`` (:mod:`model.sweep.report`). Every file but
    ``sweep.json`` (its ``started_utc``, ``wall_time_s``, ``command`` and
    ``scheduler``/``workers``) depends only on the sweep's inputs.

    Returns
    -------
    (sensitivity, flip frontier, flip sentence)
    """
    from ..results.iamc import write_csv
    from . import analyse
    from .report import write_sweep_report

    say = say or (lambda msg: None)
    outputs = analysed_outputs(spec, results)
    sens = analyse.sensitivity(spec, design, results, outputs)
    target = getattr(spec.outputs, "flip_target", None)
    flip = sentence = None
    if target:
        bv = _base_verdict(base, target)
        flip = analyse.flip_frontier(spec, design, results, target, bv)
        sentence = analyse.flip_sentence(spec, flip, target, bv)
    say(f"sensitivity indices of {len(outputs)} outputs" + (f"; flip frontier of {target}" if target else ""))
    with atomic_dir(final, kind="sweep", name=spec.name, force=force) as tmp:
        results.to_parquet(tmp / "variants.parquet", index=False)
        write_csv(results, tmp / "variants.csv")
        write_csv(base, tmp / "base.csv")
        write_csv(sens, tmp / "sensitivity.csv")
        charts: dict[str, str] = {}
        for o in outputs:  # a constant output has no tornado (its indices are 0, noted as constant)
            if _varies(results, o) and len(charts) < MAX_TORNADO:
                name = f"tornado_{slug(o)}.png"
                analyse.tornado_chart(sens, design, results, o, tmp / name, spec=spec)
                charts[o] = name
        flip_png = None
        if flip is not None:
            write_csv(flip, tmp / "flip_frontier.csv")
            flip_png = f"flip_{slug(target)}.png"
            analyse.flip_chart(spec, design, results, flip, target, tmp / flip_png)
        manifest["analysed_outputs"] = outputs
        manifest["flip_target"] = target
        manifest["outputs"] = sorted([p.name for p in tmp.iterdir() if p.name != MARKER]
                                     + ["sweep.json", "report.md", "report.html"])
        write_sweep_report(tmp, spec=spec, manifest=manifest, design=design, results=results, base=base,
                           sensitivity=sens, charts=charts, flip=flip, flip_png=flip_png, flip_sentence=sentence)
        if t0 is not None:
            manifest["wall_time_s"] = round(time.perf_counter() - t0, 3)
        (tmp / "sweep.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                                        encoding="utf-8")
    return sens, flip, sentence
