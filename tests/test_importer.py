"""pulumi-macie-import's reading of a stack's pending creates and of a preview, for the resources of both hosts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from macie_local.server import LocalEndpoint
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.dynamic_entry import LEGACY, PROVIDERS
from pulumi_macie_provider.importer import (
    SECRET_SIG,
    SecondClaim,
    claims,
    declared_creates,
    import_entry,
    import_file,
    parse,
    pending_creates,
    refuse_second_claims,
    settings_for,
    urn_prefix,
)
from pulumi_macie_provider.importer.stack import Where, keys_of

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:macie::default"


STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
EXPLICIT_URN = "urn:pulumi:dev::p::pulumi:providers:macie::west"
PARENT_URN = "urn:pulumi:dev::p::my:index:Component::c"


def _deployment() -> dict:
    return {
        "resources": [
            {"urn": STACK_URN, "type": "pulumi:pulumi:Stack"},
            {
                "urn": PROVIDER_URN,
                "type": "pulumi:providers:macie",
                "inputs": {"region": "us-west-2", "endpointUrl": "http://127.0.0.1:4510", "version": "0.1.0"},
            },
            {"urn": EXPLICIT_URN, "type": "pulumi:providers:macie", "inputs": {"region": "us-east-1"}},
        ],
        "pending_operations": [
            {
                "type": "creating",
                "resource": {
                    "urn": "urn:pulumi:dev::p::macie:index:MacieS3Resource::logs",
                    "type": "macie:index:MacieS3Resource",
                    "parent": STACK_URN,
                    "provider": f"{PROVIDER_URN}::0b1c",
                    "inputs": {"bucketName": "b", "prefix": "x/", "memberAccountId": "111122223333"},
                },
            },
            {
                "type": "creating",
                "resource": {
                    "urn": "urn:pulumi:dev::p::my:index:Component$macie:index:MacieMemberAccount::m",
                    "type": "macie:index:MacieMemberAccount",
                    "parent": PARENT_URN,
                    "provider": f"{EXPLICIT_URN}::9f9f",
                    "inputs": {"memberAccountId": "111122223333"},
                },
            },
            {
                "type": "creating",
                "resource": {
                    "urn": "urn:pulumi:dev::p::pulumi-python:dynamic:Resource::old",
                    "type": "pulumi-python:dynamic:Resource",
                    "inputs": {"bucketName": "b", "__provider": serialize_provider(LEGACY["MacieS3Resource"]())},
                },
            },
            {
                "type": "updating",
                "resource": {
                    "urn": "urn:pulumi:dev::p::macie:index:MacieMemberAccount::m",
                    "type": "macie:index:MacieMemberAccount",
                    "inputs": {"memberAccountId": "111122223333"},
                },
            },
        ],
    }


def test_pending_creates_of_both_hosts() -> None:
    """Pending creates of native and dynamic resources are found with their IDs; a native one is looked
    up where its provider's recorded settings say, a dynamic one where the command's settings say."""
    given = ClientSettings(region="eu-west-1")
    found = pending_creates(_deployment(), given)
    assert [(p.name, p.kind, p.id) for p in found] == [
        ("logs", "macie:index:MacieS3Resource", "111122223333:b/x/"),
        ("m", "macie:index:MacieMemberAccount", "111122223333"),
        ("old", "MacieS3Resource", "b"),
    ]
    # Native ones where their provider recorded (with its keys, if it has any: ``Where``).
    assert found[0].where == Where(region="us-west-2", endpoint_url="http://127.0.0.1:4510")
    assert found[1].where == Where(region="us-east-1")
    assert found[2].where == given


def test_import_file_keeps_parent_and_explicit_provider() -> None:
    """The import file names a non-stack parent and an explicit provider, so an imported pending create
    lands under the URN and provider it had; default providers and the stack are left implicit."""
    found = pending_creates(_deployment(), ClientSettings())
    entries = [(p, {"type": p.kind, "name": p.name, "id": p.id}) for p in found[:2]]
    assert import_file(entries) == {
        "nameTable": {"ref0": PARENT_URN, "ref1": EXPLICIT_URN},
        "resources": [
            {"type": "macie:index:MacieS3Resource", "name": "logs", "id": "111122223333:b/x/"},
            {
                "type": "macie:index:MacieMemberAccount",
                "name": "m",
                "id": "111122223333",
                "parent": "ref0",
                "provider": "ref1",
            },
        ],
    }


def _preview() -> dict:
    """A `pulumi preview --json` of a program with both hosts' resources, on a stack that lacks them."""
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    dynamic_provider = f"urn:pulumi:dev::p::pulumi:providers:pulumi-python::default::{unknown}"
    return {
        "steps": [
            {"op": "same", "urn": STACK_URN, "newState": {"type": "pulumi:pulumi:Stack"}},
            {
                "op": "create",
                "urn": PROVIDER_URN,
                "newState": {
                    "type": "pulumi:providers:macie",
                    "inputs": {"region": "us-west-2", "endpointUrl": "http://127.0.0.1:4510", "version": "0.1.0"},
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::pulumi-python:dynamic/macie:MacieMemberAccount::member",
                "newState": {
                    "type": "pulumi-python:dynamic/macie:MacieMemberAccount",
                    "parent": STACK_URN,
                    "provider": dynamic_provider,
                    "inputs": {"__provider": "[secret]", "memberAccountId": "111122223333"},
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::pulumi-python:dynamic/macie:MacieS3Resource::logs",
                "newState": {
                    "type": "pulumi-python:dynamic/macie:MacieS3Resource",
                    "parent": STACK_URN,
                    "provider": dynamic_provider,
                    "inputs": {"__provider": "[secret]", "bucketName": "b", "prefix": "x/"},
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::macie:index:MacieS3Resource::native",
                "newState": {
                    "type": "macie:index:MacieS3Resource",
                    "parent": STACK_URN,
                    "provider": f"{PROVIDER_URN}::{unknown}",
                    "inputs": {"bucketName": "b", "memberAccountId": "111122223333"},
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::macie:index:MacieS3Resource::later",
                "newState": {
                    "type": "macie:index:MacieS3Resource",
                    "parent": STACK_URN,
                    "provider": f"{PROVIDER_URN}::{unknown}",
                    "inputs": {"bucketName": "b", "memberAccountId": unknown},
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::pulumi-python:dynamic:Resource::other",
                "newState": {
                    "type": "pulumi-python:dynamic:Resource",
                    "parent": STACK_URN,
                    "inputs": {"__provider": "[secret]", "url": "https://example.com"},
                },
            },
            {
                "op": "same",
                "urn": "urn:pulumi:dev::p::macie:index:MacieMemberAccount::kept",
                "newState": {"type": "macie:index:MacieMemberAccount", "inputs": {"memberAccountId": "210987654321"}},
            },
        ]
    }


def test_declared_creates_from_a_preview() -> None:
    """--rebuild takes from a preview the creates of our resources with their IDs (dynamic ones looked up
    with the command's settings, native ones where their provider's inputs say); one whose ID is not
    known yet waits; other providers' resources and resources the stack has are left alone."""
    given = ClientSettings(region="eu-west-1")
    found, waiting = declared_creates(_preview(), given)
    assert [(p.name, p.kind, p.id, p.type) for p in found] == [
        ("member", "MacieMemberAccount", "111122223333", "pulumi-python:dynamic/macie:MacieMemberAccount"),
        ("logs", "MacieS3Resource", "b/x/", "pulumi-python:dynamic/macie:MacieS3Resource"),
        ("native", "macie:index:MacieS3Resource", "111122223333:b", None),
    ]
    assert [p.where for p in found] == [
        given,
        given,
        Where(region="us-west-2", endpoint_url="http://127.0.0.1:4510"),
    ]
    assert waiting == ["urn:pulumi:dev::p::macie:index:MacieS3Resource::later"]


@pytest.mark.parametrize(
    ("provider_inputs", "expected"),
    [
        ({"region": "us-west-2", "endpointUrl": "http://127.0.0.1:4510"}, ("us-west-2", "http://127.0.0.1:4510")),
        ({"region": "not a region"}, ("eu-west-1", None)),  # settings that do not work: the command's
    ],
)
def test_pending_and_declared_creates_read_a_resource_alike(
    provider_inputs: dict[str, Any], expected: tuple[str, str | None]
) -> None:
    """A native resource pending creation in a state and the same resource planned in a preview give
    the same create: one ID from its inputs, looked up with its explicit provider's recorded settings
    (or the command's when those do not work), under the same parent and provider."""
    given = ClientSettings(region="eu-west-1")
    urn = "urn:pulumi:dev::p::my:index:Component$macie:index:MacieS3Resource::logs"
    state = {
        "type": "macie:index:MacieS3Resource",
        "parent": PARENT_URN,
        "provider": f"{EXPLICIT_URN}::0b1c",
        "inputs": {"bucketName": "b", "prefix": "x/", "memberAccountId": "111122223333"},
    }
    provider = {"type": "pulumi:providers:macie", "inputs": provider_inputs}
    deployment = {
        "resources": [{"urn": STACK_URN, "type": "pulumi:pulumi:Stack"}, {"urn": EXPLICIT_URN, **provider}],
        "pending_operations": [{"type": "creating", "resource": {"urn": urn, **state}}],
    }
    preview = {
        "steps": [
            {"op": "same", "urn": STACK_URN, "newState": {"type": "pulumi:pulumi:Stack"}},
            {"op": "same", "urn": EXPLICIT_URN, "newState": provider},
            {"op": "same", "urn": PARENT_URN, "newState": {"type": "my:index:Component"}},
            {"op": "create", "urn": urn, "newState": state},
        ]
    }
    (pending,) = pending_creates(deployment, given)
    (declared,), waiting = declared_creates(preview, given)
    assert pending == declared and waiting == []
    assert (pending.id, pending.parent, pending.provider) == ("111122223333:b/x/", PARENT_URN, EXPLICIT_URN)
    assert (pending.where.region, pending.where.endpoint_url) == expected


def test_import_entry_of_a_dynamic_resource_carries_its_provider_as_a_secret(
    endpoint: LocalEndpoint, macie: Any
) -> None:
    """The entry for a dynamic resource has the live state and a __provider the engine stores encrypted."""
    macie.associate_member_account(memberAccountId="111122223333")
    settings = ClientSettings(region="us-east-1", endpoint_url=endpoint.url)
    entry = import_entry("MacieMemberAccount", "audit", "111122223333", settings, client=macie)
    assert entry["inputs"]["memberAccountId"] == "111122223333"
    for part in ("inputs", "outputs"):
        provider = entry[part]["__provider"]
        assert set(provider) == {SECRET_SIG[0], "plaintext"} and provider[SECRET_SIG[0]] == SECRET_SIG[1]
        assert json.loads(provider["plaintext"]) == serialize_provider(PROVIDERS["MacieMemberAccount"]())


def test_claims_are_the_associations_the_stack_holds_by_canonical_id() -> None:
    """Each resource of this package that the state holds claims its association, whatever its host
    or type (0.1.0's shared dynamic type included); a resource pending deletion claims nothing."""
    dynamic = "urn:pulumi:dev::p::pulumi-python:dynamic/macie:MacieS3Resource::logs"
    legacy = "urn:pulumi:dev::p::pulumi-python:dynamic:Resource::old"
    native = "urn:pulumi:dev::p::macie:index:MacieMemberAccount::m"
    deployment = {
        "resources": [
            {"urn": STACK_URN, "type": "pulumi:pulumi:Stack"},
            {"urn": dynamic, "type": "pulumi-python:dynamic/macie:MacieS3Resource", "id": "b/logs/", "inputs": {}},
            {
                "urn": legacy,
                "type": "pulumi-python:dynamic:Resource",
                "id": "b",
                "inputs": {"bucketName": "b", "__provider": serialize_provider(LEGACY["MacieS3Resource"]())},
            },
            {"urn": native, "type": "macie:index:MacieMemberAccount", "id": "111122223333", "inputs": {}},
            {"urn": native + "-gone", "type": "macie:index:MacieMemberAccount", "id": "2" * 12, "delete": True},
        ]
    }
    claimed = claims(deployment, ClientSettings())
    assert claimed == {
        ("MacieS3Resource", "b/logs/"): dynamic,
        ("MacieS3Resource", "b"): legacy,
        ("MacieMemberAccount", "111122223333"): native,
    }
    assert urn_prefix(deployment) == "urn:pulumi:dev::p::"
    refuse_second_claims([(dynamic, ("MacieS3Resource", "b/logs/"))], claimed)  # the holder itself
    refuse_second_claims([("urn:x", ("MacieS3Resource", "b/other/"))], claimed)  # nobody holds it
    with pytest.raises(SecondClaim, match=f"MacieS3Resource b/logs/ is held by {dynamic}"):
        refuse_second_claims(
            [("urn:pulumi:dev::p::macie:index:MacieS3Resource::logs", ("MacieS3Resource", "b/logs/"))], claimed
        )


def test_lookups_sign_with_the_keys_the_provider_or_the_stack_config_gives() -> None:
    """A native provider that recorded keys (secrets, decrypted by `stack export --show-secrets`) is looked
    up with them; the stack's `macie:accessKey`... serve dynamic resources. The keys never show."""
    deployment = _deployment()
    deployment["resources"][2]["inputs"] = {
        "region": "us-east-1",
        "accessKey": {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": json.dumps("AKIAOTHERMASTER00001")},
        "secretKey": {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": json.dumps("other-secret")},
        "maxAttempts": "3",  # as the SDKs send an explicit provider's numbers: JSON
    }
    given = settings_for(parse(["MacieS3Resource", "n", "b"])[0], {"macie:accessKey": "AKIA1", "macie:secretKey": "s1"})
    found = pending_creates(deployment, given)
    member = next(create for create in found if create.name == "m")
    assert member.where.max_attempts == 3
    assert keys_of(member.where) == {
        "aws_access_key_id": "AKIAOTHERMASTER00001",
        "aws_secret_access_key": "other-secret",
    }
    dynamic = next(create for create in found if create.name == "old")
    assert keys_of(dynamic.where) == {"aws_access_key_id": "AKIA1", "aws_secret_access_key": "s1"}
    assert "other-secret" not in repr(member) and "s1" not in repr(dynamic)


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("pulumi_macie_provider.importer.cli", "pulumi-macie-import"),
        ("pulumi_macie_provider.hosts.plugin", "pulumi-macie-plugin"),
        ("pulumi_macie_provider.hosts.native", "pulumi-resource-macie"),
        ("pulumi_macie_provider.importer.migrate", "pulumi-macie-migrate"),
    ],
)
def test_help_of_each_command_shows_plain_text(module: str, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` of the package's commands shows their docstring's first paragraph without RST's
    double backticks: ``pulumi-macie-import: bring existing …``, not two backticks around the name."""
    import importlib

    with pytest.raises(SystemExit) as exited:
        importlib.import_module(module).main(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert f"{command}" in shown.split("\n\n")[1] and "``" not in shown
