"""Chinese labels in charts: drawn with the CJK font mplfonts ships, never as missing-glyph boxes."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from model.report.charts import FAN_VARIABLES, all_fan_charts, cjk_font_family, cjk_font_path, target_label


def _render(text: str, family) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.2, 0.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.1, 0.2, text, family=family, fontsize=28)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the reference box warns "Glyph missing"
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def test_the_cjk_font_comes_from_a_pip_install():
    assert cjk_font_path() and cjk_font_path().endswith(".otf")
    assert len(cjk_font_family()) == 2 and "CJK" in cjk_font_family()[1]


def test_chinese_glyphs_render_and_are_not_the_missing_glyph_box():
    fam = cjk_font_family()
    box = _render("\ue000", fam)                           # private-use code point: no font has it -> box
    assert (box < 128).any()                               # the box is drawn (so the comparison means something)
    assert np.array_equal(box, _render("\ue001", fam))    # every missing glyph is the same box
    chars = sorted({c for _, title in FAN_VARIABLES.values() for c in title if ord(c) > 0x2E80})
    assert len(chars) > 20
    seen = set()
    for c in chars:
        img = _render(c, fam)
        assert (img < 128).any(), c
        assert not np.array_equal(img, box), f"{c!r} renders as the missing-glyph box"
        seen.add(img.tobytes())
    assert len(seen) == len(chars)                         # distinct glyphs, not one placeholder


def test_fan_charts_draw_without_missing_glyph_warnings_and_mark_user_goals(tmp_path):
    from model.runner import run_scenario
    from model.scenario.targets import load_targets

    r = run_scenario("vision_2035", write=False, n_paths=200)
    extra = [t.as_target_dict() for t in r.scenario.targets_2035]
    targets = load_targets(extra=extra)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        names = all_fan_charts(r.projection, r.panel, targets, tmp_path)
    missing = [str(x.message) for x in w if "missing from" in str(x.message).lower()]
    assert not missing, missing[:3]
    assert all((tmp_path / n).read_bytes()[:4] == b"\x89PNG" for n in names)
    plan_ids = {t.id for t in load_targets()}
    goal = next(t for t in targets if t.id not in plan_ids)
    assert "user goal" in target_label(goal, goal.value, goal.id in plan_ids)
    assert "plan target" not in target_label(goal, goal.value, False)
    gdp = next(t for t in targets if t.id == "gdp_level")
    assert target_label(gdp, gdp.value, True).startswith("规划目标 plan target 2025")


def test_comparison_allocation_chart_names_clusters_in_chinese_and_english(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import pandas as pd
    from matplotlib.figure import Figure

    from model.report.compare import _allocation_chart
    from model.report.i18n import cluster_names

    names = cluster_names()
    rows = [{"scenario": s, "variable": f"Optimisation|Investment|{c}", "unit": "100m CNY (2024 prices)",
             "year": y, "value": float(i + k)} for k, s in enumerate(["plan", "green"])
            for i, c in enumerate(names) for y in (2024, 2025)]
    cmp = SimpleNamespace(allocation=pd.DataFrame(rows), scenarios=["plan", "green"])
    seen = {}
    orig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (seen.setdefault("fig", self), orig(self, *a, **k))[1])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        _allocation_chart(cmp, tmp_path / "alloc.png")
    assert not [x for x in w if "missing from" in str(x.message).lower()]
    labels = [t.get_text() for t in seen["fig"].axes[0].get_yticklabels()]
    assert sorted(labels) == sorted(f"{zh} / {en}" for en, zh in names.values())
    assert not any("_" in lab for lab in labels)                       # no snake_case ids on the chart
