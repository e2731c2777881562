"""A no-op native plugin of the provider's shape: the floor of the native host in scripts/bench.py.

It is the native host itself (``pulumi_macie_provider.hosts.native``) serving hooks that do nothing:
package ``maciefloor``, the same two resource types and IDs, inputs passed through as outputs with the
same default filled in (an S3 resource's ``classificationType``, so that its state has the provider's
shape and size: the engine's checkpoint writing grows with it), no client and no botocore. What the
provider costs beyond it is the hooks' own work and Macie's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi_macie_provider.hosts.native import Provider, serve
from pulumi_macie_provider.resources.base import (
    CheckResult,
    CreateResult,
    DiffResult,
    Hooks,
    ReadResult,
    UpdateResult,
)

PACKAGE = "maciefloor"
VERSION = "0.0.1"


class _Noop(Hooks):
    PACKAGE = PACKAGE
    DEFAULTS: ClassVar[dict[str, Any]] = {}

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult({**self.DEFAULTS, **news})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult([k for k in sorted(set(olds) | set(news)) if olds.get(k) != news.get(k)])

    def create(self, inputs: dict[str, Any]) -> CreateResult:
        return CreateResult(self.id_for(inputs), inputs)

    def read(self, id_: str, state: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, state, state)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def delete(self, id_: str, state: dict[str, Any]) -> None:
        pass


class NoopMemberAccount(_Noop):
    NAME = "MacieMemberAccount"

    def id_for(self, inputs: dict[str, Any]) -> str:
        return str(inputs["memberAccountId"])


class NoopS3Resource(_Noop):
    NAME = "MacieS3Resource"
    DEFAULTS: ClassVar[dict[str, Any]] = {"classificationType": {"oneTime": "NONE", "continuous": "FULL"}}

    def id_for(self, inputs: dict[str, Any]) -> str:
        member = inputs.get("memberAccountId")
        return (f"{member}:" if member else "") + inputs["bucketName"] + "/" + inputs.get("prefix", "")


if __name__ == "__main__":
    serve(Provider([NoopMemberAccount, NoopS3Resource], VERSION, lambda: '{"name": "maciefloor"}'))
