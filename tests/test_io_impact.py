"""czt io impact: effects of new final demand in one cluster agree with the multipliers."""
import numpy as np
import pytest
from typer.testing import CliRunner

from model.errors import CztInputError
from model.io import IOSystem
from model.io.impact import impact


@pytest.fixture(scope="module")
def czt():
    return IOSystem.from_calibration()


@pytest.mark.parametrize("cluster", ["electronic_information", "construction", "agriculture"])
def test_totals_are_the_column_multipliers(czt, cluster):
    m = czt.multipliers("cluster").loc[cluster]
    t = impact(czt, cluster, 250.0).loc["total"]
    assert t.output_direct == pytest.approx(250.0)
    assert t.output_type1 == pytest.approx(250.0 * m.output_type1, rel=1e-10)
    assert t.output_type2 == pytest.approx(250.0 * m.output_type2, rel=1e-10)
    assert t.va_type1 == pytest.approx(250.0 * m.value_added, rel=1e-10)
    # energy: tce per 10k yuan x 亿元 = 10k tce; the multiplier is per 10k yuan of final demand
    assert t.energy_type1 == pytest.approx(250.0 * m.energy, rel=1e-10)
    assert t.output_indirect + t.output_direct == pytest.approx(t.output_type1)
    assert t.output_induced == pytest.approx(t.output_type2 - t.output_type1)
    assert 0 <= t.hightech_va_type1 <= t.va_type1


def test_linear_and_sums_over_clusters(czt):
    a = impact(czt, "transport_equipment", 100.0)
    b = impact(czt, "transport_equipment", -50.0)
    np.testing.assert_allclose(b.to_numpy(), -0.5 * a.to_numpy(), rtol=1e-12, atol=1e-12)
    body = a.drop(index="total")
    np.testing.assert_allclose(body.sum().to_numpy(), a.loc["total"].to_numpy(), rtol=1e-12)


def test_bad_cluster_is_a_one_line_error(czt):
    with pytest.raises(CztInputError, match="not a cluster"):
        impact(czt, "steel", 1.0)


def test_cli_impact(tmp_path):
    from model.io.cli import app
    r = CliRunner()
    res = r.invoke(app, ["impact", "--cluster", "electronic_information", "--amount", "100", "--out",
                         str(tmp_path / "i.csv")])
    assert res.exit_code == 0 and "total: output" in res.output
    assert (tmp_path / "i.csv").stat().st_size > 0
    res = r.invoke(app, ["impact", "--cluster", "steel", "--amount", "100"])
    assert res.exit_code == 2 and "not a cluster" in res.output and "Traceback" not in res.output
