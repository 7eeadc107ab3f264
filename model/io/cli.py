"""``czt io …`` subcommands (mounted by the main CLI as ``app.add_typer(io_app, name="io")``).

Each command prints a table and, with ``--out``, writes CSV (IAMC long for
``project``).
"""
from __future__ import annotations

from enum import StrEnum
from functools import wraps
from pathlib import Path

import pandas as pd
import typer

from model.errors import CztError

app = typer.Typer(help="Input-output module: multipliers, linkages, clusters, impact of new demand, FLQ sensitivity, "
                       "RAS, projection.",
                  no_args_is_help=True)

class Region(StrEnum):
    """Regions the IO tables are built for (a choice list in ``--help`` and completion)."""
    CZT = "CZT"
    Hunan = "Hunan"
    Changsha = "Changsha"
    Zhuzhou = "Zhuzhou"
    Xiangtan = "Xiangtan"


class Level(StrEnum):
    cluster = "cluster"
    sector = "sector"


class Forward(StrEnum):
    ghosh = "ghosh"
    leontief = "leontief"


REGION = typer.Option(Region.CZT, "--region", "-r", help="Region", case_sensitive=False)
DELTA = typer.Option(None, "--delta", help="Flegg delta (default from calibration/io/parameters.toml)")
LEVEL = typer.Option(Level.cluster, "--level", help="Industry clusters or the 42 IO sectors")
OUT = typer.Option(None, "--out", "-o", help="write the table to this CSV file")
YEAR = typer.Option(None, "--year", help="RAS-update the structure to this year (e.g. 2019)")


