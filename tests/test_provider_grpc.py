"""Both hosts driven through the ResourceProvider gRPC protocol, as the engine drives them.

Behaviour the hosts share is tested against both (``host`` is parametrised); what only one host
has (the native plugin's schema, provider config and import) is tested on that one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.rpc import UNKNOWN

from macie_local.app import Faults
from macie_local.backend import Limits
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider import __version__

from .conftest import DEFAULT_CREDENTIALS
from .grpc_hosts import Host, plain, struct

DEFAULTS = {"oneTime": "NONE", "continuous": "FULL"}
FULL = {"oneTime": "FULL", "continuous": "FULL"}
MEMBER = "444455556666"
CONFIG_URN = "urn:pulumi:test::proj::pulumi:providers:macie::default"


@pytest.fixture(params=["dynamic", "native"])
def host(request: pytest.FixtureRequest, endpoint: LocalEndpoint) -> Iterator[Host]:
    """Each host, started as the engine starts it and configured for the test endpoint."""
    running = Host.start(request.param)
    try:
        running.configure({"endpointUrl": endpoint.url, "region": "us-east-1"})
        yield running
    finally:
        running.stop()


@pytest.fixture
def native() -> Iterator[Host]:
    """The native host, not configured yet."""
    running = Host.start("native", env={"AWS_REGION": "us-west-2"})
    try:
        yield running
    finally:
        running.stop()


# -- shared behaviour: both hosts --------------------------------------------------------------


def test_s3_resource_full_protocol(host: Host, bucket: Callable[[], str], macie: Any) -> None:
    """Check, Diff, Create, Read, Update, Delete do what the engine expects of each, on both hosts."""
    name = bucket()
    checked = host.check("MacieS3Resource", {"bucketName": name, "prefix": "p/"})
    assert list(checked.failures) == []
    assert host.outputs(checked.inputs) == {"bucketName": name, "prefix": "p/", "classificationType": DEFAULTS}

    created = host.create("MacieS3Resource", {"bucketName": name, "prefix": "p/"})
    assert created.id == f"{name}/p/"
    outs = host.outputs(created.properties)
    assert outs == {"bucketName": name, "prefix": "p/", "classificationType": DEFAULTS}
    assert macie.list_s3_resources()["s3Resources"] == [
        {"bucketName": name, "prefix": "p/", "classificationType": DEFAULTS}
    ]

    same = host.diff("MacieS3Resource", created.id, outs, {"bucketName": name, "prefix": "p/"})
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    changed = {"bucketName": name, "prefix": "p/", "classificationType": FULL}
    diff = host.diff("MacieS3Resource", created.id, outs, changed)
    assert (diff.changes, list(diff.replaces)) == (provider_pb2.DiffResponse.DIFF_SOME, [])
    moved = host.diff("MacieS3Resource", created.id, outs, {"bucketName": name, "prefix": "q/"})
    assert list(moved.replaces) == ["prefix"]

    updated = host.update("MacieS3Resource", created.id, outs, changed)
    assert host.outputs(updated.properties)["classificationType"] == FULL
    assert macie.list_s3_resources()["s3Resources"][0]["classificationType"] == FULL

    read = host.read("MacieS3Resource", created.id, outs)
    assert read.id == created.id and plain(read.inputs)["classificationType"] == FULL

    host.delete("MacieS3Resource", created.id, outs)
    assert macie.list_s3_resources()["s3Resources"] == []
    assert host.read("MacieS3Resource", created.id, outs).id == ""
    host.delete("MacieS3Resource", created.id, outs)  # already gone: success


def test_member_account_over_grpc(host: Host, macie: Any) -> None:
    """A member account is created, read and deleted through the protocol, on both hosts."""
    created = host.create("MacieMemberAccount", {"memberAccountId": "444455556666"})
    assert created.id == "444455556666"
    assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]][1:] == ["444455556666"]
    state = host.outputs(created.properties)
    assert host.read("MacieMemberAccount", created.id, state).id == created.id
    host.delete("MacieMemberAccount", created.id, state)
    assert len(macie.list_member_accounts()["memberAccounts"]) == 1


def test_check_failures_over_grpc(host: Host) -> None:
    """Bad inputs come back as CheckFailures naming the property; unknowns are let through."""
    checked = host.check("MacieS3Resource", {"bucketName": "", "memberAccountId": "abc"})
    assert {f.property for f in checked.failures} == {"bucketName", "memberAccountId"}
    checked = host.check("MacieS3Resource", {"bucketName": "b", "memberAccountId": UNKNOWN})
    assert list(checked.failures) == []


def test_account_id_given_as_number(host: Host) -> None:
    """A 12-digit account ID sent as a number (a YAML config value) is checked in as its string; a
    shorter number is refused with the rule and a hint to quote it."""
    checked = host.check("MacieMemberAccount", {"memberAccountId": 111122223333})
    assert list(checked.failures) == [] and plain(checked.inputs)["memberAccountId"] == "111122223333"
    (failure,) = host.check("MacieMemberAccount", {"memberAccountId": 12345678901}).failures
    assert failure.property == "memberAccountId"
    assert "does not match the pattern [0-9]{12} (it was given as the number 12345678901" in failure.reason


def test_create_failure_is_one_line_with_aws_error(host: Host) -> None:
    """A failed create is a gRPC error of one line: the action, the resource, AWS's code and message."""
    with pytest.raises(grpc.RpcError) as excinfo:
        host.create("MacieS3Resource", {"bucketName": "missing-bucket-xyz"})
    details = excinfo.value.details()
    if host.kind == "dynamic":  # pulumi.dynamic's server puts its own traceback first
        assert details.startswith("Traceback")
        details = details.strip().splitlines()[-1].removeprefix("pulumi_macie_provider.errors.FailedItemError: ")
    assert details == (
        "AssociateS3Resources for MacieS3Resource missing-bucket-xyz failed: InvalidInputException: "
        "The request was rejected. The S3 bucket missing-bucket-xyz does not exist."
    )
    assert DEFAULT_CREDENTIALS["aws_secret_access_key"] not in excinfo.value.details()


