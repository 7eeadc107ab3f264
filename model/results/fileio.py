"""Small file helpers shared by every module: TOML reading and safe, atomic output folders.

Every command that writes an output folder (``czt run``, ``czt compare``, and any
new one: ``evaluate``, ``export``, sweeps) must write it through
:func:`atomic_dir`, and every command writing a single output file through
:func:`write_output_file` (or :func:`check_output_file` before its own atomic
write). Together they guarantee that a user's files are never deleted or
overwritten:

* a folder is written only if it does not exist, is empty, or is a czt-model
  output folder (it carries the marker file :data:`MARKER`, or — for folders
  written before the marker existed — a ``run.json``/``compare.json`` manifest
  of ours);
* replacing an output folder of another kind or name (e.g. a ``compare`` folder
  with a run, or ``outputs/plan`` with the baseline) needs ``force=True``;
* a folder holding anything else is refused with one line naming it, even
  with ``force=True``.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

from ..errors import CztEnvironmentError, CztError, CztInputError, CztOutputError

#: Marker file written into every output folder: ``kind=<run|compare|...>`` and ``name=<name>``.
MARKER = ".czt-output"
_TMP_RE = re.compile(r"^\.(tmp|old)-.+-(\d+)$")


def read_toml(path: Path | str) -> dict:
    """Parse a TOML file; a missing, unreadable or malformed file is a one-line :class:`CztInputError`."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            return tomllib.loads(fh.read().decode("utf-8-sig"))  # a UTF-8 BOM (Windows editors) is fine
    except FileNotFoundError:
        raise CztInputError(path, "file not found") from None
    except IsADirectoryError:
        raise CztInputError(path, "is a folder, not a TOML file") from None
    except PermissionError:
        raise CztInputError(path, "permission denied (cannot read the file)") from None
    except UnicodeDecodeError:
        raise CztInputError(path, "not UTF-8 text (save the file as UTF-8 TOML)") from None
    except tomllib.TOMLDecodeError as exc:
        raise CztInputError(path, f"invalid TOML ({exc})") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CztInputError(path, "symbolic link loop") from None
        raise CztInputError(path, f"cannot read ({exc.strerror or exc})") from None


def read_marker(folder: Path) -> dict | None:
    """The ``kind``/``name`` of a czt-model output folder, or None if ``folder`` is not one.

    A folder is ours if it holds :data:`MARKER`, or (written before the marker
    existed) a ``run.json`` with ``scenario``, ``seed`` and ``inputs_sha256``
    or a ``compare.json`` with ``scenarios`` and ``reference``.
    """
    folder = Path(folder)
    m = folder / MARKER
    try:
        if m.is_file() and not m.is_symlink():
            d = dict(line.split("=", 1) for line in m.read_text(encoding="utf-8").splitlines() if "=" in line)
            if d.get("kind"):
                return d
        for manifest, keys, kind, name in (("run.json", ("scenario", "seed", "inputs_sha256"), "run", "scenario"),
                                           ("compare.json", ("scenarios", "reference"), "compare", None)):
            f = folder / manifest
            if f.is_file() and not f.is_symlink():
                d = json.loads(f.read_text(encoding="utf-8"))
                if isinstance(d, dict) and all(k in d for k in keys):
                    return {"kind": kind, "name": str(d.get(name, folder.name)) if name else folder.name}
    except (OSError, ValueError):
        return None
    return None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _czt_made(folder: Path) -> bool:
    """A folder czt-model wrote: it carries the marker (written first into every temp folder and
    present in every output folder set aside as ``.old-``), or it is empty (killed before the marker)."""
    try:
        return (folder / MARKER).is_file() or not any(folder.iterdir())
    except OSError:
        return False


def remove_stale_temp(parent: Path) -> list[Path]:
    """Remove ``.tmp-<name>-<pid>``/``.old-<name>-<pid>`` folders in ``parent`` whose process is gone.

    These are left behind only by a process killed outright (SIGKILL, power
    loss); a live process's folders are never touched, nor a folder of that
    name without the czt-model marker (someone else's). Returns what was removed.
    """
    removed = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _TMP_RE.match(p.name)
        if m and p.is_dir() and not p.is_symlink() and not _pid_alive(int(m.group(2))) and _czt_made(p):
            shutil.rmtree(p, ignore_errors=True)
            if not p.exists():
                removed.append(p)
    return removed


def _refuse_project_inputs(target: Path) -> None:
    """Outputs never go into the project's inputs (calibration data, scenarios, the package ``model/``)."""
    from ..paths import CALIBRATION, SCENARIOS

    try:
        t = Path(target).resolve()
    except (OSError, RuntimeError):
        return
    for folder in (CALIBRATION, SCENARIOS, Path(__file__).resolve().parents[1]):
        f = folder.resolve()
        if t == f or f in t.parents:
            raise CztOutputError(target, f"is inside {f}, one of the model's input folders; choose a folder "
                                         f"outside it for --out")


def _refuse_file_ancestor(target: Path) -> None:
    for parent in Path(target).parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise CztOutputError(target, f"{parent} is a file, not a folder; choose another --out")
            break


