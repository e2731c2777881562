"""End to end: the real Pulumi CLI runs examples/ against macie-local; the endpoint is checked each step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import (
    MASTER,
    Scenario,
    calls,
    example_stack,
    holdings,
    no_change_preview_then_update_in_place,
    unique_bucket,
    writes,
)
from .pulumi_harness import PulumiError

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"


def test_basic_lifecycle(scenario: Scenario) -> None:
    """preview writes nothing; up creates what is declared; a no-op preview; classification updates in
    place with one UpdateS3Resources; a prefix change replaces; destroy empties the endpoint."""
    stack, endpoint, bucket = scenario.stack, scenario.endpoint, scenario.bucket
    preview = stack.preview()
    assert "+ 4 to create" in preview.stdout
    assert writes(endpoint) == 0

    stack.up()
    assert scenario.holdings() == {
        "members": [MEMBER],
        "s3": sorted([(MASTER, bucket, "", "FULL", "FULL"), (MEMBER, bucket, "2024/", "NONE", "FULL")]),
    }
    outputs = stack.outputs()
    assert outputs["memberLogsId"] == f"{MEMBER}:{bucket}/2024/"
    assert outputs["masterLogsId"] == bucket

    no_change_preview_then_update_in_place(stack, endpoint, bucket)

    stack.config_set("prefix", "2025/")
    plan = json.loads(stack.preview("--json").stdout)
    assert plan["changeSummary"] == {"replace": 1, "same": 3}
    (replaced,) = [step for step in plan["steps"] if step["op"] == "replace"]
    assert replaced["urn"].endswith("::member-logs") and replaced["replaceReasons"] == ["prefix"]
    stack.up()
    assert scenario.holdings()["s3"] == sorted(
        [(MASTER, bucket, "", "NONE", "FULL"), (MEMBER, bucket, "2025/", "NONE", "FULL")]
    )
    assert stack.outputs()["memberLogsId"] == f"{MEMBER}:{bucket}/2025/"


def test_bucket_change_replaces(scenario: Scenario) -> None:
    """Changing the bucket replaces both S3 resources; the old associations are gone."""
    stack = scenario.stack
    stack.up()
    other = unique_bucket()
    stack.config_set("bucket", other)
    stack.up()
    assert scenario.holdings()["s3"] == sorted(
        [(MASTER, other, "", "FULL", "FULL"), (MEMBER, other, "2024/", "NONE", "FULL")]
    )


def test_out_of_band_change_found_by_refresh(scenario: Scenario) -> None:
    """A classification changed outside Pulumi shows up after refresh, and up puts it back."""
    stack, bucket = scenario.stack, scenario.bucket
    stack.up()
    scenario.macie.update_s3_resources(
        s3ResourcesUpdate=[{"bucketName": bucket, "classificationTypeUpdate": {"oneTime": "NONE"}}]
    )
    stack.refresh()
    (master_logs,) = [r for r in stack.dynamic_resources() if r["urn"].endswith("master-logs")]
    assert master_logs["outputs"]["classificationType"] == {"oneTime": "NONE", "continuous": "FULL"}
    stack.up()
    assert (MASTER, bucket, "", "FULL", "FULL") in scenario.holdings()["s3"]
    stack.preview("--expect-no-changes")


def test_out_of_band_delete_dropped_by_refresh(scenario: Scenario) -> None:
    """An association removed outside Pulumi is dropped from state by refresh, and up recreates it."""
    stack, bucket = scenario.stack, scenario.bucket
    stack.up()
    scenario.macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": bucket}])
    stack.refresh()
    names = [r["urn"].rsplit("::", 1)[1] for r in stack.dynamic_resources()]
    assert sorted(names) == ["audit", "member-logs"]
    stack.up()
    assert (MASTER, bucket, "", "FULL", "FULL") in scenario.holdings()["s3"]


def test_invalid_input_fails_at_preview_without_api_calls(scenario: Scenario) -> None:
    """A bad member account ID fails preview naming the property and rule, with no API call at all."""
    stack, endpoint = scenario.stack, scenario.endpoint
    stack.config_set("memberAccountId", "12ab")
    with pytest.raises(PulumiError) as excinfo:
        stack.preview()
    text = str(excinfo.value)
    assert "memberAccountId" in text and "'12ab' does not match the pattern [0-9]{12}" in text
    assert calls(endpoint) == {}
    with pytest.raises(PulumiError):
        stack.run("up", "--yes")  # up's own preview fails first: nothing is applied
    assert calls(endpoint) == {} and holdings(endpoint) == {"members": [], "s3": []}
    assert stack.dynamic_resources() == []


def test_import_existing_associations(scenario: Scenario, tmp_path: Path) -> None:
    """Associations made outside Pulumi are imported, then managed: no changes, then destroyed."""
    stack, endpoint = scenario.stack, scenario.endpoint
    triples = scenario.associate_basic_outside(MEMBER)
    held = scenario.holdings()

    result = stack.macie_import(
        *triples,
        "--file",
        str(tmp_path / "import.json"),
        "--endpoint-url",
        endpoint.url,
        "--run",
        "--",
        "--yes",
        "--non-interactive",
        "--protect=false",
        "--stack",
        stack.stack,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 imported" in result.stdout
    assert scenario.holdings() == held
    stack.preview("--expect-no-changes")
    stack.up()
    assert scenario.holdings() == held


def test_import_refuses_missing_association(scenario: Scenario, tmp_path: Path) -> None:
    """Importing an association that does not exist fails and writes no import file."""
    result = scenario.stack.macie_import(
        "MacieS3Resource",
        "ghost",
        f"{scenario.bucket}/nothing/",
        "--file",
        str(tmp_path / "ghost.json"),
        "--endpoint-url",
        scenario.endpoint.url,
        timeout=120,
    )
    assert result.returncode == 1
    assert "does not exist in Macie (region us-east-1, endpoint http://127.0.0.1:" in result.stderr
    assert "there is nothing to import" in result.stderr
    assert not (tmp_path / "ghost.json").exists()


def test_import_example(tmp_path: Path) -> None:
    """examples/import: associations made outside Pulumi are imported as its docstring says, then
    a preview shows no changes and destroy removes them."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "import", endpoint)
        stack.config_set("bucket", bucket)
        scenario = Scenario(endpoint, stack, bucket)
        scenario.macie.associate_member_account(memberAccountId=MEMBER)
        scenario.macie.associate_s3_resources(
            memberAccountId=MEMBER,
            s3Resources=[
                {
                    "bucketName": bucket,
                    "prefix": "archive/",
                    "classificationType": {"oneTime": "FULL", "continuous": "FULL"},
                }
            ],
        )
        result = stack.macie_import(
            "MacieMemberAccount",
            "legacy-member",
            MEMBER,
            "MacieS3Resource",
            "legacy-logs",
            f"{MEMBER}:{bucket}/archive/",
            "--endpoint-url",
            endpoint.url,
            "--run",
            "--",
            "--yes",
            "--protect=false",
            "--stack",
            stack.stack,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        stack.preview("--expect-no-changes")
        stack.up()
        assert stack.outputs()["legacyLogsId"] == f"{MEMBER}:{bucket}/archive/"
        assert holdings(endpoint)["s3"] == [(MEMBER, bucket, "archive/", "FULL", "FULL")]
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
