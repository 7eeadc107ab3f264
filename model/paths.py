"""Locations of the project's folders (calibration data, scenarios, outputs).

The project root is the folder holding ``calibration/`` next to the ``model``
package; set ``CZT_HOME`` to point elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("CZT_HOME", Path(__file__).resolve().parents[1]))
CALIBRATION = ROOT / "calibration"
DATA = CALIBRATION / "data"
SCENARIOS = ROOT / "scenarios"
OUTPUTS = Path(os.environ.get("CZT_OUTPUTS", ROOT / "outputs"))
