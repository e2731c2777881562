"""The hooks' list cache under concurrent writes, and the errors they report: botocore's, after retries,
without a region, a refusal to delete, and a member account removed outside Pulumi."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest

from macie_local.app import Faults
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.dynamic_entry import MacieS3ResourceProvider
from pulumi_macie_provider.errors import ConfigurationError, MacieApiError
from pulumi_macie_provider.resources import clients
from pulumi_macie_provider.resources.list_cache import ListCache
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks

from .conftest import OTHER

# -- the list cache ----------------------------------------------------------------------------


@pytest.mark.parametrize("write", ["put", "remove", "forget"])
def test_list_cache_fill_overlapping_a_write_is_used_once_not_kept(write: str) -> None:
    """A list that was being read while one of our writes for the same owner landed answers that read,
    but is not kept: the next read lists again, and that list is kept."""
    cache = ListCache()
    fetches: list[str] = []
    writes: dict[str, Callable[[], None]] = {
        "put": lambda: cache.put("owner", "b", 2),
        "remove": lambda: cache.remove("owner", "c"),
        "forget": lambda: cache.forget("owner"),
    }

    def during_write() -> Iterator[tuple[str, int]]:
        fetches.append("first")
        writer = threading.Thread(target=writes[write])  # another operation's write, while this one lists
        writer.start()
        writer.join(10)
        yield "a", 1

    def listed_after() -> Iterator[tuple[str, int]]:
        fetches.append("again")
        yield "a", 1
        yield "b", 2

    assert cache.items("owner", during_write) == {"a": 1}
    assert cache.items("owner", listed_after) == {"a": 1, "b": 2}
    assert cache.items("owner", listed_after) == {"a": 1, "b": 2}
    assert fetches == ["first", "again"]


def test_list_cache_keeps_a_quiet_fill_and_our_writes_update_it() -> None:
    """Without a write during the fill, the list is kept; our own writes then change it in place, and a
    write for another owner does not touch it."""
    cache = ListCache()
    fetches: list[int] = []

    def fetch() -> Iterator[tuple[str, int]]:
        fetches.append(1)
        yield "a", 1

    assert cache.items("owner", fetch) == {"a": 1}
    cache.put("owner", "b", 2)
    cache.remove("owner", "a")
    cache.put("other", "c", 3)
    assert cache.items("owner", fetch) == {"b": 2}
    assert fetches == [1]


# -- error messages ------------------------------------------------------------------------------


@pytest.fixture
def hooks_for(endpoint: LocalEndpoint, client_for: Callable[..., Any]) -> Callable[..., S3ResourceHooks]:
    def build(max_attempts: int = 1, account: Any = DEFAULT_ACCOUNT) -> S3ResourceHooks:
        return S3ResourceHooks(ClientSettings(), client_for(account, max_attempts=max_attempts))

    return build


def test_error_after_retries_names_the_attempts(
    endpoint: LocalEndpoint, hooks_for: Callable[..., S3ResourceHooks], bucket: Callable[[], str]
) -> None:
    """A call that is still throttled when its attempts run out fails with AWS's code and message and
    the number of attempts made, which were all sent."""
    name = bucket()
    hooks = hooks_for(max_attempts=3)
    hooks.create({"bucketName": name, "prefix": "listed/"})  # the account's list, which create reads first
    endpoint.macie.faults = Faults(throttle_rate=1.0)
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"bucketName": name})
    error = excinfo.value
    assert (error.action, error.code, error.attempts) == ("AssociateS3Resources", "ThrottlingException", 3)
    assert str(error) == (
        f"AssociateS3Resources for MacieS3Resource {name} failed: ThrottlingException: Rate exceeded (after 3 attempts)"
    )
    assert endpoint.macie.counters["fault.throttle"] == 3


def test_error_of_one_attempt_names_no_attempts(
    endpoint: LocalEndpoint, hooks_for: Callable[..., S3ResourceHooks], bucket: Callable[[], str]
) -> None:
    """A refusal on the first attempt is AWS's code and message alone."""
    name = bucket()
    hooks = hooks_for(max_attempts=1)
    hooks.create({"bucketName": name, "prefix": "listed/"})  # the account's list, which create reads first
    endpoint.macie.faults = Faults(throttle_rate=1.0)
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"bucketName": name})
    assert excinfo.value.attempts == 1
    assert str(excinfo.value) == (
        f"AssociateS3Resources for MacieS3Resource {name} failed: ThrottlingException: Rate exceeded"
    )


