"""The loader validates every vendored file and rejects malformed ones with one clear line."""
from __future__ import annotations

import csv

import pytest

from model.data.loader import SOURCE_FILES, load_long, load_sources
from model.errors import CztInputError
from model.paths import DATA
from calibration_vendor import read_manifest, sha256  # noqa: F401  (see conftest)

HEADER = ["region_code", "region", "year", "variable", "unit", "value", "source_id"]
GOOD = ["430100", "Changsha", "2019", "gdp_nominal", "100m yuan (current prices)", "11574.22", "X"]


def write(tmp_path, rows, header=HEADER):
    p = tmp_path / "bad.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return p


def test_every_vendored_file_loads():
    src = load_sources()
    assert set(src) == set(SOURCE_FILES)
    panel = src["panel"]
    # numbers from the shipped data
    cs19 = panel[(panel.region_code == "430100") & (panel.year == 2019) & (panel.variable == "gdp_nominal")]
    assert cs19.value.iloc[0] == pytest.approx(11574.2214)
    czt24 = panel[(panel.region_code == "CZT") & (panel.year == 2024) & (panel.variable == "gdp_nominal")]
    assert czt24.value.iloc[0] == pytest.approx(22128.3)


@pytest.mark.parametrize("mutate, needle", [
    (lambda r: r.__setitem__(5, "abc"), "column 'value': 'abc' is not a float"),
    (lambda r: r.__setitem__(2, "20x9"), "column 'year'"),
    (lambda r: r.__setitem__(2, "2101"), "outside"),
    (lambda r: r.__setitem__(0, "999999"), "unknown region"),
    (lambda r: r.__setitem__(5, "-5"), "negative level"),
    (lambda r: r.__setitem__(4, "10k yuan"), "must be in '100m yuan (current prices)'"),
    (lambda r: r.__setitem__(6, ""), "column 'source_id' is empty"),
])
def test_malformed_rows_are_rejected_naming_file_line_and_column(tmp_path, mutate, needle):
    bad = list(GOOD)
    mutate(bad)
    p = write(tmp_path, [GOOD[:2] + ["2018"] + GOOD[3:], bad])
    with pytest.raises(CztInputError) as exc:
        load_long(p)
    msg = str(exc.value)
    assert f"{p}:3" in msg and needle in msg
    assert "\n" not in msg


def test_duplicate_key_and_missing_column(tmp_path):
    p = write(tmp_path, [GOOD, GOOD])
    with pytest.raises(CztInputError, match=r"bad.csv:3: duplicate key \(region_code=430100, year=2019, variable=gdp_nominal\)"):
        load_long(p)
    p = write(tmp_path, [GOOD[:-1]], header=HEADER[:-1])
    with pytest.raises(CztInputError, match="missing column"):
        load_long(p)


def test_negative_changes_are_allowed(tmp_path):
    row = ["430000", "Hunan", "2020", "energy_intensity_gdp_change_yoy", "percent", "-1.98", "NBS"]
    assert load_long(write(tmp_path, [row])).value.iloc[0] == -1.98


def test_inputs_are_not_modified(tmp_path):
    before = {p: p.read_bytes() for p in (DATA / rel for rel in SOURCE_FILES.values())}
    load_sources()
    assert all(p.read_bytes() == b for p, b in before.items())


def test_vendored_files_match_recorded_hashes():
    manifest = read_manifest()
    assert len(manifest) >= 40
    for rel, digest in manifest.items():
        assert sha256(DATA / rel) == digest, rel
