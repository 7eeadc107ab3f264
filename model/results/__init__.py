"""A run's results on disk and their exports for other tools.

iamc
    The IAMC long format (columns, quantiles, unit spellings) and its CSV writers.
outputs
    The forecast table: a control forecast's history and quantiles as IAMC rows.
manifest
    The run manifest: code version, package versions, input hashes.
fileio
    TOML reading and safe, atomic output folders and files (the ``.czt-output`` marker),
    the one writer every command uses.
excel, pyam_io
    The Excel workbook of a run and its pyam-ready IAMC tables.
needed
    What a plan target needs per year, in one measure per kind of target.
"""
