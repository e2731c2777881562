"""The dynamic providers that Pulumi stacks record: this module's path and its class names are a promise.

A Python dynamic resource keeps its provider in the stack's state (``__provider``) as a pickle that
names the provider's class by module path, and every ``refresh``, ``up`` and ``destroy`` loads it by
that path. Code moves; stacks outlive it. So the SDK's resources pickle only the classes below, here
and under these names, whatever else is renamed or moved: the classes hold nothing (their pickle is
the reference alone) and find the hooks that do the work by import.

Stacks made by 0.1.0 name ``pulumi_macie_provider.resources.member_account.MacieMemberAccountProvider``
and ``pulumi_macie_provider.resources.s3_resource.MacieS3ResourceProvider``. The hooks' modules know
no host, so this module puts those two names there (``LEGACY``), and the package imports this module
wherever Pulumi is loaded (a dynamic-provider process always is) before a pickle can name them. The
first ``up`` with this version records the classes of this module instead (the dynamic host reports
the changed provider as an update, which calls nothing in Macie).
"""

from __future__ import annotations

from .hosts.dynamic import DynamicProvider
from .resources import member_account, s3_resource
from .resources.member_account import MemberAccountHooks
from .resources.s3_resource import S3ResourceHooks

__all__ = ["LEGACY", "PROVIDERS", "MacieMemberAccountProvider", "MacieS3ResourceProvider"]


class MacieMemberAccountProvider(DynamicProvider):
    """The dynamic provider of ``MacieMemberAccount``."""

    HOOKS = MemberAccountHooks


class MacieS3ResourceProvider(DynamicProvider):
    """The dynamic provider of ``MacieS3Resource``."""

    HOOKS = S3ResourceHooks


#: Each resource's dynamic provider, by resource name.
PROVIDERS: dict[str, type[DynamicProvider]] = {
    cls.HOOKS.NAME: cls for cls in (MacieMemberAccountProvider, MacieS3ResourceProvider)
}


def _legacy(module: object, hooks: type[DynamicProvider]) -> type[DynamicProvider]:
    """0.1.0's provider class of ``hooks``' resource, under the name and module its pickles give."""
    name = f"{hooks.HOOKS.NAME}Provider"
    cls = type(name, (DynamicProvider,), {"HOOKS": hooks.HOOKS, "__doc__": f"0.1.0's path of {name}."})
    cls.__module__ = module.__name__  # type: ignore[attr-defined]
    setattr(module, name, cls)
    return cls


#: The classes that stacks made by 0.1.0 name, at the paths they name them by.
LEGACY: dict[str, type[DynamicProvider]] = {
    cls.HOOKS.NAME: cls
    for cls in (_legacy(member_account, MacieMemberAccountProvider), _legacy(s3_resource, MacieS3ResourceProvider))
}
