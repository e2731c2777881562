"""``pulumi-macie-plugin``: package and install the native plugin ``pulumi-resource-macie``.

    pulumi-macie-plugin install [--reinstall]     # into $PULUMI_HOME/plugins, with `pulumi plugin install`;
                                                  # replaces an installed one of another environment
    pulumi-macie-plugin package [--out DIR]       # write pulumi-resource-macie-v<version>-<os>-<arch>.tar.gz

The plugin is this package served by the Python that runs this command (its virtualenv, where
``pulumi-macie`` is installed): the tarball holds one executable, ``pulumi-resource-macie``, a shell
script that starts ``python -m pulumi_macie_provider.hosts.native`` with that interpreter. Installed
with ``pulumi plugin install resource macie <version> --file <tarball>``, the engine finds it in
``$PULUMI_HOME/plugins`` like any released plugin: no PATH lookup, no warning on each run.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

from .. import __version__, help_description

PLUGIN = "pulumi-resource-macie"
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def launcher(python: str = sys.executable) -> str:
    """The plugin's executable: a shell script starting the native host with ``python``.

    The engine starts plugins in the program's folder; ``-P`` (Python 3.11+) keeps that folder off
    ``sys.path``, so nothing there can shadow a module. On 3.10, which lacks it, the launcher starts
    from ``/`` instead.
    """
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info >= (3, 11))"], capture_output=True, text=True, check=True
    ).stdout.strip()
    command = f"exec {shlex.quote(python)} -P" if version == "True" else f"cd / && exec {shlex.quote(python)}"
    return (
        "#!/bin/sh\n"
        "# pulumi-resource-macie: the Amazon Macie Classic provider plugin, served by the Python\n"
        "# environment that pulumi-macie is installed in.\n"
        f'{command} -m pulumi_macie_provider.hosts.native "$@"\n'
    )


def tarball_name(version: str = __version__) -> str:
    machine = platform.machine().lower()
    return f"{PLUGIN}-v{version}-{platform.system().lower()}-{_ARCH.get(machine, machine)}.tar.gz"


def write_tarball(path: str, executable: str, script: str) -> str:
    """A plugin tarball at ``path`` holding one executable file, ``executable``, with ``script`` in it."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = script.encode()
    # The same content gives the same bytes (no timestamps), so a changed tarball means a changed plugin.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w") as archive,
    ):
        info = tarfile.TarInfo(executable)
        info.size, info.mode = len(data), 0o755
        archive.addfile(info, io.BytesIO(data))
    return path


def package(out_dir: str, python: str = sys.executable, version: str = __version__) -> str:
    """Write the plugin's tarball into ``out_dir``; answer its path."""
    return write_tarball(os.path.join(out_dir, tarball_name(version)), PLUGIN, launcher(python))


def installed_path(env: dict[str, str] | None = None, version: str = __version__) -> str:
    """Where ``pulumi plugin install`` puts this version's executable: under ``$PULUMI_HOME/plugins``."""
    environ = os.environ if env is None else env
    home = environ.get("PULUMI_HOME") or os.path.join(os.path.expanduser("~"), ".pulumi")
    return os.path.join(home, "plugins", f"resource-macie-v{version}", PLUGIN)


def describe(script: str) -> str:
    """What an installed launcher runs, in words: its interpreter, and whether that is still there."""
    for line in script.splitlines():
        words = shlex.split(line) if line.lstrip().startswith(("exec ", "cd ")) else []
        if "exec" in words and len(words) > words.index("exec") + 1:
            python = words[words.index("exec") + 1]
            return f"{python}{'' if os.path.exists(python) else ' (which no longer exists)'}"
    return "a plugin that is not a pulumi-macie launcher"


def install(
    reinstall: bool = False, pulumi: str | None = None, env: dict[str, str] | None = None, python: str = sys.executable
) -> str:
    """``pulumi plugin install resource macie <version> --file <tarball>`` with a fresh tarball; answers
    what was done, in one line.

    An installed plugin of this version that is not this one (another virtualenv's launcher, perhaps of
    one deleted since, which the engine would then fail to start with exit status 127) is replaced, and
    the answer says what it ran. ``pulumi plugin install`` alone keeps it and says nothing.
    """
    binary = pulumi or shutil.which("pulumi")
    if binary is None:
        raise SystemExit("pulumi-macie-plugin: no `pulumi` on PATH; install the Pulumi CLI first")
    script = launcher(python)
    path = installed_path(env)
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            found: str | None = handle.read()
    except OSError:
        found = None
    if found == script and not reinstall:
        return f"resource plugin macie v{__version__} is already installed and runs {python} ({path})"
    with tempfile.TemporaryDirectory() as folder:
        tarball = write_tarball(os.path.join(folder, tarball_name()), PLUGIN, script)
        command = [binary, "plugin", "install", "resource", "macie", __version__, "--file", tarball]
        # Also over a folder without its executable (a partial install), which install alone would keep.
        if found is not None or reinstall or os.path.isdir(os.path.dirname(path)):
            command.append("--reinstall")
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    done = f"installed resource plugin macie v{__version__} ({path}), which runs {python}"
    if found is not None and found != script:
        done += f"; it replaces the one installed there, which ran {describe(found)}"
    return done


def ambient_plugin(env: dict[str, str] | None = None) -> str | None:
    """A ``pulumi-resource-macie`` on PATH, which the engine prefers to any installed plugin."""
    environ = os.environ if env is None else env
    return shutil.which(PLUGIN, path=environ.get("PATH", os.defpath))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pulumi-macie-plugin", description=help_description(__doc__))
    commands = parser.add_subparsers(dest="command", required=True)
    install_cmd = commands.add_parser("install", help="install the plugin into $PULUMI_HOME/plugins")
    install_cmd.add_argument("--reinstall", action="store_true", help="reinstall even when it is this one")
    package_cmd = commands.add_parser("package", help="write the plugin's tarball")
    package_cmd.add_argument("--out", default=".", help="folder to write it to (default: the current one)")
    args = parser.parse_args(argv)
    if args.command == "package":
        print(package(args.out))
        return 0
    try:
        print(install(args.reinstall))
    except subprocess.CalledProcessError as error:
        print(f"pulumi-macie-plugin: `{' '.join(error.cmd[:5])} ...` failed (exit {error.returncode})", file=sys.stderr)
        return 1
    ambient = ambient_plugin()
    if ambient:
        print(
            f"pulumi-macie-plugin: warning: {ambient} is on PATH, and the engine runs it instead of the installed "
            "plugin; remove it from PATH (or set PULUMI_IGNORE_AMBIENT_PLUGINS=true)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
