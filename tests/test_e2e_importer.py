"""pulumi-macie-import through the real CLI: where it finds Macie, and what it writes into the state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint
from pulumi_macie_provider.importer import SECRET_SIG

from .e2e_support import Scenario, both_hosts_stack, example_stack, holdings, unique_bucket

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"


def test_import_takes_the_endpoint_from_the_stack_config_and_keeps_the_provider_secret(tmp_path: Path) -> None:
    """With no --endpoint-url, the importer reads the stack's macie:endpointUrl (a secret here); the
    __provider it writes is a secret in the state, as `pulumi up` writes it, and the stack then
    shows no changes."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "basic", endpoint)
        stack.config_set("bucket", bucket)
        stack.config_set("macie:endpointUrl", endpoint.url, secret=True)
        scenario = Scenario(endpoint, stack, bucket)
        triples = scenario.associate_basic_outside(MEMBER)
        held = holdings(endpoint)
        result = stack.macie_import(
            *triples,
            "--file",
            str(tmp_path / "import.json"),
            "--run",
            "--",
            "--yes",
            "--protect=false",
            "--stack",
            stack.stack,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert endpoint.url not in result.stdout + result.stderr  # a secret setting is never shown

        exported = stack.export()["deployment"]["resources"]
        imported = [r for r in exported if r["urn"].rsplit("::", 1)[1] in ("audit", "master-logs", "member-logs")]
        assert len(imported) == 3
        for resource in imported:
            for part in ("inputs", "outputs"):
                provider = resource[part]["__provider"]
                assert isinstance(provider, dict) and provider.get(SECRET_SIG[0]) == SECRET_SIG[1], (part, provider)
                assert set(provider) == {SECRET_SIG[0], "ciphertext"}, (part, provider)

        stack.preview("--expect-no-changes")
        stack.up()
        assert holdings(endpoint) == held
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}


def test_import_flag_wins_over_the_stack_config(tmp_path: Path) -> None:
    """An explicit --endpoint-url is used instead of the stack's macie:endpointUrl."""
    with LocalEndpoint() as endpoint, LocalEndpoint() as elsewhere:
        stack = example_stack(tmp_path, "basic", elsewhere)  # the stack points somewhere else
        Scenario(endpoint, stack, "").macie.associate_member_account(memberAccountId=MEMBER)
        command = ["MacieMemberAccount", "audit", MEMBER, "--file", str(tmp_path / "i.json")]
        from_config = stack.macie_import(*command, "--", "--stack", stack.stack)
        assert from_config.returncode == 1 and "does not exist in Macie" in from_config.stderr
        flagged = stack.macie_import(*command, "--endpoint-url", endpoint.url, "--", "--stack", stack.stack)
        assert flagged.returncode == 0, flagged.stderr
        assert json.loads((tmp_path / "i.json").read_text())["resources"][0]["id"] == MEMBER


def test_import_names_a_bad_stack_setting(tmp_path: Path) -> None:
    """A stack's macie:region that breaks the rule fails the importer with one line naming the setting."""
    with LocalEndpoint() as endpoint:
        stack = example_stack(tmp_path, "basic", endpoint)
        stack.config_set("macie:region", "nowhere")
        result = stack.macie_import("MacieMemberAccount", "audit", MEMBER, "--", "--stack", stack.stack)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines()[-1].startswith("pulumi-macie-import: macie:region (stack config): ")
        assert "'nowhere'" in result.stderr


DYNAMIC_LOGS = """
import pulumi
from pulumi_macie import MacieS3Resource

MacieS3Resource("logs", bucket_name=pulumi.Config().require("bucket"), prefix="logs/")
"""
NATIVE_LOGS = """
import pulumi
import pulumi_macie_native as native

native.MacieS3Resource("logs", bucket_name=pulumi.Config().require("bucket"), prefix="logs/")
"""


def test_import_refuses_a_second_resource_for_an_association_the_stack_holds(tmp_path: Path) -> None:
    """A stack whose dynamic `logs` holds an association, and a program switched to a native `logs` for
    it: importing the native one (by ID, or with --rebuild's adoption of what the program declares)
    is refused, naming the resource that holds it, and the state is left as it was; the `up` that
    would follow could otherwise delete the dynamic one and the association with it."""
    with LocalEndpoint() as endpoint:
        stack, bucket = both_hosts_stack(tmp_path, DYNAMIC_LOGS, endpoint)
        stack.up()
        before = stack.export()
        stack.write_program(NATIVE_LOGS)

        by_id = stack.macie_import(
            "macie:index:MacieS3Resource", "logs", f"{bucket}/logs/", "--run", "--", "--yes", "--stack", stack.stack
        )
        assert by_id.returncode == 1, by_id.stdout + by_id.stderr
        assert "refusing to import what the stack already manages" in by_id.stderr
        assert f"MacieS3Resource {bucket}/logs/ is held by " in by_id.stderr
        assert "pulumi-python:dynamic/macie:MacieS3Resource::logs" in by_id.stderr
        assert "moves with `pulumi-macie-migrate`" in by_id.stderr
        rebuilt = stack.macie_import("--rebuild", "--", "--stack", stack.stack)
        assert rebuilt.returncode == 1, rebuilt.stdout + rebuilt.stderr
        assert "refusing to import what the stack already manages" in rebuilt.stderr
        assert stack.export()["deployment"]["resources"] == before["deployment"]["resources"]
        assert len(holdings(endpoint)["s3"]) == 1

        stack.write_program(DYNAMIC_LOGS)
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}


TWO_LOGS = DYNAMIC_LOGS + 'MacieS3Resource("old", bucket_name=pulumi.Config().require("bucket"), prefix="old/")\n'
LOGS_AND_EXTRA = DYNAMIC_LOGS + 'MacieS3Resource("extra", bucket_name=pulumi.Config().require("bucket"), prefix="x/")\n'


def test_rebuild_says_what_up_then_does_deletes_named(tmp_path: Path) -> None:
    """--rebuild's closing words are what `pulumi up` then does: it imports `extra` (associated outside
    Pulumi), and names `old` (held by the stack, no longer declared) as a delete, which the following
    preview confirms; nothing else is created."""
    with LocalEndpoint() as endpoint:
        stack, bucket = both_hosts_stack(tmp_path, TWO_LOGS, endpoint)
        stack.up()
        Scenario(endpoint, stack, bucket).macie.associate_s3_resources(
            s3Resources=[
                {"bucketName": bucket, "prefix": "x/", "classificationType": {"oneTime": "NONE", "continuous": "FULL"}}
            ]
        )
        stack.write_program(LOGS_AND_EXTRA)
        rebuilt = stack.macie_import("--rebuild", "--", "--stack", stack.stack)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert (
            "imported 1 resources the program declares and Macie holds; `pulumi up` creates nothing" in rebuilt.stdout
        )
        assert "DELETES 1 the stack holds and the program no longer declares" in rebuilt.stdout
        assert "pulumi-python:dynamic/macie:MacieS3Resource::old" in rebuilt.stdout
        summary = stack.preview().stdout.split("Resources:")[-1]
        assert "- 1 to delete" in summary and "to create" not in summary
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
