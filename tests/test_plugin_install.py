"""``pulumi-macie-plugin install`` with the real CLI, into a throwaway PULUMI_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_macie_provider import __version__
from pulumi_macie_provider.hosts.plugin import PLUGIN, install, installed_path, launcher, write_tarball
from tests.pulumi_harness import pulumi_binary

pytestmark = pytest.mark.e2e


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def _install_stale(tmp_path: Path, env: dict[str, str]) -> str:
    """Install, as ``pulumi-macie-plugin install`` from another virtualenv did, a launcher whose Python is gone."""
    gone = tmp_path / "deleted-venv" / "bin" / "python"
    stale = launcher(sys.executable).replace(sys.executable, str(gone))
    tarball = write_tarball(str(tmp_path / "stale" / "plugin.tar.gz"), PLUGIN, stale)
    subprocess.run(
        [pulumi_binary(), "plugin", "install", "resource", "macie", __version__, "--file", tarball],
        env=env,
        check=True,
        capture_output=True,
    )
    assert Path(installed_path(env)).read_text() == stale
    return str(gone)


def test_plugin_install_replaces_a_stale_plugin_of_another_virtualenv(tmp_path: Path) -> None:
    """A plugin of the same version that runs another (deleted) virtualenv's Python is replaced, and the
    answer names what it ran; before, install kept it and said "installed", and the engine then failed
    with exit status 127."""
    env = _env(tmp_path / "home")
    gone = _install_stale(tmp_path, env)
    said = install(pulumi=pulumi_binary(), env=env)
    assert Path(installed_path(env)).read_text() == launcher(sys.executable)
    assert f"replaces the one installed there, which ran {gone} (which no longer exists)" in said
    # The installed plugin starts: it answers the engine's handshake line (its port) and serves.
    plugin = subprocess.Popen(
        [installed_path(env)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        assert plugin.stdout is not None
        assert plugin.stdout.readline().strip().isdigit()
    finally:
        plugin.kill()
        plugin.communicate()


def test_plugin_install_of_this_plugin_again_says_it_is_already_installed(tmp_path: Path) -> None:
    """Installing twice from the same virtualenv leaves the plugin as it is and says so."""
    env = _env(tmp_path / "home")
    first = install(pulumi=pulumi_binary(), env=env)
    assert "replaces" not in first
    assert install(pulumi=pulumi_binary(), env=env).startswith(
        f"resource plugin macie v{__version__} is already installed and runs {sys.executable}"
    )


def test_plugin_install_over_a_partial_install_writes_the_plugin(tmp_path: Path) -> None:
    """A plugin folder of this version without its executable (an install cut short) gets the plugin."""
    env = _env(tmp_path / "home")
    _install_stale(tmp_path, env)
    Path(installed_path(env)).unlink()
    install(pulumi=pulumi_binary(), env=env)
    assert Path(installed_path(env)).read_text() == launcher(sys.executable)
