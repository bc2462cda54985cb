"""`python -m hub`: the same as the `kiosk-hub` console script."""

from __future__ import annotations

import sys

from hub.cli import main

if __name__ == "__main__":
    sys.exit(main())
