"""The stored Morris screen behind the scorecard's "flips with" notes (model/sweep/screen.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.errors import CztInputError
from model.results.fileio import read_toml
from model.paths import CALIBRATION, SCENARIOS
from model.sweep import screen as scr


# ---------------------------------------------------------------------------------- stored tables
def test_shipped_screens_are_current_for_every_preset():
    names = scr.presets()
    assert {"baseline", "plan", "green"} <= set(names)
    stale = [n for n in names if scr.load_screen(n) is None]
    assert not stale, f"stale or missing stored screens {stale}: run `czt screen --store` (python -m model.sweep.screen)"
    for n in names:
        df = scr.load_screen(n)
        keys = scr.screen_spec().keys
        # one row per (modelled target, screened key), every Morris step ran (10 trajectories)
        assert list(df.columns) == scr.COLUMNS
        assert df.groupby("target")["parameter"].apply(list).map(lambda p: p == keys).all()
        assert (df["steps"] == 10).all() and (df["flip_steps"] <= df["steps"]).all()
        assert df["base_verdict"].isin(["on track", "at risk", "off track"]).all()


def test_recomputed_screen_gives_the_stored_bytes():
    """Same inputs, same seed -> the same table, byte for byte (baseline: no LP, a few seconds)."""
    path = scr.STORE / "screen_baseline.csv"
    assert scr.load_screen("baseline") is not None, "stored baseline screen stale: czt screen --store baseline"
    stored = path.read_text(encoding="utf-8").partition("\n")[2]
    assert scr.as_text(scr.screen("baseline")) == stored


def test_screen_file_reuses_the_plausible_ranges_of_plan_assumptions():
    plan = read_toml(SCENARIOS / "sweeps" / "plan_assumptions.toml")["parameters"]
    mine = read_toml(scr.SCREEN_FILE)["parameters"]
    assert mine == plan                    # same keys, ranges and notes, in the same order
    # the engine refuses delta > max_cluster_decline (model.opt.structural): every variant must run
    cap = read_toml(CALIBRATION / "optimisation" / "parameters.toml")["max_cluster_decline"]
    assert next(p for p in mine if p["key"] == "optimisation.depreciation_rate")["range"][1] <= cap
    spec = scr.screen_spec("plan")
    assert spec.design.method == "morris" and spec.design.n == 10 and spec.base == "plan"


def test_store_refuses_a_name_that_is_not_a_preset():
    with pytest.raises(CztInputError) as e:
        scr.store_screens(["nope"])
    assert "'nope' is not a preset" in str(e.value) and "\n" not in str(e.value)


# ---------------------------------------------------------------------------------- staleness
def test_planted_change_of_a_keyed_input_makes_the_screen_stale(tmp_path, monkeypatch):
    from model.scenario.overrides import apply_overrides
    from model.scenario import load_scenario

    assert scr.load_screen("plan") is not None
    # 1. the screen file: one added comment line
    spec = tmp_path / "screen.toml"
    spec.write_text(scr.SCREEN_FILE.read_text(encoding="utf-8") + "# planted\n", encoding="utf-8")
    monkeypatch.setattr(scr, "SCREEN_FILE", spec)
    assert scr.load_screen("plan") is None
    assert set(scr.flips_with("plan").values()) == {scr.NO_SCREEN}
    monkeypatch.undo()
    # 2. the calibration data: one file's content differs
    real = scr._data_parts
    monkeypatch.setattr(scr, "_data_parts", lambda: [(n, b + b"x" if n == "data/VENDORED.csv" else b)
                                                    for n, b in real()])
    assert scr.load_screen("plan") is None
    monkeypatch.undo()
    # 3. the scenario: an override, or an as-of origin; but not the number of paths (the screen sets it)
    plan = load_scenario("plan")
    assert scr.load_screen(apply_overrides(plan, {"assumptions.energy.czt_relative_to_hunan_pp": 0.5})) is None
    assert scr.load_screen(apply_overrides(plan, {"forecast.as_of": 2021})) is None
    assert scr.load_screen(apply_overrides(plan, {"forecast.n_paths": 300})) is not None


def test_scorecard_says_no_current_screen_after_a_planted_change(tmp_path, monkeypatch):
    from model.runner import run_scenario

    spec = tmp_path / "screen.toml"
    spec.write_text(scr.SCREEN_FILE.read_text(encoding="utf-8").replace("n = 10", "n = 10  # planted"),
                    encoding="utf-8")
    monkeypatch.setattr(scr, "SCREEN_FILE", spec)
    card = run_scenario("baseline", write=False, n_paths=200).scorecard.set_index("target")
    modelled = card["prob_meet"].notna()
    assert modelled.sum() == 8
    assert (card.loc[modelled, "flips_with"] == scr.NO_SCREEN).all()
    assert (card.loc[~modelled, "flips_with"] == "").all()
    assert scr.NO_SCREEN.startswith("no current screen")      # what the reports test for


# ---------------------------------------------------------------------------------- flip count
def _traj(*points):
    return [list(p) for p in points]


def test_flip_count_on_a_hand_built_design():
    """Verdict "off track" exactly when parameter 2 (b) exceeds 0.5: only b's steps can flip."""
    rows = (_traj((0, 0), (1 / 3, 0), (1 / 3, 2 / 3))            # a: no flip; b 0 -> 2/3: flip
            + _traj((1, 1), (1, 1 / 3), (2 / 3, 1 / 3))          # b 1 -> 1/3: flip; a: no flip
            + _traj((0, 1 / 3), (0, 0), (1 / 3, 0))              # b 1/3 -> 0: no flip; a: no flip
            + _traj((2 / 3, 1), (1, 1), (1, 1 / 3)))             # a: no flip (both off); b 1 -> 1/3: flip
    design = pd.DataFrame(rows, columns=["a", "b"])
    design.insert(0, "variant", range(len(design)))
    verdicts = np.where(design["b"] > 0.5, "off track", "on track")
    fc = scr.flip_counts(design, verdicts, ["a", "b"]).set_index("parameter")
    assert fc.loc["a", "flip_steps"] == 0 and fc.loc["a", "steps"] == 4
    assert fc.loc["b", "flip_steps"] == 3 and fc.loc["b", "steps"] == 4
    assert fc.loc["b", "flip_pairs"] == "on track ↔ off track: 3" and fc.loc["a", "flip_pairs"] == ""
    # a failed variant (no verdict) drops the two steps it ends: b's step of trajectory 4 and a's before it
    v = verdicts.astype(object)
    v[10] = ""
    fc = scr.flip_counts(design, v, ["a", "b"]).set_index("parameter")
    assert (fc.loc["a", "steps"], fc.loc["b", "steps"], fc.loc["b", "flip_steps"]) == (3, 3, 2)
    # not a Morris design: a step moving both keys
    bad = design.copy()
    bad.loc[1, "b"] = 0.9
    with pytest.raises(ValueError, match="differ in 2 keys"):
        scr.flip_counts(bad, verdicts, ["a", "b"])


