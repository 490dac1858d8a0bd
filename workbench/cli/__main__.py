"""`python -m rlwb.workbench.cli`: the core CLI without the desktop app."""

import sys

from rlwb.workbench.cli.main import main

sys.exit(main())
