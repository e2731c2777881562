"""End to end, where a native provider's resources live: explicit providers in two regions and, through an
assumed role, in a second account (examples/multi-region in YAML, examples/multi-region-python), and the
default provider's endpoint, region and secrets as the state records them, through the real CLI against
macie-local, whose store is checked place by place after each step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from macie_local.roles import Role
from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings, make_client
from pulumi_macie_provider.client.settings import AssumeRole

from .conftest import FULL
from .e2e_support import (
    MASTER,
    calls,
    example_stack,
    holdings,
    native_plugin_tarball,
    program_stack,
    unique_bucket,
    writes,
)
from .pulumi_harness import PulumiError, PulumiStack

pytestmark = pytest.mark.e2e

AUDIT = "444455556666"
ROLE_ARN = f"arn:aws:iam::{AUDIT}:role/MacieAudit"
EXTERNAL_ID = "corp-4711"  # not the example's default: the stack's config is what reaches STS
#: Where each provider of the multi-region programs puts its resources: (region, account).
PLACES = {"east": ("us-east-1", MASTER), "west": ("us-west-2", MASTER), "audit": ("us-east-1", AUDIT)}
S3_TYPE = "macie:index:MacieS3Resource"
PROVIDER_TYPE = "pulumi:providers:macie"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return native_plugin_tarball(tmp_path_factory.mktemp("plugin"))


@pytest.fixture
def role_endpoint() -> Iterator[LocalEndpoint]:
    """macie-local with the audit account's role, which the default account may assume with the external ID."""
    with LocalEndpoint(roles=[Role(ROLE_ARN, (MASTER,), external_id=EXTERNAL_ID)]) as running:
        yield running


def _multi_region_stack(base: Path, example: str, endpoint: LocalEndpoint, plugin: Path) -> tuple[PulumiStack, dict]:
    """``examples/<example>`` as a fresh stack pointed at ``endpoint`` by its own config, with a new bucket
    for each provider; answers the stack and the buckets by provider."""
    stack = example_stack(base, example, endpoint, plugin=plugin)
    buckets = {place: unique_bucket() for place in PLACES}
    config = {f"{place}Bucket": bucket for place, bucket in buckets.items()}
    stack.config_set_all(
        {**config, "endpointUrl": endpoint.url, "auditRoleArn": ROLE_ARN, "auditExternalId": EXTERNAL_ID}
    )
    return stack, buckets


def _places(endpoint: LocalEndpoint) -> dict[str, list[tuple[str, ...]]]:
    """The S3 resources each place holds; fails if any is held anywhere else."""
    found = {place: holdings(endpoint, region, account)["s3"] for place, (region, account) in PLACES.items()}
    assert sorted(holdings(endpoint)["s3"]) == sorted(item for items in found.values() for item in items)
    return found


def _expected(buckets: dict[str, str]) -> dict[str, list[tuple[str, ...]]]:
    """What the multi-region programs declare, by place."""
    return {
        "east": [(MASTER, buckets["east"], "", "FULL", "FULL")],
        "west": [(MASTER, buckets["west"], "2024/", "NONE", "FULL")],
        "audit": [(AUDIT, buckets["audit"], "", "FULL", "FULL")],
    }


