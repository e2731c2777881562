"""End to end with the native plugin: the real CLI runs examples/yaml (``runtime: yaml``) against
macie-local, and the endpoint's store is checked after every step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint

from .conftest import FULL
from .e2e_support import (
    MASTER,
    Scenario,
    example_stack,
    holdings,
    native_plugin_tarball,
    no_change_preview_then_update_in_place,
    program_stack,
    unique_bucket,
    writes,
)
from .pulumi_harness import PulumiError

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"
OUTSIDER = "444455556666"
TYPES = {"macie:index:MacieMemberAccount", "macie:index:MacieS3Resource"}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return native_plugin_tarball(tmp_path_factory.mktemp("plugin"))


@pytest.fixture
def scenario(tmp_path: Path, plugin: Path) -> Iterator[Scenario]:
    """examples/yaml as a fresh stack on the native plugin; ends by destroying and checking both regions."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "yaml", endpoint, plugin=plugin)
        stack.config_set("bucket", bucket)
        # Digits only: the YAML language host hands this to the provider as a number.
        stack.config_set("memberAccountId", MEMBER)
        yield Scenario(endpoint, stack, bucket)
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
        assert [r["type"] for r in stack.resources() if r["type"] in TYPES] == []


def _types(stack_resources: list[dict]) -> set[str]:
    return {r["type"] for r in stack_resources if not r["type"].startswith("pulumi:")}


def _adopt_generated_code(program: Path, generated: Path) -> None:
    """Add the resources that `pulumi import --out` wrote to the program, as a user pastes them in."""
    source = yaml.safe_load(program.read_text())
    source["resources"].update(yaml.safe_load(generated.read_text())["resources"])
    program.write_text(yaml.safe_dump(source, sort_keys=False))


def test_yaml_program_lifecycle(scenario: Scenario, tmp_path: Path) -> None:
    """preview → up → no-change preview → in-place update → replace → drift repaired by refresh + up →
    import of associations made outside Pulumi → no-change preview → region change replaces → destroy."""
    stack, endpoint, bucket = scenario.stack, scenario.endpoint, scenario.bucket

    preview = stack.preview()
    assert "+ 4 to create" in preview.stdout
    assert writes(endpoint) == 0

    up = stack.up()
    assert "macie:index:MacieS3Resource" in up.stdout and "pulumi-python:dynamic" not in up.stdout
    assert holdings(endpoint, "us-east-1") == {
        "members": [MEMBER],
        "s3": sorted([(MASTER, bucket, "", "FULL", "FULL"), (MEMBER, bucket, "2024/", "NONE", "FULL")]),
    }
    assert _types(stack.resources()) == TYPES
    (provider,) = [r for r in stack.resources() if r["type"] == "pulumi:providers:macie"]
    assert provider["inputs"]["region"] == "us-east-1"  # resolved from AWS_REGION and recorded
    exported = stack.run("stack", "export", "--show-secrets").stdout
    assert DEFAULT_SECRET_KEY not in exported and DEFAULT_ACCESS_KEY not in exported
    outputs = stack.outputs()
    assert outputs["memberAccountId"] == MEMBER  # the number from config is the 12-digit string
    assert outputs["memberLogsId"] == f"{MEMBER}:{bucket}/2024/"
    assert outputs["memberLogsClassification"] == {"oneTime": "NONE", "continuous": "FULL"}

    no_change_preview_then_update_in_place(stack, endpoint, bucket)

    stack.config_set("prefix", "2025/")
    assert "1 to replace" in stack.preview().stdout
    stack.up()
    assert holdings(endpoint)["s3"] == sorted(
        [(MASTER, bucket, "", "NONE", "FULL"), (MEMBER, bucket, "2025/", "NONE", "FULL")]
    )

    # Drift: changed and removed outside Pulumi; refresh records it, up repairs it.
    scenario.macie.update_s3_resources(
        memberAccountId=MEMBER,
        s3ResourcesUpdate=[{"bucketName": bucket, "prefix": "2025/", "classificationTypeUpdate": {"oneTime": "FULL"}}],
    )
    scenario.macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": bucket}])
    stack.refresh()
    state = {r["urn"].rsplit("::", 1)[1]: r for r in stack.resources() if r["type"] in TYPES}
    assert sorted(state) == ["audit", "memberLogs"]
    assert state["memberLogs"]["outputs"]["classificationType"] == {"oneTime": "FULL", "continuous": "FULL"}
    stack.up()
    assert holdings(endpoint)["s3"] == sorted(
        [(MASTER, bucket, "", "NONE", "FULL"), (MEMBER, bucket, "2025/", "NONE", "FULL")]
    )
    stack.preview("--expect-no-changes")

    # Import what was associated outside Pulumi, by type and ID alone; the generated code joins the program.
    scenario.macie.associate_member_account(memberAccountId=OUTSIDER)
    scenario.macie.associate_s3_resources(
        memberAccountId=OUTSIDER,
        s3Resources=[
            {
                "bucketName": bucket,
                "prefix": "archive/",
                "classificationType": {"oneTime": "FULL", "continuous": "FULL"},
            }
        ],
    )
    held = holdings(endpoint)
    for kind, name, id_ in (
        ("MacieMemberAccount", "legacy", OUTSIDER),
        ("MacieS3Resource", "legacyLogs", f"{OUTSIDER}:{bucket}/archive/"),
    ):
        generated = tmp_path / f"{name}.yaml"
        result = stack.run(
            "import", f"macie:index:{kind}", name, id_, "--yes", "--protect=false", "--out", str(generated)
        )
        assert "1 imported" in result.stdout
        _adopt_generated_code(stack.workdir / "Pulumi.yaml", generated)
    assert holdings(endpoint) == held
    before = writes(endpoint)
    stack.preview("--expect-no-changes")
    assert writes(endpoint) == before

    # A new region is a new home: every resource is replaced there and removed from the old one.
    stack.config_set("macie:region", "us-west-2")
    assert "5 to replace" in stack.preview().stdout
    stack.up()
    assert holdings(endpoint, "us-east-1") == {"members": [], "s3": []}
    assert holdings(endpoint, "us-west-2") == held
    (provider,) = [r for r in stack.resources() if r["type"] == "pulumi:providers:macie"]
    assert provider["inputs"]["region"] == "us-west-2"


