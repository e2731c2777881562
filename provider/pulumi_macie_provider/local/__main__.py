"""``python -m pulumi_macie_provider.local``: the same as the ``macie-local`` command."""

import sys

from .server import main

sys.exit(main())
