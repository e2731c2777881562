"""The TypeScript SDK (sdk/nodejs) type-checks and builds with the Node.js packages setup pins, and
examples/typescript type-checks and passes its `node --test` suite under Pulumi's mocks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from codegen import python_dynamic

from .pulumi_harness import ROOT

pytestmark = pytest.mark.toolchain

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
    assert result.returncode == 0, f"{' '.join(args)} in {cwd} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def linked() -> None:
    """The node_modules links setup makes, so that the SDK and the example find the packages."""
    for link in (SDK / "node_modules", EXAMPLE / "node_modules", NODE_MODULES / "@pulumi-macie" / "macie"):
        if not link.is_symlink():
            pytest.fail(f"{link.relative_to(ROOT)} is not linked: run {SETUP}")


@pytest.fixture(scope="module")
def packed_sdk(linked: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdk/nodejs built as it is published (scripts/build_sdk_nodejs.py: tsc into bin/, with its
    package.json and README.md), and its `npm pack` tarball."""
    out = tmp_path_factory.mktemp("packed")
    output = _run([sys.executable, str(ROOT / "scripts" / "build_sdk_nodejs.py"), "--pack", str(out)], ROOT)
    tarball = Path(output.strip().splitlines()[-1])
    assert tarball.parent == out and tarball.name.endswith(".tgz"), output
    return tarball


@pytest.fixture(scope="module")
def built_sdk(packed_sdk: Path) -> Path:
    """sdk/nodejs/bin: the built SDK, which examples/typescript's node_modules link to."""
    return SDK / "bin"


def test_packed_sdk_is_what_a_published_pulumi_package_holds(packed_sdk: Path) -> None:
    """`npm pack` of the built SDK holds its README, a package.json with main, types, homepage and
    repository and without devDependencies or scripts, the compiled JavaScript and its declarations, and
    no source map naming a .ts file it does not ship."""
    with tarfile.open(packed_sdk) as tar:
        names = {name.removeprefix("package/") for name in tar.getnames()}
        package = json.loads(tar.extractfile("package/package.json").read())  # type: ignore[union-attr]
        maps = {
            name: json.loads(tar.extractfile(f"package/{name}").read())  # type: ignore[union-attr]
            for name in names
            if name.endswith(".map")
        }
    assert {"README.md", "package.json", "index.js", "index.d.ts", "macieS3Resource.js"} <= names
    assert (package["main"], package["types"]) == ("index.js", "index.d.ts")
    assert package["main"] in names and package["types"] in names
    assert package["repository"] == package["homepage"] == "https://github.com/pulumi-macie/pulumi-macie"
    assert "devDependencies" not in package and "scripts" not in package
    assert package["dependencies"] == {"@pulumi/pulumi": "^3.260.0"}
    assert [name for name in names if name.endswith(".ts") and not name.endswith(".d.ts")] == []
    for name, source_map in maps.items():
        folder = Path(name).parent
        for source in source_map["sources"]:
            assert (folder / source).as_posix() in names, f"{name} names {source}, which is not in the package"


def test_packed_sdk_installs_type_checks_and_runs_under_mocks_in_a_fresh_project(
    packed_sdk: Path, tmp_path: Path
) -> None:
    """The tarball, installed with `npm install --offline` (npm's cache and examples/typescript's lock
    supply everything else) into a new project outside the repository, type-checks a program and its
    test with `tsc --strict`, and the test passes under Pulumi's mocks (`node --test`)."""
    for name in ("package.json", "package-lock.json", "index.ts", "index.test.ts", "tsconfig.json"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    (tmp_path / "tsconfig.test.json").write_text(
        json.dumps({"extends": "./tsconfig.json", "files": ["index.ts", "index.test.ts"]}), encoding="utf-8"
    )
    npm = [_tool("npm"), "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    _run([*npm, str(packed_sdk)], tmp_path)
    installed = tmp_path / "node_modules" / "@pulumi-macie" / "macie"
    assert not installed.is_symlink() and (installed / "README.md").exists()
    _run([str(tmp_path / "node_modules" / ".bin" / "tsc"), "--strict", "-p", "tsconfig.test.json"], tmp_path)
    output = _run([_tool("node"), "--test", "bin/index.test.js"], tmp_path)
    assert re.search(r"^# pass 4$", output, re.MULTILINE) and re.search(r"^# fail 0$", output, re.MULTILINE), output


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
