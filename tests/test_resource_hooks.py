"""The resources' hook logic over plain dicts, against macie-local over HTTP."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.rpc import UNKNOWN

from macie_local.app import Faults
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings, deadline, make_client
from pulumi_macie_provider.client.deadline import time_limit
from pulumi_macie_provider.dynamic_entry import MacieS3ResourceProvider
from pulumi_macie_provider.errors import FailedItemError, InputError, MacieApiError
from pulumi_macie_provider.resources.member_account import MemberAccountHooks
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks, make_id, parse_id

from .conftest import DEFAULT_CREDENTIALS

DEFAULTS = {"oneTime": "NONE", "continuous": "FULL"}
FULL = {"oneTime": "FULL", "continuous": "FULL"}


@pytest.fixture
def s3_hooks(macie: Any) -> S3ResourceHooks:
    return S3ResourceHooks(ClientSettings(), macie)


@pytest.fixture
def member_hooks(macie: Any) -> MemberAccountHooks:
    return MemberAccountHooks(ClientSettings(), macie)


def list_calls(endpoint: Any) -> int:
    return sum(v for k, v in endpoint.macie.counters.items() if k.startswith("ListS3Resources."))


# -- ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bucket", "prefix", "member", "id_"),
    [
        ("corp-logs", "", None, "corp-logs"),
        ("corp-logs", "2024/", None, "corp-logs/2024/"),
        ("corp-logs", "a/b:c/", "111122223333", "111122223333:corp-logs/a/b:c/"),
    ],
)
def test_s3_resource_id_round_trip(bucket: str, prefix: str, member: str | None, id_: str) -> None:
    """IDs are [<member>:]<bucket>[/<prefix>] and parse back to the same identity."""
    assert make_id(bucket, prefix, member) == id_
    assert parse_id(id_) == (bucket, prefix, member)


def test_s3_resource_bad_id_names_the_form() -> None:
    """An ID that is not of the documented form is refused with the form in the message."""
    with pytest.raises(InputError, match=r"\[<memberAccountId>:\]<bucketName>\[/<prefix>\]"):
        parse_id("12:/x")


# -- check ---------------------------------------------------------------------------------------


def test_s3_resource_check_fills_defaults(s3_hooks: S3ResourceHooks) -> None:
    """Absent prefix becomes '', absent classification becomes oneTime NONE, continuous FULL."""
    result = s3_hooks.check({}, {"bucketName": "b", "__provider": "p"})
    assert result.failures == []
    assert result.inputs == {"bucketName": "b", "prefix": "", "classificationType": DEFAULTS}


@pytest.mark.parametrize(
    ("news", "prop", "words"),
    [
        ({}, "bucketName", "missing required property"),
        ({"bucketName": ""}, "bucketName", "too short"),
        ({"bucketName": "b" * 501}, "bucketName", "at most 500"),
        ({"bucketName": "a/b"}, "bucketName", "does not match the pattern [^/:]+"),
        ({"bucketName": 7.5}, "bucketName", "expected a string, got float"),
        ({"bucketName": True}, "bucketName", "expected a string, got bool"),
        (
            {"bucketName": "b", "memberAccountId": 12345678901},
            "memberAccountId",
            "does not match the pattern [0-9]{12} (it was given as the number 12345678901; quote it",
        ),
        ({"bucketName": "b", "prefix": "p" * 10001}, "prefix", "at most 10000"),
        ({"bucketName": "b", "memberAccountId": "1234"}, "memberAccountId", "pattern [0-9]{12}"),
        (
            {"bucketName": "b", "classificationType": {"oneTime": "SOME"}},
            "classificationType.oneTime",
            "must be one of FULL, NONE",
        ),
        (
            {"bucketName": "b", "classificationType": {"continuous": "NONE"}},
            "classificationType.continuous",
            "must be one of FULL",
        ),
        ({"bucketName": "b", "classificationType": "FULL"}, "classificationType", "expected an object"),
        ({"bucketName": "b", "colour": "red"}, "colour", "unknown property"),
    ],
)
def test_s3_resource_check_failures(s3_hooks: S3ResourceHooks, news: dict[str, Any], prop: str, words: str) -> None:
    """Each bad input is a failure naming the property, the value and the rule."""
    failures = s3_hooks.check({}, news).failures
    assert any(p == prop and words in reason for p, reason in failures), failures


@pytest.mark.parametrize("number", [111122223333, 111122223333.0])
def test_s3_resource_check_takes_account_id_given_as_number(s3_hooks: S3ResourceHooks, number: Any) -> None:
    """A 12-digit account ID given as a number (YAML, gRPC doubles) becomes its 12-digit string."""
    result = s3_hooks.check({}, {"bucketName": "b", "memberAccountId": number})
    assert (result.failures, result.inputs["memberAccountId"]) == ([], "111122223333")


def test_check_leaves_unknowns_alone(s3_hooks: S3ResourceHooks) -> None:
    """Values unknown during preview are not judged."""
    assert s3_hooks.check({}, {"bucketName": "b", "memberAccountId": UNKNOWN}).failures == []


# -- diff ----------------------------------------------------------------------------------------


def test_s3_resource_diff_normalises(s3_hooks: S3ResourceHooks) -> None:
    """Absent and empty prefix, absent and default classification are no change."""
    olds = {"bucketName": "b", "prefix": "", "classificationType": DEFAULTS}
    assert s3_hooks.diff("b", olds, {"bucketName": "b"}).changes == []


def test_s3_resource_diff_identity_replaces(s3_hooks: S3ResourceHooks) -> None:
    """Bucket, prefix and member changes replace; classification alone updates in place."""
    olds = {"bucketName": "b", "prefix": "", "classificationType": DEFAULTS}
    diff = s3_hooks.diff("b", olds, {"bucketName": "c", "prefix": "p/", "memberAccountId": "111122223333"})
    assert diff.replaces == ["bucketName", "memberAccountId", "prefix"]
    diff = s3_hooks.diff("b", olds, {"bucketName": "b", "classificationType": FULL})
    assert (diff.changes, diff.replaces) == (["classificationType"], [])


def test_s3_resource_diff_unknown_identity_replaces(s3_hooks: S3ResourceHooks) -> None:
    """An identity value still unknown at preview is reported as a replacement."""
    olds = {"bucketName": "b", "prefix": "", "classificationType": DEFAULTS}
    assert s3_hooks.diff("b", olds, {"bucketName": "b", "memberAccountId": UNKNOWN}).replaces == ["memberAccountId"]


# -- create / read / update / delete -------------------------------------------------------------


def test_s3_resource_crud(s3_hooks: S3ResourceHooks, bucket: Callable[[], str]) -> None:
    """Create, read, update and delete one association; read after delete reports it gone."""
    name = bucket()
    id_, outs = astuple(s3_hooks.create({"bucketName": name, "prefix": "x/"}))
    assert id_ == f"{name}/x/"
    assert outs == {"bucketName": name, "prefix": "x/", "classificationType": DEFAULTS}
    assert s3_hooks.read(id_, {}).outputs == outs
    updated = s3_hooks.update(id_, outs, {"bucketName": name, "prefix": "x/", "classificationType": FULL}).outputs
    assert updated["classificationType"] == FULL
    assert S3ResourceHooks(ClientSettings(), s3_hooks.client).read(id_, {}).outputs["classificationType"] == FULL
    s3_hooks.delete(id_, outs)
    assert s3_hooks.read(id_, {}).id is None
    assert S3ResourceHooks(ClientSettings(), s3_hooks.client).read(id_, {}).id is None


def test_s3_resource_failed_item_is_an_error(s3_hooks: S3ResourceHooks) -> None:
    """A failedS3Resources item is an error with AWS's code and message; nothing is recorded."""
    with pytest.raises(FailedItemError) as excinfo:
        s3_hooks.create({"bucketName": "no-such-bucket-anywhere"})
    error = excinfo.value
    assert (error.action, error.code) == ("AssociateS3Resources", "InvalidInputException")
    assert "does not exist" in error.message and "no-such-bucket-anywhere" in str(error)
    assert s3_hooks.read("no-such-bucket-anywhere", {}).id is None


