"""Shared fixtures. ``calibration/vendor.py`` is importable as ``calibration_vendor``."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("calibration_vendor", ROOT / "calibration" / "vendor.py")
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
sys.modules["calibration_vendor"] = _mod
