"""The dynamic provider driven through its gRPC protocol, as the engine drives it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from pulumi_macie_provider.local.server import LocalEndpoint
from pulumi_macie_provider.resources.member_account import MacieMemberAccountProvider
from pulumi_macie_provider.resources.s3_resource import MacieS3ResourceProvider

from .conftest import DEFAULT_CREDENTIALS

URN = "urn:pulumi:test::proj::pulumi-python:dynamic:Resource::{}"
S3_PROVIDER = serialize_provider(MacieS3ResourceProvider())
MEMBER_PROVIDER = serialize_provider(MacieMemberAccountProvider())


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(value, struct_pb2.Struct())


def plain(value: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(value)


@pytest.fixture
def provider(endpoint: LocalEndpoint) -> Iterator[Any]:
    """``python -m pulumi.dynamic`` (what the engine's shim starts), configured for the endpoint."""
    env = {"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": DEFAULT_CREDENTIALS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": DEFAULT_CREDENTIALS["aws_secret_access_key"],
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        stub.Configure(provider_pb2.ConfigureRequest(args=struct(
            {"macie:endpointUrl": endpoint.url, "macie:region": "us-east-1"})))
        yield stub
        channel.close()
    finally:
        process.kill()
        process.communicate(timeout=30)


def test_s3_resource_full_protocol(provider: Any, bucket: Callable[[], str], macie: Any) -> None:
    """Check, Diff, Create, Read, Update, Delete over gRPC do what the engine expects of each."""
    name = bucket()
    urn = URN.format("logs")
    news = {"bucketName": name, "prefix": "p/", "__provider": S3_PROVIDER}
    checked = provider.Check(provider_pb2.CheckRequest(urn=urn, olds=struct({}), news=struct(news)))
    assert list(checked.failures) == []
    inputs = plain(checked.inputs)
    assert inputs["classificationType"] == {"oneTime": "NONE", "continuous": "FULL"}
    assert inputs["__provider"] == S3_PROVIDER

    created = provider.Create(provider_pb2.CreateRequest(urn=urn, properties=struct(inputs)))
    assert created.id == f"{name}/p/"
    outs = plain(created.properties)
    assert macie.list_s3_resources()["s3Resources"] == [
        {"bucketName": name, "prefix": "p/", "classificationType": {"oneTime": "NONE", "continuous": "FULL"}}]

    same = provider.Diff(provider_pb2.DiffRequest(id=created.id, urn=urn, olds=struct(outs), news=struct(inputs)))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE

    changed = dict(inputs, classificationType={"oneTime": "FULL", "continuous": "FULL"})
    diff = provider.Diff(provider_pb2.DiffRequest(id=created.id, urn=urn, olds=struct(outs), news=struct(changed)))
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []

    moved = dict(inputs, prefix="q/")
    diff = provider.Diff(provider_pb2.DiffRequest(id=created.id, urn=urn, olds=struct(outs), news=struct(moved)))
    assert list(diff.replaces) == ["prefix"]

    updated = provider.Update(provider_pb2.UpdateRequest(id=created.id, urn=urn, olds=struct(outs),
                                                          news=struct(changed)))
    assert plain(updated.properties)["classificationType"] == {"oneTime": "FULL", "continuous": "FULL"}

    read = provider.Read(provider_pb2.ReadRequest(id=created.id, urn=urn, properties=struct(outs)))
    assert read.id == created.id and plain(read.inputs)["prefix"] == "p/"

    provider.Delete(provider_pb2.DeleteRequest(id=created.id, urn=urn, properties=struct(outs)))
    assert macie.list_s3_resources()["s3Resources"] == []
    gone = provider.Read(provider_pb2.ReadRequest(id=created.id, urn=urn, properties=struct(outs)))
    assert gone.id == ""
    provider.Delete(provider_pb2.DeleteRequest(id=created.id, urn=urn, properties=struct(outs)))


def test_check_failures_over_grpc(provider: Any) -> None:
    """Bad inputs come back as CheckFailures naming the property; unknowns are let through."""
    news = {"bucketName": "", "memberAccountId": "abc", "__provider": S3_PROVIDER}
    checked = provider.Check(provider_pb2.CheckRequest(urn=URN.format("x"), olds=struct({}), news=struct(news)))
    assert {f.property for f in checked.failures} == {"bucketName", "memberAccountId"}
    pending = {"bucketName": "b", "memberAccountId": UNKNOWN, "__provider": S3_PROVIDER}
    checked = provider.Check(provider_pb2.CheckRequest(urn=URN.format("x"), olds=struct({}), news=struct(pending)))
    assert list(checked.failures) == []


def test_create_failure_is_grpc_error_with_aws_message(provider: Any) -> None:
    """A failed create is a gRPC error whose text carries the action, AWS's code and message."""
    props = {"bucketName": "missing-bucket-xyz", "prefix": "", "__provider": S3_PROVIDER,
             "classificationType": {"oneTime": "NONE", "continuous": "FULL"}}
    with pytest.raises(grpc.RpcError) as excinfo:
        provider.Create(provider_pb2.CreateRequest(urn=URN.format("m"), properties=struct(props)))
    details = excinfo.value.details()
    assert "AssociateS3Resources for MacieS3Resource missing-bucket-xyz failed: InvalidInputException" in details
    assert DEFAULT_CREDENTIALS["aws_secret_access_key"] not in details


def test_member_account_over_grpc(provider: Any, macie: Any) -> None:
    """A member account is created, read and deleted through the protocol."""
    urn = URN.format("audit")
    props = {"memberAccountId": "444455556666", "__provider": MEMBER_PROVIDER}
    created = provider.Create(provider_pb2.CreateRequest(urn=urn, properties=struct(props)))
    assert created.id == "444455556666"
    assert len(macie.list_member_accounts()["memberAccounts"]) == 2
    provider.Delete(provider_pb2.DeleteRequest(id=created.id, urn=urn, properties=created.properties))
    assert len(macie.list_member_accounts()["memberAccounts"]) == 1


def test_bad_config_fails_check(endpoint: LocalEndpoint) -> None:
    """A bad endpoint URL in config is a check failure naming macie:endpointUrl, before any call."""
    process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=struct({"macie:endpointUrl": "not a url"})))
            checked = stub.Check(provider_pb2.CheckRequest(
                urn=URN.format("x"), olds=struct({}), news=struct({"bucketName": "b", "__provider": S3_PROVIDER})))
        assert [f.property for f in checked.failures] == ["macie:endpointUrl"]
        assert endpoint.macie.counters == {}
    finally:
        process.kill()
        process.communicate(timeout=30)