def test_s3_resource_delete_of_gone_succeeds(
    s3_hooks: S3ResourceHooks, macie: Any, endpoint: Any, bucket: Callable[[], str]
) -> None:
    """Deleting an association removed outside Pulumi succeeds after asking Macie, reads as gone, and
    leaves the other associations of the bucket alone."""
    name = bucket()
    id_, outs = astuple(s3_hooks.create({"bucketName": name, "prefix": "gone/"}))
    s3_hooks.create({"bucketName": name, "prefix": "kept/"})
    macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": name, "prefix": "gone/"}])
    asked = endpoint.macie.counters.get("DisassociateS3Resources.200", 0)
    s3_hooks.delete(id_, outs)
    assert endpoint.macie.counters["DisassociateS3Resources.200"] == asked + 1
    assert s3_hooks.read(id_, {}).id is None
    assert [(r["bucketName"], r["prefix"]) for r in macie.list_s3_resources()["s3Resources"]] == [(name, "kept/")]


def test_s3_resource_access_denied_names_action(s3_hooks: S3ResourceHooks, bucket: Callable[[], str]) -> None:
    """An API error carries the action, the resource and AWS's code."""
    with time_limit(1.0), pytest.raises(MacieApiError) as excinfo:  # no wait for a member that never comes
        s3_hooks.create({"bucketName": bucket(), "memberAccountId": "999999999999"})
    assert excinfo.value.code == "AccessDeniedException"
    assert str(excinfo.value).startswith("AssociateS3Resources for MacieS3Resource 999999999999:")


