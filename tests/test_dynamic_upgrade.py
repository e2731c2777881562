"""Upgrades of the dynamic provider, without the CLI: each resource's own type, the one stable entry point
that stacks record (``pulumi_macie_provider.dynamic_entry``), and the update that records it in place of
a provider an older version recorded, calling nothing in Macie.
"""

from __future__ import annotations

import base64
import json
import pickletools
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.resource import collapse_alias_to_urn
from pulumi.runtime.rpc import unwrap_rpc_secret

from macie_local.server import LocalEndpoint
from pulumi_macie import MacieMemberAccount, MacieS3Resource, _utilities
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.dynamic_entry import PROVIDERS
from pulumi_macie_provider.hosts.dynamic import LEGACY_TYPE, is_dynamic_type
from pulumi_macie_provider.importer import import_entry, pending_creates

from .conftest import NONE
from .e2e_support import WRITE_ACTIONS, calls
from .grpc_hosts import Host, plain, struct

ENTRY = "pulumi_macie_provider.dynamic_entry"
#: ``__provider`` as pulumi-macie 0.1.0 recorded it (tests/fixtures/state-0.1.0-dynamic.json).
PROVIDERS_0_1_0 = {
    "MacieS3Resource": (
        "gASVUQAAAAAAAACMK3B1bHVtaV9tYWNpZV9wcm92aWRlci5yZXNvdXJjZXMuczNfcmVzb3VyY2WU"
        "jBdNYWNpZVMzUmVzb3VyY2VQcm92aWRlcpSTlCmBlH2UYi4="
    ),
    "MacieMemberAccount": (
        "gASVVwAAAAAAAACMLnB1bHVtaV9tYWNpZV9wcm92aWRlci5yZXNvdXJjZXMubWVtYmVyX2FjY291bnSU"
        "jBpNYWNpZU1lbWJlckFjY291bnRQcm92aWRlcpSTlCmBlH2UYi4="
    ),
}


def named_in(serialized: str) -> list[str]:
    """The strings a pickled provider holds: for ours, the module and the name of its class, nothing else."""
    return [arg for op, arg, _ in pickletools.genops(base64.b64decode(serialized)) if isinstance(arg, str)]


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered[args.name] = args
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def test_sdk_registers_own_types_and_pickles_only_the_entry_point() -> None:
    """Each SDK resource registers its own type, and the provider it pickles into ``__provider`` names
    only the stable entry point's class."""
    recorder = _Recorder()
    pulumi.runtime.set_mocks(recorder, preview=False)

    @pulumi.runtime.test
    def program() -> Any:
        member = MacieMemberAccount("audit", member_account_id="111122223333")
        logs = MacieS3Resource("logs", bucket_name="corp-logs", member_account_id=member.member_account_id)
        return pulumi.Output.all(member.id, logs.id)

    program()
    for name, kind in (("audit", "MacieMemberAccount"), ("logs", "MacieS3Resource")):
        registered = recorder.registered[name]
        assert registered.typ == f"pulumi-python:dynamic/macie:{kind}"
        assert named_in(unwrap_rpc_secret(registered.inputs["__provider"])) == [ENTRY, f"{kind}Provider"]


def test_sdk_aliases_the_legacy_type_by_the_urn_pulumi_makes_of_it() -> None:
    """At the stack's root a resource's alias from the legacy type is the URN Pulumi makes of
    ``Alias(type_=LEGACY_TYPE)``, as a string (cheaper to hold); under a parent it is that Alias."""
    pulumi.runtime.set_mocks(_Recorder(), project="proj", stack="dev", preview=False)

    @pulumi.runtime.test
    def program() -> Any:
        root = _utilities.aliased_from(pulumi.ResourceOptions(), "logs", LEGACY_TYPE)
        parent = pulumi.ComponentResource("acme:index:Group", "group")
        child = _utilities.aliased_from(pulumi.ResourceOptions(parent=parent), "logs", LEGACY_TYPE)
        assert [(type(alias), alias.type_) for alias in child.aliases or []] == [(pulumi.Alias, LEGACY_TYPE)]

        def same(urn: str) -> None:
            assert root.aliases == [urn] == [f"urn:pulumi:dev::proj::{LEGACY_TYPE}::logs"]

        return collapse_alias_to_urn(pulumi.Alias(type_=LEGACY_TYPE), "logs", "any:index:Type", None).apply(same)

    program()


def test_dynamic_types_known_old_and_new() -> None:
    """The importer and the recovery know both the legacy shared type and each resource's own."""
    assert is_dynamic_type(LEGACY_TYPE)
    assert is_dynamic_type("pulumi-python:dynamic/macie:MacieS3Resource")
    assert not is_dynamic_type("pulumi-python:dynamic/other:Thing")
    assert not is_dynamic_type("macie:index:MacieS3Resource")


