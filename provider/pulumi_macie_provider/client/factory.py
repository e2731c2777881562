"""Build boto3 clients for service ``macie`` from the service model shipped in this package.

Current botocore releases no longer ship the Macie Classic model. ``register_model`` adds this
package's ``data`` folder (laid out as botocore's ``<service>/<api-version>/service-2.json``) to a
session's loader search path, so ``session.client("macie")`` works on any current boto3. Everything in
the project that talks to Macie builds its client through ``make_client``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config

from ..errors import ConfigurationError

DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

#: Regions in which AWS ran Macie Classic.
MACIE_REGIONS = ("us-east-1", "us-west-2")

RETRY_MODES = ("legacy", "standard", "adaptive")


def register_model(session: boto3.Session | botocore.session.Session) -> None:
    """Make ``macie`` known to ``session`` (a boto3 or botocore session); idempotent."""
    core = session._session if isinstance(session, boto3.Session) else session
    loader = core.get_component("data_loader")
    if DATA_PATH not in loader.search_paths:
        loader.search_paths.insert(0, DATA_PATH)


@dataclass(frozen=True)
class ClientSettings:
    """Where and how to reach Macie. Holds no secrets, so it may be stored and pickled.

    ``region`` may be None to take the region from the environment or profile. ``endpoint_url`` points
    the client at a faithful endpoint such as ``macie-local``. Retries use botocore's retry modes.
    """

    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def validate(self) -> None:
        """Raise ConfigurationError naming the setting and rule that is broken."""
        if self.region is not None and (
            not isinstance(self.region, str)
            or not self.region
            or not all(part.isalnum() for part in self.region.split("-"))
            or self.region.count("-") < 2
        ):
            raise ConfigurationError(
                f"invalid region {self.region!r}: a region looks like 'us-east-1' "
                f"(Macie Classic ran in {', '.join(MACIE_REGIONS)})"
            )
        if self.endpoint_url is not None:
            parts = urlsplit(self.endpoint_url) if isinstance(self.endpoint_url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigurationError(
                    f"invalid endpoint URL {self.endpoint_url!r}: it must be an absolute http:// or "
                    "https:// URL with a host, such as http://127.0.0.1:4510"
                )
        if self.retry_mode not in RETRY_MODES:
            raise ConfigurationError(
                f"invalid retry mode {self.retry_mode!r}: one of {', '.join(RETRY_MODES)}"
            )
        if not isinstance(self.max_attempts, int) or not 1 <= self.max_attempts <= 50:
            raise ConfigurationError(
                f"invalid max attempts {self.max_attempts!r}: a whole number from 1 to 50"
            )
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"invalid {name} {value!r}: a positive number of seconds")


_session_lock = threading.Lock()


def make_session(
    profile: str | None = None,
    credentials: dict[str, str] | None = None,
) -> boto3.Session:
    """A boto3 session that knows ``macie``.

    ``credentials`` (``aws_access_key_id``, ``aws_secret_access_key``, optional
    ``aws_session_token``) are used when given; otherwise the profile or the standard credential chain.
    """
    with _session_lock:
        session = boto3.Session(profile_name=profile, **(credentials or {}))
        register_model(session)
    return session


def make_client(
    settings: ClientSettings | None = None,
    *,
    credentials: dict[str, str] | None = None,
    session: boto3.Session | None = None,
) -> Any:
    """Build a ``macie`` client. Every caller in the project goes through here."""
    settings = settings or ClientSettings()
    settings.validate()
    if session is None:
        session = make_session(settings.profile, credentials)
    else:
        register_model(session)
    config = Config(
        retries={"mode": settings.retry_mode, "max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        **settings.extra,
    )
    with _session_lock:
        return session.client(
            "macie",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            config=config,
        )