def test_refresh_reads_pages_not_resources(
    s3_hooks: S3ResourceHooks, macie: Any, endpoint: Any, bucket: Callable[[], str]
) -> None:
    """Reading 600 resources in a fresh provider costs ceil(600/250) = 3 list calls, not 600 x 3."""
    name = bucket()
    for start in range(0, 600, 100):
        macie.associate_s3_resources(
            s3Resources=[
                {"bucketName": name, "prefix": f"{i}/", "classificationType": FULL} for i in range(start, start + 100)
            ]
        )
    fresh = S3ResourceHooks(ClientSettings(), macie)
    before = list_calls(endpoint)
    for i in range(600):
        assert fresh.read(f"{name}/{i}/", {}).id is not None
    assert list_calls(endpoint) - before == 3


def test_reads_after_own_writes_are_current(
    s3_hooks: S3ResourceHooks, endpoint: Any, bucket: Callable[[], str]
) -> None:
    """After this process writes, reads reflect the write without listing again."""
    name = bucket()
    id_ = s3_hooks.create({"bucketName": name}).id
    s3_hooks.read(id_, {})
    before = list_calls(endpoint)
    other = s3_hooks.create({"bucketName": name, "prefix": "new/"}).id
    assert s3_hooks.read(other, {}).id == other
    s3_hooks.update(id_, {}, {"bucketName": name, "classificationType": FULL})
    assert s3_hooks.read(id_, {}).outputs["classificationType"] == FULL
    s3_hooks.delete(other, {})
    assert s3_hooks.read(other, {}).id is None
    assert list_calls(endpoint) == before


def test_member_account_crud(member_hooks: MemberAccountHooks) -> None:
    """Create, read and delete a member; deleting it again succeeds; reading it reports it gone."""
    id_, outs = astuple(member_hooks.create({"memberAccountId": "444455556666"}))
    assert (id_, outs) == ("444455556666", {"memberAccountId": "444455556666"})
    assert member_hooks.read(id_, {}).id == id_
    member_hooks.delete(id_, outs)
    member_hooks.delete(id_, outs)
    assert member_hooks.read(id_, {}).id is None


