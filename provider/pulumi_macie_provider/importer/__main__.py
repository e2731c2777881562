"""``python -m pulumi_macie_provider.importer``: the same as the ``pulumi-macie-import`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