def test_yaml_failure_is_one_line(scenario: Scenario) -> None:
    """A failing create shows one diagnostic line with action, resource, AWS code and message; nothing is
    recorded for it and no traceback is printed."""
    stack, endpoint = scenario.stack, scenario.endpoint
    stack.config_set("bucket", "no-such-bucket-anywhere")
    with pytest.raises(PulumiError) as excinfo:
        stack.up()
    text = str(excinfo.value)
    assert "Traceback" not in text and 'File "' not in text
    line = (
        "error: AssociateS3Resources for MacieS3Resource no-such-bucket-anywhere failed: "
        "InvalidInputException: The request was rejected. The S3 bucket no-such-bucket-anywhere does not exist."
    )
    diagnostics = text.split("Diagnostics:", 1)[1]
    assert line in diagnostics, diagnostics
    state = {r["urn"].rsplit("::", 1)[1] for r in stack.resources() if r["type"] in TYPES}
    assert "masterLogs" not in state
    assert [s for s in holdings(endpoint)["s3"] if s[1] == "no-such-bucket-anywhere"] == []


GET_AND_IMPORT = """\
name: macie-adopt
runtime: yaml
config:
  bucket:
    type: string
resources:
  # Read from Macie by ID alone, not managed.
  seen:
    type: macie:index:MacieS3Resource
    get:
      id: ${bucket}/seen/
  # Adopted by ID with the import option, then managed.
  adopted:
    type: macie:index:MacieS3Resource
    properties:
      bucketName: ${bucket}
      prefix: adopted/
      classificationType:
        oneTime: FULL  # continuous defaults to FULL
    options:
      import: BUCKET/adopted/  # a literal: YAML options take no interpolation
outputs:
  seenClassification: ${seen.classificationType}
  adoptedId: ${adopted.id}
"""


def test_yaml_get_and_import_option(tmp_path: Path, plugin: Path) -> None:
    """`get` reads an association by ID alone and the `import` option adopts one by ID; a `get` of
    what Macie does not hold fails with a clear message. The plugin is found without a PATH warning."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        source = tmp_path / "source"
        source.mkdir()
        (source / "Pulumi.yaml").write_text(GET_AND_IMPORT.replace("BUCKET", bucket))
        stack = program_stack(source, tmp_path / "work", endpoint, plugin=plugin)
        stack.config_set("bucket", bucket)
        scenario = Scenario(endpoint, stack, bucket)
        scenario.macie.associate_s3_resources(
            s3Resources=[{"bucketName": bucket, "prefix": p, "classificationType": FULL} for p in ("seen/", "adopted/")]
        )
        held = holdings(endpoint)

        up = stack.up()
        assert "using pulumi-resource-macie from $PATH" not in up.stdout + up.stderr
        assert "1 imported" in up.stdout
        outputs = stack.outputs()
        assert outputs == {"seenClassification": FULL, "adoptedId": f"{bucket}/adopted/"}
        assert holdings(endpoint) == held
        stack.preview("--expect-no-changes")

        stack.destroy()  # the adopted association is managed and goes; the one read with get stays
        assert holdings(endpoint)["s3"] == [(MASTER, bucket, "seen/", "FULL", "FULL")]

        scenario.macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": bucket, "prefix": "seen/"}])
        with pytest.raises(PulumiError) as excinfo:
            stack.preview()
        assert f"MacieS3Resource '{bucket}/seen/' does not exist in Macie" in str(excinfo.value)


def test_import_applies_the_create_rules(scenario: Scenario, tmp_path: Path) -> None:
    """`pulumi import` of the master's own account as a MacieMemberAccount is refused as create refuses
    it, and importing an association by an ID that writes the master's account out records it under its
    one ID, `bucket/prefix`, the ID the stack already holds it by: the second claim shows."""
    stack = scenario.stack
    stack.up()
    refused = stack.run("import", "macie:index:MacieMemberAccount", "self", MASTER, "--yes", check=False)
    assert refused.returncode != 0
    assert f"{MASTER} is the master account itself" in refused.stdout + refused.stderr
    held = {r["id"] for r in stack.resources() if r["type"] == "macie:index:MacieS3Resource"}
    (master_id,) = [id_ for id_ in held if ":" not in id_]
    stack.run(
        "import",
        "macie:index:MacieS3Resource",
        "spelled-out",
        f"{MASTER}:{master_id}",
        "--yes",
        "--protect=false",
        "--out",
        str(tmp_path / "spelled.yaml"),
    )
    (imported,) = [r for r in stack.resources() if r["urn"].endswith("::spelled-out")]
    assert imported["id"] == master_id
    assert [r["id"] for r in stack.resources() if r["type"] == "macie:index:MacieS3Resource"].count(master_id) == 2
    stack.run("state", "delete", imported["urn"], "--yes")