def test_member_account_real_refusal_is_raised(
    member_hooks: MemberAccountHooks, s3_hooks: S3ResourceHooks, bucket: Callable[[], str]
) -> None:
    """A member whose S3 resources stay is not reported deleted: once the wait for them is over (here
    cut short by a time limit), Macie's refusal surfaces."""
    member_hooks.create({"memberAccountId": "444455556666"})
    s3_hooks.create({"bucketName": bucket(), "memberAccountId": "444455556666"})
    with time_limit(1.5), pytest.raises(MacieApiError, match="still has 1 S3 resource associated"):
        member_hooks.delete("444455556666", {})


def test_provider_object_serialises_without_state() -> None:
    """The dynamic provider pickles to a reference to its class and nothing else, even once configured."""
    provider = MacieS3ResourceProvider()
    provider.configure(
        ConfigureRequest(Config({"macie:endpointUrl": "http://127.0.0.1:1", "macie:region": "us-east-1"}, "project"))
    )
    raw = base64.b64decode(serialize_provider(provider))
    assert b"127.0.0.1" not in raw and b"us-east-1" not in raw
    assert len(raw) < 300


def _first_answer_lost(client: Any, action: str, do_it: Callable[[], None]) -> None:
    """Make the next ``action`` call's first attempt go through (``do_it``) and its answer get lost, as a
    dropped connection after the endpoint committed would; botocore then retries the call."""
    state = {"armed": True}

    def lose(request: Any, **_: Any) -> None:
        if state["armed"]:
            state["armed"] = False
            do_it()
            raise ConnectionClosedError(endpoint_url=request.url)

    client.meta.events.register_first(f"before-send.macie.{action}", lose)


def test_s3_resource_create_adopts_its_own_lost_first_attempt(
    client_for: Callable[..., Any], macie: Any, bucket: Callable[[], str]
) -> None:
    """When a create's first attempt went through but its answer was lost, the retry's "already
    associated" is the create's own work: the create succeeds and nothing is left behind unmanaged."""
    name = bucket()
    hooks = S3ResourceHooks(ClientSettings(), client_for(max_attempts=3))
    _first_answer_lost(
        hooks.client,
        "AssociateS3Resources",
        lambda: macie.associate_s3_resources(
            s3Resources=[{"bucketName": name, "prefix": "a/", "classificationType": FULL}]
        ),
    )
    created = hooks.create({"bucketName": name, "prefix": "a/", "classificationType": FULL})
    assert created.id == f"{name}/a/"
    assert macie.list_s3_resources()["s3Resources"] == [
        {"bucketName": name, "prefix": "a/", "classificationType": FULL}
    ]


def test_member_account_create_adopts_its_own_lost_first_attempt(client_for: Callable[..., Any], macie: Any) -> None:
    """The same for a member account: a retried AssociateMemberAccount refused as "already a member"
    after its own lost first attempt succeeds."""
    hooks = MemberAccountHooks(ClientSettings(), client_for(max_attempts=3))
    _first_answer_lost(
        hooks.client, "AssociateMemberAccount", lambda: macie.associate_member_account(memberAccountId="444455556666")
    )
    assert hooks.create({"memberAccountId": "444455556666"}).id == "444455556666"


def test_create_of_what_exists_already_is_refused(
    s3_hooks: S3ResourceHooks, member_hooks: MemberAccountHooks, macie: Any, bucket: Callable[[], str]
) -> None:
    """Without a retry, "already associated" is someone else's association: the create fails (import it)."""
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "classificationType": FULL}])
    with pytest.raises(FailedItemError, match="already associated"):
        s3_hooks.create({"bucketName": name, "classificationType": FULL})
    macie.associate_member_account(memberAccountId="444455556666")
    with pytest.raises(MacieApiError, match="already associated"):
        member_hooks.create({"memberAccountId": "444455556666"})