def test_pending_create_of_an_own_type_is_recovered() -> None:
    """A create left pending with a resource's own type is found, as one of the legacy type was."""
    provider = serialize_provider(PROVIDERS["MacieS3Resource"]())
    deployment = {
        "resources": [{"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack"}],
        "pending_operations": [
            {
                "type": "creating",
                "resource": {
                    "urn": "urn:pulumi:dev::p::pulumi-python:dynamic/macie:MacieS3Resource::logs",
                    "type": "pulumi-python:dynamic/macie:MacieS3Resource",
                    "inputs": {"bucketName": "b", "prefix": "x/", "__provider": provider},
                    "parent": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev",
                },
            }
        ],
    }
    (found,) = pending_creates(deployment, ClientSettings(region="us-east-1"))
    assert (found.kind, found.name, found.id) == ("MacieS3Resource", "logs", "b/x/")


def test_importer_writes_each_resource_its_own_type(
    endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]
) -> None:
    """``pulumi-macie-import`` writes the resource's own type and the entry point's provider."""
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "classificationType": NONE}])
    settings = ClientSettings(region="us-east-1", endpoint_url=endpoint.url)
    entry = import_entry("MacieS3Resource", "logs", name, settings, client=macie)
    assert entry["type"] == "pulumi-python:dynamic/macie:MacieS3Resource"
    assert named_in(json.loads(entry["inputs"]["__provider"]["plaintext"])) == [ENTRY, "MacieS3ResourceProvider"]


# -- the dynamic host, driven over gRPC as the engine drives it ---------------------------------


@pytest.fixture
def dynamic(endpoint: LocalEndpoint) -> Iterator[Host]:
    running = Host.start("dynamic")
    try:
        running.configure({"endpointUrl": endpoint.url, "region": "us-east-1"})
        yield running
    finally:
        running.stop()


def _with_provider(values: dict[str, Any], provider: str) -> Any:
    return struct({**values, "__provider": provider})


def _writes(endpoint: LocalEndpoint) -> int:
    counted = calls(endpoint)
    return sum(counted.get(action, 0) for action in WRITE_ACTIONS)


@pytest.mark.parametrize("kind", sorted(PROVIDERS_0_1_0))
def test_provider_recorded_by_0_1_0_is_replaced_by_an_update_that_calls_nothing(
    kind: str, dynamic: Host, endpoint: LocalEndpoint, bucket: Callable[[], str]
) -> None:
    """State holding the provider 0.1.0 recorded diffs as an update (not a replace) against the program's
    provider; the update calls nothing in Macie, keeps the outputs and answers the current provider. With
    the current provider recorded, the same inputs diff as no change."""
    inputs = {"memberAccountId": "444455556666"} if kind == "MacieMemberAccount" else {"bucketName": bucket()}
    created = dynamic.create(kind, inputs)
    outs = dynamic.outputs(created.properties)
    current = plain(created.properties)["__provider"]
    assert named_in(current) == [ENTRY, f"{kind}Provider"]
    news = dynamic.check(kind, inputs).inputs
    urn = dynamic.urn("r", kind)

    same = dynamic.stub.Diff(provider_pb2.DiffRequest(id=created.id, urn=urn, olds=created.properties, news=news))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE

    old_state = _with_provider(outs, PROVIDERS_0_1_0[kind])
    moved = dynamic.stub.Diff(provider_pb2.DiffRequest(id=created.id, urn=urn, olds=old_state, news=news))
    assert (moved.changes, list(moved.replaces)) == (provider_pb2.DiffResponse.DIFF_SOME, [])

    writes = _writes(endpoint)
    updated = dynamic.stub.Update(provider_pb2.UpdateRequest(id=created.id, urn=urn, olds=old_state, news=news))
    assert _writes(endpoint) == writes
    assert dynamic.outputs(updated.properties) == outs
    assert plain(updated.properties)["__provider"] == current


def test_provider_and_inputs_changed_together_still_update_macie(
    dynamic: Host, endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]
) -> None:
    """A real change arriving with the provider's move is applied in Macie, not skipped as a move."""
    name = bucket()
    created = dynamic.create("MacieS3Resource", {"bucketName": name})
    outs = dynamic.outputs(created.properties)
    changed = {"bucketName": name, "classificationType": {"oneTime": "FULL", "continuous": "FULL"}}
    news = dynamic.check("MacieS3Resource", changed).inputs
    old_state = _with_provider(outs, PROVIDERS_0_1_0["MacieS3Resource"])
    dynamic.stub.Update(
        provider_pb2.UpdateRequest(id=created.id, urn=dynamic.urn("r", "MacieS3Resource"), olds=old_state, news=news)
    )
    assert macie.list_s3_resources()["s3Resources"][0]["classificationType"]["oneTime"] == "FULL"