@pytest.mark.parametrize("host", ["native"], indirect=True)
def test_member_created_while_its_s3_resources_wait_for_it(host: Host, bucket: Callable[[], str]) -> None:
    """Six S3 creates for an account that is not a member yet (literal IDs, unordered) all wait for the
    membership; the member's own create, sent after them, is still served, and then every create
    succeeds."""
    name = bucket()
    with ThreadPoolExecutor(max_workers=6) as pool:
        waiting = [
            pool.submit(
                host.create,
                "MacieS3Resource",
                {"bucketName": name, "prefix": f"p{i}/", "memberAccountId": MEMBER},
                f"s{i}",
            )
            for i in range(6)
        ]
        time.sleep(1.0)  # the six are waiting now
        member = host.create("MacieMemberAccount", {"memberAccountId": MEMBER}, "m", deadline=60)
        created = [future.result(timeout=120) for future in waiting]
    assert member.id == MEMBER
    assert sorted(c.id for c in created) == [f"{MEMBER}:{name}/p{i}/" for i in range(6)]


@pytest.mark.parametrize("host", ["dynamic"], indirect=True)
def test_dynamic_host_never_waits_for_another_resource(host: Host, bucket: Callable[[], str], macie: Any) -> None:
    """Pulumi's dynamic-provider server has 4 threads and cannot be cancelled, so its hooks never wait: an
    S3 create for an account that is not a member fails at once, saying how to order the two (the SDK
    orders a member declared before it), and so does a member's delete while it has S3 resources."""
    name = bucket()
    began = time.monotonic()
    with pytest.raises(grpc.RpcError) as excinfo:
        host.create("MacieS3Resource", {"bucketName": name, "memberAccountId": MEMBER})
    assert time.monotonic() - began < 10
    assert f"{MEMBER} is not a member account of this master. Associate it first:" in excinfo.value.details()
    assert "waited" not in excinfo.value.details()
    host.create("MacieMemberAccount", {"memberAccountId": MEMBER}, "m")
    host.create("MacieS3Resource", {"bucketName": name, "memberAccountId": MEMBER})
    with pytest.raises(grpc.RpcError) as excinfo:
        host.delete("MacieMemberAccount", MEMBER, {"memberAccountId": MEMBER}, "m")
    assert "disassociate them first" in excinfo.value.details()
    assert {"accountId": MEMBER} in macie.list_member_accounts()["memberAccounts"]


