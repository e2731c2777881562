"""``python -m pulumi_macie_provider.importer``: the same as the ``pulumi-macie-import`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":  # importing the module (as tools that walk the package do) runs nothing
    sys.exit(main())
