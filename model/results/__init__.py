"""Exports of a run's results for other tools: pyam/IAMC tables and the Excel workbook."""