def test_flip_count_on_a_salib_morris_design_matches_a_direct_count():
    """A threshold on the third key of a real Morris design: the count is the number of
    trajectories whose step along that key straddles the threshold."""
    from model.sweep.design import sample
    from model.sweep.spec import SweepSpec

    spec = SweepSpec.model_validate({
        "name": "t", "base": "plan", "seed": 7, "design": {"method": "morris", "n": 12, "levels": 4},
        "parameters": [{"key": f"assumptions.x.p{i}", "range": [0.0, 1.0], "note": "test"} for i in range(3)]})
    d = sample(spec)
    keys = spec.keys
    verdicts = np.where(d[keys[2]] > 0.5, "at risk", "on track")
    fc = scr.flip_counts(d, verdicts, keys).set_index("parameter")
    x = d[keys].to_numpy()
    want = 0
    for s in range(0, len(x), 4):
        for i in range(s, s + 3):
            if x[i + 1, 2] != x[i, 2]:
                want += (x[i, 2] > 0.5) != (x[i + 1, 2] > 0.5)
    assert want > 0
    assert fc.loc[keys[2], "flip_steps"] == want and fc.loc[keys[2], "steps"] == 12
    assert fc.loc[keys[0], "flip_steps"] == 0 and fc.loc[keys[1], "flip_steps"] == 0


# ---------------------------------------------------------------------------------- the note rule
def _rows(*specs, base="on track"):
    return pd.DataFrame([{"target": "t", "parameter": p, "base_verdict": base, "mu_star": mu, "flip_steps": f,
                          "steps": 10, "flip_pairs": pairs} for p, f, mu, pairs in specs])


def test_note_ranks_by_flip_count_then_mu_star_and_names_at_most_two():
    rows = _rows(("A", 3, 0.1, "on track ↔ off track: 3"),
                 ("B", 3, 0.5, "on track ↔ at risk: 2; on track ↔ off track: 1"),
                 ("C", 1, 0.9, "on track ↔ at risk: 1"),
                 ("D", 0, 2.0, ""))
    assert scr.note_of(rows) == ("B (on track → at risk or off track in 3 of 10 steps); "
                                 "A (on track → off track in 3 of 10 steps)")
    # C flips once: named when only one other key flips; D never flips and is never named, whatever its mu*
    assert scr.note_of(rows.iloc[2:]) == "C (on track → at risk in 1 of 10 steps)"
    assert scr.note_of(rows.iloc[3:]) == scr.NO_FLIP == "no screened assumption flips it"
    # equal count and mu*: the screen file's order
    tie = _rows(("X", 2, 0.3, "at risk ↔ off track: 2"), ("Y", 2, 0.3, "at risk ↔ off track: 2"), base="at risk")
    assert scr.note_of(tie).startswith("X (at risk → off track in 2 of 10 steps); Y")
    # a change between two statuses that are not the base's
    other = _rows(("Z", 1, 0.2, "at risk ↔ off track: 1"))
    assert scr.note_of(other) == "Z (at risk ↔ off track in 1 of 10 steps)"


