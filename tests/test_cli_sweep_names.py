"""``czt sweep NAME``: a bare name finds a shipped sweep file (with or without .toml); a near miss is one line."""
from __future__ import annotations

from _cli import assert_one_line_error, czt


def test_a_mistyped_sweep_name_suggests_the_shipped_one():
    assert_one_line_error(czt("sweep", "plan_assumption"), 2, "plan_assumption", "no such sweep file",
                          "did you mean 'plan_assumptions'")


def test_a_bare_name_with_toml_is_looked_up_among_the_shipped_sweeps(monkeypatch):
    # the run itself is not wanted here: stop at the first thing run_sweep does with the resolved path
    import model.sweep.execute as X
    from model.errors import CztInputError
    from model.paths import SCENARIOS

    seen = []

    def fake(spec, **kw):
        seen.append(spec)
        raise CztInputError(str(spec), "stop")

    monkeypatch.setattr(X, "run_sweep", fake)
    r = czt("sweep", "plan_assumptions.toml")
    assert r.code == 2 and seen == [SCENARIOS / "sweeps" / "plan_assumptions.toml"]
