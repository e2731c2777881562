"""schema.json is valid, agrees with the service model and the hooks, states every constraint in its docs,
and every SDK generated from it (Python dynamic, Python native, Node.js, Go) and the property table are
fresh."""

from __future__ import annotations

import json
import re
import runpy
import subprocess
from typing import Any

import pulumi
import pytest

from codegen import generate, python_dynamic
from macie_local.validation import service_model
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.hosts.dynamic import dynamic_type
from pulumi_macie_provider.resources.registry import BY_TOKEN

from .pulumi_harness import ROOT, pulumi_binary

SCHEMA = python_dynamic.load_schema()
VERSION = generate.project_version()

#: Each pattern of schema.json, and the words every description of a property with it must contain.
PATTERN_PROSE = {
    "[0-9]{12}": "12 digits",
    "[^/:]+": "neither `/` nor `:`",
    "[a-z]{2}(-[a-z]+)+-[0-9]+": "two lowercase letters, then one or more `-word` parts, then `-` and a number",
    "https?://[^/\\s]+(/.*)?": "`http://` or `https://`, a host",
    "arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}": "ARN of the role",
    "[\\w+=,.@-]{2,64}": "2 to 64 of letters, digits and `+=,.@_-`",
}


@pytest.fixture(scope="module")
def expected() -> dict[str, bytes]:
    """Every generated file, from a fresh run of all generators."""
    try:
        return generate.expected_files()
    except generate.GenerateError as error:
        pytest.fail(f"the generators could not run (scripts/setup_sdks.sh sets them up): {error}")


def test_generated_sdks_are_fresh(expected: dict[str, bytes]) -> None:
    """Every generated file (all five SDKs and the property table) equals a fresh generation; none is extra."""
    stale = generate.stale_files(expected)
    assert stale == [], f"run `{generate.COMMAND}`: {stale}"


def test_generators_cover_every_sdk(expected: dict[str, bytes]) -> None:
    """One run generates the Python dynamic and native SDKs, the Node.js, Go and Java SDKs (Java's with its
    Maven build), and the property table."""
    for path in (
        "sdk/python/pulumi_macie/macie_s3_resource.py",
        "sdk/python-native/pulumi_macie_native/macie_s3_resource.py",
        "sdk/nodejs/macieS3Resource.ts",
        "sdk/go/macie/macieS3Resource.go",
        "sdk/go/go.mod",
        "sdk/go/go.sum",
        "sdk/java/src/main/java/com/pulumi/macie/MacieS3Resource.java",
        "sdk/java/pom.xml",
        "provider/pulumi_macie_provider/resources/_schema.py",
    ):
        assert path in expected, path


def test_generated_sources_name_the_command(expected: dict[str, bytes]) -> None:
    """Each generated source file says it is generated and that `python codegen/generate.py` regenerates it."""
    # Go's doc.go holds only the package's doc comment, which a banner above it would become part of.
    sources = [
        path for path in expected if path.endswith((".py", ".pyi", ".ts", ".go")) and not path.endswith("/doc.go")
    ]
    assert len(sources) > 20
    for path in sources:
        head = "\n".join(expected[path].decode("utf-8").splitlines()[:3])
        assert "generated" in head and f"`{generate.COMMAND}`" in head, path


def test_check_mode_reports_stale_missing_and_extra_files(expected: dict[str, bytes]) -> None:
    """The check names a file that differs, one that is missing and one no longer generated."""
    edited, removed = sorted(expected)[:2]
    actual = dict(expected)
    actual[edited] += b"# edited\n"
    del actual[removed]
    actual["sdk/nodejs/leftover.ts"] = b""
    assert generate.stale_files(expected, actual) == sorted(
        [f"{edited}: differs", f"{removed}: missing", "sdk/nodejs/leftover.ts: no longer generated"]
    )