# ---------------------------------------------------------------------------------- end to end
def test_plan_scorecard_names_the_screened_parameter_and_it_really_flips():
    from model.runner import run_scenario
    from model.sweep.variant import SweepContext, evaluate_variant

    table = scr.load_screen("plan")
    assert table is not None, "stale stored plan screen: czt screen --store plan"
    e = table[table["target"] == "energy_intensity"].sort_values(["flip_steps", "mu_star"], ascending=False)
    top = e.iloc[0]
    assert top["flip_steps"] >= 1
    r = run_scenario("plan", write=False, n_paths=500, n_lp_paths=8)
    card = r.scorecard.set_index("target")
    note = card.loc["energy_intensity", "flips_with"]
    assert note.startswith(f"{top['parameter']} (") and f"in {top['flip_steps']} of 10 steps" in note
    assert note == scr.flips_with("plan")["energy_intensity"]
    assert card.loc["gdp_level", "flips_with"] == scr.NO_FLIP           # 0 in every variant: nothing flips it
    assert (card.loc[card["prob_meet"].isna(), "flips_with"] == "").all()
    # the note is true: the base point at the two ends of the key's range has two different statuses
    ctx = SweepContext.build("plan", [top["parameter"]], n_paths=500, n_lp_paths=8)
    ends = [evaluate_variant(ctx, {top["parameter"]: float(top[x])})["verdict.energy_intensity"]
            for x in ("low", "high")]
    assert ends[0] != ends[1], ends
    assert card.loc["energy_intensity", "status"] in ends


# ---------------------------------------------------------------------------------- shown in the reports
def test_flips_with_is_shown_in_markdown_html_chinese_and_excel():
    from model.report.html import _flips_cell, _scorecard
    from model.report.scorecard import COLUMNS, scorecard_markdown
    from model.report.zh import tr, tr_cell
    from model.results.excel import scorecard_sheet

    assert COLUMNS.index("flips_with") == COLUMNS.index("rests_on") + 1
    note = "assumptions.energy.czt_relative_to_hunan_pp (on track → off track or at risk in 7 of 10 steps)"
    card = pd.DataFrame([{c: None for c in COLUMNS}, {c: None for c in COLUMNS}])
    card = card.assign(target=["energy_intensity", "gdp_level"], name=["Energy", "GDP"], plan_value=[-10.0, 27000.0],
                       unit=["percent", "100m yuan"], comparator=["<=", ">="], year=[2025, 2025],
                       status=["on track", "off track"], basis=["assumption", "observed"],
                       rests_on=["assumptions.energy.czt_relative_to_hunan_pp", ""], flips_with=[note, scr.NO_FLIP],
                       prob_meet_across_assumption=["", ""], prob_meet=[0.99, 0.0])
    md = scorecard_markdown(card, "plan", "", 500)
    assert f"* Energy: {note}" in md and f"* GDP: {scr.NO_FLIP}" in md
    assert _flips_cell(scr.NO_SCREEN) == "no current screen" and _flips_cell(float("nan")) == "–"
    sec = _scorecard(card.assign(required_annual_growth_pct=None), {"n_paths": 500})
    table = next(b for b in sec.blocks if hasattr(b, "df")).df
    assert list(table.columns).index("flips with") == list(table.columns).index("rests on") + 1
    assert table["flips with"].tolist() == [note, scr.NO_FLIP]
    assert tr("flips with") == "可改变状态的假设"
    assert tr_cell(note) == "assumptions.energy.czt_relative_to_hunan_pp（有望实现 → 难以实现或存在风险：10 步中 7 步）"
    assert tr_cell(scr.NO_FLIP) == "筛查的假设均不能改变其状态" and tr_cell("no current screen") == "无当前筛查"
    assert "无当前筛查" in tr(f"Flips with: {scr.NO_SCREEN}.")
    sheet = scorecard_sheet(card)
    cols = list(sheet.columns)
    assert cols.index("可改变状态的假设 / flips with") == cols.index("依赖的假设 / rests on") + 1
    assert sheet["可改变状态的假设 / flips with"].tolist() == [note, scr.NO_FLIP]


