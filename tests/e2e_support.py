"""Support for end-to-end tests: an endpoint, a stack running an example against it, what it holds."""

from __future__ import annotations

import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from macie_local.server import (
    DEFAULT_ACCESS_KEY,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
    create_bucket,
)
from pulumi_macie_provider.client import ClientSettings, make_client

from .pulumi_harness import ROOT, PulumiStack

WRITE_ACTIONS = (
    "AssociateMemberAccount",
    "DisassociateMemberAccount",
    "AssociateS3Resources",
    "DisassociateS3Resources",
    "UpdateS3Resources",
)


def holdings(endpoint: LocalEndpoint, region: str | None = None, master: str | None = None) -> dict[str, Any]:
    """What the endpoint's own store holds (in ``region`` and of the ``master`` account, or in all):
    members, and S3 resources as (member, bucket, prefix, oneTime, continuous)."""
    chosen = {column: value for column, value in (("region", region), ("master", master)) if value}
    where = " WHERE " + " AND ".join(f"{column} = ?" for column in chosen) if chosen else ""
    args = tuple(chosen.values())
    with endpoint.store.transaction() as db:
        members = sorted(r[0] for r in db.execute("SELECT account_id FROM members" + where, args))
        s3 = sorted(
            tuple(r)
            for r in db.execute("SELECT member, bucket, prefix, one_time, continuous FROM s3_resources" + where, args)
        )
    return {"members": members, "s3": s3}


def calls(endpoint: LocalEndpoint) -> dict[str, int]:
    """Requests answered so far, by action (any status)."""
    totals: dict[str, int] = {}
    for key, count in endpoint.macie.counters.items():
        action = key.rsplit(".", 1)[0]
        if not key.startswith("fault."):
            totals[action] = totals.get(action, 0) + count
    return totals


def writes(endpoint: LocalEndpoint) -> int:
    counted = calls(endpoint)
    return sum(counted.get(a, 0) for a in WRITE_ACTIONS)


@dataclass
class Scenario:
    endpoint: LocalEndpoint
    stack: PulumiStack
    bucket: str

    @property
    def macie(self) -> Any:
        """A client for the endpoint's default master account, for out-of-band changes."""
        return make_client(
            ClientSettings(region="us-east-1", endpoint_url=self.endpoint.url, max_attempts=1),
            credentials={"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY},
        )

    def holdings(self) -> dict[str, Any]:
        return holdings(self.endpoint)

    def associate_basic_outside(self, member: str) -> list[str]:
        """Associate outside Pulumi what examples/basic declares (``member``, the master's bucket, the
        member's ``2024/`` prefix); answers them as pulumi-macie-import's TYPE NAME ID triples."""
        self.macie.associate_member_account(memberAccountId=member)
        full, continuous = {"oneTime": "FULL", "continuous": "FULL"}, {"oneTime": "NONE", "continuous": "FULL"}
        self.macie.associate_s3_resources(s3Resources=[{"bucketName": self.bucket, "classificationType": full}])
        self.macie.associate_s3_resources(
            memberAccountId=member,
            s3Resources=[{"bucketName": self.bucket, "prefix": "2024/", "classificationType": continuous}],
        )
        return [
            *("MacieMemberAccount", "audit", member),
            *("MacieS3Resource", "master-logs", self.bucket),
            *("MacieS3Resource", "member-logs", f"{member}:{self.bucket}/2024/"),
        ]


def native_plugin_tarball(base: Path) -> Path:
    """The native plugin's tarball, as ``pulumi-macie-plugin package`` writes it, in ``base``."""
    from pulumi_macie_provider.hosts.plugin import package

    return Path(package(str(base), python=sys.executable))


def program_stack(
    source: Path,
    workdir: Path,
    endpoint: LocalEndpoint,
    plugin: Path | None = None,
    *,
    endpoint_config: bool = True,
    **env: str,
) -> PulumiStack:
    """A copy of the program in ``source`` at ``workdir`` (its virtualenv this interpreter's), as a fresh
    stack pointed at ``endpoint`` by ``macie:endpointUrl`` (unless not ``endpoint_config``: the caller
    points it there another way); with ``plugin`` (a tarball), the native plugin is installed into the
    stack's PULUMI_HOME."""
    shutil.copytree(source, workdir)
    pulumi_yaml = workdir / "Pulumi.yaml"
    text = pulumi_yaml.read_text()
    pulumi_yaml.write_text(text.replace("virtualenv: ../../.venv", f"virtualenv: {sys.prefix}"))
    base = workdir.parent
    (base / "backend").mkdir(exist_ok=True)
    aws = {
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(base / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(base / "no-aws-credentials"),
    }
    stack = PulumiStack(workdir, extra_env={**aws, **env})
    if plugin is not None:
        stack.install_plugin(plugin)
    stack.run("stack", "init", stack.stack)
    if endpoint_config:
        stack.config_set("macie:endpointUrl", endpoint.url)
    return stack


def example_stack(
    base: Path, example: str, endpoint: LocalEndpoint, plugin: Path | None = None, **env: str
) -> PulumiStack:
    """``examples/<example>`` as a fresh stack in ``base`` (see ``program_stack``)."""
    return program_stack(ROOT / "examples" / example, base / example, endpoint, plugin, **env)


def both_hosts_stack(base: Path, program: str, endpoint: LocalEndpoint) -> tuple[PulumiStack, str]:
    """A fresh stack running ``program`` (which may use either SDK: the native plugin is installed) against
    ``endpoint``, with the master's keys and region in its environment, and a new bucket in its
    ``bucket`` config; answers the stack and the bucket."""
    stack = PulumiStack.create(
        base,
        program,
        extra_env={
            "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
            "AWS_REGION": "us-east-1",
        },
    )
    stack.install_plugin(native_plugin_tarball(base / "plugin"))
    bucket = unique_bucket()
    stack.config_set("bucket", bucket)
    stack.config_set("macie:endpointUrl", endpoint.url)
    return stack, bucket


def unique_bucket() -> str:
    name = f"e2e-{uuid.uuid4().hex[:16]}"
    create_bucket(name)
    return name


MASTER = DEFAULT_ACCOUNT_ID


def no_change_preview_then_update_in_place(stack: PulumiStack, endpoint: LocalEndpoint, bucket: str) -> None:
    """The step every example's lifecycle shares: a no-change preview calls nothing; then `oneTime: NONE`
    in the stack's config updates the master's association in place (one UpdateS3Resources, nothing
    associated or removed)."""
    before = calls(endpoint)
    stack.preview("--expect-no-changes")
    assert calls(endpoint) == before

    stack.config_set("oneTime", "NONE")
    stack.up()
    after = calls(endpoint)
    assert after.get("UpdateS3Resources", 0) - before.get("UpdateS3Resources", 0) == 1
    assert after.get("AssociateS3Resources") == before.get("AssociateS3Resources")
    assert after.get("DisassociateS3Resources") == before.get("DisassociateS3Resources")
    assert (MASTER, bucket, "", "NONE", "FULL") in holdings(endpoint)["s3"]
