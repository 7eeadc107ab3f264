"""Helpers for the CLI-fault tests: run ``czt`` in-process or in a subprocess, hash the shipped files."""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("calibration", "scenarios", "outputs/README.md")  # not model/: others edit it concurrently


@dataclass
class Result:
    code: int
    out: str
    err: str


def czt(*args: str) -> Result:
    """Run ``czt ARGS`` in this process through the console script's entry point (fast)."""
    from model.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = signal.getsignal(signal.SIGTERM)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        signal.signal(signal.SIGTERM, old)
    return Result(code, out.getvalue(), err.getvalue())


def czt_proc(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120) -> Result:
    """Run ``czt ARGS`` in a fresh Python process (for CZT_HOME copies, signals and environment faults)."""
    e = dict(os.environ)
    e.pop("CZT_DEBUG", None)
    e.update(env or {})
    p = subprocess.run([sys.executable, "-c", "from model.cli import main; main()", *map(str, args)],
                       capture_output=True, text=True, env=e, cwd=cwd or ROOT, timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr)


def error_lines(r: Result) -> list[str]:
    """The non-progress lines on stderr (progress lines start with '[' or '==')."""
    return [ln for ln in r.err.splitlines() if ln.strip() and not ln.startswith(("[", "=="))]


def assert_one_line_error(r: Result, code: int, *needles: str) -> str:
    """Exit ``code``, at most two lines of error naming every needle, no traceback."""
    lines = error_lines(r)
    assert r.code == code, f"exit {r.code} (wanted {code}): {r.err[-600:]}"
    assert "Traceback" not in r.err and "Traceback" not in r.out, r.err
    assert 1 <= len(lines) <= 2, f"{len(lines)} error lines: {r.err[-600:]}"
    assert lines[-1].startswith("error: ") and all(ln.startswith("warning: ") for ln in lines[:-1]), lines
    msg = " ".join(lines)
    for n in needles:
        assert str(n) in msg, f"{n!r} not in {msg!r}"
    return msg


def tree_hashes(root: Path = ROOT, parts=SHIPPED) -> dict[str, str]:
    """SHA-256 of every file under the shipped parts (without caches)."""
    out = {}
    for part in parts:
        p = root / part
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file() and "__pycache__" not in q.parts)
        for f in files:
            out[f.relative_to(root).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def listing(folder: Path) -> set[str]:
    """Names directly in ``folder`` (hidden ones too)."""
    return {p.name for p in Path(folder).iterdir()} if Path(folder).exists() else set()
