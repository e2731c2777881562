"""pulumi-macie-migrate through the real CLI: a dynamic stack moved to the native plugin with no write to Macie."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import (
    WRITE_ACTIONS,
    Scenario,
    both_hosts_stack,
    calls,
    holdings,
    native_plugin_tarball,
    program_stack,
)
from .pulumi_harness import PulumiStack
from .test_e2e_dynamic_upgrade import BUCKET, FIXTURE, HELD, MASTER, MEMBER, PROGRAM

pytestmark = pytest.mark.e2e

#: 2 members and ``count`` S3 resources: two protected, a dependency chain, two under a component, one
#: with custom timeouts.
DYNAMIC = """\
import pulumi
from pulumi_macie import ClassificationTypeArgs, MacieMemberAccount, MacieS3Resource

config = pulumi.Config()
bucket = config.require("bucket")
members = [MacieMemberAccount(f"member-{i}", member_account_id=f"1111222233{i + 10}") for i in range(2)]
group = pulumi.ComponentResource("acme:index:Group", "group")
previous = None
for i in range(int(config.get("count") or "22")):
    member = members[i % 2] if i % 4 == 3 else None
    opts = pulumi.ResourceOptions(
        protect=i < 2,
        depends_on=[previous] if previous is not None and i < 5 else None,
        parent=group if 5 <= i < 7 else None,
        custom_timeouts=pulumi.CustomTimeouts(create="5m", delete="7m") if i == 0 else None,
    )
    previous = MacieS3Resource(
        f"s3-{i}",
        bucket_name=bucket,
        prefix=f"p{i}/",
        member_account_id=member.member_account_id if member else None,
        classification_type=ClassificationTypeArgs(one_time="NONE", continuous="FULL"),
        opts=opts,
    )
