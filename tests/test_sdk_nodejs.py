"""The TypeScript SDK (sdk/nodejs) type-checks and builds with the Node.js packages setup pins, and
examples/typescript type-checks and passes its `node --test` suite under Pulumi's mocks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from codegen import python_dynamic

from .pulumi_harness import ROOT

NODE_MODULES = ROOT / ".tools" / "node" / "node_modules"
SDK = ROOT / "sdk" / "nodejs"
EXAMPLE = ROOT / "examples" / "typescript"
SETUP = "scripts/setup_sdks.sh"


def _tool(name: str) -> str:
    """The path of a Node.js tool, or a failure saying how to get it."""
    found = shutil.which(name) if name in ("node", "npm") else str(NODE_MODULES / ".bin" / name)
    if not found or not Path(found).exists():
        pytest.fail(
            f"{name} is missing: {SETUP} installs the Node.js packages into .tools/node (Node.js must be on PATH)"
        )
    return found


def _run(args: list[str], cwd: Path, timeout: int = 300) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} in {cwd.relative_to(ROOT)} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def linked() -> None:
    """The node_modules links setup makes, so that the SDK and the example find the packages."""
    for link in (SDK / "node_modules", EXAMPLE / "node_modules", NODE_MODULES / "@pulumi-macie" / "macie"):
        if not link.is_symlink():
            pytest.fail(f"{link.relative_to(ROOT)} is not linked: run {SETUP}")


@pytest.fixture(scope="module")
def built_sdk(linked: None) -> Path:
    """sdk/nodejs built as it is published: tsc into bin/, with package.json beside it."""
    shutil.rmtree(SDK / "bin", ignore_errors=True)
    _run([_tool("tsc"), "-p", "."], SDK)
    shutil.copy(SDK / "package.json", SDK / "bin" / "package.json")
    return SDK / "bin"


def test_nodejs_toolchain_is_pinned(linked: None) -> None:
    """The packages are @pulumi/pulumi at the CLI's version and TypeScript 5, inside its peer range (< 7)."""

    def version(package: str) -> str:
        return str(json.loads((NODE_MODULES / package / "package.json").read_text())["version"])

    pin = re.search(r"^pulumi==([0-9.]+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE)
    assert pin and version("@pulumi/pulumi") == pin.group(1)
    assert version("typescript").startswith("5.")


def test_nodejs_sdk_type_checks(linked: None) -> None:
    """`tsc --noEmit` of sdk/nodejs passes (strict, as generated)."""
    _run([_tool("tsc"), "--noEmit", "-p", "."], SDK)


def test_typescript_example_type_checks(built_sdk: Path) -> None:
    """`tsc --noEmit` of examples/typescript passes against the built SDK."""
    _run([_tool("tsc"), "--noEmit", "-p", "."], EXAMPLE)


@pytest.fixture(scope="module")
def compiled_example(built_sdk: Path) -> Path:
    """examples/typescript's programs and their `node --test` suites, compiled into its bin/ once."""
    _run([_tool("tsc"), "-p", "tsconfig.test.json"], EXAMPLE)
    return EXAMPLE / "bin"


def _node_tests(suite: str) -> str:
    """The output of `node --test` running one of the example's compiled suites, which must pass."""
    output = _run([_tool("node"), "--test", f"bin/{suite}"], EXAMPLE)
    assert re.search(r"^# fail 0$", output, re.MULTILINE), output
    return output


def test_typescript_example_runs_under_mocks(compiled_example: Path) -> None:
    """The example's `node --test` suite passes all four tests: the types and camelCase inputs it registers
    (defaults included), the outputs it reads, a missing input, and the classification defaults."""
    output = _node_tests("index.test.js")
    assert re.search(r"^# pass 4$", output, re.MULTILINE), output


def test_typescript_explicit_providers_run_under_mocks(compiled_example: Path) -> None:
    """The example's second program (providers.ts: a provider per region, one assuming a role in another
    account) passes its three tests under the mocks: each resource carries its own provider's reference;
    the providers receive region, endpointUrl, and maxAttempts, assumeRole and allowedAccountIds as JSON
    strings; accessKey and secretKey arrive as secrets."""
    output = _node_tests("providers.test.js")
    assert re.search(r"^# pass 3$", output, re.MULTILINE), output


def test_schema_typescript_examples_type_check(built_sdk: Path, tmp_path: Any) -> None:
    """The schema's TypeScript example of each resource type-checks against the SDK."""
    schema = python_dynamic.load_schema()
    files = []
    for token, resource in sorted(schema["resources"].items()):
        (code,) = python_dynamic.code_blocks(resource["description"], "typescript")
        path = tmp_path / f"{python_dynamic.module_name(token)}.ts"
        path.write_text(code, encoding="utf-8")
        files.append(path.name)
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    (tmp_path / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "target": "ES2022",
                    "module": "nodenext",
                    "moduleResolution": "nodenext",
                    "types": ["node"],
                },
                "files": files,
            }
        )
    )
    result = subprocess.run([_tool("tsc"), "-p", "."], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
