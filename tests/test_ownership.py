"""A stack owns only what it made: a create decides from what Macie held before the call, an unknown
outcome is settled by asking Macie or reported, and import and lookup apply the create's rules."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError
from google.protobuf import empty_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import provider_pb2

from macie_local.app import Faults
from macie_local.server import DEFAULT_ACCOUNT_ID, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.client.deadline import time_limit
from pulumi_macie_provider.errors import InputError, MacieApiError, UnknownOutcomeError
from pulumi_macie_provider.resources.base import Hooks
from pulumi_macie_provider.resources.member_account import MemberAccountHooks
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks

from .grpc_hosts import Host, plain

FULL = {"oneTime": "FULL", "continuous": "FULL"}
MEMBER = "444455556666"


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def throttled(request: Any) -> AWSResponse:
    """The answer Macie gives a throttled call: nothing was done."""
    body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "ThrottlingException"}
    return AWSResponse(request.url, 400, headers, _Body(body))


def on_attempts(client: Any, action: str, attempts: dict[int, Callable[[Any], Any]]) -> list[int]:
    """Make attempt N of each later ``action`` call do ``attempts[N](request)`` (an answer to return, or
    an exception to raise) instead of reaching the endpoint; the other attempts go through. Returns the
    list of attempt numbers seen."""
    seen: list[int] = []

    def intercept(request: Any, **_: Any) -> Any:
        number = len(seen) + 1
        seen.append(number)
        act = attempts.get(number)
        return None if act is None else act(request)

    client.meta.events.register_first(f"before-send.macie.{action}", intercept)
    return seen


def answer_lost(do_it: Callable[[], Any]) -> Callable[[Any], Any]:
    """An attempt that Macie carries out (``do_it``) and whose answer is lost."""

    def act(request: Any) -> Any:
        do_it()
        raise ConnectionClosedError(endpoint_url=request.url)

    return act


def lost_before(request: Any) -> Any:
    """An attempt lost before Macie saw it: nothing was done, nothing answered."""
    raise ConnectionClosedError(endpoint_url=request.url)


@pytest.fixture
def hooks_for(client_for: Callable[..., Any]) -> Callable[..., Hooks]:
    def build(kind: type[Hooks], max_attempts: int = 3) -> Hooks:
        return kind(ClientSettings(), client_for(max_attempts=max_attempts))

    return build


def _associated(macie: Any, name: str) -> list[Any]:
    return [r for r in macie.list_s3_resources()["s3Resources"] if r["bucketName"] == name]


# -- 1. held before: never adopted, whatever the retries answered ----------------------------------


def test_member_account_create_throttled_then_refused_does_not_adopt_what_was_held_before(
    hooks_for: Callable[..., Hooks], macie: Any
) -> None:
    """A member associated outside the stack before the create stays someone else's when the create's
    first attempt is throttled and its retry is refused as already associated: the create fails with
    the way to import it."""
    macie.associate_member_account(memberAccountId=MEMBER)
    hooks = hooks_for(MemberAccountHooks)
    seen = on_attempts(hooks.client, "AssociateMemberAccount", {1: throttled})
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"memberAccountId": MEMBER})
    assert seen == [1, 2]
    assert excinfo.value.code == "InvalidInputException"
    assert "already associated" in str(excinfo.value)
    assert "was associated before this create, outside this stack" in str(excinfo.value)
    assert f"pulumi import macie:index:MacieMemberAccount <name> {MEMBER}" in str(excinfo.value)


def test_s3_resource_create_throttled_then_refused_does_not_adopt_what_was_held_before(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """The same for an S3 resource: associated outside the stack with the very same classification,
    a throttled first attempt and an "already associated" retry leave it unowned and the create fails."""
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "prefix": "new/", "classificationType": FULL}])
    hooks = hooks_for(S3ResourceHooks)
    seen = on_attempts(hooks.client, "AssociateS3Resources", {1: throttled})
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"bucketName": name, "prefix": "new/", "classificationType": FULL})
    assert seen == [1, 2]
    assert "already associated" in str(excinfo.value)
    assert f"pulumi import macie:index:MacieS3Resource <name> {name}/new/" in str(excinfo.value)
    assert f"pulumi-macie-import MacieS3Resource <name> {name}/new/" in str(excinfo.value)


def test_s3_resource_create_of_an_association_held_before_is_refused_even_when_its_answer_is_lost(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """Held before, then every answer lost: Macie holds it afterwards, yet it is not ours."""
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "classificationType": FULL}])
    hooks = hooks_for(S3ResourceHooks, max_attempts=2)
    on_attempts(hooks.client, "AssociateS3Resources", {1: lost_before, 2: lost_before})
    with pytest.raises(MacieApiError, match="was associated before this create"):
        hooks.create({"bucketName": name, "classificationType": FULL})


# -- 2. unknown outcomes: settled by asking Macie, or reported ---------------------------------------


def test_s3_resource_create_whose_only_answer_was_lost_is_ours_when_macie_holds_it(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """With no retry left, a create whose answer was lost after Macie did the work succeeds: Macie is
    asked, held nothing before and holds it now."""
    name = bucket()
    hooks = hooks_for(S3ResourceHooks, max_attempts=1)
    item = {"bucketName": name, "prefix": "a/", "classificationType": FULL}
    on_attempts(
        hooks.client, "AssociateS3Resources", {1: answer_lost(lambda: macie.associate_s3_resources(s3Resources=[item]))}
    )
    created = hooks.create(dict(item))
    assert created.id == f"{name}/a/"
    assert _associated(macie, name) == [item]


def test_member_account_create_whose_only_answer_was_lost_is_ours_when_macie_holds_it(
    hooks_for: Callable[..., Hooks], macie: Any
) -> None:
    """The same for a member account."""
    hooks = hooks_for(MemberAccountHooks, max_attempts=1)
    on_attempts(
        hooks.client,
        "AssociateMemberAccount",
        {1: answer_lost(lambda: macie.associate_member_account(memberAccountId=MEMBER))},
    )
    assert hooks.create({"memberAccountId": MEMBER}).id == MEMBER


def test_create_whose_answers_were_lost_before_macie_saw_them_fails_plainly(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """Lost before Macie saw them: Macie is asked, holds nothing, and the create fails with the
    connection's error (nothing to record, nothing to import)."""
    name = bucket()
    hooks = hooks_for(S3ResourceHooks, max_attempts=2)
    on_attempts(hooks.client, "AssociateS3Resources", {1: lost_before, 2: lost_before})
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"bucketName": name})
    assert excinfo.value.code == "ConnectionClosedError"
    assert not isinstance(excinfo.value, UnknownOutcomeError)
    assert _associated(macie, name) == []


