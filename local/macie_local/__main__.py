"""``python -m macie_local``: the same as the ``macie-local`` command."""

import sys

from .command import main

sys.exit(main())
