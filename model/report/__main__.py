"""``python -m model.report RUN_DIR``: rebuild the report of an existing run."""
import sys

from .html import main

sys.exit(main())
