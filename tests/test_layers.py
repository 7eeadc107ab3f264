"""Arrows point down: which parts of ``model/`` may import which (architecture of README "Layout").

Every ``import``/``from ... import`` in ``model/`` (also the lazy ones inside functions) is read
with :mod:`ast` and resolved to its target module. The pure cores and the engine must not reach up
into the layers that use them; the few shared utilities of ``results/`` that lower layers use
(TOML reading and atomic writes in ``fileio``, the IAMC writer) are named here, so a new upward
import fails this test instead of slipping in.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "model"

#: part -> the parts (or ``part.module``) it may import; "*" = anything of that part
ALLOWED: dict[str, set[str]] = {
    "forecast": {"errors"},
    "data": {"errors", "paths"},
    "scenario": {"errors", "paths", "data", "suggest", "results.fileio"},
    "io": {"errors", "paths", "data", "scenario", "results.fileio", "results.iamc"},
    "opt": {"errors", "paths", "data", "scenario", "io", "results.fileio", "results.iamc"},
    "engine": {"errors", "paths", "progress", "data", "scenario", "forecast", "io", "opt",
               "results.fileio", "results.iamc", "results.manifest"},
    "results": {"errors", "paths", "data", "scenario", "engine", "report.i18n"},
    "suggest": {"paths", "results.fileio"},
}
#: nothing below the entry points imports them
ENTRY_POINTS = {"cli", "runner"}


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[tuple[str, str]]:
    """(part, module) pairs imported by ``path`` (module '' when a whole part is imported)."""
    mod = list(path.relative_to(ROOT).with_suffix("").parts)
    if mod[-1] == "__init__":
        mod = mod[:-1] + ["__init__"]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod[: len(mod) - node.level]
                names = (node.module.split(".") if node.module else [])
                if names:
                    targets.append(base + names)
                else:
                    targets += [base + [a.name] for a in node.names]
            elif node.module and node.module.split(".")[0] == "model":
                targets.append(node.module.split(".")[1:])
        elif isinstance(node, ast.Import):
            targets += [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "model"]
        for t in targets:
            if t:
                out.add((t[0].removesuffix(".py"), t[1] if len(t) > 1 else ""))
    return out


def _violations() -> list[str]:
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        part = _part(path)
        for tpart, tmod in _imports(path):
            if tpart == part:
                continue
            where = f"{path.relative_to(ROOT.parent)} imports model.{tpart}{'.' + tmod if tmod else ''}"
            if tpart in ENTRY_POINTS and part not in ENTRY_POINTS | {"__init__"}:
                bad.append(where)
            elif part in ALLOWED and tpart not in ALLOWED[part] and f"{tpart}.{tmod}" not in ALLOWED[part]:
                bad.append(where)
    return bad


def test_no_layer_imports_one_above_it():
    assert _violations() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """A planted ``from ..engine import control`` in a pure core is reported, lazy or not."""
    import shutil

    fake = tmp_path / "model"
    shutil.copytree(ROOT, fake, ignore=shutil.ignore_patterns("__pycache__"))
    target = fake / "forecast" / "stats.py"
    target.write_text(target.read_text(encoding="utf-8")
                      + "\n\ndef _planted():\n    from ..engine import control  # noqa: F401\n", encoding="utf-8")
    (fake / "io" / "planted.py").write_text("from model.runner import run_scenario  # noqa: F401\n",
                                            encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    assert sorted(_violations()) == ["model/forecast/stats.py imports model.engine",
                                     "model/io/planted.py imports model.runner"]