def test_botocore_error_is_named_with_the_resource(
    endpoint: LocalEndpoint, hooks_for: Callable[..., S3ResourceHooks], bucket: Callable[[], str]
) -> None:
    """A connection closed without an answer fails as botocore's error, named with the action and the
    resource, saying where the call went and after how many attempts (as a throttled call does), and
    carrying no credential."""
    name = bucket()
    hooks = hooks_for(max_attempts=3)
    hooks.create({"bucketName": name, "prefix": "listed/"})  # the account's list, which create reads first
    endpoint.macie.faults = Faults(drop_rate=1.0, actions=frozenset({"AssociateS3Resources"}))
    with pytest.raises(MacieApiError) as excinfo:
        hooks.create({"bucketName": name, "prefix": "dropped/"})
    error = excinfo.value
    assert (error.action, error.code) == ("AssociateS3Resources", "ConnectionClosedError")
    assert str(error).startswith(
        f"AssociateS3Resources for MacieS3Resource {name}/dropped/ failed: ConnectionClosedError: "
    )
    assert endpoint.url in error.message
    assert error.attempts == 3 and error.message.endswith(" (after 3 attempts)")
    assert DEFAULT_ACCOUNT.secret_key not in str(error) and DEFAULT_ACCOUNT.access_key not in str(error)


def test_no_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without macie:region, AWS_REGION, AWS_DEFAULT_REGION or a profile's region, the first call fails
    saying how to set one, from the hooks and from the dynamic provider alike."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setattr(clients, "_clients", {})  # no client made earlier for these settings
    message = "no AWS region: set it with `pulumi config set macie:region us-east-1` or AWS_REGION"
    with pytest.raises(ConfigurationError) as excinfo:
        S3ResourceHooks(ClientSettings()).read("corp-logs", {})
    assert str(excinfo.value) == message
    with pytest.raises(ConfigurationError) as excinfo:
        MacieS3ResourceProvider().delete("corp-logs", {"bucketName": "corp-logs"})
    assert str(excinfo.value) == message


# -- delete refused; member removed outside Pulumi ----------------------------------------------------


def test_s3_resource_delete_refused_is_raised_and_kept(
    hooks_for: Callable[..., S3ResourceHooks], client_for: Callable[..., Any], bucket: Callable[[], str]
) -> None:
    """When Macie refuses DisassociateS3Resources (here: the master's account has become a member of
    another master, which only the master may manage), the delete fails with that refusal and the
    association stays, read as existing; once the refusal is lifted, the delete goes through."""
    hooks = hooks_for()
    id_, outs = astuple(hooks.create({"bucketName": bucket()}))
    other = client_for(OTHER)
    other.associate_member_account(memberAccountId=DEFAULT_ACCOUNT.account_id)
    with pytest.raises(MacieApiError) as excinfo:
        hooks.delete(id_, outs)
    assert (excinfo.value.action, excinfo.value.code) == ("DisassociateS3Resources", "AccessDeniedException")
    assert "only the master account can manage Macie" in excinfo.value.message
    other.disassociate_member_account(memberAccountId=DEFAULT_ACCOUNT.account_id)
    assert hooks.read(id_, {}).exists
    assert hooks_for().read(id_, {}).exists  # a fresh list: Macie still holds it
    hooks.delete(id_, outs)
    assert not hooks_for().read(id_, {}).exists


def test_s3_resource_of_a_member_removed_outside_is_gone(
    hooks_for: Callable[..., S3ResourceHooks], macie: Any, bucket: Callable[[], str]
) -> None:
    """Once its member account was disassociated outside Pulumi (its S3 resources first, as Macie
    requires), a member's S3 resource reads as gone and deletes as already gone, though Macie now
    refuses to list or change that account's S3 resources."""
    macie.associate_member_account(memberAccountId="444455556666")
    hooks = hooks_for()
    id_, outs = astuple(hooks.create({"bucketName": bucket(), "memberAccountId": "444455556666"}))
    macie.disassociate_s3_resources(
        memberAccountId="444455556666", associatedS3Resources=[{"bucketName": outs["bucketName"]}]
    )
    macie.disassociate_member_account(memberAccountId="444455556666")
    with pytest.raises(macie.exceptions.AccessDeniedException):
        macie.list_s3_resources(memberAccountId="444455556666")
    fresh = hooks_for()
    assert not fresh.read(id_, {}).exists
    fresh.delete(id_, outs)
    hooks.delete(id_, outs)
