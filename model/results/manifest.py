"""Run manifest: code version, package versions, input hashes, seed, timings."""
from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from ..paths import ROOT

PACKAGES = ["czt-model", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "pyomo", "highspy",
            "matplotlib", "pydantic", "typer"]


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def code_version() -> dict:
    """Git SHA of the working tree (with a dirty flag) or the package version."""
    out = {"package_version": _version("czt-model")}
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        if sha.returncode == 0:
            out["git_sha"] = sha.stdout.strip()
            st = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                capture_output=True, text=True, timeout=5)
            out["git_dirty"] = bool(st.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def package_versions() -> dict:
    out = {p: _version(p) for p in PACKAGES}
    out["python"] = sys.version.split()[0]
    out["platform"] = platform.platform()
    return out


def input_hashes(paths: list[Path]) -> dict:
    """SHA-256 of every input file, keyed by path relative to the project root."""
    res = {}
    for p in sorted({Path(p).resolve() for p in paths}):
        try:
            key = p.relative_to(ROOT.resolve()).as_posix()
        except ValueError:
            key = str(p)
        res[key] = sha256_file(p)
    return res
