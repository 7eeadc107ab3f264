"""``czt screen``: the stored Morris screens behind the scorecard's flips_with notes, from the command line."""
from __future__ import annotations

from _cli import assert_one_line_error, czt

from model.sweep.screen import flips_with


def test_screen_prints_the_notes_the_scorecard_shows():
    r = czt("screen", "plan")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "plan: current"
    notes = flips_with("plan")
    assert {ln.strip().split(": ", 1)[0] for ln in lines[1:]} == set(notes)
    assert f"  energy_intensity: {notes['energy_intensity']}" in lines


def test_screen_of_an_unknown_scenario_is_one_line():
    assert_one_line_error(czt("screen", "nope"), 2, "nope", "no such scenario")


def test_a_stale_screen_is_reported_not_shown(monkeypatch):
    # a screen whose key no longer matches its inputs is never shown (load_screen returns None for it)
    import model.sweep.screen as scr

    monkeypatch.setattr(scr, "load_screen", lambda name: None)
    r = czt("screen", "plan")
    assert r.code == 0 and r.out.splitlines() == ["plan: missing or stale (czt screen --store plan)"]
