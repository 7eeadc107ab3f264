"""Schema of ``calibration/optimisation/parameters.toml`` (pydantic).

:func:`load_opt_config` reads and validates the file; an unknown key, a wrong
type or an out-of-range value is one :class:`~model.errors.CztInputError`
naming the file and the key.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CztInputError
from ..fileio import read_toml
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


class OptConfig(_Strict):
    default_deflator_growth: float = Field(ge=-0.2, le=0.2)
    max_cluster_decline: float = Field(gt=0, lt=1)
    hard_penalty: float = Field(gt=0)
    upgrading: Upgrading
    import_substitution: ImportSubstitution
    terminal: Terminal


def load_opt_config(path: Path | str = OPT_PARAMS_FILE) -> dict:
    """Read and validate the optimisation parameters; return them as a plain dict."""
    raw = read_toml(path)
    try:
        return OptConfig.model_validate(raw).model_dump()
    except ValidationError as exc:
        e = exc.errors()[0]
        key = ".".join(str(x) for x in e["loc"]) or "(file)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        raise CztInputError(f"{path} [{key}]", msg) from None
