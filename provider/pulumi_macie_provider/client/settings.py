"""Where and how to reach Macie: plain, picklable settings (and the shape of static keys), with no boto3 import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

from ..errors import ConfigurationError

#: Regions in which AWS ran Macie Classic.
MACIE_REGIONS = ("us-east-1", "us-west-2")

RetryMode = Literal["legacy", "standard", "adaptive"]
RETRY_MODES: tuple[RetryMode, ...] = ("legacy", "standard", "adaptive")


class Credentials(TypedDict, total=False):
    """Static keys for a session or client; without them, the profile or the standard credential chain."""

    aws_access_key_id: str
    aws_secret_access_key: str
    aws_session_token: str


@dataclass(frozen=True)
class AssumeRole:
    """A role the client's calls are made as (STS ``AssumeRole``), with the credentials it has as the source.

    ``session_name`` defaults to ``pulumi-macie``; ``duration_seconds`` to STS's default (an hour);
    botocore renews the role's credentials before they expire.
    """

    role_arn: str
    session_name: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None

    def validate(self) -> None:
        """Raise ConfigurationError naming the setting and rule that is broken."""
        if not _ROLE_ARN.fullmatch(self.role_arn or ""):
            raise ConfigurationError(
                "invalid assumeRole.roleArn: a role's ARN, such as arn:aws:iam::123456789012:role/MacieAdmin"
            )
        if self.session_name is not None and not _SESSION_NAME.fullmatch(self.session_name):
            raise ConfigurationError(
                f"invalid assumeRole.sessionName {self.session_name!r}: 2 to 64 letters, digits or +=,.@_-"
            )
        if self.duration_seconds is not None and not (
            isinstance(self.duration_seconds, int) and 900 <= self.duration_seconds <= 43200
        ):
            raise ConfigurationError(
                f"invalid assumeRole.durationSeconds {self.duration_seconds!r}: a whole number from 900 to 43200"
            )


_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


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
    assume_role: AssumeRole | None = None
    #: The accounts the credentials may belong to (none: any), and those they must not belong to;
    #: checked before the client's first call (``resources.clients``).
    allowed_account_ids: tuple[str, ...] = ()
    forbidden_account_ids: tuple[str, ...] = ()
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
        if self.assume_role is not None:
            self.assume_role.validate()
        for name in ("allowed_account_ids", "forbidden_account_ids"):
            for account in getattr(self, name):
                if not isinstance(account, str) or not _ACCOUNT_ID.fullmatch(account):
                    raise ConfigurationError(f"invalid {name} entry {account!r}: an account ID of 12 digits")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"invalid {name} {value!r}: a positive number of seconds")