def test_time_limit_bounds_retries(client_for: Callable[..., Any]) -> None:
    """Under a time limit no retry wait that would end past it is started: the call fails naming the
    limit, with the last answer, instead of using up its attempts."""
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], faults=Faults(throttle_rate=1.0, seed=3)) as throttled:
        settings = ClientSettings(region="us-east-1", endpoint_url=throttled.url, max_attempts=50)
        hooks = MemberAccountHooks(settings, make_client(settings, credentials=DEFAULT_CREDENTIALS))
        with time_limit(0.5), pytest.raises(MacieApiError) as excinfo:
            hooks.create({"memberAccountId": "444455556666"})
        attempts = sum(v for k, v in throttled.macie.counters.items() if k.startswith("fault."))
    assert excinfo.value.code == "DeadlineExceeded"
    assert "the time limit of 0.5s ran out after" in excinfo.value.message
    assert "ThrottlingException" in excinfo.value.message
    assert 1 <= attempts < 50


#: The providers as stacks made before the hosts were split recorded them (``__provider``).
STATE_PROVIDERS = {
    "MacieS3ResourceProvider": (
        "gASVUQAAAAAAAACMK3B1bHVtaV9tYWNpZV9wcm92aWRlci5yZXNvdXJjZXMuczNfcmVzb3VyY2WU"
        "jBdNYWNpZVMzUmVzb3VyY2VQcm92aWRlcpSTlCmBlH2UYi4="
    ),
    "MacieMemberAccountProvider": (
        "gASVVwAAAAAAAACMLnB1bHVtaV9tYWNpZV9wcm92aWRlci5yZXNvdXJjZXMubWVtYmVyX2FjY291bnSU"
        "jBpNYWNpZU1lbWJlckFjY291bnRQcm92aWRlcpSTlCmBlH2UYi4="
    ),
}


@pytest.mark.parametrize("name", sorted(STATE_PROVIDERS))
def test_existing_stacks_providers_still_load(name: str) -> None:
    """A dynamic provider recorded in an existing stack's state loads, in a process like the
    dynamic-provider server's (Pulumi loaded, nothing of this package imported yet), as the class of
    that name with its hooks."""
    program = (
        "import base64, sys, dill, pulumi.dynamic\n"
        "provider = dill.loads(base64.b64decode(sys.argv[1]))\n"
        "print(type(provider).__name__, type(provider).HOOKS.__name__)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program, STATE_PROVIDERS[name]], capture_output=True, text=True, check=True
    )
    hooks = {"MacieS3ResourceProvider": "S3ResourceHooks", "MacieMemberAccountProvider": "MemberAccountHooks"}
    assert loaded.stdout.split() == [name, hooks[name]]


def test_s3_resource_create_waits_for_its_member(
    s3_hooks: S3ResourceHooks, macie: Any, bucket: Callable[[], str]
) -> None:
    """A create for an account that becomes a member meanwhile (the same run associating it, unordered)
    waits for it and succeeds instead of failing with AccessDeniedException."""
    name = bucket()
    later = threading.Timer(0.5, lambda: macie.associate_member_account(memberAccountId="444455556666"))
    later.start()
    try:
        created = s3_hooks.create({"bucketName": name, "memberAccountId": "444455556666"})
    finally:
        later.join()
    assert created.id == f"444455556666:{name}"
    assert macie.list_s3_resources(memberAccountId="444455556666")["s3Resources"][0]["bucketName"] == name


