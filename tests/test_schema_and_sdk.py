"""schema.json is valid, agrees with the service model and the hooks, and the SDK is generated from it."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from pulumi_macie_provider import codegen
from pulumi_macie_provider.client.validation import service_model
from pulumi_macie_provider.resources.registry import BY_TOKEN

from .pulumi_harness import ROOT, pulumi_binary

SCHEMA = codegen.load_schema()


def test_generated_sdk_is_fresh() -> None:
    """Every generated file equals a fresh generation from schema.json."""
    assert codegen.stale_files(codegen.Generator(SCHEMA).files()) == []


def test_generated_files_are_marked() -> None:
    """Each generated Python file says it is generated and must not be edited."""
    for path in codegen.Generator(SCHEMA).files():
        if path.endswith(".py"):
            with open(path, encoding="utf-8") as handle:
                assert handle.read().startswith(codegen.BANNER), path


@pytest.mark.e2e
def test_schema_passes_the_cli_schema_check() -> None:
    """The real CLI's own schema validation accepts schema.json."""
    result = subprocess.run([pulumi_binary(), "schema", "check", str(ROOT / "schema.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_registry_lists_the_schema_resources() -> None:
    """The registry of resources and schema.json name the same resources."""
    assert sorted(BY_TOKEN) == sorted(SCHEMA["resources"])


@pytest.mark.parametrize("token", sorted(BY_TOKEN))
def test_replace_on_changes_matches_hooks(token: str) -> None:
    """The schema's replaceOnChanges properties are exactly those the hooks' diff replaces on."""
    inputs = SCHEMA["resources"][token]["inputProperties"]
    assert {k for k, v in inputs.items() if v.get("replaceOnChanges")} == set(BY_TOKEN[token].identity)


@pytest.mark.parametrize("token", sorted(BY_TOKEN))
def test_every_property_documented(token: str) -> None:
    """Every input and output property has a description; required inputs exist."""
    resource = SCHEMA["resources"][token]
    for group in ("inputProperties", "properties"):
        for name, prop in resource[group].items():
            assert prop.get("description"), f"{token}.{group}.{name}"
    assert set(resource["requiredInputs"]) <= set(resource["inputProperties"])
    assert "## Example Usage" in resource["description"] and "## Import" in resource["description"]


def _shape(name: str) -> Any:
    return service_model().shape_for(name).metadata


def test_schema_constraints_agree_with_service_model() -> None:
    """Patterns, lengths and enums in schema.json are the service model's."""
    s3 = SCHEMA["resources"]["macie:index:MacieS3Resource"]["inputProperties"]
    member = SCHEMA["resources"]["macie:index:MacieMemberAccount"]["inputProperties"]
    assert member["memberAccountId"]["pattern"] == _shape("AWSAccountId")["pattern"]
    assert s3["memberAccountId"]["pattern"] == _shape("AWSAccountId")["pattern"]
    assert s3["bucketName"]["maxLength"] == _shape("BucketName")["max"]
    assert s3["prefix"]["maxLength"] == _shape("Prefix")["max"]
    types = SCHEMA["types"]
    assert [e["value"] for e in types["macie:index:OneTimeClassificationType"]["enum"]] == \
        _shape("S3OneTimeClassificationType")["enum"]
    assert [e["value"] for e in types["macie:index:ContinuousClassificationType"]["enum"]] == \
        _shape("S3ContinuousClassificationType")["enum"]


def test_check_mode_reports_stale_file(tmp_path: Any) -> None:
    """The generator's check mode names a file that differs from a fresh generation."""
    files = codegen.Generator(SCHEMA).files()
    path = next(iter(files))
    assert codegen.stale_files({path: files[path] + "# edited\n"}) == [path.replace(str(ROOT) + "/", "")]
