"""The README's recovery after an interrupted run, through the real CLI, on the file and S3 backends.

Each test checks the outcome itself: Macie (the endpoint's store) and the stack's state hold exactly
what the program declares, each once, and a preview then shows no changes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from macie_local.app import Faults
from macie_local.server import (
    DEFAULT_ACCESS_KEY,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
    create_bucket,
)
from pulumi_macie_provider.importer import UNREADABLE

from .e2e_support import Scenario, holdings, unique_bucket
from .helpers import s3_client
from .pulumi_harness import PulumiStack, pulumi_binary

pytestmark = pytest.mark.e2e

MEMBER = "600000000001"
PROGRAM = """
import pulumi
from pulumi_macie import MacieMemberAccount, MacieS3Resource

config = pulumi.Config()
bucket = config.require("bucket")
member = MacieMemberAccount("member", member_account_id="600000000001")
for i in range(int(config.require("n"))):
    owner = member.member_account_id if i % 2 else None
    MacieS3Resource(f"res-{i}", bucket_name=bucket, prefix=f"p{i}/", member_account_id=owner)
"""
AWS = {"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY, "AWS_REGION": "us-east-1"}


def declared(n: int, bucket: str) -> dict[str, Any]:
    """What Macie must hold for PROGRAM: its member, and its S3 resources as (member, bucket, prefix)."""
    return {
        "members": [MEMBER],
        "s3": sorted((MEMBER if i % 2 else DEFAULT_ACCOUNT_ID, bucket, f"p{i}/") for i in range(n)),
    }


def held(endpoint: LocalEndpoint) -> dict[str, Any]:
    store = holdings(endpoint)
    return {"members": store["members"], "s3": sorted(row[:3] for row in store["s3"])}


def managed(stack: PulumiStack) -> list[str]:
    """The names of the resources the stack's state holds, providers and the stack aside, repeats kept."""
    resources = stack.export()["deployment"].get("resources") or []
    return sorted(
        r["urn"].rsplit("::", 1)[1]
        for r in resources
        if r.get("custom") and not r["type"].startswith("pulumi:providers:")
    )


def new_stack(base: Path, endpoint: LocalEndpoint, n: int, bucket: str, backend: str | None = None) -> PulumiStack:
    env = dict(AWS, **({"PULUMI_BACKEND_URL": backend} if backend else {}))
    stack = PulumiStack.create(base, PROGRAM, extra_env=env)
    for key, value in (("bucket", bucket), ("n", str(n)), ("macie:endpointUrl", endpoint.url)):
        stack.config_set(key, value)
    return stack


def importer(stack: PulumiStack, *args: str) -> subprocess.CompletedProcess[str]:
    return stack.macie_import(*args, "--file", str(stack.workdir / "recovery.json"), "--", "--stack", stack.stack)


def recover(stack: PulumiStack) -> dict[str, subprocess.CompletedProcess[str]]:
    """The README's recovery: cancel, --pending-creates (and --rebuild when it says the checkpoint cannot
    be read), refresh, up. Answers what each importer step printed."""
    steps: dict[str, subprocess.CompletedProcess[str]] = {}
    stack.run("cancel", "--yes", check=False)
    steps["pending"] = importer(stack, "--pending-creates")
    if steps["pending"].returncode == UNREADABLE:
        steps["rebuild"] = importer(stack, "--rebuild")
        assert steps["rebuild"].returncode == 0, steps["rebuild"].stdout + steps["rebuild"].stderr
    else:
        assert steps["pending"].returncode == 0, steps["pending"].stdout + steps["pending"].stderr
    stack.refresh()
    stack.up()
    return steps


def assert_converged(stack: PulumiStack, endpoint: LocalEndpoint, n: int, bucket: str) -> None:
    assert held(endpoint) == declared(n, bucket)
    assert managed(stack) == sorted(["member", *(f"res-{i}" for i in range(n))])
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert held(endpoint) == {"members": [], "s3": []}