@pytest.mark.parametrize("kind", ["dynamic", "native"])
def test_limit_exceeded_fails_at_once_over_grpc(kind: str) -> None:
    """Past Macie's S3-resource limit a create fails with one attempt, naming the limit and what to do,
    instead of being retried as throttling for the whole retry budget."""
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], limits=Limits(max_s3_resources=1), buckets=["a-1", "a-2"]) as ep:
        running = Host.start(kind)
        try:
            running.configure({"endpointUrl": ep.url, "region": "us-east-1", "maxAttempts": 8})
            running.create("MacieS3Resource", {"bucketName": "a-1"})
            with pytest.raises(grpc.RpcError) as excinfo:
                running.create("MacieS3Resource", {"bucketName": "a-2"})
        finally:
            running.stop()
        sent = sum(v for k, v in ep.macie.counters.items() if k.startswith("AssociateS3Resources."))
    assert sent == 2
    last = excinfo.value.details().strip().splitlines()[-1]
    assert "AssociateS3Resources for MacieS3Resource a-2 failed: LimitExceededException:" in last
    assert "(resourceType S3Resource): a limit of Macie, not throttling, so it is not retried" in last
    assert "attempts" not in last


def test_bad_config_fails_before_any_call(endpoint: LocalEndpoint) -> None:
    """A bad setting (maxAttempts 0) is a failure naming it on both hosts, and nothing reaches the
    endpoint, not even when a create is tried anyway."""
    for kind in ("dynamic", "native"):
        running = Host.start(kind)
        try:
            running.configure({"endpointUrl": endpoint.url, "region": "us-east-1", "maxAttempts": 0})
            if kind == "native":
                failures = running.config_failures
            else:
                failures = list(running.check("MacieS3Resource", {"bucketName": "b"}).failures)
            assert [f.property.removeprefix("macie:") for f in failures] == ["maxAttempts"], kind
            assert "out of range: must be from 1 to 50" in failures[0].reason
            with pytest.raises(grpc.RpcError):
                running.stub.Create(
                    provider_pb2.CreateRequest(
                        urn=running.urn("r", "MacieS3Resource"),
                        properties=running.props("MacieS3Resource", {"bucketName": "b", "prefix": ""}),
                    )
                )
        finally:
            running.stop()
    assert endpoint.macie.counters == {}


# -- the native host only ----------------------------------------------------------------------


def test_native_serves_schema_with_version(native: Host) -> None:
    """GetSchema answers schema.json with the package's version; GetPluginInfo the same version."""
    schema = json.loads(native.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema)
    assert schema["name"] == "macie" and schema["version"] == __version__
    assert sorted(schema["resources"]) == ["macie:index:MacieMemberAccount", "macie:index:MacieS3Resource"]
    assert native.stub.GetPluginInfo(empty_pb2.Empty()).version == __version__


def test_native_check_config_rules(native: Host) -> None:
    """CheckConfig applies the config rules, refuses unknown keys (a typo never goes unnoticed), types
    maxAttempts, and records the region the environment gives when config has none."""
    checked = native.stub.CheckConfig(
        provider_pb2.CheckRequest(
            urn=CONFIG_URN,
            olds=struct({}),
            news=struct(
                {"endpointURL": "http://127.0.0.1:1", "maxAttempts": "0", "region": "moon-base", "version": "0.1.0"}
            ),
        )
    )
    reasons = {f.property: f.reason for f in checked.failures}
    assert reasons["endpointURL"].startswith("unknown setting macie:endpointURL; the settings are macie:")
    assert "macie:endpointUrl" in reasons["endpointURL"] and "macie:assumeRole" in reasons["endpointURL"]
    assert "out of range" in reasons["maxAttempts"] and "pattern" in reasons["region"]
    checked = native.stub.CheckConfig(
        provider_pb2.CheckRequest(
            urn=CONFIG_URN, olds=struct({}), news=struct({"maxAttempts": "5", "version": "0.1.0"})
        )
    )
    assert list(checked.failures) == []
    # The endpoint is recorded as used: AWS's own, in the region.
    assert plain(checked.inputs) == {
        "endpointUrl": "https://macie.us-west-2.amazonaws.com",
        "maxAttempts": 5,
        "region": "us-west-2",
        "version": "0.1.0",
    }


