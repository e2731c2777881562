"""A Python language host for the Pulumi CLI, for machines where the official one cannot be had.

The Pulumi CLI runs Python programs through a language plugin, ``pulumi-language-python``. Official
CLI releases bundle it; where the CLI is built from the Go module proxy instead (no release download),
the plugin's own Go module is not served, so ``scripts/setup.sh`` installs this host in its place.
It speaks the same ``pulumirpc.LanguageRuntime`` gRPC protocol (from the ``pulumi`` package's own
generated stubs) and runs the program exactly as the official host does: the project's virtualenv
Python runs the SDK's ``pulumi-language-python-exec`` with the engine's monitor, engine, project,
stack, config and dry-run settings. Plugins are not inferred from installed packages (the programs
here use dynamic providers only, served by the bundled ``pulumi-resource-pulumi-python``).

Usage (as the engine launches it): pulumi-language-python [--exec PATH] ENGINE_ADDRESS
It prints the port it listens on, then serves until the engine stops it or is gone: a killed CLI
leaves no host behind, nor a program blocked on its dead monitor (``pulumi_macie_provider.hosts.engine_health``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from pulumi_macie_provider.hosts.engine_health import exit_with_engine

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


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, exec_script: str, engine_address: str) -> None:
        self.exec_script = exec_script
        self.engine_address = engine_address

    def Handshake(self, request: Any, context: Any) -> Any:
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        import pulumi

        return plugin_pb2.PluginInfo(version=getattr(pulumi, "__version__", ""))

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPackagesResponse()

    def InstallDependencies(self, request: Any, context: Any) -> Any:
        return iter(())

    def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:
        return language_pb2.RuntimeOptionsResponse()

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        return language_pb2.GetProgramDependenciesResponse()

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
