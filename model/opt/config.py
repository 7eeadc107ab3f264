"""Schema of ``calibration/optimisation/parameters.toml`` (pydantic).

:func:`load_opt_config` reads and validates the file; an unknown key, a wrong
type or an out-of-range value is one :class:`~model.errors.CztInputError`
naming the file and the key; a removed key (:data:`REMOVED`) is refused with
the reason. Every key acts on the LP (``tests/test_parameters_used.py``).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CztInputError
from ..results.fileio import read_toml
from ..paths import CALIBRATION

OPT_PARAMS_FILE = CALIBRATION / "optimisation" / "parameters.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Upgrading(_Strict):
    max_share_gain_per_year: float = Field(gt=0, le=0.2)
    cost_capital_multiple: float = Field(gt=0, le=10)


class ImportSubstitution(_Strict):
    step_per_year: float = Field(ge=0, le=0.2)


class Terminal(_Strict):
    buffer_years: int = Field(ge=0, le=30)


#: Keys removed because no code read them: ``key -> reason``.
REMOVED = {
    "default_deflator_growth": "removed: no code read it. Nominal targets are deflated with each forecast "
                               "path's own GDP deflator (GDP|Deflator), which every path carries; there is "
                               "no fallback rate. Delete this key",
}


class OptConfig(_Strict):
    """Schema of ``calibration/optimisation/parameters.toml`` (every key is read by ``model/opt``)."""

    max_cluster_decline: float = Field(gt=0, lt=1)
    hard_penalty: float = Field(gt=0)
    upgrading: Upgrading
    import_substitution: ImportSubstitution
    terminal: Terminal


def load_opt_config(path: Path | str = OPT_PARAMS_FILE) -> dict:
    """Read and validate the optimisation parameters.

    Parameters
    ----------
    path : Path or str
        Parameter file (default ``calibration/optimisation/parameters.toml``).

    Returns
    -------
    dict
        The validated parameters as a plain dict.

    Raises
    ------
    CztInputError
        ``"<file> [<key>]: <what>"`` for a removed or unknown key, a wrong
        type or an out-of-range value.
    """
    raw = read_toml(path)
    for key, why in REMOVED.items():
        if key in raw:
            raise CztInputError(f"{path} [{key}]", why)
    try:
        return OptConfig.model_validate(raw).model_dump()
    except ValidationError as exc:
        e = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")   # a misspelt key before "missing"
        key = ".".join(str(x) for x in e["loc"]) or "(file)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        raise CztInputError(f"{path} [{key}]", msg) from None
