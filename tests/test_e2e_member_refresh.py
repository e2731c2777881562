"""End to end: a member account removed outside Pulumi, then `pulumi refresh` and `pulumi up`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import MASTER, Scenario, example_stack, holdings, unique_bucket

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[Scenario]:
    """examples/basic as a fresh stack against a fresh endpoint; ends by checking nothing is left."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "basic", endpoint)
        stack.config_set("bucket", bucket)
        yield Scenario(endpoint, stack, bucket)
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}


def names(scenario: Scenario) -> list[str]:
    """The names of the stack's resources, other than the stack and its providers."""
    return sorted(
        r["urn"].rsplit("::", 1)[1]
        for r in scenario.stack.export()["deployment"].get("resources", [])
        if r["type"] != "pulumi:pulumi:Stack" and not r["type"].startswith("pulumi:providers:")
    )


def test_member_account_removed_outside_is_dropped_by_refresh(scenario: Scenario) -> None:
    """A member account disassociated outside Pulumi (its S3 resources first, as Macie requires) is
    dropped by refresh with its S3 resource, the master's own S3 resource stays; up makes both again."""
    stack, bucket = scenario.stack, scenario.bucket
    stack.up()
    assert names(scenario) == ["audit", "master-logs", "member-logs"]
    scenario.macie.disassociate_s3_resources(
        memberAccountId=MEMBER, associatedS3Resources=[{"bucketName": bucket, "prefix": "2024/"}]
    )
    scenario.macie.disassociate_member_account(memberAccountId=MEMBER)
    assert scenario.holdings() == {"members": [], "s3": [(MASTER, bucket, "", "FULL", "FULL")]}

    stack.refresh()
    assert names(scenario) == ["master-logs"]
    stack.up()
    assert scenario.holdings() == {
        "members": [MEMBER],
        "s3": sorted([(MASTER, bucket, "", "FULL", "FULL"), (MEMBER, bucket, "2024/", "NONE", "FULL")]),
    }
    stack.preview("--expect-no-changes")
