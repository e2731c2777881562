"""The Java SDK (sdk/java) compiles with Maven, the copy setup installed into .tools/maven is the
generated one, and examples/java passes its JUnit tests under Pulumi's Java mocks (com.pulumi.test);
Maven runs offline on .tools/maven, as setup left it."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from codegen import python_dynamic

from .java_support import EXAMPLE, MAVEN_REPO, SDK, SETUP, mvn, require_setup, sdk_version

pytestmark = pytest.mark.toolchain


@pytest.fixture(scope="module", autouse=True)
def java_setup() -> None:
    require_setup()


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("target"))
    return target


def test_java_sdk_compiles(tmp_path: Path) -> None:
    """`mvn compile` of sdk/java (its generated pom.xml) succeeds offline."""
    mvn(["-q", "compile"], _copy(SDK, tmp_path / "java"))


def test_installed_java_sdk_is_the_generated_one() -> None:
    """com.pulumi:macie in .tools/maven holds a class for every source file of sdk/java, and the same
    version.txt and plugin.json (setup reinstalls it when sdk/java changes)."""
    version = sdk_version()
    jar = MAVEN_REPO / "com" / "pulumi" / "macie" / version / f"macie-{version}.jar"
    sources = SDK / "src" / "main"
    with zipfile.ZipFile(jar) as archive:
        names = set(archive.namelist())
        for source in (sources / "java").rglob("*.java"):
            compiled = source.relative_to(sources / "java").with_suffix(".class").as_posix()
            assert compiled in names, f"{compiled} is missing from {jar.name}: run {SETUP}"
        for resource in (sources / "resources").rglob("*.*"):
            name = resource.relative_to(sources / "resources").as_posix()
            assert archive.read(name) == resource.read_bytes(), f"{name} differs in {jar.name}: run {SETUP}"


def test_java_plugin_resource_names_the_plugin() -> None:
    """The SDK's plugin.json (what Pulumi's Java host reads to tell the engine which plugin a program
    needs) names the macie resource plugin at the SDK's version."""
    (plugin,) = (SDK / "src" / "main" / "resources").rglob("plugin.json")
    assert plugin.read_text() == f'{{\n  "resource": true,\n  "name": "macie",\n  "version": "{sdk_version()}"\n}}\n'


def test_java_example_runs_under_mocks(tmp_path: Path) -> None:
    """examples/java's `mvn test` passes under Pulumi's Java mocks: the types and inputs it registers
    (defaults included), the outputs it exports, a missing required input and a bad config value."""
    project = _copy(EXAMPLE, tmp_path / "java")
    mvn(["test"], project)
    reports = list((project / "target" / "surefire-reports").glob("TEST-*.xml"))
    passed = set()
    for report in reports:
        text = report.read_text()
        assert re.search(r'<testsuite [^>]*failures="0"', text) and re.search(r'<testsuite [^>]*errors="0"', text)
        passed |= set(re.findall(r'<testcase name="(\w+)"', text))
    assert passed == {
        "registersNativeResourcesWithTheirInputs",
        "exportsTheResourcesOutputs",
        "missingBucketNameIsAnError",
        "unknownOneTimeIsRefused",
    }


def test_schema_java_examples_compile(tmp_path: Path) -> None:
    """The schema's Java example of each resource compiles against the SDK (in one Maven project with
    examples/java's build, each in a package of its own)."""
    project = tmp_path / "schema-examples"
    project.mkdir()
    shutil.copy(EXAMPLE / "pom.xml", project / "pom.xml")
    schema = python_dynamic.load_schema()
    for token, resource in sorted(schema["resources"].items()):
        (code,) = python_dynamic.code_blocks(resource["description"], "java")
        package = python_dynamic.module_name(token)
        folder = project / "src" / "main" / "java" / "generated_program" / package
        folder.mkdir(parents=True)
        assert code.startswith("package generated_program;\n"), code
        code = code.replace("package generated_program;", f"package generated_program.{package};", 1)
        (folder / "App.java").write_text(code, encoding="utf-8")
    mvn(["-q", "compile"], project)
