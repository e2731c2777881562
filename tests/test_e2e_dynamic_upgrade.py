"""End to end: a stack written by pulumi-macie 0.1.0's dynamic provider, upgraded by the real CLI.

``fixtures/state-0.1.0-dynamic.json`` is ``pulumi stack export --show-secrets`` of stack ``test`` of
project ``macie-upgrade`` after ``pulumi up`` of ``PROGRAM`` with 0.1.0 (every resource
``pulumi-python:dynamic:Resource``, ``__provider`` naming the classes in ``resources/member_account.py``
and ``resources/s3_resource.py``), trimmed of timestamps and stack traces (machine paths), with the
endpoint's URL replaced by ``ENDPOINT_URL``. Each test imports it next to an endpoint holding what that
``up`` made in Macie, then runs today's code on it.
"""

from __future__ import annotations

import base64
import json
import pickletools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import MASTER, Scenario, holdings, program_stack, writes
from .pulumi_harness import ROOT, PulumiStack

pytestmark = pytest.mark.e2e

FIXTURE = ROOT / "tests" / "fixtures" / "state-0.1.0-dynamic.json"
BUCKET = "upgrade-logs"
MEMBER = "111122223333"
PROGRAM = """\
import pulumi
from pulumi_macie import ClassificationTypeArgs, MacieMemberAccount, MacieS3Resource

member = MacieMemberAccount("audit", member_account_id="111122223333")
MacieS3Resource("master-logs", bucket_name="upgrade-logs",
                classification_type=ClassificationTypeArgs(one_time="FULL", continuous="FULL"))
MacieS3Resource("member-logs", bucket_name="upgrade-logs", prefix="2024/", member_account_id=member.member_account_id)
"""
#: What Macie holds after 0.1.0's ``up`` of PROGRAM: (member, bucket, prefix, oneTime, continuous).
HELD = sorted([(MASTER, BUCKET, "", "FULL", "FULL"), (MEMBER, BUCKET, "2024/", "NONE", "FULL")])
TYPES = {
    "audit": "pulumi-python:dynamic/macie:MacieMemberAccount",
    "master-logs": "pulumi-python:dynamic/macie:MacieS3Resource",
    "member-logs": "pulumi-python:dynamic/macie:MacieS3Resource",
}


@dataclass
class Upgrade(Scenario):
    def state(self) -> dict[str, dict[str, Any]]:
        """The stack's dynamic resources by name, secrets shown."""
        exported = json.loads(self.stack.run("stack", "export", "--show-secrets").stdout)["deployment"]
        return {
            r["urn"].rsplit("::", 1)[1]: r
            for r in exported.get("resources", [])
            if r["type"].startswith("pulumi-python:dynamic")
        }


def _provider_module(value: Any) -> str:
    """The module a recorded ``__provider`` (a secret, shown) names."""
    serialized = json.loads(value["plaintext"]) if isinstance(value, dict) else value
    strings = [arg for _, arg, _ in pickletools.genops(base64.b64decode(serialized)) if isinstance(arg, str)]
    return strings[0]


def _stack(base: Path, project: str, program: str, endpoint: LocalEndpoint) -> PulumiStack:
    """A fresh stack ``test`` of project ``project`` running ``program`` against ``endpoint``."""
    source = base / "src"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        f"name: {project}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: ../../.venv\n"
    )
    (source / "__main__.py").write_text(program)
    return program_stack(source, base / project, endpoint)


