"""`python -m web [-H HOST] [-P PORT] [-U PATH] package.module:init_func [args...]`."""

from __future__ import annotations

import sys

from web_runner import main

if __name__ == "__main__":
    sys.exit(main())
