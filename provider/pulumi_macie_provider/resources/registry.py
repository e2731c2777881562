"""The one list of the provider's resources, which the hosts, the generators, the importer and the
tests read: each resource's type token, hooks, identity and ID form. (What each is to a host, such as
its dynamic provider class, the host or its entry point says: ``dynamic_entry.PROVIDERS``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MacieError
from ._schema import IDENTITY
from .base import Hooks
from .member_account import MemberAccountHooks
from .s3_resource import S3ResourceHooks


@dataclass(frozen=True)
class ResourceType:
    """A resource of the package: its hooks, which say what it is."""

    hooks: type[Hooks]

    @property
    def name(self) -> str:
        """``MacieS3Resource``."""
        return self.hooks.NAME

    @property
    def token(self) -> str:
        """``macie:index:MacieS3Resource``."""
        return self.hooks.token()

    @property
    def identity(self) -> tuple[str, ...]:
        """The properties whose change replaces the resource (schema.json's ``replaceOnChanges``)."""
        return IDENTITY[self.token]

    @property
    def id_format(self) -> str:
        return self.hooks.ID_FORMAT

    @property
    def id_example(self) -> str:
        return self.hooks.ID_EXAMPLE


RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(MemberAccountHooks),
    ResourceType(S3ResourceHooks),
)
BY_TOKEN: dict[str, ResourceType] = {resource.token: resource for resource in RESOURCES}
BY_NAME: dict[str, ResourceType] = {resource.name: resource for resource in RESOURCES}


def resource_type(token_or_name: str) -> ResourceType:
    """The resource with this type token (``macie:index:MacieS3Resource``) or name (``MacieS3Resource``)."""
    found = BY_TOKEN.get(token_or_name) or BY_NAME.get(token_or_name)
    if found is None:
        raise MacieError(f"unknown resource type {token_or_name!r}: one of {', '.join(r.token for r in RESOURCES)}")
    return found