def test_create_is_reported_as_unknown_when_macie_cannot_be_asked(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """A lost answer, then Macie unreachable for the question: the create raises UnknownOutcomeError
    carrying the ID, the outputs and the inputs a host records, and saying how to settle it."""
    name = bucket()
    hooks = hooks_for(S3ResourceHooks, max_attempts=1)
    hooks.create({"bucketName": name, "prefix": "warm/"})  # the account's list is cached from here on
    item = {"bucketName": name, "prefix": "b/", "classificationType": FULL}
    on_attempts(
        hooks.client, "AssociateS3Resources", {1: answer_lost(lambda: macie.associate_s3_resources(s3Resources=[item]))}
    )
    on_attempts(hooks.client, "ListS3Resources", dict.fromkeys(range(1, 10), lost_before))
    with pytest.raises(UnknownOutcomeError) as excinfo:
        hooks.create(dict(item))
    error = excinfo.value
    assert error.id == f"{name}/b/"
    assert error.outputs == {"bucketName": name, "prefix": "b/", "classificationType": FULL}
    assert "Whether Macie carried out this create is unknown" in str(error)
    assert "pulumi refresh" in str(error) and f"pulumi-macie-import MacieS3Resource <name> {name}/b/" in str(error)


def test_create_whose_deadline_runs_out_mid_attempt_is_settled_by_asking_macie(
    hooks_for: Callable[..., Hooks], macie: Any
) -> None:
    """The customTimeouts deadline passes while an attempt that Macie carries out is in flight and its
    answer is lost: no retry is sent, Macie is still asked (after the deadline), and the association
    is ours."""
    hooks = hooks_for(MemberAccountHooks, max_attempts=5)

    def slow_and_lost(request: Any) -> Any:
        macie.associate_member_account(memberAccountId=MEMBER)
        time.sleep(1.2)
        raise ConnectionClosedError(endpoint_url=request.url)

    hooks.create({"memberAccountId": "555566667777"})  # fills the list of members
    seen = on_attempts(hooks.client, "AssociateMemberAccount", {1: slow_and_lost})
    with time_limit(1.0):
        assert hooks.create({"memberAccountId": MEMBER}).id == MEMBER
    assert seen == [1]  # no retry past the deadline


# -- 3. import and lookup apply the create's rules ---------------------------------------------------


def test_member_account_lookup_of_the_master_is_refused(hooks_for: Callable[..., Hooks]) -> None:
    """ListMemberAccounts lists the master, but an import of it is refused as create refuses it."""
    hooks = hooks_for(MemberAccountHooks)
    with pytest.raises(InputError, match="is the master account itself"):
        hooks.lookup(DEFAULT_ACCOUNT_ID)


def test_s3_resource_id_naming_the_master_is_the_masters_association(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """The master's own account ID written into an ID or a memberAccountId is the master's association,
    under its one ID: create, lookup and read answer ``bucket/prefix``, and keep the declared ID."""
    name = bucket()
    hooks = hooks_for(S3ResourceHooks)
    created = hooks.create({"bucketName": name, "prefix": "new/", "memberAccountId": DEFAULT_ACCOUNT_ID})
    assert created.id == f"{name}/new/"
    assert created.outputs["memberAccountId"] == DEFAULT_ACCOUNT_ID
    found = hooks_for(S3ResourceHooks).lookup(f"{DEFAULT_ACCOUNT_ID}:{name}/new/")
    assert found.id == f"{name}/new/"
    assert found.outputs["memberAccountId"] == DEFAULT_ACCOUNT_ID
    read = hooks_for(S3ResourceHooks).read(created.id, created.outputs)
    assert read.outputs == created.outputs
    assert hooks_for(S3ResourceHooks).lookup(f"{name}/new/").id == f"{name}/new/"


def test_s3_resource_of_a_member_keeps_the_member_in_its_id(
    hooks_for: Callable[..., Hooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """A real member's association keeps the member in its ID, on create and on lookup."""
    name = bucket()
    macie.associate_member_account(memberAccountId=MEMBER)
    created = hooks_for(S3ResourceHooks).create({"bucketName": name, "memberAccountId": MEMBER})
    assert created.id == f"{MEMBER}:{name}"
    assert hooks_for(S3ResourceHooks).lookup(f"{MEMBER}:{name}").id == f"{MEMBER}:{name}"


# -- both hosts, over gRPC -----------------------------------------------------------------------------


@pytest.fixture(params=["dynamic", "native"])
def host(request: pytest.FixtureRequest, endpoint: LocalEndpoint) -> Iterator[Host]:
    running = Host.start(request.param)
    try:
        running.configure({"endpointUrl": endpoint.url, "region": "us-east-1", "maxAttempts": 2})
        yield running
    finally:
        running.stop()


def _init_failure(error: grpc.RpcError) -> provider_pb2.ErrorResourceInitFailed | None:
    """The partly made resource an error reports (gRPC's status details), or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                failed = provider_pb2.ErrorResourceInitFailed()
                if detail.Unpack(failed):
                    return failed
    return None


def test_create_with_every_answer_lost_is_reported_not_forgotten(
    host: Host, endpoint: LocalEndpoint, bucket: Callable[[], str], macie: Any
) -> None:
    """Macie carries out the create but every answer, the question that follows included, is lost:
    the native plugin reports the resource as partly made (its ID and properties, which the engine
    records so that refresh settles it); the dynamic host, which cannot, says so and how to settle it."""
    name = bucket()
    host.create("MacieS3Resource", {"bucketName": name, "prefix": "warm/"}, name="warm")
    endpoint.macie.faults = Faults(lose_rate=1.0)
    with pytest.raises(grpc.RpcError) as excinfo:
        host.create("MacieS3Resource", {"bucketName": name, "prefix": "lost/"})
    endpoint.macie.faults = Faults()
    assert "Whether Macie carried out this create is unknown" in excinfo.value.details()
    assert sorted(r["prefix"] for r in _associated(macie, name)) == ["lost/", "warm/"]
    partly = _init_failure(excinfo.value)
    if host.kind == "native":
        assert partly is not None and partly.id == f"{name}/lost/"
        assert plain(partly.properties)["prefix"] == "lost/"
        assert "Whether Macie carried out this create is unknown" in partly.reasons[0]
    else:
        assert partly is None
        assert f"pulumi-macie-import MacieS3Resource <name> {name}/lost/" in excinfo.value.details()


def test_create_whose_answer_was_lost_is_ours_on_both_hosts(
    host: Host, endpoint: LocalEndpoint, bucket: Callable[[], str], macie: Any
) -> None:
    """Every attempt's answer lost, but the question that follows answered: the create succeeds."""
    name = bucket()
    host.create("MacieS3Resource", {"bucketName": name, "prefix": "warm/"}, name="warm")
    endpoint.macie.faults = Faults(lose_rate=1.0, actions=frozenset({"AssociateS3Resources"}))
    created = host.create("MacieS3Resource", {"bucketName": name, "prefix": "lost/"})
    endpoint.macie.faults = Faults()
    assert created.id == f"{name}/lost/"
    assert endpoint.macie.counters["fault.lose"] == 2  # both attempts carried out, both answers lost


def test_native_cancel_ends_a_wait_at_once(endpoint: LocalEndpoint, bucket: Callable[[], str]) -> None:
    """Cancel (the engine's answer to Ctrl-C) ends a create that waits for its member account within a
    second or two, with nothing associated, instead of keeping the engine waiting for minutes."""
    running = Host.start("native")
    try:
        running.configure({"endpointUrl": endpoint.url, "region": "us-east-1"})
        name = bucket()
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(running.create, "MacieS3Resource", {"bucketName": name, "memberAccountId": MEMBER})
            time.sleep(1.5)
            assert not waiting.done()
            began = time.monotonic()
            running.stub.Cancel(empty_pb2.Empty())
            with pytest.raises(grpc.RpcError) as excinfo:
                waiting.result(timeout=30)
            ended = time.monotonic() - began
        assert ended < 3
        assert "the run was cancelled (Ctrl-C)" in excinfo.value.details()
        assert endpoint.macie.counters.get("AssociateS3Resources.200", 0) == 0
    finally:
        running.stop()
