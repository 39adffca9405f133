"""`python -m checker` does what the `playbook` command does."""
from __future__ import annotations

import sys

from checker.cli import main

sys.exit(main())
