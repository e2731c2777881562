"""Pulumi provider for Amazon Macie Classic.

Subpackages:

- ``client``: the botocore service model for ``macie`` (API 2017-12-19) and the one client factory.
- ``resources``: the hook logic of the ``MacieMemberAccount`` and ``MacieS3Resource`` resources.
- ``hosts``: the two hosts of those hooks, the Python dynamic provider and the native plugin.

``macie-local``, the local Macie Classic endpoint, is a package of its own, ``macie_local``.

The package's version has one source, ``pyproject.toml``; everything else (the plugin, the schema it
serves, the SDKs) takes it from the installed distribution's metadata.
"""

import re as _re
import sys as _sys
from importlib.metadata import version as _version

__version__ = _version("pulumi-macie")


def help_description(doc: str | None) -> str:
    """The first paragraph of a command's docstring, as ``--help`` shows it: RST literals
    (two backticks each side) as plain text."""
    return _re.sub(r"``(.+?)``", r"\1", (doc or "").split("\n\n")[0])


if "pulumi" in _sys.modules:
    # Where Pulumi is loaded (a dynamic-provider process, a program, the hosts and tools), stacks' pickled
    # providers may name 0.1.0's class paths: ``dynamic_entry`` puts them in place. (Without Pulumi, as in
    # macie-local, nothing can load such a pickle, and the import is spared.)
    from . import dynamic_entry as _dynamic_entry  # noqa: F401
