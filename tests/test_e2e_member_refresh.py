"""End to end: a member account removed outside Pulumi, then `pulumi refresh` and `pulumi up`."""

from __future__ import annotations

import pytest

from .e2e_support import MASTER, Scenario

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"


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