@pytest.fixture
def upgrade(tmp_path: Path) -> Iterator[Upgrade]:
    """A stack holding 0.1.0's state of PROGRAM, next to an endpoint holding what it made in Macie."""
    with LocalEndpoint(buckets=[BUCKET]) as endpoint:
        stack = _stack(tmp_path, "macie-upgrade", PROGRAM, endpoint)
        scenario = Upgrade(endpoint, stack, BUCKET)
        macie = scenario.macie
        macie.associate_member_account(memberAccountId=MEMBER)
        for member, bucket, prefix, one_time, continuous in HELD:
            scope = {} if member == MASTER else {"memberAccountId": member}
            item = {"bucketName": bucket, "classificationType": {"oneTime": one_time, "continuous": continuous}}
            macie.associate_s3_resources(s3Resources=[{**item, **({"prefix": prefix} if prefix else {})}], **scope)
        state = tmp_path / "state.json"
        state.write_text(FIXTURE.read_text().replace("ENDPOINT_URL", endpoint.url))
        stack.run("stack", "import", "--file", str(state))
        assert {r["type"] for r in scenario.state().values()} == {"pulumi-python:dynamic:Resource"}
        yield scenario
        stack.destroy()  # the tests destroy; this cleans up after one that failed before it
        assert holdings(endpoint) == {"members": [], "s3": []}
        assert stack.dynamic_resources() == []


def test_state_from_0_1_0_upgrades_in_place(upgrade: Upgrade) -> None:
    """The first up with today's code moves every resource to its own type and records the stable entry
    point's provider, with no create, replace or delete and no write to Macie; then nothing is left to
    change, and refresh and destroy work."""
    stack, endpoint = upgrade.stack, upgrade.endpoint
    preview = stack.preview()
    summary = preview.stdout[preview.stdout.index("Resources:") :]
    assert "~ 3 to update" in summary
    assert "to create" not in summary and "to replace" not in summary and "to delete" not in summary

    before = writes(endpoint)
    up = stack.up()
    assert "~ 3 updated" in up.stdout and "created" not in up.stdout and "replaced" not in up.stdout
    assert writes(endpoint) == before
    state = upgrade.state()
    assert {name: r["type"] for name, r in state.items()} == TYPES
    assert all(r["urn"].endswith(f"::{TYPES[name]}::{name}") for name, r in state.items())
    recorded = {_provider_module(r[side]["__provider"]) for r in state.values() for side in ("inputs", "outputs")}
    assert recorded == {"pulumi_macie_provider.dynamic_entry"}
    (member_logs,) = [r for name, r in state.items() if name == "member-logs"]
    assert member_logs["dependencies"] == [state["audit"]["urn"]]

    stack.preview("--expect-no-changes")
    refresh = stack.refresh()
    assert "4 unchanged" in refresh.stdout
    assert holdings(endpoint)["s3"] == HELD
    stack.destroy()


def test_state_from_0_1_0_refreshes_and_destroys_without_an_up(upgrade: Upgrade) -> None:
    """Today's code loads the providers 0.1.0 recorded: refresh reads Macie through them (a drift made
    outside Pulumi shows) and destroy removes everything."""
    stack, endpoint = upgrade.stack, upgrade.endpoint
    upgrade.macie.update_s3_resources(
        s3ResourcesUpdate=[{"bucketName": BUCKET, "classificationTypeUpdate": {"oneTime": "NONE"}}]
    )
    refresh = stack.refresh()
    assert "~ 1 updated" in refresh.stdout and "3 unchanged" in refresh.stdout
    state = upgrade.state()
    assert state["master-logs"]["outputs"]["classificationType"] == {"oneTime": "NONE", "continuous": "FULL"}
    assert {r["type"] for r in state.values()} == {"pulumi-python:dynamic:Resource"}
    stack.destroy()
    assert holdings(endpoint) == {"members": [], "s3": []}


def test_resources_of_both_types_may_share_a_name(tmp_path: Path) -> None:
    """With a type each, a member account and an S3 resource may have the same name (one shared type
    made their URNs collide)."""
    with LocalEndpoint(buckets=["shared-name-logs"]) as endpoint:
        program = (
            "from pulumi_macie import MacieMemberAccount, MacieS3Resource\n"
            'member = MacieMemberAccount("logs", member_account_id="111122223333")\n'
            'MacieS3Resource("logs", bucket_name="shared-name-logs", member_account_id=member.member_account_id)\n'
        )
        stack = _stack(tmp_path, "shared-name", program, endpoint)
        stack.up()
        assert sorted(r["type"] for r in stack.dynamic_resources()) == sorted({TYPES["audit"], TYPES["member-logs"]})
        assert holdings(endpoint)["s3"] == [(MEMBER, "shared-name-logs", "", "NONE", "FULL")]
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
