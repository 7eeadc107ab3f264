"""Scenario overrides for interactive use: ``run_scenario("baseline", overrides={...})``.

Keys are dotted paths into the scenario (``"assumptions.gdp.growth_adjustment_pp"``)
or nested dicts (``{"assumptions": {"gdp": {"growth_adjustment_pp": -1}}}``); the
merged scenario is validated by the same pydantic schema as a scenario file, so an
unknown key or an out-of-range value is one :class:`~model.errors.CztInputError`
naming the key.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import CztInputError


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _mapping_field(parts: list[str]) -> bool:
    """Whether the dotted path ``parts`` names a dict-valued scenario field (e.g. ``levers.demand_shock``),
    whose entries (e.g. ``levers.demand_shock.<cluster>``) an override may add."""
    import typing

    from .schema import Scenario

    model = Scenario
    for i, p in enumerate(parts):
        f = getattr(model, "model_fields", {}).get(p)
        if f is None:
            return False
        if i == len(parts) - 1:
            return typing.get_origin(f.annotation) is dict
        model = f.annotation
    return False


def apply_overrides(scenario, overrides: dict | None, name: str | None = None):
    """Return a validated copy of ``scenario`` with ``overrides`` applied.

    Parameters
    ----------
    scenario : model.scenario.Scenario
    overrides : dict
        Dotted keys or nested dicts; values replace the scenario's.
    name : str, optional
        New scenario name (the output folder when written); default unchanged.
    """
    from .schema import Scenario

    if not overrides and name is None:
        return scenario
    data = scenario.model_dump()
    for key, value in _flatten(dict(overrides or {})).items():
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            if not isinstance(node.get(p), dict):
                raise CztInputError("overrides", f"key '{key}': unknown key")
            node = node[p]
        if parts[-1] not in node and not _mapping_field(parts[:-1]):
            raise CztInputError("overrides", f"key '{key}': unknown key")
        node[parts[-1]] = value
    if name is not None:
        data["name"] = name
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        raise CztInputError("overrides", f"key '{key}': {err['msg'].removeprefix('Value error, ')}") from None
