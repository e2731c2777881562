"""The project's Python language host (scripts/pulumi_language_python.py) under the real CLI: what
``pulumi about`` and ``pulumi import`` ask of it. Each project names this checkout's host in its
Pulumi.yaml (``plugins.languages``), so the host under test is this one whatever the CLI bundles."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint
from pulumi_macie_provider import __version__
from pulumi_macie_provider.client import ClientSettings, make_client

from .e2e_support import both_hosts_stack, holdings
from .pulumi_harness import ROOT, PulumiStack, pulumi_binary

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"
NATIVE_PROGRAM = """\
import pulumi_macie_native as macie

macie.MacieMemberAccount("audit", member_account_id="111122223333")
"""


def use_this_host(stack: PulumiStack) -> None:
    """Point the stack's project at this checkout's language host, through a project plugin."""
    folder = stack.workdir.parent / "language-host"
    folder.mkdir()
    shim = folder / "pulumi-language-python"
    exec_script = Path(pulumi_binary()).parent / "pulumi-language-python-exec"
    shim.write_text(
        "#!/bin/sh\n"
        f'exec "{sys.executable}" "{ROOT / "scripts" / "pulumi_language_python.py"}" --exec "{exec_script}" "$@"\n'
    )
    shim.chmod(0o755)
    project = stack.workdir / "Pulumi.yaml"
    project.write_text(project.read_text() + f"plugins:\n  languages:\n    - name: python\n      path: {folder}\n")


def test_about_lists_the_macie_plugin_with_its_version(tmp_path: Path) -> None:
    """`pulumi about` lists the resource plugin that the installed pulumi-macie-native package calls for, with
    its version (from its pulumi-plugin.json), and not the dynamic pulumi-macie (``"resource": false``),
    and the program's dependencies (pip's top-level packages); before, the host answered neither."""
    stack = PulumiStack.create(tmp_path, NATIVE_PROGRAM)
    use_this_host(stack)
    about = json.loads(stack.run("about", "--json").stdout)
    plugins = {(plugin["kind"], plugin["name"]): plugin["version"] for plugin in about["plugins"]}
    assert plugins[("resource", "macie")] == __version__
    assert plugins[("language", "python")] == importlib.metadata.version("pulumi")
    assert [name for kind, name in plugins if kind == "resource"] == ["macie"]
    dependencies = {dependency["name"]: dependency["version"] for dependency in about["dependencies"]}
    assert dependencies["pulumi_macie_native"] == __version__


def test_import_of_native_resources_prints_the_python_to_add(tmp_path: Path) -> None:
    """`pulumi import` of macie:index:* resources exits 0 and prints the Python code to add, written by
    Pulumi's own Python program generator; that code, as the program, previews no change. Before, the
    import succeeded, then the command failed `Method not implemented!`."""
    with LocalEndpoint() as endpoint:
        stack, bucket = both_hosts_stack(tmp_path, "import pulumi\n", endpoint)
        use_this_host(stack)
        macie = make_client(
            ClientSettings(region="us-east-1", endpoint_url=endpoint.url, max_attempts=1),
            credentials={"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY},
        )
        macie.associate_member_account(memberAccountId=MEMBER)
        macie.associate_s3_resources(
            s3Resources=[{"bucketName": bucket, "classificationType": {"oneTime": "NONE", "continuous": "FULL"}}]
        )
        resources = [
            {"type": "macie:index:MacieMemberAccount", "name": "audit", "id": MEMBER},
            {"type": "macie:index:MacieS3Resource", "name": "logs", "id": bucket},
        ]
        (tmp_path / "imports.json").write_text(json.dumps({"resources": resources}))

        imported = stack.run("import", "--file", str(tmp_path / "imports.json"), "--yes", "--protect=false")
        assert "2 imported" in imported.stdout
        assert "Please copy the following code into your Pulumi application" in imported.stdout
        code = imported.stdout[imported.stdout.index("import pulumi\n") :]
        assert "import pulumi_macie_native as macie" in code
        assert 'audit = macie.MacieMemberAccount("audit", member_account_id="111122223333")' in code
        assert 'logs = macie.MacieS3Resource("logs",' in code and f'bucket_name="{bucket}"' in code

        # The code printed is the program: with it, the preview plans no change.
        stack.write_program(code)
        stack.preview("--expect-no-changes")
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}


def test_about_of_the_yaml_example_lists_the_macie_plugin_with_its_version(tmp_path: Path) -> None:
    """For a YAML program the version is the program's to say (the engine asks the language host, never the
    plugin): examples/yaml declares it in sdks/macie/, as `pulumi package add macie@VERSION` writes it, so
    `pulumi about` lists macie with the package's version; before, `resource macie unknown`."""
    shutil.copytree(ROOT / "examples" / "yaml", tmp_path / "yaml")
    stack = PulumiStack(tmp_path / "yaml")
    (tmp_path / "backend").mkdir()
    stack.run("stack", "init", stack.stack)
    about = json.loads(stack.run("about", "--json").stdout)
    plugins = {(plugin["kind"], plugin["name"]): plugin["version"] for plugin in about["plugins"]}
    assert plugins[("resource", "macie")] == __version__
    declared = yaml.safe_load((ROOT / "examples" / "yaml" / "sdks" / "macie" / f"macie-{__version__}.yaml").read_text())
    assert declared == {"packageDeclarationVersion": 1, "name": "macie", "version": __version__}