def kill_when(stack: PulumiStack, command: str, ready: Callable[[], bool], limit: float = 120) -> None:
    """Start `pulumi COMMAND`, SIGKILL its process group once ``ready()`` holds (checked every 0.2 s)."""
    cli = subprocess.Popen(
        [pulumi_binary(), command, "--yes", "--skip-preview", "--non-interactive", "--stack", stack.stack],
        cwd=stack.workdir,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        end = time.monotonic() + limit
        while not ready():
            assert cli.poll() is None, f"pulumi {command} ended before it could be killed"
            assert time.monotonic() < end, f"pulumi {command} never reached the moment to kill it"
            time.sleep(0.2)
    finally:
        os.killpg(cli.pid, signal.SIGKILL)
        cli.wait(timeout=60)


def pending_operations(stack: PulumiStack) -> int:
    exported = stack.run("stack", "export", check=False)
    if exported.returncode != 0 or not exported.stdout:
        return 0
    return len(json.loads(exported.stdout)["deployment"].get("pending_operations") or [])


def checkpoint_file(stack: PulumiStack) -> Path:
    """The file backend's checkpoint of the stack."""
    (checkpoint,) = (stack.workdir.parent / "backend" / ".pulumi" / "stacks").rglob(f"{stack.stack}.json")
    return checkpoint


@pytest.mark.parametrize("metadata", ["whole", "emptied"])
def test_pending_creates_recovered_after_sigkill(tmp_path: Path, metadata: str) -> None:
    """`pulumi up` killed while creates are under way (slow answers keep them in flight): the stack
    records them as pending; --pending-creates imports those Macie holds and clears the rest, and the
    recovery converges to exactly the declared set in Macie and in the state, with no rebuild.

    "emptied": the run was killed while the file backend rewrote the checkpoint's metadata file. That
    file is empty and the run's lock stays, so the stack's commands fail with `failed to load
    checkpoint: EOF`, `pulumi cancel` too; --pending-creates first removes the broken metadata file (the
    checkpoint beside it is whole) and releases the lock."""
    n = 8
    with LocalEndpoint(faults=Faults(latency_ms=800)) as endpoint:
        bucket = unique_bucket()
        stack = new_stack(tmp_path, endpoint, n, bucket)
        kill_when(stack, "up", lambda: pending_operations(stack) > 0)
        pending = pending_operations(stack)
        assert pending > 0
        time.sleep(1.0)  # the endpoint finishes what the killed run had sent
        sidecar = checkpoint_file(stack).with_name(f"{stack.stack}.json.attrs")
        if metadata == "emptied":
            sidecar.write_text("")  # what a kill between the sidecar's truncation and its write leaves
            cancelled = stack.run("cancel", "--yes", check=False)
            assert cancelled.returncode != 0 and "failed to load checkpoint: EOF" in cancelled.stderr

        steps = recover(stack)
        printed = steps["pending"].stdout
        assert f"{pending} pending creates; " in printed, printed + steps["pending"].stderr
        repaired = f"its metadata file {sidecar} was empty or cut" in printed
        released = "released the interrupted run's lock" in printed
        assert (repaired, released) == (metadata == "emptied",) * 2, printed
        assert "rebuild" not in steps
        assert_converged(stack, endpoint, n, bucket)


def test_rebuild_from_unreadable_checkpoint_and_backup(tmp_path: Path) -> None:
    """Neither the checkpoint nor its backup can be read (cut JSON documents, which no kill leaves on
    the file backend: it renames whole files into place): --pending-creates says so and changes
    nothing; --rebuild makes an empty state and imports what the program declares and Macie holds (not
    the association deleted meanwhile, which up creates again); the stack converges."""
    n = 5
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = new_stack(tmp_path, endpoint, n, bucket)
        stack.up()
        Scenario(endpoint, stack, bucket).macie.disassociate_s3_resources(
            associatedS3Resources=[{"bucketName": bucket, "prefix": "p2/"}]
        )
        checkpoint = checkpoint_file(stack)
        for path in (checkpoint, checkpoint.with_name(checkpoint.name + ".bak")):
            path.write_text(path.read_text()[: len(path.read_text()) // 2])
        failed = stack.run("stack", "export", check=False)
        assert failed.returncode != 0 and "failed to load checkpoint" in failed.stderr

        steps = recover(stack)
        assert steps["pending"].returncode == UNREADABLE
        assert "--rebuild" in steps["pending"].stderr
        assert f"imported {n} resources the program declares and Macie holds" in steps["rebuild"].stdout
        assert_converged(stack, endpoint, n, bucket)


def test_s3_backend_killed_run_with_unreadable_checkpoint_recovers(tmp_path: Path) -> None:
    """An S3 state backend (macie-local's own S3): `pulumi up` killed mid-run, then its checkpoint and
    backup made unreadable; the README's recovery (cancel, --pending-creates, --rebuild, refresh, up)
    converges to exactly the declared set."""
    n = 4
    with LocalEndpoint(faults=Faults(latency_ms=500)) as endpoint:
        bucket = unique_bucket()
        state_bucket = f"state-{unique_bucket()}"
        create_bucket(state_bucket)
        host = endpoint.url.removeprefix("http://")
        backend = f"s3://{state_bucket}?endpoint={host}&disableSSL=true&s3ForcePathStyle=true"
        stack = new_stack(tmp_path, endpoint, n, bucket, backend=backend)
        kill_when(stack, "up", lambda: len(held(endpoint)["s3"]) >= 2)
        s3 = s3_client(endpoint.url)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=state_bucket)["Contents"]]
        assert any(key.endswith("/.pulumi/locks") or "/locks/" in key for key in keys)  # the killed run's lock
        for key in keys:
            if key.startswith(".pulumi/stacks/") and key.endswith((f"{stack.stack}.json", f"{stack.stack}.json.bak")):
                s3.put_object(Bucket=state_bucket, Key=key, Body=b'{"version": 3, "checkpoint": {')
        time.sleep(1.0)

        steps = recover(stack)
        assert steps["pending"].returncode == UNREADABLE
        assert "imported " in steps["rebuild"].stdout
        assert_converged(stack, endpoint, n, bucket)
