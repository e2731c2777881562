"""The Macie Classic client: our botocore service model and the one factory that builds clients.

``ClientSettings`` is importable without boto3; the factory (which imports boto3) is loaded on first
use, so a provider process that only checks and diffs never pays for importing boto3.
"""

from __future__ import annotations

import os
from typing import Any

from .settings import MACIE_REGIONS, ClientSettings

DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

__all__ = ["DATA_PATH", "MACIE_REGIONS", "ClientSettings", "make_client", "make_session", "register_model"]


def __getattr__(name: str) -> Any:
    if name in ("make_client", "make_session", "register_model"):
        from . import factory

        return getattr(factory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