def check_output_dir(final: Path, *, kind: str, name: str, force: bool = False) -> None:
    """Refuse (one line, :class:`CztOutputError`) to write ``final`` unless it is safe.

    Safe: ``final`` does not exist, is an empty folder, or is a czt-model output
    folder of the same ``kind`` and ``name``; with ``force`` also any czt-model
    output folder. Never: a file, a symbolic link, or a folder holding anything
    that is not a czt-model output.
    """
    final = Path(final)
    if final.is_symlink():
        raise CztOutputError(final, "is a symbolic link; choose a real, new or empty folder for --out")
    _refuse_file_ancestor(final)
    _refuse_project_inputs(final)
    if not final.exists():
        return
    if not final.is_dir():
        raise CztOutputError(final, "exists and is a file, not a folder; choose a new or empty folder for --out")
    try:
        empty = not any(final.iterdir())
    except PermissionError:
        raise CztOutputError(final, "permission denied (cannot list the folder)") from None
    if empty:
        return
    mark = read_marker(final)
    if mark is None:
        raise CztOutputError(final, "folder is not empty and is not a czt-model output folder; refusing to replace "
                                    "it (choose a new or empty folder for --out; --force does not override this)")
    if (mark.get("kind"), mark.get("name")) != (kind, name) and not force:
        raise CztOutputError(final, f"holds the output of {mark.get('kind')} '{mark.get('name')}', not {kind} "
                                    f"'{name}'; pass --force to replace it, or choose another --out")


@contextlib.contextmanager
def atomic_dir(final: Path, *, kind: str = "run", name: str | None = None, force: bool = False) -> Iterator[Path]:
    """Write an output folder safely and atomically — the one way any command writes a folder.

    Parameters
    ----------
    final : Path
        The folder to produce.
    kind : str
        What writes it (``run``, ``compare``, ``evaluate``, ``export``, ``sweep``, ...);
        recorded in the folder's :data:`MARKER`.
    name : str, optional
        Scenario/run name recorded in the marker (default ``final.name``).
    force : bool
        Also replace a czt-model output folder of another kind or name (never a
        folder that is not a czt-model output).

    Yields a hidden sibling ``.tmp-<name>-<pid>`` to write into (the marker is
    already in it). Before anything is written, :func:`check_output_dir`
    refuses an unsafe ``final`` and :func:`remove_stale_temp` removes temp
    folders of dead processes. On success the temp folder replaces ``final``
    (the previous content is removed only after the swap); on any exception,
    including KeyboardInterrupt and SIGTERM (the CLI turns it into an
    exception), a full disk or a read-only folder, the temp folder is deleted
    and ``final`` is untouched. A process killed outright leaves only the hidden
    temp folder, which the next run removes.

    Examples
    --------
    >>> with atomic_dir(OUTPUTS / "evaluate", kind="evaluate", force=force) as tmp:  # doctest: +SKIP
    ...     table.to_csv(tmp / "evaluation.csv")
    """
    final = Path(final)
    name = final.name if name is None else name
    check_output_dir(final, kind=kind, name=name, force=force)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(final.parent)
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        (tmp / MARKER).write_text(f"kind={kind}\nname={name}\n", encoding="utf-8")
        yield tmp
        check_output_dir(final, kind=kind, name=name, force=force)  # nothing appeared meanwhile
        old = None
        if final.exists():
            old = final.with_name(f".old-{final.name}-{os.getpid()}")
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS) and not isinstance(exc, CztError):
            from ..errors import describe

            what = describe(exc)[1].rsplit(": ", 1)[-1]
            raise CztEnvironmentError(final, what) from exc  # name the output folder, not the vanished temp file
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output_file(path: Path, *, header: str) -> None:
    """Refuse to overwrite a file that is not a czt-model output of the same kind.

    An existing ``path`` may be replaced only if its first line equals
    ``header`` (the first line the command is about to write, e.g. a CSV's
    column names); anything else — a user's file, a folder, a symbolic link —
    raises :class:`CztOutputError`.
    """
    path = Path(path)
    if path.is_symlink():
        raise CztOutputError(path, "is a symbolic link; choose a new file for --out")
    _refuse_file_ancestor(path)
    _refuse_project_inputs(path)
    if not path.exists():
        return
    if not path.is_file():
        raise CztOutputError(path, "is a folder, not a file; give a file path for --out")
    if _first_line(path) != header:
        raise CztOutputError(path, "exists and is not an output of this command; refusing to overwrite it "
                                   "(choose a new file for --out)")


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``path`` via a sibling temp file renamed into place (removed on failure)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _first_line(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return fh.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        return None


def write_output_file(path: Path, write) -> Path:
    """Write one output file safely: ``write(tmp)`` fills a sibling temp file, which replaces ``path``.

    The one way a command writes a single file given by ``--out`` (a CSV): an
    existing ``path`` is replaced only if it is an earlier output of the same
    kind (same first line, i.e. the same CSV header); a user's file, a folder or
    a symbolic link is refused with one line (:class:`CztOutputError`) and left
    untouched, and a failed write leaves no temp file behind.
    """
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        check_output_file(path, header="")  # raises with the right message
    _refuse_file_ancestor(path)
    _refuse_project_inputs(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        if path.exists():
            check_output_file(path, header=_first_line(tmp) or "")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