"""


def migrate(stack: PulumiStack, *args: str) -> subprocess.CompletedProcess[str]:
    """``pulumi-macie-migrate ARGS -- --stack <stack>`` in the program's folder with the stack's environment."""
    command = [sys.executable, "-m", "pulumi_macie_provider.importer.migrate", *args, "--", "--stack", stack.stack]
    return subprocess.run(command, cwd=stack.workdir, env=stack.env, capture_output=True, text=True, timeout=600)


def writes_by_action(endpoint: LocalEndpoint) -> dict[str, int]:
    counted = calls(endpoint)
    return {action: counted.get(action, 0) for action in WRITE_ACTIONS}


def by_name(stack: PulumiStack) -> dict[str, dict[str, Any]]:
    resources = stack.export()["deployment"]["resources"]
    return {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"].startswith(("macie:", "pulumi-python:dyn"))}


def test_migrate_moves_a_dynamic_stack_with_no_write_to_macie(tmp_path: Path) -> None:
    """A 24-resource dynamic stack: --dry-run changes nothing; the move writes nothing to Macie, gives
    native types under the same IDs, keeps protect, dependencies, parents and custom timeouts, and
    --write-program switches the program; a second run has nothing to move; preview shows no changes,
    and refresh and destroy work through the native plugin."""
    with LocalEndpoint() as endpoint:
        stack, _ = both_hosts_stack(tmp_path, DYNAMIC, endpoint)
        stack.up()
        held = holdings(endpoint)
        assert len(held["s3"]) == 22 and len(held["members"]) == 2
        before = by_name(stack)
        export_before = stack.run("stack", "export").stdout
        zero = writes_by_action(endpoint)

        dry = migrate(stack, "--dry-run")
        assert dry.returncode == 0, dry.stdout + dry.stderr
        assert "24 resources move to the native plugin" in dry.stdout and "dry run" in dry.stdout
        assert "+from pulumi_macie_native import" in dry.stdout
        assert stack.run("stack", "export").stdout == export_before
        assert "pulumi_macie_native" not in (stack.workdir / "__main__.py").read_text()

        moved = migrate(stack, "--write-program", "--backup", str(tmp_path / "backup.json"))
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert writes_by_action(endpoint) == zero
        assert holdings(endpoint) == held
        assert (tmp_path / "backup.json").read_text() == export_before
        assert "from pulumi_macie_native import" in (stack.workdir / "__main__.py").read_text()

        after = by_name(stack)
        assert set(after) == set(before)
        for name, resource in after.items():
            assert resource["type"] == before[name]["type"].replace("pulumi-python:dynamic/macie:", "macie:index:")
            assert resource["id"] == before[name]["id"]
            assert "__provider" not in resource["inputs"] and "__location" not in resource["outputs"]
            assert resource["provider"].split("::")[-2] == "default_0_1_0"
        assert [n for n, r in after.items() if r.get("protect")] == ["s3-0", "s3-1"]
        assert after["s3-0"]["customTimeouts"] == before["s3-0"]["customTimeouts"]
        assert after["s3-2"]["dependencies"] == [after["s3-1"]["urn"]]
        assert after["s3-3"]["propertyDependencies"]["memberAccountId"] == [after["member-1"]["urn"]]
        assert after["s3-5"]["urn"].endswith("::acme:index:Group$macie:index:MacieS3Resource::s3-5")
        assert after["s3-7"]["dependencies"] == [after["member-1"]["urn"]]
        types = {r["type"] for r in stack.export()["deployment"]["resources"]}
        assert "pulumi:providers:pulumi-python" not in types

        again = migrate(stack)
        assert again.returncode == 0 and "nothing to move" in again.stdout, again.stdout + again.stderr

        stack.preview("--expect-no-changes")
        refresh = stack.refresh()
        assert "~" not in refresh.stdout.split("Resources:")[-1], refresh.stdout
        assert writes_by_action(endpoint) == zero
        stack.run("state", "unprotect", "--all", "--yes")
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}


@pytest.fixture
def from_0_1_0(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Scenario]:
    """0.1.0's state of PROGRAM (tests/fixtures) next to an endpoint holding what it made, the native
    plugin installed; the region in the environment, or (``region_in_config``) in the stack config only."""
    in_config = getattr(request, "param", False)
    with LocalEndpoint(buckets=[BUCKET]) as endpoint:
        source = tmp_path / "src"
        source.mkdir()
        (source / "Pulumi.yaml").write_text(
            "name: macie-upgrade\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
            "    virtualenv: ../../.venv\n"
        )
        (source / "__main__.py").write_text(PROGRAM)
        plugin = native_plugin_tarball(tmp_path / "plugin")
        stack = program_stack(source, tmp_path / "macie-upgrade", endpoint, plugin)
        if in_config:
            stack.extra_env.update({"AWS_REGION": "", "AWS_DEFAULT_REGION": ""})
            stack.config_set("macie:region", "us-east-1")
        scenario = Scenario(endpoint, stack, BUCKET)
        scenario.macie.associate_member_account(memberAccountId=MEMBER)
        for member, bucket, prefix, one_time, continuous in HELD:
            scope = {} if member == MASTER else {"memberAccountId": member}
            item = {"bucketName": bucket, "classificationType": {"oneTime": one_time, "continuous": continuous}}
            scenario.macie.associate_s3_resources(
                s3Resources=[{**item, **({"prefix": prefix} if prefix else {})}], **scope
            )
        state = tmp_path / "state.json"
        state.write_text(FIXTURE.read_text().replace("ENDPOINT_URL", endpoint.url))
        stack.run("stack", "import", "--file", str(state))
        yield scenario
        if holdings(endpoint) != {"members": [], "s3": []}:  # a test that failed before its destroy
            stack.run("state", "unprotect", "--all", "--yes", check=False)
            stack.destroy(check=False)


@pytest.mark.parametrize("from_0_1_0", [False, True], ids=["region-from-env", "region-in-config"], indirect=True)
def test_migrate_moves_a_stack_made_by_0_1_0(from_0_1_0: Scenario) -> None:
    """0.1.0's shared-type resources (no recorded location) move under the default provider recorded from
    the stack config and the environment; preview shows no changes, refresh reads, destroy removes."""
    stack, endpoint = from_0_1_0.stack, from_0_1_0.endpoint
    zero = writes_by_action(endpoint)
    moved = migrate(stack, "--write-program")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert writes_by_action(endpoint) == zero
    after = by_name(stack)
    assert {name: r["type"] for name, r in after.items()} == {
        "audit": "macie:index:MacieMemberAccount",
        "master-logs": "macie:index:MacieS3Resource",
        "member-logs": "macie:index:MacieS3Resource",
    }
    assert after["member-logs"]["id"] == f"{MEMBER}:{BUCKET}/2024/"
    provider = next(r for r in stack.export()["deployment"]["resources"] if r["type"] == "pulumi:providers:macie")
    assert provider["outputs"]["region"] == "us-east-1" and provider["outputs"]["endpointUrl"] == endpoint.url
    assert "`pulumi preview` shows no changes" in moved.stdout  # its own preview --expect-no-changes passed
    stack.refresh()
    stack.destroy()
    assert holdings(endpoint) == {"members": [], "s3": []}
    assert writes_by_action(endpoint)["AssociateS3Resources"] == zero["AssociateS3Resources"]


def test_migrate_refuses_or_puts_the_backup_back(from_0_1_0: Scenario) -> None:
    """Changing nothing, it refuses a program still on pulumi_macie (printing the edits) and an
    association gone from Macie (naming it); with a native program that differs from the stack (a
    classification changed) the state is imported, the preview finds changes and the backup goes back:
    the stack exports byte for byte as before. Macie sees no write."""
    stack, endpoint = from_0_1_0.stack, from_0_1_0.endpoint
    before = stack.run("stack", "export").stdout
    zero = writes_by_action(endpoint)
    unswitched = migrate(stack)
    assert unswitched.returncode == 2, unswitched.stdout + unswitched.stderr
    assert "+from pulumi_macie_native import" in unswitched.stdout and "--write-program" in unswitched.stderr

    program = PROGRAM.replace("pulumi_macie ", "pulumi_macie_native ").replace('one_time="FULL"', 'one_time="NONE"')
    stack.write_program(program)
    failed = migrate(stack)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "putting the backup back" in failed.stderr and "byte for byte" in failed.stderr
    assert stack.run("stack", "export").stdout == before

    from_0_1_0.macie.disassociate_s3_resources(
        memberAccountId=MEMBER, associatedS3Resources=[{"bucketName": BUCKET, "prefix": "2024/"}]
    )
    missing = migrate(stack)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "1 associations of the stack are missing in Macie" in missing.stderr and "::member-logs" in missing.stderr
    assert stack.run("stack", "export").stdout == before
    assert writes_by_action(endpoint) == {**zero, "DisassociateS3Resources": zero["DisassociateS3Resources"] + 1}
    stack.write_program(PROGRAM)