def test_member_account_delete_waits_for_its_s3_resources(
    member_hooks: MemberAccountHooks, macie: Any, bucket: Callable[[], str]
) -> None:
    """Deleting a member whose S3 resources are being removed meanwhile (a destroy, unordered) waits for
    them and succeeds."""
    name = bucket()
    member_hooks.create({"memberAccountId": "444455556666"})
    macie.associate_s3_resources(
        memberAccountId="444455556666", s3Resources=[{"bucketName": name, "classificationType": FULL}]
    )
    later = threading.Timer(
        0.5,
        lambda: macie.disassociate_s3_resources(
            memberAccountId="444455556666", associatedS3Resources=[{"bucketName": name}]
        ),
    )
    later.start()
    try:
        member_hooks.delete("444455556666", {})
    finally:
        later.join()
    assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]] == ["123456789012"]


def test_member_account_delete_after_its_s3_resources_went_meanwhile(
    client_for: Callable[..., Any], macie: Any, bucket: Callable[[], str]
) -> None:
    """A member refused because of S3 resources that are gone by the time it looks again (removed in
    parallel, just after the refusal) is disassociated on the second try."""
    name = bucket()
    hooks = MemberAccountHooks(ClientSettings(), client_for())
    hooks.create({"memberAccountId": "444455556666"})
    macie.associate_s3_resources(
        memberAccountId="444455556666", s3Resources=[{"bucketName": name, "classificationType": FULL}]
    )
    state = {"armed": True}

    def remove_s3_after_refusal(**_: Any) -> None:
        if state["armed"]:
            state["armed"] = False
            macie.disassociate_s3_resources(
                memberAccountId="444455556666", associatedS3Resources=[{"bucketName": name}]
            )

    hooks.client.meta.events.register("after-call.macie.DisassociateMemberAccount", remove_s3_after_refusal)
    hooks.delete("444455556666", {})
    assert not state["armed"]
    assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]] == ["123456789012"]


def test_s3_resource_wait_for_a_member_that_never_comes_says_how_to_fix(
    s3_hooks: S3ResourceHooks, bucket: Callable[[], str]
) -> None:
    """When the membership does not appear within the wait (here a 2 s time limit), the error names the
    account and says how to order the member and its S3 resources in the program."""
    with time_limit(2.0), pytest.raises(MacieApiError) as excinfo:
        s3_hooks.create({"bucketName": bucket(), "memberAccountId": "999999999999"})
    message = excinfo.value.message
    assert message.startswith("999999999999 is not a member account of this master; waited ")
    assert "member_account_id=member.member_account_id" in message
    assert "memberAccountId: member.memberAccountId" in message


def test_member_account_delete_with_s3_resources_that_stay_says_how_to_fix(
    member_hooks: MemberAccountHooks, macie: Any, bucket: Callable[[], str]
) -> None:
    """A member whose S3 resources do not go within the wait is refused with Macie's reason and how to
    order the two; it stays a member."""
    member_hooks.create({"memberAccountId": "444455556666"})
    macie.associate_s3_resources(
        memberAccountId="444455556666", s3Resources=[{"bucketName": bucket(), "classificationType": FULL}]
    )
    with time_limit(2.0), pytest.raises(MacieApiError) as excinfo:
        member_hooks.delete("444455556666", {})
    assert "still has 1 S3 resource associated" in excinfo.value.message
    assert "disassociate them first: if the program declares that member" in excinfo.value.message
    assert "444455556666" in [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]]


def test_member_account_of_the_masters_own_id_is_refused(member_hooks: MemberAccountHooks, macie: Any) -> None:
    """The master's own ID is refused at create, naming the property and why; Macie is left as it was."""
    with pytest.raises(InputError) as excinfo:
        member_hooks.create({"memberAccountId": "123456789012"})
    assert excinfo.value.prop == "memberAccountId"
    assert "123456789012 is the master account itself" in str(excinfo.value)
    assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]] == ["123456789012"]


def test_member_account_create_of_a_listed_member_is_still_refused_as_associated(
    member_hooks: MemberAccountHooks, macie: Any
) -> None:
    """The master check does not turn an existing member (someone else's) into "the master"."""
    member_hooks.read("444455556666", {})  # fills the list cache before the member appears
    macie.associate_member_account(memberAccountId="444455556666")
    with pytest.raises(MacieApiError, match="already associated"):
        member_hooks.create({"memberAccountId": "444455556666"})


