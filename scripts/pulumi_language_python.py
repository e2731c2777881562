"""A Python language host for the Pulumi CLI, for machines where the official one cannot be had.

The Pulumi CLI runs Python programs through a language plugin, ``pulumi-language-python``. Official
CLI releases bundle it; where the CLI is built from the Go module proxy instead (no release download),
the plugin's own Go module is not served, so ``scripts/setup.sh`` installs this host in its place.
It speaks the same ``pulumirpc.LanguageRuntime`` gRPC protocol (from the ``pulumi`` package's own
generated stubs) and runs the program exactly as the official host does: the project's virtualenv
Python runs the SDK's ``pulumi-language-python-exec`` with the engine's monitor, engine, project,
stack, config and dry-run settings. As the official host does, it reports the resource plugins the
program needs from the packages installed in its virtualenv (each Pulumi package's
``pulumi-plugin.json``: ``pulumi about`` lists them, ``pulumi up`` pins the default providers' versions
to them), and it turns the engine's PCL into Python (``pulumi import``'s code to add) with Pulumi's
own Python program generator, ``pkg/v3/codegen/python``, run by ``pulumi-gen-macie program``.

Usage (as the engine launches it): pulumi-language-python [--exec PATH] ENGINE_ADDRESS
It prints the port it listens on, then serves until the engine stops it or is gone: a killed CLI
leaves no host behind, nor a program blocked on its dead monitor (``pulumi_macie_provider.hosts.engine_health``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import signal
import subprocess
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from pulumi_macie_provider.hosts.engine_health import exit_with_engine

ROOT = Path(__file__).resolve().parent.parent
BAIL_EXIT_CODE = 32  # the exec script's "an actionable message was already shown"
#: Programs being run; when the engine stops this host, or is gone, they are stopped with it, so
#: nothing keeps the engine's pipes open after it has finished, nor waits on a dead engine.
RUNNING: set[subprocess.Popen[bytes]] = set()


def _kill_programs() -> None:
    for program in list(RUNNING):
        try:
            program.kill()
        except OSError:
            pass


def _stop(*_: Any) -> None:
    _kill_programs()
    os._exit(0)


def _python_for(info: Any, root: str) -> str:
    """The interpreter of the project's virtualenv option, or the one running this host."""
    options = json_format.MessageToDict(info.options) if info.HasField("options") else {}
    venv = options.get("virtualenv") or os.environ.get("PULUMI_RUNTIME_VIRTUALENV")
    if venv:
        venv = venv if os.path.isabs(venv) else os.path.join(root, venv)
        return os.path.join(venv, "bin", "python")
    return os.environ.get("PULUMI_PYTHON_CMD") or sys.executable


#: Run by the program's interpreter: every installed distribution's name, version and the path of the
#: ``pulumi-plugin.json`` inside its top-level package, if it has one (beside the distribution when
#: installed from a wheel; found through the import system when installed from a folder, editable).
#: Headers and small files only, no RECORD nor email parsing: the engine asks before every operation.
_LIST_PACKAGES = r"""
import importlib.metadata, importlib.util, json, os, re, sys

def plugin_file(dist, modules):
    for module in modules:
        path = str(dist.locate_file(os.path.join(module, "pulumi-plugin.json")))
        if os.path.isfile(path):
            return path
    if not dist.read_text("direct_url.json"):
        return None
    for module in modules:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            if os.path.isfile(os.path.join(folder, "pulumi-plugin.json")):
                return os.path.join(folder, "pulumi-plugin.json")
    return None

# A name met twice (an egg-info left in the program's folder, which is on sys.path, beside the installed
# package): the first with a plugin file wins, else the first.
found = {}
for dist in importlib.metadata.distributions():
    headers = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    name = re.search(r"^Name:[ \t]*(\S+)", headers, re.M)
    version = re.search(r"^Version:[ \t]*(\S+)", headers, re.M)
    if not name or (found.get(name.group(1).lower()) or {}).get("plugin"):
        continue
    name = name.group(1)
    modules = (dist.read_text("top_level.txt") or "").split() or [re.sub(r"[-.]", "_", name)]
    plugin = plugin_file(dist, modules)
    if name.lower() not in found or plugin:
        found[name.lower()] = {"name": name, "version": version.group(1) if version else "", "plugin": plugin}
json.dump(list(found.values()), sys.stdout)
"""

