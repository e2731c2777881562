"""Drive the real Pulumi CLI non-interactively on a throwaway project with a local file backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = ROOT / ".tools" / "pulumi" / "bin"
PASSPHRASE = "macie-test-passphrase"


def pinned_version() -> str:
    """The CLI version the project pins: the version of the installed ``pulumi`` package."""
    return "v" + version("pulumi")


def pulumi_binary() -> str:
    """The ``pulumi`` on PATH (the setup script's, or one of the pinned version)."""
    found = shutil.which("pulumi", path=f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        raise RuntimeError("no pulumi CLI on PATH: run scripts/setup.sh (or scripts/test.sh) first")
    return found


class PulumiError(AssertionError):
    """A pulumi command failed; the message carries its output."""


@dataclass
class PulumiStack:
    """One project directory with one stack on a ``file://`` backend in a temporary folder."""

    workdir: Path
    stack: str = "test"
    extra_env: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        binary = pulumi_binary()
        env["PATH"] = os.pathsep.join([os.path.dirname(binary), os.path.dirname(sys.executable), env["PATH"]])
        env.update(
            {
                "PULUMI_BACKEND_URL": (self.workdir.parent / "backend").as_uri(),
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_HOME": str(self.workdir.parent / "pulumi-home"),
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_SKIP_CONFIRMATIONS": "true",
                "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
                "NO_COLOR": "1",
            }
        )
        env.update(self.extra_env)
        return env

    @classmethod
    def create(cls, base: Path, program: str, name: str = "macie-test", **kwargs: Any) -> PulumiStack:
        workdir = base / name
        workdir.mkdir(parents=True)
        (base / "backend").mkdir(exist_ok=True)
        (workdir / "Pulumi.yaml").write_text(
            textwrap.dedent(f"""\
            name: {name}
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {sys.prefix}
            """)
        )
        stack = cls(workdir, **kwargs)
        stack.write_program(program)
        stack.run("stack", "init", stack.stack)
        return stack

    def write_program(self, source: str) -> None:
        (self.workdir / "__main__.py").write_text(textwrap.dedent(source))

    def run(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        command = [pulumi_binary(), *args, "--non-interactive"]
        if args[:2] != ("stack", "init"):
            command += ["--stack", self.stack]
        result = subprocess.run(
            command, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        self.log.append(f"$ pulumi {' '.join(args)}\n{result.stdout}\n{result.stderr}")
        if check and result.returncode != 0:
            raise PulumiError(
                f"pulumi {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def macie_import(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """``pulumi-macie-import ARGS`` (this interpreter's) in the project folder with the stack's
        environment; the caller judges the exit status."""
        importer = Path(sys.executable).parent / "pulumi-macie-import"
        return subprocess.run(
            [str(importer), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def up(self, *extra: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra, **kwargs)

    def preview(self, *extra: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run("preview", *extra, **kwargs)

    def refresh(self, *extra: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run("refresh", "--yes", "--skip-preview", *extra, **kwargs)

    def destroy(self, *extra: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", *extra, **kwargs)

    def install_plugin(self, tarball: Path) -> None:
        """Install the native plugin from its tarball into this stack's PULUMI_HOME, as users do."""
        from pulumi_macie_provider import __version__

        command = [
            pulumi_binary(),
            "plugin",
            "install",
            "resource",
            "macie",
            __version__,
            "--file",
            str(tarball),
            "--non-interactive",
        ]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise PulumiError(f"plugin install failed:\n{result.stdout}\n{result.stderr}")

    def config_set(self, key: str, value: str, secret: bool = False) -> None:
        """``pulumi config set``. A plain value is written into the stack's settings file, as the CLI
        writes it (a key without a namespace takes the project's), without a run of the CLI: tests set
        several per stack. A secret is encrypted by the CLI."""
        if secret:
            self.run("config", "set", key, value, "--secret")
        else:
            self.config_set_all({key: value})

    def config_set_all(self, values: dict[str, str]) -> None:
        """Set several plain config values in the stack's settings file (``Pulumi.<stack>.yaml``)."""
        path = self.workdir / f"Pulumi.{self.stack}.yaml"
        settings = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        config = settings.get("config") or {}
        for key, value in values.items():
            config[key if ":" in key else f"{self.project()}:{key}"] = str(value)
        settings["config"] = config
        path.write_text(yaml.safe_dump(settings, sort_keys=False))

    def project(self) -> str:
        """The project's name, from its ``Pulumi.yaml``."""
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            path = self.workdir / name
            if path.exists():
                return str(yaml.safe_load(path.read_text())["name"])
        raise FileNotFoundError(f"no Pulumi.yaml in {self.workdir}")

    def outputs(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout or "{}")

    def export(self) -> dict[str, Any]:
        """The stack's deployment, as ``pulumi stack export`` prints it. On this harness's own file backend
        it is read from the checkpoint the CLI wrote there (the same deployment, secrets encrypted, without
        a run of the CLI: tests ask for it after most steps); on any other backend, or when the file is
        not a whole checkpoint, the CLI is asked."""
        checkpoint = self.checkpoint_path()
        if checkpoint is not None:
            try:
                data = json.loads(checkpoint.read_text())
                return {"version": data["version"], "deployment": data["checkpoint"].get("latest") or {}}
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return json.loads(self.run("stack", "export").stdout)

    def checkpoint_path(self) -> Path | None:
        """Where the harness's file backend keeps this stack's checkpoint (project-scoped, plain JSON), or
        None when the stack lives elsewhere or is stored another way."""
        env = self.env
        backend = self.workdir.parent / "backend"
        if env.get("PULUMI_BACKEND_URL") != backend.as_uri() or env.get("PULUMI_SELF_MANAGED_STATE_GZIP"):
            return None
        if "/" in self.stack:
            return None
        try:
            project = self.project()
        except (OSError, KeyError, TypeError, yaml.YAMLError):
            return None
        return backend / ".pulumi" / "stacks" / project / f"{self.stack}.json"

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        deployment = self.export()["deployment"]
        return [r for r in deployment.get("resources", []) if r["type"].endswith(type_suffix)]

    def dynamic_resources(self) -> list[dict[str, Any]]:
        """The stack's Python dynamic resources, whatever their type (``pulumi-python:dynamic…``)."""
        return [r for r in self.resources() if r["type"].startswith("pulumi-python:dynamic")]


#: What each process this project starts for a run says in its command line: the Python language host,
#: the program it runs, the dynamic-provider server (under setup's shim, or the SDK's own shim and its
#: `-m pulumi.dynamic`) and the native plugin.
PROCESS_KINDS = (
    ("language host", "pulumi_language_python.py"),
    ("program", "pulumi-language-python-exec"),
    ("dynamic provider", "pulumi_dynamic_provider.py"),
    ("dynamic-provider shim", "pulumi-resource-pulumi-python"),
    ("dynamic provider", "-m pulumi.dynamic"),
    ("native plugin", "pulumi_macie_provider.hosts.native"),
)


def _boot_time() -> float:
    with open("/proc/stat", encoding="ascii") as handle:
        return float(next(line for line in handle if line.startswith("btime")).split()[1])


def run_processes(marker: str, since: float = 0.0) -> dict[int, str]:
    """The live processes of this checkout (their command line names its folder or its Python) that a
    Pulumi run started: their environment holds ``marker`` (a folder of the run's stack, which the CLI
    passes on in PULUMI_HOME and PULUMI_BACKEND_URL), and they began at or after ``since`` (a
    ``time.time()``). Answers pid -> command line. Reads /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    boot = _boot_time()
    ours = (str(ROOT), sys.prefix)
    skip = {os.getpid()}
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in skip:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environment = handle.read()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        state, started = fields[0], boot + int(fields[19]) / ticks
        if state == "Z" or started + 1.0 / ticks < since or marker.encode() not in environment:
            continue
        if any(folder in command for folder in ours):
            found[int(entry)] = command
    return found


def process_kind(command: str) -> str:
    """Which of PROCESS_KINDS a command line is (``other`` for none)."""
    return next((kind for kind, mark in PROCESS_KINDS if mark in command), "other")
