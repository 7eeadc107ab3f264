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

#: part, or part.module for a module of a package (looked up first), -> what it may import:
#: a part, or part.module of another part (imports inside ``if TYPE_CHECKING:`` are not counted)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "paths": set(),
    "progress": set(),
    "suggest": {"paths", "results.fileio"},
    "forecast": {"errors"},
    "data": {"errors", "paths"},
    "scenario": {"errors", "paths", "data", "suggest", "results.fileio"},
    "io": {"errors", "paths", "data", "scenario", "results.fileio", "results.iamc"},
    "opt": {"errors", "paths", "scenario", "io", "results.fileio", "results.iamc"},
    "engine": {"errors", "paths", "progress", "data", "forecast", "io", "opt", "results.fileio", "results.iamc"},
    # the shared utilities of results/ that lower layers use import only the base modules
    "results.fileio": {"errors", "paths"},
    "results.iamc": set(),
    "results.manifest": {"paths"},
    "results": {"errors", "paths", "data", "scenario", "report.i18n"},
    "report": {"errors", "paths", "data", "scenario", "forecast", "engine", "results", "suggest", "sweep"},
    "sweep": {"errors", "paths", "data", "scenario", "opt", "engine", "results", "report", "suggest"},
}
#: nothing below the entry points imports them
ENTRY_POINTS = {"cli", "runner"}


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _rule(path: Path) -> str | None:
    rel = path.relative_to(ROOT)
    key = f"{rel.parts[0]}.{path.stem}" if len(rel.parts) > 1 else rel.parts[0].removesuffix(".py")
    return key if key in ALLOWED else (_part(path) if _part(path) in ALLOWED else None)


class _Imports(ast.NodeVisitor):
    def __init__(self, mod: list[str]):
        self.mod, self.targets = mod, []

    def visit_If(self, node: ast.If):  # typing-only imports are not arrows at run time
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom):
        if node.level:
            base = self.mod[: len(self.mod) - node.level]
            names = node.module.split(".") if node.module else []
            self.targets += [base + names] if names else [base + [a.name] for a in node.names]
        elif node.module == "model":
            self.targets += [[a.name] for a in node.names]
        elif node.module and node.module.split(".")[0] == "model":
            self.targets.append(node.module.split(".")[1:])

    def visit_Import(self, node: ast.Import):
        self.targets += [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "model"]


def _imports(path: Path) -> set[tuple[str, str]]:
    """(part, module) pairs imported by ``path`` (module '' when a whole part is imported)."""
    mod = list(path.relative_to(ROOT).with_suffix("").parts)
    v = _Imports(mod)
    v.visit(ast.parse(path.read_text(encoding="utf-8")))
    return {(t[0].removesuffix(".py"), t[1] if len(t) > 1 else "") for t in v.targets if t}


def _violations() -> list[str]:
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        part, rule = _part(path), _rule(path)
        for tpart, tmod in _imports(path):
            if tpart == part:
                continue
            where = f"{path.relative_to(ROOT.parent)} imports model.{tpart}{'.' + tmod if tmod else ''}"
            if tpart in ENTRY_POINTS and part not in ENTRY_POINTS | {"__init__"}:
                bad.append(where)
            elif rule is not None and tpart not in ALLOWED[rule] and f"{tpart}.{tmod}" not in ALLOWED[rule]:
                bad.append(where)
    return bad


def test_no_layer_imports_one_above_it():
    assert _violations() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """Planted upward imports are reported, lazy or not, absolute, relative or ``from model import x``,
    from a shared results/ utility or a base module; a typing-only import is not."""
    import shutil

    fake = tmp_path / "model"
    shutil.copytree(ROOT, fake, ignore=shutil.ignore_patterns("__pycache__"))
    def plant(rel, text):
        f = fake / rel
        f.write_text((f.read_text(encoding="utf-8") if f.exists() else "") + text, encoding="utf-8")

    plant("forecast/stats.py", "\n\ndef _planted():\n    from ..engine import control  # noqa: F401\n")
    plant("io/planted.py", "from model.runner import run_scenario  # noqa: F401\n")
    plant("data/planted.py", "from model import engine  # noqa: F401\n")
    plant("results/fileio.py", "\n\ndef _planted():\n    from ..engine.projection import project  # noqa: F401\n")
    plant("paths.py", "\n\ndef _planted():\n    from .sweep import execute  # noqa: F401\n")
    plant("engine/planted.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..report import html\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    assert sorted(_violations()) == ["model/data/planted.py imports model.engine",
                                     "model/forecast/stats.py imports model.engine",
                                     "model/io/planted.py imports model.runner",
                                     "model/paths.py imports model.sweep",
                                     "model/results/fileio.py imports model.engine.projection"]