def _macie_at(endpoint: LocalEndpoint, place: str) -> Any:
    """A client for a place's region and account (the audit account's through its role)."""
    region, account = PLACES[place]
    role = AssumeRole(ROLE_ARN, external_id=EXTERNAL_ID) if account == AUDIT else None
    settings = ClientSettings(region=region, endpoint_url=endpoint.url, max_attempts=1, assume_role=role)
    return make_client(
        settings, credentials={"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY}
    )


def _by_name(stack: PulumiStack, kind: str = S3_TYPE) -> dict[str, dict[str, Any]]:
    return {r["urn"].rsplit("::", 1)[1]: r for r in stack.resources() if r["type"] == kind}


def test_multi_region_yaml_resources_live_where_their_providers_point(
    tmp_path: Path, plugin: Path, role_endpoint: LocalEndpoint
) -> None:
    """examples/multi-region: up puts each resource in its provider's region and account; a no-change
    preview calls nothing; refresh reads each where it lives; a resource moved to another provider is
    replaced (deleted where it was, made at the new place); a provider whose credentials' account is not
    in allowedAccountIds refuses before any write; destroy empties every place."""
    endpoint = role_endpoint
    stack, buckets = _multi_region_stack(tmp_path, "multi-region", endpoint, plugin)
    expected = _expected(buckets)

    stack.up()
    assert _places(endpoint) == expected
    providers = _by_name(stack, PROVIDER_TYPE)
    assert {name: p["inputs"]["region"] for name, p in providers.items()} == {
        "east": "us-east-1",
        "west": "us-west-2",
        "audit": "us-east-1",
    }
    assert providers["audit"]["inputs"]["assumeRole"]["roleArn"] == ROLE_ARN
    assert providers["audit"]["inputs"]["allowedAccountIds"] == [AUDIT]  # a YAML number, recorded as its digits

    before = calls(endpoint)
    stack.preview("--expect-no-changes")
    assert calls(endpoint) == before, "a no-change preview called Macie or STS"

    # Drift at each place, made outside Pulumi: refresh finds each where its provider says it lives.
    drifted = {"east": "NONE", "west": "FULL", "audit": "NONE"}
    for place, one_time in drifted.items():
        ((_, bucket, prefix, _, _),) = expected[place]
        _macie_at(endpoint, place).update_s3_resources(
            s3ResourcesUpdate=[
                {"bucketName": bucket, "prefix": prefix, "classificationTypeUpdate": {"oneTime": one_time}}
            ]
        )
    before = writes(endpoint)
    stack.refresh()
    assert writes(endpoint) == before
    state = _by_name(stack)
    assert {name: r["outputs"]["classificationType"]["oneTime"] for name, r in state.items()} == {
        "eastLogs": "NONE",
        "westLogs": "FULL",
        "auditLogs": "NONE",
    }

    # westLogs moves to the east provider: removed from us-west-2, made in us-east-1 (the drift repaired).
    program = stack.workdir / "Pulumi.yaml"
    declared = program.read_text()
    program.write_text(declared.replace("provider: ${west}", "provider: ${east}"))
    moved = stack.up()
    assert "+-1 replaced" in moved.stdout and "~ 2 updated" in moved.stdout
    west_logs = (MASTER, buckets["west"], "2024/", "NONE", "FULL")
    assert _places(endpoint) == {"east": sorted([*expected["east"], west_logs]), "west": [], "audit": expected["audit"]}

    # The audit provider may act only in 210987654321: its replacement (a new bucket) is refused unmade.
    before, held = writes(endpoint), _places(endpoint)
    stack.config_set_all({"auditAccountId": "210987654321", "auditBucket": unique_bucket()})
    with pytest.raises(PulumiError) as refused:
        stack.up()
    message = (
        f"allowedAccountIds: the provider's credentials belong to account {AUDIT}, which is not one of 210987654321;"
        " nothing was done in it"
    )
    assert message in str(refused.value)
    assert writes(endpoint) == before and _places(endpoint) == held

    # Back as declared at first: westLogs returns to us-west-2, the audit provider to its account.
    program.write_text(declared)
    stack.config_set_all({"auditAccountId": AUDIT, "auditBucket": buckets["audit"]})
    stack.up()
    assert _places(endpoint) == expected

    stack.destroy()
    assert holdings(endpoint) == {"members": [], "s3": []}
    assert _by_name(stack) == {}


def test_multi_region_python_up_preview_destroy(tmp_path: Path, plugin: Path, role_endpoint: LocalEndpoint) -> None:
    """examples/multi-region-python (the native Python SDK's explicit providers, the role given as
    AssumeRoleArgs): up puts each resource in its place, a no-change preview calls nothing, destroy
    empties every place."""
    endpoint = role_endpoint
    stack, buckets = _multi_region_stack(tmp_path, "multi-region-python", endpoint, plugin)

    stack.up()
    assert _places(endpoint) == _expected(buckets)
    assert stack.outputs() == {
        "eastLogsId": buckets["east"],
        "westLogsId": f"{buckets['west']}/2024/",
        "auditLogsId": buckets["audit"],
    }

    before = calls(endpoint)
    stack.preview("--expect-no-changes")
    assert calls(endpoint) == before, "a no-change preview called Macie or STS"

    stack.destroy()
    assert holdings(endpoint) == {"members": [], "s3": []}
    assert _by_name(stack) == {}


# -- the default provider: its location and secrets, as recorded ------------------------------------------

PROGRAM = """\
name: macie-config
runtime: yaml
config:
  bucket:
    type: string
  oneTime:
    type: string
    default: FULL
resources:
  logs:
    type: macie:index:MacieS3Resource
    properties:
      bucketName: ${bucket}
      classificationType:
        oneTime: ${oneTime}
        continuous: FULL
"""


def _config_stack(
    base: Path, endpoint: LocalEndpoint, plugin: Path, program: str = PROGRAM, **options: Any
) -> tuple[PulumiStack, str]:
    """``program`` as a fresh stack on the default provider with a new bucket in its ``bucket`` config
    (``options`` as for ``program_stack``); answers the stack and the bucket."""
    source = base / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(program)
    stack = program_stack(source, base / "work", endpoint, plugin, **options)
    bucket = unique_bucket()
    stack.config_set("bucket", bucket)
    return stack, bucket


def _default_provider(stack: PulumiStack) -> dict[str, Any]:
    (provider,) = _by_name(stack, PROVIDER_TYPE).values()
    return provider


def test_default_provider_records_the_endpoint_of_the_environment(
    tmp_path: Path, plugin: Path, endpoint: LocalEndpoint
) -> None:
    """With AWS_ENDPOINT_URL_MACIE and no macie:endpointUrl, up records the endpoint in the default
    provider's state, and a refresh without the variable still reads macie-local (not AWS)."""
    stack, bucket = _config_stack(
        tmp_path, endpoint, plugin, endpoint_config=False, AWS_ENDPOINT_URL_MACIE=endpoint.url
    )
    stack.config_set("macie:maxAttempts", "1")  # were AWS asked, the failure is quick
    stack.up()
    assert holdings(endpoint)["s3"] == [(MASTER, bucket, "", "FULL", "FULL")]

    del stack.extra_env["AWS_ENDPOINT_URL_MACIE"]
    _macie_at(endpoint, "east").disassociate_s3_resources(associatedS3Resources=[{"bucketName": bucket}])
    before = calls(endpoint).get("ListS3Resources", 0)
    stack.refresh()
    assert calls(endpoint).get("ListS3Resources", 0) > before
    assert _by_name(stack) == {}, "refresh did not find in macie-local that the association is gone"
    assert _default_provider(stack)["inputs"]["endpointUrl"] == endpoint.url


def test_import_with_the_region_from_the_environment_plans_no_replacement(
    tmp_path: Path, plugin: Path, endpoint: LocalEndpoint
) -> None:
    """`pulumi import` with the region only from AWS_REGION records the provider's config unchecked; the
    preview of the matching program then replaces nothing, and up succeeds without writing to Macie."""
    stack, bucket = _config_stack(tmp_path, endpoint, plugin)
    _macie_at(endpoint, "east").associate_s3_resources(s3Resources=[{"bucketName": bucket, "classificationType": FULL}])
    imported = stack.run("import", S3_TYPE, "logs", bucket, "--yes", "--protect=false")
    assert "1 imported" in imported.stdout

    preview = stack.preview()
    assert "replace" not in preview.stdout, preview.stdout
    before = writes(endpoint)
    stack.up()
    assert writes(endpoint) == before
    assert holdings(endpoint)["s3"] == [(MASTER, bucket, "", "FULL", "FULL")]
    assert _default_provider(stack)["inputs"]["region"] == "us-east-1"
    stack.destroy()
    assert holdings(endpoint)["s3"] == []


def test_the_same_endpoint_written_another_way_plans_no_replacement(
    tmp_path: Path, plugin: Path, endpoint: LocalEndpoint
) -> None:
    """An endpoint given by AWS_ENDPOINT_URL, then moved into macie:endpointUrl written with a trailing
    slash, is the same endpoint: the preview replaces nothing, up writes nothing."""
    stack, bucket = _config_stack(tmp_path, endpoint, plugin, endpoint_config=False, AWS_ENDPOINT_URL=endpoint.url)
    stack.up()
    held = holdings(endpoint)
    assert held["s3"] == [(MASTER, bucket, "", "FULL", "FULL")]

    del stack.extra_env["AWS_ENDPOINT_URL"]
    stack.config_set("macie:endpointUrl", endpoint.url + "/")
    preview = stack.preview()
    assert "replace" not in preview.stdout, preview.stdout
    before = writes(endpoint)
    stack.up()
    assert writes(endpoint) == before and holdings(endpoint) == held
    stack.destroy()
    assert holdings(endpoint)["s3"] == []


def test_replace_on_changes_deletes_the_old_association_first(
    tmp_path: Path, plugin: Path, endpoint: LocalEndpoint
) -> None:
    """`replaceOnChanges: [classificationType]` with a new classification: the replacement keeps the ID,
    so the old association is removed before the new one is made, and up succeeds."""
    program = PROGRAM + "    options:\n      replaceOnChanges:\n        - classificationType\n"
    stack, bucket = _config_stack(tmp_path, endpoint, plugin, program=program)
    stack.up()
    stack.config_set("oneTime", "NONE")
    before = calls(endpoint)
    replaced = stack.up()
    assert replaced.stdout.index("deleted original") < replaced.stdout.index("creating replacement")
    after = calls(endpoint)
    assert after.get("UpdateS3Resources", 0) == before.get("UpdateS3Resources", 0)
    assert after["DisassociateS3Resources"] - before.get("DisassociateS3Resources", 0) == 1
    assert after["AssociateS3Resources"] - before["AssociateS3Resources"] == 1
    assert holdings(endpoint)["s3"] == [(MASTER, bucket, "", "NONE", "FULL")]
    stack.destroy()
    assert holdings(endpoint)["s3"] == []


def test_an_endpoint_url_with_a_password_is_recorded_as_a_secret(
    tmp_path: Path, plugin: Path, endpoint: LocalEndpoint
) -> None:
    """An endpoint URL with a user and password in plain config reaches macie-local, is recorded as a
    secret (the export shows ciphertext), and its password is in no output of the CLI."""
    password = "pw-9f2c7d1e5a"
    stack, bucket = _config_stack(tmp_path, endpoint, plugin, endpoint_config=False)
    stack.config_set("macie:endpointUrl", endpoint.url.replace("://", f"://macie:{password}@"))
    stack.up("--diff")
    assert holdings(endpoint)["s3"] == [(MASTER, bucket, "", "FULL", "FULL")]

    exported = json.dumps(stack.export())
    assert password not in exported
    recorded = _default_provider(stack)["inputs"]["endpointUrl"]
    assert isinstance(recorded, dict) and "ciphertext" in recorded, recorded
    stack.preview("--diff", "--expect-no-changes")
    stack.destroy()
    assert holdings(endpoint)["s3"] == []
    shown = [entry for entry in stack.log if not entry.startswith("$ pulumi config set")]
    assert [entry.split("\n", 1)[0] for entry in shown if password in entry] == []