def test_member_account_delete_of_the_masters_own_id_succeeds(member_hooks: MemberAccountHooks) -> None:
    """Stacks made before the refusal may hold the master's ID as a member: its delete has nothing to
    disassociate and succeeds at once, so the stack stays destroyable."""
    with time_limit(5.0):
        member_hooks.delete("123456789012", {})


@pytest.mark.parametrize(
    ("old", "new", "first"),
    [
        (None, "123456789012", True),
        ("123456789012", None, True),
        (None, "111122223333", True),
        ("111122223333", "444455556666", False),
    ],
)
def test_s3_resource_moving_to_or_from_the_master_scope_deletes_first(
    s3_hooks: S3ResourceHooks, old: str | None, new: str | None, first: bool
) -> None:
    """Between no memberAccountId and an explicit one (which may be the master's own, the same
    association), the old association goes before the new is made; between two members it need not."""
    olds = {"bucketName": "b", **({"memberAccountId": old} if old else {})}
    news = {"bucketName": "b", **({"memberAccountId": new} if new else {})}
    result = s3_hooks.diff("b", olds, news)
    assert result.replaces == ["memberAccountId"]
    assert result.delete_before_replace is first


def test_limit_exceeded_is_not_retried(client_for: Callable[..., Any], bucket: Callable[[], str]) -> None:
    """Past the account's S3-resource limit the create fails at once, naming the limit and what to do;
    botocore's standard mode would retry LimitExceededException as throttling."""
    from macie_local.backend import Limits

    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], limits=Limits(max_members=1, max_s3_resources=1)) as limited:
        settings = ClientSettings(region="us-east-1", endpoint_url=limited.url, max_attempts=8)
        hooks = S3ResourceHooks(settings, make_client(settings, credentials=DEFAULT_CREDENTIALS))
        members = MemberAccountHooks(settings, hooks.client)
        hooks.create({"bucketName": bucket()})
        with pytest.raises(MacieApiError) as s3_error:
            hooks.create({"bucketName": bucket()})
        members.create({"memberAccountId": "444455556666"})
        with pytest.raises(MacieApiError) as member_error:
            members.create({"memberAccountId": "555566667777"})
        sent = dict(limited.macie.counters)
    assert s3_error.value.code == member_error.value.code == "LimitExceededException"
    assert s3_error.value.attempts == member_error.value.attempts == 1
    assert sum(v for k, v in sent.items() if k.startswith("AssociateS3Resources.")) == 2
    assert "(resourceType S3Resource): a limit of Macie, not throttling" in s3_error.value.message
    assert "disassociate S3 resources you no longer need" in s3_error.value.message
    assert "(resourceType MemberAccount)" in member_error.value.message
    assert "disassociate member accounts you no longer need" in member_error.value.message


def test_throttling_is_still_retried(client_for: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Throttling still backs off and retries (the limit rule does not stop every retry): each retry
    waits the back-off botocore computes (recorded here instead of slept) and is sent."""
    waits: list[float] = []
    monkeypatch.setattr(deadline, "pause", waits.append)
    only_associate = frozenset({"AssociateMemberAccount"})
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], faults=Faults(throttle_rate=1.0, actions=only_associate)) as ep:
        settings = ClientSettings(region="us-east-1", endpoint_url=ep.url, max_attempts=4)
        hooks = MemberAccountHooks(settings, make_client(settings, credentials=DEFAULT_CREDENTIALS))
        with pytest.raises(MacieApiError) as excinfo:
            hooks.create({"memberAccountId": "444455556666"})
        throttles = ep.macie.counters["fault.throttle"]
    assert (excinfo.value.code, excinfo.value.attempts, throttles) == ("ThrottlingException", 4, 4)
    assert len(waits) == 3 and all(0 < wait <= 20 for wait in waits)
