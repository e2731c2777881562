"""Which resource plugins the project's Python language host reports for a program's installed packages,
decided as the official host decides (its ``determinePluginDependency``)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pulumi_language_python.py"


def _host() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pulumi_language_python", ROOT / "scripts" / "pulumi_language_python.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOST = _host()


def _package(tmp_path: Path, name: str, version: str, plugin: dict[str, Any] | None) -> dict[str, Any]:
    path = None
    if plugin is not None:
        path = tmp_path / f"{name}-pulumi-plugin.json"
        path.write_text(json.dumps(plugin))
    return {"name": name, "version": version, "plugin": None if path is None else str(path)}


@pytest.mark.parametrize(
    ("version", "plugin"),
    [
        ("1.2", "1.2.0"),
        ("1.2.3a4", "1.2.3-alpha.4"),
        ("1.2.3b4", "1.2.3-beta.4"),
        ("1.2.3rc4", "1.2.3-rc.4"),
        ("1.2.3.post4", "1.2.3+post4"),
        ("1.2.3.dev5", "1.2.3+dev5"),
        ("1.2.3.post4.dev5", "1.2.3+post4dev5"),
        ("1!2.0", None),
        ("unknown", None),
    ],
)
def test_language_host_plugin_version_from_a_pep440_version(version: str, plugin: str | None) -> None:
    """A package version becomes the plugin's semver as the official host converts it; epochs and other
    forms give none."""
    assert HOST.plugin_version(version) == plugin


def test_language_host_required_plugins_follow_pulumi_plugin_json(tmp_path: Path) -> None:
    """A package with ``"resource": true`` gives its plugin at the file's version; ``"resource": false``
    (or no ``resource``) none; a ``pulumi-*`` package without the file its own name and version; other
    packages and pulumi-policy none."""
    packages = [
        _package(tmp_path, "pulumi_macie_native", "9.9.9", {"resource": True, "name": "macie", "version": "0.1.0"}),
        _package(tmp_path, "pulumi-macie", "0.1.0", {"resource": False, "name": "macie", "version": "0.1.0"}),
        _package(tmp_path, "pulumi-silent", "1.0.0", {"name": "silent"}),
        _package(tmp_path, "pulumi-random", "4.16", None),
        _package(tmp_path, "pulumi-policy", "1.0.0", None),
        _package(tmp_path, "pulumi", "3.260.0", None),
        _package(tmp_path, "boto3", "1.40.0", None),
        _package(tmp_path, "acme-cloud", "2.0.0", {"resource": True, "server": "https://example.com/acme"}),
    ]
    assert HOST.required_plugins(packages) == [
        {"name": "acme-cloud", "version": "v2.0.0", "server": "https://example.com/acme"},
        {"name": "macie", "version": "v0.1.0", "server": ""},
        {"name": "random", "version": "v4.16.0", "server": ""},
    ]


def test_language_host_finds_pulumi_plugin_json_of_editable_and_regular_installs(tmp_path: Path) -> None:
    """The listing run by the program's interpreter finds the pulumi-plugin.json of this checkout's packages,
    installed editable (through the import system), and of a package installed from a wheel (beside its
    dist-info, with or without top_level.txt)."""
    site = tmp_path / "site"
    for name, module, top_level in (("acme-cloud", "acme_cloud", None), ("Other.Cloud", "othercloud", "othercloud")):
        (site / module).mkdir(parents=True)
        (site / module / "pulumi-plugin.json").write_text('{"resource": true}')
        info = site / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\nName: not this\n")
        if top_level:
            (info / "top_level.txt").write_text(top_level + "\n")
    listed = subprocess.run(
        [sys.executable, "-c", HOST._LIST_PACKAGES],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
    )
    by_name = {package["name"].replace("_", "-").lower(): package for package in json.loads(listed.stdout)}
    assert by_name["pulumi-macie"]["plugin"].endswith("pulumi_macie/pulumi-plugin.json")
    assert by_name["pulumi"]["plugin"] is None
    assert by_name["boto3"]["plugin"] is None
    assert by_name["acme-cloud"] == {
        "name": "acme-cloud",
        "version": "1.0",
        "plugin": str(site / "acme_cloud" / "pulumi-plugin.json"),
    }
    assert by_name["other.cloud"]["plugin"] == str(site / "othercloud" / "pulumi-plugin.json")


def test_an_egg_info_in_the_programs_folder_does_not_hide_the_installed_plugin(tmp_path: Path) -> None:
    """The listing runs in the program's folder, which is on sys.path: a stale egg-info there (a local build)
    names the same package as the installed one; the installed one's plugin file is still found."""
    site, program = tmp_path / "site", tmp_path / "program"
    (site / "acme_cloud").mkdir(parents=True)
    (site / "acme_cloud" / "pulumi-plugin.json").write_text('{"resource": true}')
    (site / "acme_cloud-1.0.dist-info").mkdir()
    (site / "acme_cloud-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-cloud\nVersion: 1.0\n"
    )
    (program / "acme_cloud.egg-info").mkdir(parents=True)
    (program / "acme_cloud.egg-info" / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: acme-cloud\nVersion: 1.0\n")
    listed = subprocess.run(
        [sys.executable, "-c", HOST._LIST_PACKAGES],
        capture_output=True,
        text=True,
        check=True,
        cwd=program,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    found = [package for package in json.loads(listed.stdout) if package["name"] == "acme-cloud"]
    assert found == [
        {"name": "acme-cloud", "version": "1.0", "plugin": str(site / "acme_cloud" / "pulumi-plugin.json")}
    ]
