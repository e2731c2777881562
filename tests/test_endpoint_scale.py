"""macie-local at scale, without timing anything: an account's S3 actions do the same work at 20,000
associations as at 1,000 (counted in steps of SQLite's virtual machine), listing N associations takes
ceil(N/250) calls, and the per-account count the limit reads stays exact, state files from before it
included."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from macie_local.backend import Limits
from macie_local.server import DEFAULT_ACCOUNT_ID, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks, make_id

from .conftest import FULL
from .test_endpoint_durability import client

PAGE = 250
MEMBER_ID = "444455556666"


def associate(macie: Any, bucket: str, names: list[str], member: str | None = None) -> None:
    """Associate ``names`` as prefixes of ``bucket`` in batches of 1,000 (one request each)."""
    extra = {"memberAccountId": member} if member else {}
    for start in range(0, len(names), 1000):
        items = [{"bucketName": bucket, "prefix": n, "classificationType": FULL} for n in names[start : start + 1000]]
        assert macie.associate_s3_resources(s3Resources=items, **extra)["failedS3Resources"] == []


def list_calls(endpoint: LocalEndpoint) -> int:
    return sum(v for k, v in endpoint.macie.counters.items() if k.startswith("ListS3Resources."))


@contextmanager
def vm_steps(endpoint: LocalEndpoint) -> Iterator[list[int]]:
    """Count, in ``[0]``, the steps SQLite's virtual machine takes for the endpoint's store in the block:
    every row an action reads, copies or counts is a few steps, so the count is its work, untimed."""
    counted = [0]

    def step() -> int:
        counted[0] += 1
        return 0  # go on

    with endpoint.store.transaction() as db:
        db.set_progress_handler(step, 1)
    try:
        yield counted
    finally:
        with endpoint.store.transaction() as db:
            db.set_progress_handler(None, 1)


def work(endpoint: LocalEndpoint, macie: Any, bucket: str, size: int) -> dict[str, int]:
    """The VM steps of each S3 action on an account of ``size`` associations (left at ``size``)."""
    tokens, params = [], {"maxResults": PAGE}
    while token := macie.list_s3_resources(**params).get("nextToken"):
        tokens.append(token)
        params = {"maxResults": PAGE, "nextToken": token}
    assert len(tokens) + 1 == math.ceil(size / PAGE)
    new = {"bucketName": bucket, "prefix": f"new-{size}/"}
    actions: dict[str, Callable[[], Any]] = {
        "list first": lambda: macie.list_s3_resources(maxResults=PAGE),
        "list middle": lambda: macie.list_s3_resources(maxResults=PAGE, nextToken=tokens[len(tokens) // 2]),
        "list last": lambda: macie.list_s3_resources(maxResults=PAGE, nextToken=tokens[-1]),
        "associate": lambda: macie.associate_s3_resources(s3Resources=[{**new, "classificationType": FULL}]),
        "update": lambda: macie.update_s3_resources(
            s3ResourcesUpdate=[{**new, "classificationTypeUpdate": {"oneTime": "NONE"}}]
        ),
        "disassociate": lambda: macie.disassociate_s3_resources(associatedS3Resources=[new]),
    }
    steps = {}
    for name, action in actions.items():
        with vm_steps(endpoint) as counted:
            result = action()
        assert result.get("failedS3Resources", []) == [], name
        assert len(result.get("s3Resources", [None] * PAGE)) == PAGE, name
        steps[name] = counted[0]
    return steps


def counts_are_exact(endpoint: LocalEndpoint) -> None:
    """The kept per-account counts are exactly the associations' counts."""
    with endpoint.store.transaction() as db:
        kept = sorted(db.execute("SELECT region, master, member, count FROM s3_counts").fetchall())
        counted = db.execute(
            "SELECT region, master, member, COUNT(*) FROM s3_resources GROUP BY region, master, member"
        ).fetchall()
    assert kept == sorted(counted)


def test_s3_actions_do_the_same_work_at_20000_associations_as_at_1000(
    endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]
) -> None:
    """A list page (first, middle, last) and a one-item associate, update and disassociate take as many
    SQLite steps with 20,000 associations in the account as with 1,000: none reads or counts them all."""
    name = bucket()
    names = [f"p{i:05d}/" for i in range(20_000)]
    associate(macie, name, names[:1000])
    small = work(endpoint, macie, name, 1000)
    associate(macie, name, names[1000:])
    large = work(endpoint, macie, name, 20_000)
    # An action that touched every row would take 20 times the steps; a B-tree one level deeper, a few more.
    grown = {action: large[action] / small[action] for action in small}
    assert all(ratio < 1.5 for ratio in grown.values()), (grown, small, large)
    counts_are_exact(endpoint)


def test_refresh_lists_ceil_n_over_250_pages_per_account(
    endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]
) -> None:
    """A fresh provider reading 2,000 of the master's resources and 2,100 of a member's makes exactly
    ceil(2000/250) = 8 and ceil(2100/250) = 9 ListS3Resources calls: no final empty page."""
    name = bucket()
    macie.associate_member_account(memberAccountId=MEMBER_ID)
    sizes = {None: 2000, MEMBER_ID: 2100}
    for member, size in sizes.items():
        associate(macie, name, [f"{member or 'master'}-{i}/" for i in range(size)], member)
    hooks = S3ResourceHooks(ClientSettings(), macie)
    for member, size in sizes.items():
        before = list_calls(endpoint)
        for i in range(size):
            id_ = make_id(name, f"{member or 'master'}-{i}/", member)
            assert hooks.read(id_, {}).id == id_
        assert list_calls(endpoint) - before == math.ceil(size / PAGE)


def test_limit_counts_a_state_file_from_before_the_kept_counts(tmp_path: Path, bucket: Callable[[], str]) -> None:
    """A state file written before the per-account counts were kept is counted when opened: the limit
    and a member's disassociation see its associations, and the counts stay exact after."""
    state = str(tmp_path / "state.sqlite3")
    name = bucket()
    with LocalEndpoint(state=state) as first:
        macie = client(first.url)
        macie.associate_member_account(memberAccountId=MEMBER_ID)
        associate(macie, name, ["a/", "b/", "c/"])
        associate(macie, name, ["a/", "b/"], MEMBER_ID)
    with sqlite3.connect(state) as db:  # what an earlier macie-local left: no counts, no triggers
        db.execute("DROP TRIGGER s3_counts_insert")
        db.execute("DROP TRIGGER s3_counts_delete")
        db.execute("DROP TABLE s3_counts")
    with LocalEndpoint(state=state, limits=Limits(max_s3_resources=3)) as again:
        macie = client(again.url)
        counts_are_exact(again)
        refused = []
        for member, prefix in ((None, "d/"), (MEMBER_ID, "d/"), (MEMBER_ID, "e/")):
            try:
                associate(macie, name, [prefix], member)
            except macie.exceptions.LimitExceededException as error:
                refused.append(error.response["Error"]["Message"])
        limit = "would have 4 S3 resources associated with Macie; the limit is 3."
        assert refused == [
            f"The request was rejected. Account {DEFAULT_ACCOUNT_ID} {limit}",
            f"The request was rejected. Account {MEMBER_ID} {limit}",
        ]
        with pytest.raises(macie.exceptions.InvalidInputException, match="still has 3 S3 resources"):
            macie.disassociate_member_account(memberAccountId=MEMBER_ID)
        macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": name, "prefix": "a/"}])
        counts_are_exact(again)
