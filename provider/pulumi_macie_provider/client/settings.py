"""Where and how to reach Macie: plain, picklable settings, with no boto3 import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from ..errors import ConfigurationError

#: Regions in which AWS ran Macie Classic.
MACIE_REGIONS = ("us-east-1", "us-west-2")

RetryMode = Literal["legacy", "standard", "adaptive"]
RETRY_MODES: tuple[RetryMode, ...] = ("legacy", "standard", "adaptive")


@dataclass(frozen=True)
class ClientSettings:
    """Where and how to reach Macie. Holds no secrets, so it may be stored and pickled.

    ``region`` may be None to take the region from the environment or profile. ``endpoint_url`` points
    the client at a faithful endpoint such as ``macie-local``. Retries use botocore's retry modes.
    """

    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    retry_mode: RetryMode = "standard"
    max_attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def where(self) -> str:
        """Where calls go, for messages: the region and the endpoint's scheme, host and port."""
        text = f"region {self.region or 'from the environment'}"
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            host = parts.hostname or ""
            text += f", endpoint {parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
        return text

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
                raise ConfigurationError(  # the URL is not repeated: it may carry a user and password
                    "invalid endpoint URL: it must be an absolute http:// or https:// URL with a host, "
                    "such as http://127.0.0.1:4510"
                )
        if self.retry_mode not in RETRY_MODES:
            raise ConfigurationError(f"invalid retry mode {self.retry_mode!r}: one of {', '.join(RETRY_MODES)}")
        if not isinstance(self.max_attempts, int) or not 1 <= self.max_attempts <= 50:
            raise ConfigurationError(f"invalid max attempts {self.max_attempts!r}: a whole number from 1 to 50")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"invalid {name} {value!r}: a positive number of seconds")
