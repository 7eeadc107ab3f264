"""Errors the CLI reports as one line.

Every user-facing error is a :class:`CztError` whose message is one line
naming the file, row/key and what is wrong; the CLI prints it without a
traceback (``--debug`` or ``CZT_DEBUG=1`` shows it) and exits with
:attr:`CztError.exit_code`: 2 for bad input (a file, key or argument to fix),
1 for the environment (disk full, read-only folder, missing solver, memory).
"""
from __future__ import annotations


class CztError(Exception):
    """Base class for errors the CLI reports as one line."""

    exit_code = 2


class CztInputError(CztError, ValueError):
    """Malformed or inconsistent input (data file, scenario, parameter)."""

    def __init__(self, where: str, what: str):
        self.where, self.what = str(where), what
        super().__init__(f"{self.where}: {what}")


class CztOutputError(CztInputError):
    """An output location that must not be written (it would destroy files that are not ours)."""


class CztEnvironmentError(CztError, OSError):
    """The machine, not the input, is at fault (disk full, read-only folder, memory)."""

    exit_code = 1

    def __init__(self, where: str, what: str):
        self.where, self.what = str(where), what
        Exception.__init__(self, f"{self.where}: {what}")

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class SolverUnavailableError(CztError, RuntimeError):
    """The requested optimisation solver is not installed or not usable."""

    exit_code = 1


class Interrupted(CztError):
    """Ctrl-C (exit 130) or SIGTERM (exit 143) stopped a command that keeps its finished work for a resume.

    ``signal`` is the :class:`KeyboardInterrupt` or :class:`Terminated` that stopped it;
    ``kept`` says what was kept and how to resume (one line), replacing the other
    commands' "nothing was written".
    """

    def __init__(self, signal: BaseException, kept: str):
        self.exit_code = 143 if isinstance(signal, Terminated) else 130
        self.kept = kept
        super().__init__(f"{'terminated (SIGTERM)' if self.exit_code == 143 else 'interrupted'}; {kept}")


def describe(exc: BaseException) -> tuple[int, str]:
    """Map any exception to ``(exit code, one-line message)`` for the CLI's top-level handler.

    Exit 2: bad input (a file, key or argument the user can fix). Exit 1: the
    environment (disk full, read-only or unwritable folder, memory, solver) or
    an internal error. 130/143: interrupted (Ctrl-C / SIGTERM).
    """
    import errno as _errno

    if isinstance(exc, CztError):
        return exc.exit_code, str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return 130, "interrupted; nothing was written (partial output removed)"
    if isinstance(exc, Terminated):
        return 143, "terminated (SIGTERM); nothing was written (partial output removed)"
    if isinstance(exc, MemoryError):
        return 1, "out of memory; try fewer paths (--paths) or close other programs"
    if isinstance(exc, UnicodeError):
        where = getattr(exc, "filename", None) or "input"
        return 2, f"{where}: not UTF-8 text ({type(exc).__name__}); save the file as UTF-8"
    if isinstance(exc, RecursionError):
        return 2, "input nests too deeply (e.g. a very long 'extends' chain)"
    if isinstance(exc, OSError):
        where = exc.filename or "file system"
        if exc.filename2:
            where = f"{exc.filename} -> {exc.filename2}"
        code = exc.errno
        what = {
            _errno.ENOSPC: "no space left on the device; free some space and run again (previous results are intact)",
            _errno.EDQUOT: "disk quota exceeded; free some space and run again (previous results are intact)",
            _errno.EROFS: "read-only file system; choose a writable folder (--out) or remount",
            _errno.EACCES: "permission denied; choose a folder you can write to (--out) or fix its permissions",
            _errno.EPERM: "operation not permitted; choose a folder you can write to (--out)",
            _errno.ELOOP: "symbolic link loop; fix or remove the link",
            _errno.ENAMETOOLONG: "file name too long",
            _errno.EISDIR: "is a folder, not a file",
            _errno.ENOTDIR: "a part of this path is a file, not a folder",
            _errno.ENOENT: "not found",
        }.get(code, exc.strerror or str(exc))
        return (2 if code in (_errno.ENOENT, _errno.EISDIR, _errno.ENOTDIR, _errno.ELOOP,
                              _errno.ENAMETOOLONG) else 1), f"{where}: {what}"
    name = type(exc).__name__
    if "solver" in name.lower() or "ApplicationError" in name:
        return 1, f"solver failed ({name}: {str(exc).splitlines()[0] if str(exc) else ''})"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return 1, f"internal error ({name}: {first[:200]}); run with --debug (or CZT_DEBUG=1) for the traceback"


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM so that ``finally``/cleanup code runs as on Ctrl-C."""