def _guard(fn):
    @wraps(fn)
    def inner(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CztError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(getattr(exc, "exit_code", 2)) from None
    return inner


def _system(region, delta, year=None):
    from model.io.system import IOSystem
    return IOSystem.from_calibration(flq_delta=delta, region=region, structure_year=year)


def _emit(df: pd.DataFrame, out: Path | None, title: str) -> None:
    with pd.option_context("display.width", 200, "display.max_rows", 200, "display.max_columns", 20):
        typer.echo(f"# {title}")
        typer.echo(df.to_string(float_format=lambda v: f"{v:.4f}"))
    if out:
        from model.results.fileio import write_output_file  # never over a file that is not an earlier table

        write_output_file(out, df.to_csv)
        typer.echo(f"wrote {out}")


@app.command()
@_guard
def multipliers(region: Region = REGION, delta: float = DELTA, level: Level = LEVEL, year: int = YEAR, out: Path = OUT):
    """Output (Type I/II), value-added, income, energy and Ghosh multipliers."""
    s = _system(region, delta, year)
    _emit(s.multipliers(level), out, f"multipliers {s.region} {s.year} ({s.method}, delta={s.flq_delta}), level={level}")


@app.command()
@_guard
def linkages(region: Region = REGION, delta: float = DELTA, level: Level = LEVEL, year: int = YEAR,
             forward: Forward = typer.Option(Forward.ghosh, help="Forward-linkage measure"), out: Path = OUT):
    """Rasmussen backward/forward linkages and key sectors."""
    s = _system(region, delta, year)
    _emit(s.linkages(level, forward=forward), out, f"linkages {s.region} {s.year}, level={level}, forward={forward}")


@app.command()
@_guard
def clusters(region: Region = REGION, delta: float = DELTA, year: int = YEAR, level: Level = LEVEL, out: Path = OUT):
    """Cluster (or sector) accounts: X, VA, final demand, energy, high-tech, capital."""
    s = _system(region, delta, year)
    a = s.cluster_accounts(level=level)
    df = pd.concat([a.names["name_en"], a.X.rename("X_100m_yuan"), a.VA.rename("VA_100m_yuan"), a.v.rename("v"),
                    a.final_demand.add_suffix("_100m_yuan"), a.gfcf_composition.add_prefix("gfcf_share_"),
                    a.energy_intensity.rename("energy_tce_per_10k_yuan"), a.energy.rename("energy_10k_tce"),
                    a.hightech_share.rename("hightech_share"), a.capital[["depreciation", "capital_output_ratio"]]], axis=1)
    _emit(df, out, f"cluster accounts {s.region} {s.year} (household direct energy {a.energy_households:.1f} 10k tce)")


@app.command("iamc")
@_guard
def iamc_cmd(region: Region = REGION, delta: float = DELTA, level: Level = LEVEL, year: int = YEAR,
             scenario: str = "baseline", out: Path = OUT):
    """Base-year accounts, multipliers and linkages in IAMC long format."""
    s = _system(region, delta, year)
    df = s.to_iamc(level=level, scenario=scenario)
    with pd.option_context("display.width", 200, "display.max_rows", 60):
        typer.echo(df.head(30).to_string())
    typer.echo(f"... {len(df)} rows")
    if out:
        from model.results.fileio import write_output_file  # never over a file that is not an earlier table
        from model.results.iamc import write_iamc

        write_output_file(out, lambda p: write_iamc(df, p))
        typer.echo(f"wrote {out}")


@app.command()
@_guard
def sensitivity(region: Region = REGION, out: Path = OUT):
    """Output multipliers over the Flegg delta grid."""
    s = _system(region, None)
    _emit(s.flq_sensitivity(), out, f"FLQ delta sensitivity of output multipliers, {s.region}")


@app.command()
@_guard
def ras(year: int = typer.Option(2019, "--year"), out: Path = OUT):
    """RAS-update Hunan to a year's three-sector VA; report iterations and residual."""
    s = _system("Hunan", None, year)
    r = s.ras_report
    df = pd.DataFrame({"x_updated_100m_yuan": r["x"] / 1e4, "va_updated_100m_yuan": r["va"] / 1e4,
                       "row_target": r["u"] / 1e4, "col_target": r["v"] / 1e4}, index=s.codes)
    _emit(df, out, f"RAS to {year}: {r['iterations']} iterations, residual {r['residual']:.2e}, targets {r['targets_100m_yuan']}")


@app.command()
@_guard
def assumptions(region: Region = REGION, delta: float = DELTA, year: int = YEAR, out: Path = OUT):
    """Every assumption and derivation behind the system."""
    s = _system(region, delta, year)
    _emit(s.assumptions_frame(), out, f"assumptions {s.region} {s.year}")


@app.command()
@_guard
def project(macro: Path = typer.Option(..., "--macro", help="CSV with year, gdp_real[, energy_intensity_index]"),
            region: Region = REGION, delta: float = DELTA, level: Level = LEVEL, scenario: str = "baseline", out: Path = OUT):
    """Project output, VA, energy and high-tech VA to 2035 (IAMC long)."""
    from model.errors import CztInputError
    if not macro.exists():
        raise CztInputError(str(macro), "file not found")
    s = _system(region, delta)
    df = s.project(pd.read_csv(macro), level=level, scenario=scenario)
    show = df[~df["variable"].str.contains(r"\|", regex=True) | df["variable"].str.startswith("Energy Intensity")]
    with pd.option_context("display.width", 200, "display.max_rows", 400):
        typer.echo(show.pivot_table(index="year", columns="variable", values="value").to_string(float_format=lambda v: f"{v:.4f}"))
    if out:
        from model.results.fileio import write_output_file  # never over a file that is not an earlier table
        from model.results.iamc import write_iamc

        write_output_file(out, lambda p: write_iamc(df, p))
        typer.echo(f"wrote {out}")


@app.command()
@_guard
def impact(cluster: str = typer.Option(..., "--cluster", "-c", help="cluster id (or sector code with --level sector)"),
           amount: float = typer.Option(..., "--amount", "-a", help="new final demand, 100m yuan (亿元)"),
           region: Region = REGION, delta: float = DELTA, level: Level = LEVEL, year: int = YEAR, out: Path = OUT):
    """Output, VA, energy and high-tech effects of AMOUNT 亿元 of new final demand in one cluster.

    Direct, indirect (Type I) and induced (Type II, households closed) output;
    VA, energy (10k tce) and high-tech VA for Type I and II, by cluster and in total.
    """
    from model.io.impact import impact as _impact
    s = _system(region, delta, year)
    df = _impact(s, cluster, amount, level.value if hasattr(level, "value") else str(level))
    t = df.loc["total"]
    _emit(df, out, f"impact of {amount:g} 100m yuan of new final demand for '{cluster}' — {s.region}, "
                   f"{s.year} structure and prices ({s.method}, delta={s.flq_delta})")
    typer.echo(f"total: output {t.output_type1:,.1f} (Type I) / {t.output_type2:,.1f} (Type II) 100m yuan; "
               f"VA {t.va_type1:,.1f} / {t.va_type2:,.1f}; energy {t.energy_type1:,.1f} / {t.energy_type2:,.1f} "
               f"10k tce; high-tech VA {t.hightech_va_type1:,.1f} / {t.hightech_va_type2:,.1f} 100m yuan")
