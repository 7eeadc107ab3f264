"""Vendor the shared, sourced data into ``calibration/data/`` unchanged.

Usage::

    python calibration/vendor.py [--shared ../shared] [--check]

Copies ``shared/data/{macro,energy,hightech,io}`` and ``shared/plan`` byte for
byte (each folder keeps its SOURCES.md / README.md) and records every file's
SHA-256 and size in ``calibration/data/VENDORED.csv``. Re-running it after the
shared data grow (new gap-filling releases) picks up new and changed files and
reports what changed. ``--check`` only compares and exits 1 on any difference.
No value is edited: files are copied with :func:`shutil.copyfile`.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEST = HERE / "data"
FOLDERS = {"macro": "data/macro", "energy": "data/energy", "hightech": "data/hightech",
           "io": "data/io", "plan": "plan"}
MANIFEST = DEST / "VENDORED.csv"


def sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def source_files(shared: Path) -> list[tuple[str, Path]]:
    """Return (relative destination path, source path) for every file to vendor."""
    out = []
    for dest_name, rel in FOLDERS.items():
        src_dir = shared / rel
        if not src_dir.is_dir():
            raise SystemExit(f"vendor: missing shared folder {src_dir}")
        for p in sorted(src_dir.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out.append((f"{dest_name}/{p.relative_to(src_dir).as_posix()}", p))
    return out


def read_manifest() -> dict[str, str]:
    if not MANIFEST.exists():
        return {}
    with open(MANIFEST, newline="", encoding="utf-8") as fh:
        return {r["path"]: r["sha256"] for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 on differences")
    args = ap.parse_args(argv)
    files = source_files(args.shared.resolve())
    old = read_manifest()
    rows, changed = [], []
    for rel, src in files:
        digest = sha256(src)
        if old.get(rel) != digest:
            changed.append(("new" if rel not in old else "changed", rel))
        rows.append({"path": rel, "sha256": digest, "bytes": src.stat().st_size,
                     "source": f"shared/{FOLDERS[rel.split('/')[0]]}/{rel.split('/', 1)[1]}"})
    gone = sorted(set(old) - {r["path"] for r in rows})
    changed += [("removed upstream (kept)", g) for g in gone]
    for kind, rel in changed:
        print(f"{kind:>24}: {rel}")
    if args.check:
        print("vendored data are up to date" if not changed else f"{len(changed)} difference(s)")
        return 1 if changed else 0
    for rel, src in files:
        dst = DEST / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(dst.suffix + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    tmp = MANIFEST.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "sha256", "bytes", "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(MANIFEST)
    print(f"vendored {len(rows)} files into {DEST.relative_to(HERE.parent)} ({len(changed)} new/changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
