"""The real Pulumi CLI works here: pinned version, Python programs and dynamic providers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .pulumi_harness import PulumiStack, pinned_version, pulumi_binary

pytestmark = pytest.mark.e2e

PROGRAM = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Provider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="thing-1", outs={"value": props["value"]})


class Thing(Resource):
    def __init__(self, name, value):
        super().__init__(Provider(), name, {"value": value})


thing = Thing("thing", "hello")
pulumi.export("value", thing.value)
"""


def test_cli_version_is_pinned() -> None:
    """The pulumi CLI on PATH has exactly the version of the pinned pulumi Python package."""
    result = subprocess.run([pulumi_binary(), "version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == pinned_version()


def test_engine_runs_dynamic_resource_preview_up_destroy(tmp_path: Path) -> None:
    """A Python program with one dynamic resource goes through preview, up and destroy."""
    stack = PulumiStack.create(tmp_path, PROGRAM)
    preview = stack.preview()
    assert "+ 2 to create" in preview.stdout
    stack.up()
    assert stack.outputs() == {"value": "hello"}
    assert len(stack.dynamic_resources()) == 1
    # The harness reads the file backend's checkpoint instead of running `pulumi stack export`: the
    # same deployment, but for the ciphertext of its secrets (each export encrypts them anew).
    assert stack.checkpoint_path() is not None and stack.checkpoint_path().is_file()
    exported = json.loads(stack.run("stack", "export").stdout)
    assert _without_ciphertext(stack.export()) == _without_ciphertext(exported)
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert stack.dynamic_resources() == []


def _without_ciphertext(value: object) -> object:
    if isinstance(value, dict):
        return {k: "<ciphertext>" if k == "ciphertext" else _without_ciphertext(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_ciphertext(v) for v in value]
    return value
