"""Stored rolling-origin backtests (a calibration artefact) keyed by what they depend on.

Backtests depend only on the data, the forecast settings and the forecasting
code — not on the scenario's assumptions — yet they are the slowest part of a
run (hundreds of model fits). They are therefore computed once and stored in
``calibration/backtests/<variable>.csv`` with a key: the SHA-256 of the input
series, the settings and the source of ``model/forecast/``. A run uses the
stored table only when its key matches exactly; otherwise it recomputes and
caches the result under ``outputs/.cache/``. ``czt backtest --store``
refreshes the shipped tables; a test checks that they are current.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from ..errors import CztInputError
from ..paths import CALIBRATION, OUTPUTS, ROOT

STORE = CALIBRATION / "backtests"
CACHE = OUTPUTS / ".cache" / "backtests"


def code_hash() -> str:
    """SHA-256 of the forecasting engine's source files."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "model" / "forecast").glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def backtest_key(wide_logs: pd.DataFrame, **settings) -> str:
    """Key of a backtest: data, settings and code."""
    h = hashlib.sha256()
    h.update(wide_logs.to_csv(float_format="%.12g").encode())
    h.update(repr(sorted((k, repr(v)) for k, v in settings.items())).encode())
    h.update(code_hash().encode())
    return h.hexdigest()


def _slug(variable: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in variable).strip("_").lower()


def _read(path: Path, key: str, check=None) -> pd.DataFrame | None:
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first != f"# key={key}":
        return None
    from ..data.loader import check_backtest_table  # contents validated, not only the key line

    try:
        try:
            df = pd.read_csv(io.StringIO(rest), dtype={"region": str})
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise CztInputError(path, f"not a readable backtest table ({str(exc).splitlines()[0]})") from None
        return (check or check_backtest_table)(df, path)
    except CztInputError:
        if path.parent == CACHE:  # a corrupt cache entry is simply recomputed
            return None
        raise


def load(variable: str, key: str, check=None) -> pd.DataFrame | None:
    """Stored or cached backtest for ``variable`` with exactly this key, else None.

    ``check(df, path)`` validates the contents (default: the backtest-table check of
    :func:`model.data.loader.check_backtest_table`; the interval-calibration error tables
    pass :func:`model.forecast.calibrate.check_error_table`)."""
    for folder in (STORE, CACHE):
        df = _read(folder / f"{_slug(variable)}.csv", key, check)
        if df is not None:
            return df
    return None


def save(variable: str, key: str, df: pd.DataFrame, *, store: bool = False) -> Path | None:
    """Write a backtest table with its key (atomically).

    The shipped store (``store=True``) must be written: an OS error propagates. The cache is
    best-effort: when ``outputs/.cache`` cannot be written (read-only, full disk) one warning
    line goes to stderr, no temporary file is left behind, the run continues and None is
    returned."""
    folder = STORE if store else CACHE
    path = folder / f"{_slug(variable)}.csv"
    tmp = path.with_suffix(".tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(f"# key={key}\n" + as_text(df), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if store:
            raise
        import sys

        print(f"warning: backtest cache not written ({folder}: {exc.strerror or exc}); continuing without it",
              file=sys.stderr)
        return None
    return path


def as_text(df: pd.DataFrame) -> str:
    """The CSV text a stored table holds (10 significant digits)."""
    return df.to_csv(index=False, float_format="%.10g")


def roundtrip(df: pd.DataFrame, check, path: str = "<in memory>") -> pd.DataFrame:
    """``df`` as it reads back from its stored text, so that a fresh and a stored table give the
    same bytes downstream even when the cache could not be written."""
    return check(pd.read_csv(io.StringIO(as_text(df)), dtype={"region": str}), path)