@pytest.mark.parametrize(
    ("olds", "news", "replaces", "changes"),
    [
        ({"region": "us-east-1"}, {"region": "us-east-1"}, [], provider_pb2.DiffResponse.DIFF_NONE),
        ({"region": "us-east-1"}, {"region": "us-west-2"}, ["region"], provider_pb2.DiffResponse.DIFF_SOME),
        (
            {"endpointUrl": "http://a:1"},
            {"endpointUrl": "http://b:1"},
            ["endpointUrl"],
            provider_pb2.DiffResponse.DIFF_SOME,
        ),
        ({"region": "us-east-1"}, {"region": UNKNOWN}, ["region"], provider_pb2.DiffResponse.DIFF_SOME),
        ({"maxAttempts": 3}, {"maxAttempts": 8}, [], provider_pb2.DiffResponse.DIFF_SOME),
        ({"version": "0.1.0"}, {"version": "0.2.0"}, [], provider_pb2.DiffResponse.DIFF_NONE),
    ],
)
def test_native_diff_config(
    native: Host, olds: dict[str, Any], news: dict[str, Any], replaces: list[str], changes: int
) -> None:
    """A new region or endpoint replaces the resources (they live somewhere else); other settings update."""
    diff = native.stub.DiffConfig(
        provider_pb2.DiffRequest(urn=CONFIG_URN, id="p", olds=struct(olds), news=struct(news))
    )
    assert (list(diff.replaces), diff.changes) == (replaces, changes)


def test_native_import_reads_from_the_id_alone(endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]) -> None:
    """A Read with nothing but an ID (pulumi import, get) answers inputs and outputs for what Macie holds,
    and fails with a clear message for what it does not hold or for a malformed ID."""
    name = bucket()
    macie.associate_member_account(memberAccountId="111122223333")
    macie.associate_s3_resources(
        memberAccountId="111122223333", s3Resources=[{"bucketName": name, "prefix": "a/", "classificationType": FULL}]
    )
    running = Host.start("native")
    try:
        running.configure({"endpointUrl": endpoint.url, "region": "us-east-1"})
        read = running.read("MacieS3Resource", f"111122223333:{name}/a/", {})
        expected = {"bucketName": name, "prefix": "a/", "memberAccountId": "111122223333", "classificationType": FULL}
        assert (read.id, plain(read.inputs), plain(read.properties)) == (f"111122223333:{name}/a/", expected, expected)
        assert plain(running.read("MacieMemberAccount", "111122223333", {}).inputs) == {
            "memberAccountId": "111122223333"
        }
        with pytest.raises(grpc.RpcError) as excinfo:
            running.read("MacieS3Resource", f"{name}/nothing/", {})
        assert excinfo.value.details() == (
            f"MacieS3Resource '{name}/nothing/' does not exist in Macie (region "
            f"us-east-1, endpoint {endpoint.url}): there is nothing to import or read"
        )
        with pytest.raises(grpc.RpcError) as excinfo:
            running.read("MacieMemberAccount", "12-34", {})
        assert "an ID is <memberAccountId>, 12 digits" in excinfo.value.details()
    finally:
        running.stop()


def test_native_preview_calls_nothing(native: Host, endpoint: LocalEndpoint) -> None:
    """A preview's Create answers the checked inputs without calling Macie: the engine sends preview
    creates to every plugin that answered its Handshake (pkg/v3 provider_plugin.go takes such a plugin
    to support previews), so `pulumi preview` would otherwise associate for real."""
    native.configure({"endpointUrl": endpoint.url, "region": "us-east-1"})
    checked = native.check("MacieS3Resource", {"bucketName": "b"})
    created = native.stub.Create(
        provider_pb2.CreateRequest(urn=native.urn("r", "MacieS3Resource"), properties=checked.inputs, preview=True)
    )
    assert created.id == "" and plain(created.properties) == plain(checked.inputs)
    assert endpoint.macie.counters == {}


