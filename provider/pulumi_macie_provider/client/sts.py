"""STS for the Macie clients: the role a client's calls are made as, and the account its credentials belong to.

Both go through botocore's own STS client, built with the Macie client's region, endpoint URL (an
endpoint such as macie-local serves STS on the same port; without one, botocore finds STS as for any
service), retries and time limits. A role is assumed with botocore's ``AssumeRoleCredentialFetcher``
behind ``DeferredRefreshableCredentials``: the first call assumes it, and botocore assumes it again
before the credentials expire. The source credentials are the static keys when given, else the
profile or the standard credential chain.
"""

from __future__ import annotations

from typing import Any, cast

import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)
from botocore.credentials import Credentials as StaticCredentials

from ..errors import ConfigurationError
from .deadline import bound_by_deadline, retry_config
from .settings import ClientSettings, Credentials

#: The session name of an assumed role when the settings give none (it shows in CloudTrail).
DEFAULT_SESSION_NAME = "pulumi-macie"


class _Given(CredentialProvider):
    """A credential provider that answers credentials made elsewhere (the assumed role's)."""

    METHOD = "assume-role"
    CANONICAL_NAME = "macie-assume-role"

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self.credentials = credentials

    def load(self) -> Any:
        return self.credentials


def sts_client(
    settings: ClientSettings,
    keys: Credentials | None = None,
    resolver: CredentialResolver | None = None,
    region: str | None = None,
    core: botocore.session.Session | None = None,
) -> Any:
    """botocore's STS client for ``settings``: signed with ``keys``, else ``resolver``'s credentials, else
    the credentials of ``core`` (a caller's session) or of the profile or the standard credential chain."""
    if core is None:
        core = botocore.session.Session(profile=settings.profile)
    if resolver is not None:
        core.register_component("credential_provider", resolver)
    client = core.create_client(
        "sts",
        region_name=region or settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(
            retries=retry_config(settings),
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        ),
        **(keys or {}),
    )
    bound_by_deadline(client, settings.max_attempts)
    return client


def role_credentials(settings: ClientSettings, keys: Credentials | None) -> CredentialResolver:
    """A credential resolver whose credentials are those of ``settings.assume_role``, assumed with
    ``keys`` (static keys) or the profile's or chain's credentials."""
    role = settings.assume_role
    assert role is not None
    source: Any
    if keys:
        source = StaticCredentials(
            keys["aws_access_key_id"], keys["aws_secret_access_key"], keys.get("aws_session_token")
        )
    else:
        source = botocore.session.Session(profile=settings.profile).get_credentials()
        if source is None:
            raise ConfigurationError(
                f"assumeRole: no credentials to assume {role.role_arn} with: set accessKey and secretKey, "
                "a profile, or the AWS environment (AWS_ACCESS_KEY_ID...)"
            )
    extra: dict[str, Any] = {"RoleSessionName": role.session_name or DEFAULT_SESSION_NAME}
    if role.external_id:
        extra["ExternalId"] = role.external_id
    if role.duration_seconds:
        extra["DurationSeconds"] = role.duration_seconds

    def create_client(service: str, **signing: Any) -> Any:
        return sts_client(settings, keys=cast(Credentials, signing))

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=create_client, source_credentials=source, role_arn=role.role_arn, extra_args=extra
    )
    assumed = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
    return CredentialResolver([_Given(assumed)])
