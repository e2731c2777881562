"""The Go SDK (sdk/go) vets, and examples/go vets and passes its `go test` suite under Pulumi's mocks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from codegen import python_dynamic

from .pulumi_harness import ROOT

pytestmark = pytest.mark.toolchain

SDK = ROOT / "sdk" / "go"
EXAMPLE = ROOT / "examples" / "go"
GO_ENV = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        pytest.fail("`go` is not on PATH: Go is needed for sdk/go (scripts/setup_sdks.sh fetches its modules)")
    return go


def _run(args: list[str], cwd: Path, timeout: int = 600) -> str:
    result = subprocess.run([_go(), *args], cwd=cwd, env=GO_ENV, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"go {' '.join(args)} in {cwd} failed:\n{output}"
    return output


def test_go_sdk_vets() -> None:
    """`go vet ./...` of sdk/go passes."""
    _run(["vet", "./..."], SDK)


def test_go_example_vets() -> None:
    """`go vet ./...` of examples/go (the program and its test) passes."""
    _run(["vet", "./..."], EXAMPLE)


def test_go_example_module_is_tidy() -> None:
    """examples/go's go.mod and go.sum need no change (the SDK's are checked by the generator's freshness test)."""
    _run(["mod", "tidy", "-diff"], EXAMPLE)


@pytest.fixture(scope="module")
def example_tests() -> dict[str, set[str]]:
    """The tests that passed in each package of examples/go (the example program, and the second program
    in providers/), from one `go test -v ./...`, which must pass."""
    output = _run(["test", "-count=1", "-v", "./..."], EXAMPLE)
    passed: dict[str, set[str]] = {}
    names: set[str] = set()
    for line in output.splitlines():  # with several packages, go test prints each one's output whole
        if match := re.match(r"--- PASS: (\w+)", line):
            names.add(match.group(1))
        elif match := re.match(r"ok\s+github\.com/pulumi-macie/pulumi-macie/examples/go(\S*)\s", line):
            passed[match.group(1).lstrip("/") or "."], names = names, set()
    return passed


def test_go_example_runs_under_mocks(example_tests: dict[str, set[str]]) -> None:
    """The example's `go test` suite passes under pulumi.WithMocks: the types, camelCase inputs (defaults
    included) and plugin version it registers, the outputs it reads, and a missing input."""
    assert example_tests.get(".") == {
        "TestExampleRegistersNativeResources",
        "TestExampleReadsOutputs",
        "TestMissingBucketNameIsAnError",
    }, example_tests


def test_go_explicit_providers_run_under_mocks(example_tests: dict[str, set[str]]) -> None:
    """examples/go/providers (a provider per region, one assuming a role in another account) passes its
    three tests under pulumi.WithMocks: each resource carries its own provider's reference; the providers
    receive their settings, the non-string ones as values (the Go SDK does not JSON-encode them); accessKey
    and secretKey arrive as secrets."""
    assert example_tests.get("providers") == {
        "TestEachResourceUsesItsOwnProvider",
        "TestProvidersReceiveTheirSettings",
        "TestProviderKeysAreSecrets",
    }, example_tests


def test_schema_go_examples_vet(tmp_path: Any) -> None:
    """The schema's Go example of each resource is a program that vets against the SDK."""
    schema = python_dynamic.load_schema()
    module = (
        (EXAMPLE / "go.mod")
        .read_text()
        .replace("module github.com/pulumi-macie/pulumi-macie/examples/go", "module schema-examples")
        .replace("=> ../../sdk/go", f"=> {SDK}")
    )
    (tmp_path / "go.mod").write_text(module)
    shutil.copy(EXAMPLE / "go.sum", tmp_path / "go.sum")
    for token, resource in sorted(schema["resources"].items()):
        (code,) = python_dynamic.code_blocks(resource["description"], "go")
        folder = tmp_path / python_dynamic.module_name(token)
        folder.mkdir()
        (folder / "main.go").write_text(code, encoding="utf-8")
    _run(["vet", "./..."], tmp_path)


def readme_go_commands() -> list[str]:
    """The commands the README gives for using the unpublished Go SDK from a new module."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Go.** The module is not published", 1)[1].split("\n\n", 2)[1]
    return [line.strip() for line in section.splitlines() if line.strip().startswith("go ")]


def test_readme_go_commands_build_a_program_in_a_fresh_module(tmp_path: Path) -> None:
    """The README's commands (go mod init, go mod edit -replace to sdk/go, go mod tidy, go build) make a
    fresh module outside the repository build a program on the SDK (examples/go's main.go), with the
    machine's module cache and nothing published."""
    commands = readme_go_commands()
    assert [c.split()[:3] for c in commands] == [
        ["go", "mod", "init"],
        ["go", "mod", "edit"],
        ["go", "mod", "tidy"],
        ["go", "build", "./..."],
    ], commands
    env = {k: v for k, v in GO_ENV.items() if k != "GOFLAGS"}  # as a user's shell has it
    for command in commands:
        if command.startswith("go mod tidy"):
            shutil.copy(EXAMPLE / "main.go", tmp_path / "main.go")
        args = command.replace("/path/to/pulumi-macie", str(ROOT)).split()
        result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"
    go_mod = (tmp_path / "go.mod").read_text(encoding="utf-8")
    assert "github.com/pulumi-macie/pulumi-macie/sdk/go v0.0.0-00010101000000-000000000000" in go_mod
