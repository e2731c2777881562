"""The dynamic providers that Pulumi stacks record: this module's path and its class names are a promise.

A Python dynamic resource keeps its provider in the stack's state (``__provider``) as a pickle that
names the provider's class by module path, and every ``refresh``, ``up`` and ``destroy`` loads it by
that path. Code moves; stacks outlive it. So the SDK's resources pickle only the classes below, here
and under these names, whatever else is renamed or moved: the classes hold nothing (their pickle is
the reference alone) and find the hooks that do the work by import.

Stacks made before this module existed name ``pulumi_macie_provider.resources.member_account.
MacieMemberAccountProvider`` and ``pulumi_macie_provider.resources.s3_resource.MacieS3ResourceProvider``;
those classes stay for them, and the first ``up`` with this version records these instead (the dynamic
host reports the changed provider as an update, which calls nothing in Macie).
"""

from __future__ import annotations

from .hosts.dynamic import DynamicProvider
from .resources.member_account import MemberAccountHooks
from .resources.s3_resource import S3ResourceHooks

__all__ = ["MacieMemberAccountProvider", "MacieS3ResourceProvider"]


class MacieMemberAccountProvider(DynamicProvider):
    """The dynamic provider of ``MacieMemberAccount``."""

    HOOKS = MemberAccountHooks


class MacieS3ResourceProvider(DynamicProvider):
    """The dynamic provider of ``MacieS3Resource``."""

    HOOKS = S3ResourceHooks