def test_native_custom_timeout_bounds_retries() -> None:
    """With every call throttled, a create under a 1 s customTimeout gives up on time, in one line naming
    the time limit and the last answer, instead of retrying for the whole retry budget."""
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], faults=Faults(throttle_rate=1.0, seed=7)) as endpoint:
        running = Host.start("native")
        try:
            running.configure({"endpointUrl": endpoint.url, "region": "us-east-1", "maxAttempts": 50})
            began = time.monotonic()
            with pytest.raises(grpc.RpcError) as excinfo:
                running.create("MacieMemberAccount", {"memberAccountId": "444455556666"}, timeout=1)
            elapsed = time.monotonic() - began
        finally:
            running.stop()
    details = excinfo.value.details()
    # (The create lists the members first, to tell the master's own ID from a new member.)
    assert details.startswith(
        "ListMemberAccounts for member accounts failed: DeadlineExceeded: the time limit of 1s ran out"
    )
    # The last answer was a throttle; on a loaded machine building the client may use up the second
    # before the first attempt, which the message then says instead.
    assert "the last answer was ThrottlingException" in details or "ran out before the call was made" in details
    assert "\n" not in details
    assert elapsed < 10  # 50 attempts with backoff would take minutes


SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def test_native_configure_takes_secret_settings(endpoint: LocalEndpoint, macie: Any) -> None:
    """Settings set as secrets reach Configure wrapped; they are used as plain values, and a bad one is
    refused without its value in the message."""
    running = Host.start("native")
    try:
        running.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct({"region": "us-east-1", "endpointUrl": {**SECRET, "value": endpoint.url}})
            )
        )
        assert running.create("MacieMemberAccount", {"memberAccountId": "444455556666"}).id == "444455556666"
        with pytest.raises(grpc.RpcError) as excinfo:
            running.stub.Configure(
                provider_pb2.ConfigureRequest(
                    args=struct(
                        {"region": "us-east-1", "endpointUrl": {**SECRET, "value": "http://admin:hunter2@ bad"}}
                    )
                )
            )
        assert "macie:endpointUrl: the value given does not match the pattern" in excinfo.value.details()
        assert "hunter2" not in excinfo.value.details()
    finally:
        running.stop()
    assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]][1:] == ["444455556666"]


def test_native_keeps_the_recorded_region_without_one_in_the_environment() -> None:
    """A region recorded from the environment stays recorded when a later run has none, so nothing is
    replaced; a region in the environment or in config still wins."""
    running = Host.start("native")  # no AWS_REGION, no AWS_DEFAULT_REGION
    try:

        def checked(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
            return plain(
                running.stub.CheckConfig(
                    provider_pb2.CheckRequest(urn=CONFIG_URN, olds=struct(olds), news=struct(news))
                ).inputs
            )

        assert checked({"region": "us-east-1"}, {"version": "0.1.0"}) == {
            "endpointUrl": "https://macie.us-east-1.amazonaws.com",
            "region": "us-east-1",
            "version": "0.1.0",
        }
        assert checked({"region": "us-east-1"}, {"region": "us-west-2"})["region"] == "us-west-2"
        assert "region" not in checked({}, {}) and "endpointUrl" not in checked({}, {})
    finally:
        running.stop()


def test_native_detailed_diff_kinds(native: Host) -> None:
    """The detailed diff says what happens to each property: a removed identity is a delete that replaces."""
    olds = {"bucketName": "b", "prefix": "", "memberAccountId": "111122223333", "classificationType": DEFAULTS}
    diff = native.diff("MacieS3Resource", "111122223333:b", olds, {"bucketName": "b", "classificationType": FULL})
    kinds = provider_pb2.PropertyDiff
    assert {k: v.kind for k, v in diff.detailedDiff.items()} == {
        "memberAccountId": kinds.DELETE_REPLACE,
        "classificationType": kinds.UPDATE,
    }


@pytest.mark.parametrize(
    ("olds", "news", "kind"),
    [
        ({"classificationType": FULL}, {}, "UPDATE"),  # back to its defaults, not deleted
        ({}, {"classificationType": FULL}, "UPDATE"),  # from its defaults, not added
        ({"prefix": "a/"}, {}, "UPDATE_REPLACE"),  # no prefix is the empty prefix
    ],
)
def test_native_detailed_diff_compares_stored_values(
    native: Host, olds: dict[str, Any], news: dict[str, Any], kind: str
) -> None:
    """A property left out of the program takes its default: `pulumi preview --diff` shows an update
    to (or from) that default, as it will be stored, never a deletion or an addition."""
    key = next(iter(olds or news))
    diff = native.diff("MacieS3Resource", "b", {"bucketName": "b", **olds}, {"bucketName": "b", **news})
    assert {k: provider_pb2.PropertyDiff.Kind.Name(v.kind) for k, v in diff.detailedDiff.items()} == {key: kind}