def test_version_has_one_source(expected: dict[str, bytes]) -> None:
    """schema.json has no version; every SDK carries pyproject.toml's, as its package and its plugin's version."""
    assert "version" not in SCHEMA
    plugin = {"resource": True, "name": "macie", "version": VERSION}
    assert json.loads(expected["sdk/python-native/pulumi_macie_native/pulumi-plugin.json"]) == plugin
    assert json.loads(expected["sdk/go/macie/pulumi-plugin.json"]) == plugin
    assert json.loads(expected["sdk/python/pulumi_macie/pulumi-plugin.json"]) == {**plugin, "resource": False}
    package = json.loads(expected["sdk/nodejs/package.json"])
    assert (package["name"], package["version"], package["pulumi"]) == ("@pulumi-macie/macie", VERSION, plugin)
    assert f'version = "{VERSION}"' in expected["sdk/python-native/pyproject.toml"].decode()
    assert f'semver.MustParse("{VERSION}")' in expected["sdk/go/macie/internal/pulumiUtilities.go"].decode()
    java = "sdk/java/src/main/resources/com/pulumi/macie/"
    assert json.loads(expected[java + "plugin.json"]) == plugin
    assert expected[java + "version.txt"].decode() == VERSION
    assert f"<artifactId>macie</artifactId>\n    <version>{VERSION}</version>" in expected["sdk/java/pom.xml"].decode()


def test_language_settings() -> None:
    """Each SDK has its package name (the native Python one apart from the dynamic pulumi_macie) and Go its
    import path."""
    language = SCHEMA["language"]
    assert language["nodejs"]["packageName"] == "@pulumi-macie/macie"
    assert language["go"]["importBasePath"] == "github.com/pulumi-macie/pulumi-macie/sdk/go/macie"
    assert language["python"]["packageName"] == "pulumi_macie_native"
    # Java: Maven, not Gradle (pom.xml comes from codegen/templates/java), on the Java SDK the host speaks.
    assert language["java"]["buildFiles"] == "none"
    assert language["java"]["dependencies"]["com.pulumi:pulumi"] == "1.17.0"
    assert all(language[name]["respectSchemaVersion"] for name in ("nodejs", "go", "python"))