#: Packages known to have no plugin though named pulumi-* (as the official host skips them).
_WITHOUT_PLUGINS = {"pulumi-policy"}
_PRE_RELEASES = {"a": "alpha", "b": "beta", "rc": "rc"}


def plugin_version(version: str) -> str | None:
    """A PEP 440 package version as a plugin's semver (``1.2`` -> ``1.2.0``, ``1.2.3a4`` -> ``1.2.3-alpha.4``,
    ``1.2.3.post4`` -> ``1.2.3+post4``, ``1.2.3.dev5`` -> ``1.2.3+dev5``), or None when it has no such form."""
    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?", version)
    if not match:
        return None
    release, pre, pre_number, post, dev = match.groups()
    parts = release.split(".")
    parts += ["0"] * (3 - len(parts))
    text = ".".join(parts)
    if pre:
        text += f"-{_PRE_RELEASES[pre]}.{pre_number}"
    if post is not None:
        text += f"+post{post}"
    if dev is not None:
        text += f"{'' if post is not None else '+'}dev{dev}"
    return text


def required_plugins(packages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The resource plugins that installed ``packages`` (as ``_LIST_PACKAGES`` lists them) call for, as the
    official host decides: a Pulumi package (one with a ``pulumi-plugin.json``, or named ``pulumi-*``)
    has a plugin unless that file says ``"resource": false``; its name and version come from that file,
    else from the package's name (without ``pulumi-``) and version."""
    plugins = []
    for package in packages:
        name = re.sub(r"[-_.]+", "-", package["name"]).lower()
        if (package["plugin"] is None and not name.startswith("pulumi-")) or name in _WITHOUT_PLUGINS:
            continue
        info: dict[str, Any] = {}
        if package["plugin"] is not None:
            with open(package["plugin"], encoding="utf-8") as handle:
                info = json.load(handle)
            if not info.get("resource", False):
                continue
        version = info.get("version") or plugin_version(package["version"])
        if not version:
            continue
        plugins.append(
            {
                "name": info.get("name") or name.removeprefix("pulumi-"),
                "version": version if version.startswith("v") else f"v{version}",
                "server": info.get("server", ""),
            }
        )
    return sorted(plugins, key=lambda plugin: (plugin["name"], plugin["version"]))


def generator() -> str:
    """``pulumi-gen-macie``, built from codegen/pulumi-gen-macie if it is missing or stale (Go needed)."""
    built = subprocess.run(
        [sys.executable, str(ROOT / "codegen" / "generate.py"), "--build-generator"],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise RuntimeError(
            "the Python program generator (codegen/pulumi-gen-macie) could not be built; run "
            f"scripts/setup_sdks.sh: {built.stderr.strip() or built.stdout.strip()}"
        )
    return str(ROOT / built.stdout.strip())


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, exec_script: str, engine_address: str) -> None:
        self.exec_script = exec_script
        self.engine_address = engine_address

    def Handshake(self, request: Any, context: Any) -> Any:
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        """The version of the Pulumi SDK it runs programs with (the CLI's, which the project pins to it), as
        the official host answers its own (the CLI's) version; ``pulumi`` has no ``__version__``."""
        return plugin_pb2.PluginInfo(version=importlib.metadata.version("pulumi"))

    @staticmethod
    def _python(info: Any) -> str:
        """The program's interpreter, which must exist."""
        python = _python_for(info, info.root_directory or os.getcwd())
        if not os.path.isfile(python):
            raise RuntimeError(
                f"The 'virtualenv' option in Pulumi.yaml names {os.path.dirname(os.path.dirname(python))}, "
                "which is not a virtual environment (no bin/python)"
            )
        return python

    def _required(self, info: Any) -> list[dict[str, str]]:
        root = info.root_directory or os.getcwd()
        python = self._python(info)
        listed = subprocess.run(
            [python, "-c", _LIST_PACKAGES],
            cwd=info.program_directory or root,
            capture_output=True,
            text=True,
            check=False,
        )
        if listed.returncode != 0:
            raise RuntimeError(f"listing the program's installed packages failed: {listed.stderr.strip()}")
        return required_plugins(json.loads(listed.stdout))

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[plugin_pb2.PluginDependency(kind="resource", **p) for p in self._required(request.info)]
        )

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPackagesResponse(
            packages=[plugin_pb2.PackageDependency(kind="resource", **p) for p in self._required(request.info)]
        )

    def GenerateProgram(self, request: Any, context: Any) -> Any:
        """PCL to Python, by Pulumi's own generator (``pulumi-gen-macie program``, on ``pkg/v3/codegen/python``),
        which binds the program's packages through the engine's schema loader (``request.loader_target``)."""
        answer = subprocess.run(
            [generator(), "program"],
            input=json_format.MessageToJson(request),
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode != 0:
            raise RuntimeError(answer.stderr.strip() or f"pulumi-gen-macie program exited {answer.returncode}")
        return json_format.Parse(answer.stdout, language_pb2.GenerateProgramResponse())

    def InstallDependencies(self, request: Any, context: Any) -> Any:
        return iter(())

    def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:
        return language_pb2.RuntimeOptionsResponse()

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        """``pip list`` of the program's interpreter, as the official host answers (``pulumi about``)."""
        root = request.info.root_directory or os.getcwd()
        command = [self._python(request.info), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"]
        if not request.transitiveDependencies:
            command.append("--not-required")
        listed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if listed.returncode != 0:
            raise RuntimeError(f"`{' '.join(command[1:])}` failed: {listed.stderr.strip()}")
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=dependency["name"], version=dependency["version"])
                for dependency in json.loads(listed.stdout)
            ]
        )

    def About(self, request: Any, context: Any) -> Any:
        python = _python_for(request.info, request.info.root_directory or os.getcwd())
        return language_pb2.AboutResponse(executable=python, version=sys.version.split()[0])

    def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    def Run(self, request: Any, context: Any) -> Any:
        root = request.info.root_directory or request.pwd or os.getcwd()
        python = _python_for(request.info, root)
        args = [
            python,
            "-u",
            self.exec_script,
            "--monitor",
            request.monitor_address,
            "--engine",
            self.engine_address,
            "--project",
            request.project,
            "--stack",
            request.stack,
            "--pwd",
            request.pwd or root,
            "--dry_run",
            "true" if request.dryRun else "false",
            "--parallel",
            str(request.parallel),
            "--organization",
            request.organization or "organization",
            "--root_directory",
            root,
            request.program or ".",
            *request.args,
        ]
        env = dict(os.environ)
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        venv_bin = os.path.dirname(python)
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
        env.pop("PYTHONHOME", None)
        with subprocess.Popen(args, cwd=request.pwd or root, env=env) as program:
            RUNNING.add(program)
            try:
                code = program.wait()
            finally:
                RUNNING.discard(program)
        if code == 0:
            return language_pb2.RunResponse()
        if code == BAIL_EXIT_CODE:
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"Program exited with non-zero exit code: {code}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="pulumi-language-python")
    parser.add_argument("--exec", dest="exec_script", required=True)
    parser.add_argument("engine_address", nargs="?", default="")
    args, _ = parser.parse_known_args()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8), options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)]
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageHost(args.exec_script, args.engine_address), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # The engine stops plugins with a signal when it is done; that is a normal end, not an error.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    # A killed engine sends nothing: its end is seen when it no longer answers its health check.
    exit_with_engine(args.engine_address, _kill_programs)
    print(port, flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main())
