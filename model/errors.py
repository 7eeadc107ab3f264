"""Errors raised for bad input.

Every user-facing error is a :class:`CztInputError` whose message is one line
naming the file, row/key and what is wrong; the CLI prints it without a
traceback and exits non-zero.
"""
from __future__ import annotations


class CztError(Exception):
    """Base class for errors the CLI reports as one line."""


class CztInputError(CztError, ValueError):
    """Malformed or inconsistent input (data file, scenario, parameter)."""

    def __init__(self, where: str, what: str):
        self.where, self.what = str(where), what
        super().__init__(f"{self.where}: {what}")


class SolverUnavailableError(CztError, RuntimeError):
    """The requested optimisation solver is not installed or not usable."""