@pytest.mark.e2e
def test_schema_passes_the_cli_schema_check() -> None:
    """The real CLI's own schema validation accepts schema.json."""
    result = subprocess.run(
        [pulumi_binary(), "schema", "check", str(ROOT / "schema.json")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_registry_lists_the_schema_resources() -> None:
    """The registry of resources and schema.json name the same resources."""
    assert sorted(BY_TOKEN) == sorted(SCHEMA["resources"])


#: Two valid values of each input property of the resources, to change one at a time.
INPUT_VALUES: dict[str, tuple[Any, Any]] = {
    "memberAccountId": ("111122223333", "444455556666"),
    "bucketName": ("corp-logs", "corp-data"),
    "prefix": ("2024/", "2025/"),
    "classificationType": ({"oneTime": "NONE", "continuous": "FULL"}, {"oneTime": "FULL", "continuous": "FULL"}),
}


@pytest.mark.parametrize(
    ("token", "key"),
    [(token, key) for token in sorted(BY_TOKEN) for key in SCHEMA["resources"][token]["inputProperties"]],
)
def test_replace_on_changes_matches_hooks(token: str, key: str) -> None:
    """The hooks' diff replaces on a change of an input exactly when schema.json marks it replaceOnChanges,
    and the registry's identity is those inputs."""
    inputs = SCHEMA["resources"][token]["inputProperties"]
    assert set(inputs) <= set(INPUT_VALUES), f"add two values of {set(inputs) - set(INPUT_VALUES)} to INPUT_VALUES"
    olds = {name: INPUT_VALUES[name][0] for name in inputs}
    diff = BY_TOKEN[token].hooks(ClientSettings()).diff("id", olds, {**olds, key: INPUT_VALUES[key][1]})
    assert diff.changes == [key]
    assert diff.replaces == ([key] if inputs[key].get("replaceOnChanges") else [])
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


def _constrained_properties() -> list[tuple[str, dict[str, Any], bool]]:
    """(where, property, is a resource input) for every input, config variable and object type property."""
    found = []
    for token, resource in SCHEMA["resources"].items():
        found += [(f"{token}.{name}", prop, True) for name, prop in resource["inputProperties"].items()]
    found += [(f"config.{name}", prop, False) for name, prop in SCHEMA["config"]["variables"].items()]
    for token, spec in SCHEMA["types"].items():
        found += [(f"{token}.{name}", prop, False) for name, prop in spec.get("properties", {}).items()]
    return found


@pytest.mark.parametrize(
    ("where", "prop", "is_input"), _constrained_properties(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_constraint_is_stated_in_prose(where: str, prop: dict[str, Any], is_input: bool) -> None:
    """Pulumi's generators drop pattern, lengths, bounds and replaceOnChanges: each description states them,
    with the enum values, the default, and whether a change replaces or updates the resource."""
    text = prop["description"]

    def number(value: int) -> str:
        return f"{value:,}"

    if "pattern" in prop:
        assert prop["pattern"] in PATTERN_PROSE, f"{where}: add the prose of {prop['pattern']!r} to PATTERN_PROSE"
        assert PATTERN_PROSE[prop["pattern"]] in text, where
    for key in ("minLength", "maxLength", "minimum", "maximum"):
        if key in prop and not (key == "minLength" and prop[key] == 0):
            assert number(prop[key]) in text, f"{where}: {key} {prop[key]}"
    target = SCHEMA["types"].get(prop.get("$ref", "").removeprefix("#/types/"), {})
    for value in target.get("enum", []):
        assert f"`{value['value']}`" in text, f"{where}: enum value {value['value']}"
    for inner in target.get("properties", {}).values():
        inner_type = SCHEMA["types"].get(inner.get("$ref", "").removeprefix("#/types/"), {})
        for value in inner_type.get("enum", []):
            assert f"`{value['value']}`" in text, f"{where}: enum value {value['value']}"
    if "default" in prop:
        default = prop["default"]
        spelled = [f"`{json.dumps(default)}`", f"`{default}`"] + ([] if isinstance(default, str) else [str(default)])
        value = "|".join(re.escape(s) for s in spelled)
        assert re.search(rf"default[^.]*({value})|({value})[^.]*default", text), f"{where}: default {default!r}"
    if is_input:
        expected = (
            "Changing it replaces the resource."
            if prop.get("replaceOnChanges")
            else "Changing it updates the resource in place."
        )
        assert expected in text, where


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
    assert [e["value"] for e in types["macie:index:OneTimeClassificationType"]["enum"]] == _shape(
        "S3OneTimeClassificationType"
    )["enum"]
    assert [e["value"] for e in types["macie:index:ContinuousClassificationType"]["enum"]] == _shape(
        "S3ContinuousClassificationType"
    )["enum"]


@pytest.mark.parametrize("token", sorted(BY_TOKEN))
def test_import_docs_show_both_ways(token: str) -> None:
    """The Import docs show `pulumi import` with the native plugin and `pulumi-macie-import` for the dynamic SDK."""
    blocks = python_dynamic.code_blocks(SCHEMA["resources"][token]["description"], "sh")
    assert len(blocks) == 2, blocks
    native, dynamic = (block.split() for block in blocks)
    assert native[:3] == ["pulumi", "import", token]
    assert dynamic[:2] == ["pulumi-macie-import", BY_TOKEN[token].name]
    assert native[3:] == dynamic[2:] and len(native) == 5, "the same resource name and ID"


class _Mocks(pulumi.runtime.Mocks):
    """Answers every registration with its inputs, and records the types registered."""

    def __init__(self) -> None:
        self.types: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.types.append(args.typ)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


@pytest.mark.parametrize("token", sorted(BY_TOKEN))
def test_dynamic_sdk_docs_show_runnable_python(token: str, tmp_path: Any) -> None:
    """The dynamic SDK's docs keep only the Python and shell examples, and the Python one runs with pulumi_macie."""
    module = python_dynamic.module_name(token)
    with open(ROOT / "sdk" / "python" / "pulumi_macie" / f"{module}.py", encoding="utf-8") as handle:
        text = handle.read()
    assert "```typescript" not in text and "```go" not in text and "pulumi_macie_native" not in text
    blocks = python_dynamic.code_blocks(
        python_dynamic.for_python(SCHEMA["resources"][token]["description"], "pulumi_macie_native"), "python"
    )
    assert len(blocks) == 1 and "import pulumi_macie as macie" in blocks[0]
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    script = tmp_path / "example.py"
    script.write_text(blocks[0], encoding="utf-8")

    @pulumi.runtime.test
    def run() -> Any:
        namespace = runpy.run_path(str(script))
        resources = [v for v in namespace.values() if isinstance(v, pulumi.CustomResource)]
        return pulumi.Output.all(*(r.id for r in resources))

    run()
    assert mocks.types == [dynamic_type(BY_TOKEN[token].name)]


def test_native_python_sdk_requires_the_pythons_the_project_does() -> None:
    """pulumi_macie_native says the same Requires-Python as the project (schema.json's
    ``language.python.pythonRequires``), not the generator's default ``>=3.9``."""
    wanted = re.compile(r'^\s*requires-python\s*=\s*"([^"]+)"', re.MULTILINE)
    project = wanted.search((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    native = wanted.search((ROOT / "sdk" / "python-native" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project and native and native.group(1) == project.group(1) == ">=3.10"