def test_a_status_unlike_the_screens_base_status_is_said_beside_the_note(tmp_path, monkeypatch):
    """The screen's base point (its own path counts) is "at risk" for energy_intensity; this run says "on track"."""
    from model.report.html import _scorecard
    from model.report.scorecard import BASE_CLAUSE_NOTE, COLUMNS, scorecard_markdown
    from model.report.zh import tr, tr_cell

    e = _rows(("assumptions.energy.czt_relative_to_hunan_pp", 4, 0.3, "at risk ↔ on track: 4"),
              ("assumptions.gdp.growth_adjustment_pp", 0, 0.1, ""), base="at risk").assign(target="energy_intensity")
    g = _rows(("assumptions.energy.czt_relative_to_hunan_pp", 0, 0.0, ""), base="off track").assign(target="gdp_level")
    table = pd.concat([e, g], ignore_index=True).assign(low=-1.0, high=1.0, base_p_meet=0.5, mu_star_conf=0.0,
                                                        sigma=0.0, mu=0.0)[scr.COLUMNS]
    monkeypatch.setattr(scr, "STORE", tmp_path)
    (tmp_path / "screen_plan.csv").write_text("# key=test\n" + scr.as_text(table), encoding="utf-8")
    note = scr.note_of(e)
    assert note == "assumptions.energy.czt_relative_to_hunan_pp (at risk → on track in 4 of 10 steps)"
    card = pd.DataFrame([{c: None for c in COLUMNS}] * 3).assign(
        target=["energy_intensity", "gdp_level", "urbanisation"], name=["Energy", "GDP", "Urban"],
        plan_value=[-10.0, 27000.0, 75.0], unit=["percent", "100m yuan", "percent"], comparator=["<=", ">=", ">="],
        year=[2025] * 3, status=["on track", "off track", "at risk"], basis=["assumption", "observed", "observed"],
        rests_on=["", "", ""], flips_with=[note, scr.NO_FLIP, scr.NO_FLIP], prob_meet_across_assumption=[""] * 3,
        prob_meet=[0.76, 0.0, 0.5])
    clause = "(screen base: at risk; this run: on track)"
    from model.report.scorecard import flips_notes, screen_base_verdicts

    def stored_screen_base_verdicts(c, name):   # the table stored for ``name`` here (none: no bases)
        path = tmp_path / f"screen_{name}.csv"
        return screen_base_verdicts(c, scr.read_table(path) if path.is_file() else None)

    # the runner's annotation (scorecard.csv, workbook): from the screen current when it runs
    done = card.assign(flips_with=flips_notes(card, stored_screen_base_verdicts(card, "plan")))
    assert done["flips_with"].tolist() == [f"{note} {clause}", scr.NO_FLIP, scr.NO_FLIP]  # GDP: same status
    md = scorecard_markdown(done, "plan", "", 2000)
    assert f"* Energy: {note} {clause}" in md and md.count(clause) == 1
    assert f"* GDP: {scr.NO_FLIP}\n" in md                   # same status as the screen's base: no clause
    assert f"* Urban: {scr.NO_FLIP}\n" in md                 # not in the screen table: nothing to compare
    assert BASE_CLAUSE_NOTE in md
    sec = _scorecard(done.assign(required_annual_growth_pct=None), {"n_paths": 2000, "scenario": "plan"})
    table_shown = next(b for b in sec.blocks if hasattr(b, "df")).df
    assert table_shown["flips with"].tolist() == [f"{note} {clause}", scr.NO_FLIP, scr.NO_FLIP]
    assert any(b[:2] == ("p", BASE_CLAUSE_NOTE) for b in sec.blocks if isinstance(b, tuple))
    assert tr_cell(f"{note} {clause}").endswith("（筛查基点状态：存在风险；本次运行状态：有望实现）")
    assert tr(BASE_CLAUSE_NOTE) != BASE_CLAUSE_NOTE
    # the same status, another scenario's table, or a note that is not this table's: no clause
    same = card.assign(status=["at risk", "off track", "at risk"])
    for c, name in ((same, "plan"), (card, "green"), (card.assign(flips_with=[scr.NO_FLIP] * 3), "plan")):
        assert flips_notes(c, stored_screen_base_verdicts(c, name)) == c["flips_with"].tolist()
    # a report rebuilt later shows the notes as the run wrote them, whatever screen is stored by then
    for text in (scorecard_markdown(card, "plan", "", 2000),
                 "".join(str(x) for x in next(b for b in _scorecard(card.assign(required_annual_growth_pct=None),
                                                                   {"n_paths": 2000, "scenario": "plan"}).blocks
                                              if hasattr(b, "df")).df["flips with"])):
        assert "(screen base:" not in text and BASE_CLAUSE_NOTE not in text
