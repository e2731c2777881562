"""End to end, both hosts: the ordinary paths users walk that are not the example's happy path.

Each test runs the same Python program twice over: with the dynamic provider's SDK (``pulumi_macie``)
and with the native plugin's SDK (``pulumi_macie_native``), through the real CLI against macie-local.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint, create_bucket

from .e2e_support import MASTER, holdings, native_plugin_tarball, program_stack, unique_bucket
from .pulumi_harness import PulumiStack

pytestmark = pytest.mark.e2e

MEMBER = "333344445555"
SDKS = {"dynamic": "pulumi_macie", "native": "pulumi_macie_native"}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return native_plugin_tarball(tmp_path_factory.mktemp("plugin"))


@dataclass
class Run:
    """A program of one host's SDK as a stack against an endpoint."""

    host: str
    stack: PulumiStack
    endpoint: LocalEndpoint
    bucket: str

    def program(self, body: str) -> None:
        """Replace the program: ``body`` uses ``macie`` (the host's SDK), ``config`` and ``BUCKET``."""
        header = (
            f"import pulumi\nimport {SDKS[self.host]} as macie\nconfig = pulumi.Config()\nBUCKET = {self.bucket!r}\n"
        )
        self.stack.write_program(header + textwrap.dedent(body))

    def holdings(self, region: str | None = None) -> dict[str, list[object]]:
        return holdings(self.endpoint, region)

    def custom(self) -> list[dict[str, object]]:
        """The stack's resources, without the stack and its providers."""
        return [
            r
            for r in self.stack.export()["deployment"].get("resources", [])
            if r["type"] != "pulumi:pulumi:Stack" and not r["type"].startswith("pulumi:providers:")
        ]


@pytest.fixture(params=sorted(SDKS))
def run(request: pytest.FixtureRequest, tmp_path: Path, plugin: Path) -> Iterator[Run]:
    host = request.param
    with LocalEndpoint(regions=("us-east-1", "us-west-2")) as endpoint:
        source = tmp_path / "source"
        source.mkdir()
        (source / "Pulumi.yaml").write_text(
            "name: ordinary-paths\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
            "    virtualenv: ../../.venv\n"
        )
        (source / "__main__.py").write_text("")
        stack = program_stack(source, tmp_path / "program", endpoint, plugin if host == "native" else None)
        yield Run(host, stack, endpoint, unique_bucket())


def test_literal_member_id_converges_in_one_run(run: Run) -> None:
    """A member account and its S3 resources named by the same literal ID: nothing orders them, yet one
    `up` and one `destroy` each converge (the hooks wait for the membership, then for the S3 resources)."""
    run.program(f"""
        member = macie.MacieMemberAccount("member", member_account_id="{MEMBER}")
        for i in range(4):
            macie.MacieS3Resource(f"logs-{{i}}", bucket_name=BUCKET, prefix=f"p{{i}}/", member_account_id="{MEMBER}")
    """)
    run.stack.up()
    assert run.holdings()["members"] == [MEMBER]
    assert [row[:3] for row in run.holdings()["s3"]] == [(MEMBER, run.bucket, f"p{i}/") for i in range(4)]
    run.stack.destroy()
    assert run.holdings() == {"members": [], "s3": []}


@pytest.mark.parametrize("run", ["native"], indirect=True)
def test_s3_resource_of_undeclared_member_says_how_to_fix(run: Run) -> None:
    """The membership never appears: the wait ends within the resource's create timeout and the error says
    how to order the two in the program. (The engine gives dynamic providers no customTimeouts, so their
    wait runs its full default: the hooks tests cover the same message with a short wait.)"""
    run.program(f"""
        macie.MacieS3Resource("orphan", bucket_name=BUCKET, member_account_id="{MEMBER}",
                              opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="3s")))
    """)
    failed = run.stack.up(check=False)
    assert failed.returncode != 0
    assert f"{MEMBER} is not a member account" in failed.stdout
    assert "member_account_id=member.member_account_id" in failed.stdout
    assert run.holdings() == {"members": [], "s3": []}
    assert run.custom() == []


def test_get_of_an_id_macie_does_not_hold_fails(run: Run) -> None:
    """`MacieS3Resource.get` of an association that does not exist fails the run instead of handing the
    program nothing."""
    run.program("""
        found = macie.MacieS3Resource.get("missing", f"{BUCKET}/nothing-here/")
        pulumi.export("classification", found.classification_type)
    """)
    failed = run.stack.up(check=False)
    assert failed.returncode != 0
    assert f"'{run.bucket}/nothing-here/' does not exist in Macie" in failed.stdout
    assert run.custom() == []


def test_get_of_an_existing_id_reads_it(run: Run) -> None:
    run.program("""
        macie.MacieS3Resource("owned", bucket_name=BUCKET, prefix="a/")
    """)
    run.stack.up()
    run.program("""
        macie.MacieS3Resource("owned", bucket_name=BUCKET, prefix="a/")
        found = macie.MacieS3Resource.get("found", f"{BUCKET}/a/")
        pulumi.export("continuous", found.classification_type.apply(lambda c: c["continuous"]))
    """)
    run.stack.up()
    assert run.stack.outputs()["continuous"] == "FULL"


def test_master_account_as_member_is_refused_at_create(run: Run) -> None:
    """AWS accepts the master's own ID as a no-op association that can then never be disassociated: the
    create is refused, nothing reaches the state, and the stack stays destroyable."""
    run.program(f"""
        macie.MacieMemberAccount("me", member_account_id="{MASTER}")
    """)
    failed = run.stack.up(check=False)
    assert failed.returncode != 0
    assert f"{MASTER} is the master account itself" in failed.stdout
    assert run.custom() == []
    run.stack.destroy()


def test_master_id_explicit_or_absent_is_one_association(run: Run) -> None:
    """Naming the master's ID as memberAccountId, or leaving it out, is the same association: switching
    between the two is a working replace, leaving exactly one association."""
    run.program("""
        macie.MacieS3Resource("logs", bucket_name=BUCKET)
    """)
    run.stack.up()
    for member in (f'"{MASTER}"', "None"):
        run.program(f"""
            macie.MacieS3Resource("logs", bucket_name=BUCKET, member_account_id={member})
        """)
        run.stack.up()
        assert [row[1:3] for row in run.holdings()["s3"]] == [(run.bucket, "")]
        assert len(run.custom()) == 1
    run.stack.destroy()
    assert run.holdings() == {"members": [], "s3": []}


def test_region_change_replaces_where_the_resources_live(run: Run) -> None:
    """Changing macie:region plans a replacement; a refresh before the `up` reads where the resources
    are; the `up` deletes them there and creates them in the new region."""
    create_bucket(run.bucket, region="us-west-2")
    run.program(f"""
        member = macie.MacieMemberAccount("member", member_account_id="{MEMBER}")
        macie.MacieS3Resource("logs", bucket_name=BUCKET, member_account_id=member.member_account_id)
    """)
    run.stack.config_set("macie:region", "us-east-1")
    run.stack.up()
    assert run.holdings("us-east-1")["members"] == [MEMBER]
    run.stack.config_set("macie:region", "us-west-2")
    run.stack.refresh()
    assert len(run.custom()) == 2
    preview = run.stack.preview("--diff")
    assert "2 to replace" in preview.stdout
    run.stack.up()
    assert run.holdings("us-east-1") == {"members": [], "s3": []}
    assert run.holdings("us-west-2")["members"] == [MEMBER]
    assert len(run.holdings("us-west-2")["s3"]) == 1
    run.stack.destroy()
    assert run.holdings() == {"members": [], "s3": []}
