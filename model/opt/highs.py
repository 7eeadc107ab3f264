"""HiGHS plumbing shared by the LP core: import with a clear error, silence the C banner."""
from __future__ import annotations

import contextlib
import os
import sys

from ..errors import SolverUnavailableError


@contextlib.contextmanager
def _c_stdout_silenced():
    """Silence C-level stdout (file descriptor 1) for the duration of the block."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. captured by pytest
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)

def _import_highspy():
    try:
        import highspy
    except Exception as exc:
        raise SolverUnavailableError(f"HiGHS solver unavailable: cannot import highspy ({exc}); "
                                     "install it with 'pip install highspy'") from None
    return highspy
