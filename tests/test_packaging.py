"""Packaging: the provider runs without macie-local's extra, and macie-local says what to install without it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from macie_local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint

#: What only macie-local needs (its extra `local`, and what that extra brings).
ENDPOINT_ONLY = ["moto", "flask", "werkzeug", "cheroot", "itsdangerous", "macie_local"]


def blocked_python(blocked: list[str], code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a Python where importing any of ``blocked`` fails as if it were not installed."""
    prelude = textwrap.dedent(
        f"""
        import sys
        from importlib.abc import MetaPathFinder

        class NotInstalled(MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in {blocked!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, NotInstalled())
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


PROVIDER_PROGRAM = """
import importlib, json, pkgutil, sys
import pulumi_macie, pulumi_macie_provider
from pulumi.dynamic import ConfigureRequest
from pulumi_macie_provider.dynamic_entry import MacieMemberAccountProvider

modules = []
for package in (pulumi_macie_provider, pulumi_macie):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        modules.append(info.name)

class Config:
    def get(self, key):
        return {"macie:region": "us-east-1", "macie:endpointUrl": sys.argv[1]}.get(key)

provider = MacieMemberAccountProvider()
provider.configure(ConfigureRequest(Config()))
checked = provider.check({}, {"memberAccountId": "444455556666"})
created = provider.create(checked.inputs)
read = provider.read(created.id, created.outs)
provider.delete(created.id, created.outs)
loaded = sorted({name.partition(".")[0] for name in sys.modules} & set(BLOCKED))
print(json.dumps({"modules": len(modules), "id": created.id, "read": read.id, "loaded": loaded}))
"""


def test_provider_imports_and_runs_without_the_endpoint_packages() -> None:
    """Every provider and SDK module imports, and a resource is created, read and deleted, with no moto, Flask,
    Werkzeug, cheroot or macie_local importable."""
    with LocalEndpoint() as endpoint:
        code = f"BLOCKED = {ENDPOINT_ONLY!r}\nsys.argv[1:] = [{endpoint.url!r}]\n" + PROVIDER_PROGRAM
        result = blocked_python(
            ENDPOINT_ONLY, code, AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_KEY
        )
        assert result.returncode == 0, result.stderr
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        assert outcome["id"] == outcome["read"] == "444455556666"
        assert outcome["modules"] > 10 and outcome["loaded"] == []
        counters = endpoint.macie.counters
        assert (counters.get("AssociateMemberAccount.200"), counters.get("DisassociateMemberAccount.200")) == (1, 1)


@pytest.mark.parametrize("missing", ["moto", "cheroot", "itsdangerous", "flask", "werkzeug"])
def test_macie_local_without_its_extra_says_what_to_install(missing: str) -> None:
    """Without a package of the `local` extra, macie-local prints one line naming it and the pip command."""
    result = blocked_python([missing], "from macie_local.command import main\nsys.exit(main(['--port', '0']))")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"macie-local: {missing} is not installed; the endpoint needs the 'local' extra: "
        "pip install 'pulumi-macie[local]'\n"
    )


# -- one version -----------------------------------------------------------------------------------


def test_one_version_for_package_plugin_schema_and_sdk() -> None:
    """pyproject.toml's version is the installed package's, the dynamic SDK's pulumi-plugin.json's, the schema's
    that GetSchema serves and the plugin tarball's (the other SDKs': test_schema_and_sdk)."""
    from importlib.metadata import version
    from importlib.resources import files

    from codegen.generate import project_version
    from pulumi_macie_provider import __version__
    from pulumi_macie_provider.hosts.native import package_schema
    from pulumi_macie_provider.hosts.plugin import tarball_name

    expected = project_version()
    plugin = json.loads(files("pulumi_macie").joinpath("pulumi-plugin.json").read_text())
    assert version("pulumi-macie") == __version__ == plugin["version"] == expected
    assert json.loads(package_schema())["version"] == expected
    assert tarball_name().startswith(f"pulumi-resource-macie-v{expected}-")


# -- the wheel, installed as users install it --------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
#: Wheels from PyPI, kept between runs: pip takes files already there instead of downloading them again.
WHEELHOUSE = ROOT / ".tools" / "wheel-test" / "wheelhouse"
#: What a wheel build reads from the repository.
SOURCES = ("pyproject.toml", "README.md", "schema.json", "provider", "local", "sdk/python")
#: Packages only macie-local needs: none of them may come with a plain `pip install pulumi-macie`.
LOCAL_ONLY = ("moto", "flask", "werkzeug", "cheroot", "itsdangerous")
#: What moto's `server` extra brings and macie-local does not need: none may come with the `local` extra.
SERVER_ONLY = ("cfnlint", "docker", "sympy", "aws_xray_sdk", "openapi_spec_validator", "graphql", "jsonpath_ng")

MOCKS_PROGRAM = """
import json
import pulumi

class Mocks(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered = []

    def new_resource(self, args):
        self.registered.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}, []

mocks = Mocks()
pulumi.runtime.set_mocks(mocks, preview=False)

import pulumi_macie

@pulumi.runtime.test
def program():
    member = pulumi_macie.MacieMemberAccount("audit", member_account_id="111122223333")

    def report(values):
        (registered,) = mocks.registered
        print(json.dumps({
            "type": registered.typ,
            "name": registered.name,
            "memberAccountId": registered.inputs["memberAccountId"],
            "provider": "__provider" in registered.inputs,
            "id": values[0],
            "output": values[1],
        }))

    return pulumi.Output.all(member.id, member.member_account_id).apply(report)

program()
"""


def run(command: list[str], timeout: float = 900, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, f"{' '.join(command[:4])} ... exited {result.returncode}:\n{result.stderr[-3000:]}"
    return result


def build_wheel(work: Path) -> Path:
    """Build the wheel from a copy of the sources, so no earlier build's leftovers can get into it."""
    source = work / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
            shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=ignore)
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "download", "--dest", str(WHEELHOUSE), "setuptools>=70.1"])
    run([*pip, "wheel", "--no-deps", "--no-index", "--find-links", str(WHEELHOUSE), "-w", str(work), str(source)])
    (wheel,) = work.glob("pulumi_macie-*.whl")
    return wheel


def pip_install(python: Path, requirement: str) -> None:
    """Install as a user would, with the newest pulumi on PyPI, from wheels kept in the wheelhouse.

    Only pulumi's newest release is looked up each time; the rest comes from the wheelhouse, and from PyPI
    when the wheelhouse lacks something the requirement needs.
    """
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    env = clean_env()  # a PYTHONPATH into this repository would show pip the project as installed
    run([*pip, "download", "--no-deps", "--dest", str(WHEELHOUSE), "pulumi"], env=env)
    offline = [*pip, "install", "--no-index", "--find-links", str(WHEELHOUSE), requirement]
    if subprocess.run(offline, capture_output=True, text=True, timeout=900, env=env).returncode != 0:
        run([*pip, "download", "--dest", str(WHEELHOUSE), requirement], env=env)
        for ours in WHEELHOUSE.glob("pulumi_macie-*"):
            ours.unlink()  # the wheel under test comes from its own path, never from an earlier run
        run(offline, env=env)


def venv_json(python: Path, code: str, cwd: Path) -> Any:
    result = run([str(python), "-c", code], cwd=cwd, env=clean_env())
    return json.loads(result.stdout.strip().splitlines()[-1])


def clean_env() -> dict[str, str]:
    """The environment without this repository's virtualenv or import path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    return env


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
def test_wheel_installs_with_newest_pulumi_and_without_then_with_local_extra(tmp_path: Path) -> None:
    """The wheel holds the runtime packages only; installed with the newest pulumi and no extra, it runs a program
    under Pulumi's mocks without moto; with the `local` extra (moto's S3 and its WSGI dispatch, not its whole
    `server` extra), macie-local serves S3 and Macie, and stops."""
    from codegen.generate import project_version

    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        tops = {name.split("/", 1)[0] for name in names}
        assert tops == {
            "pulumi_macie",
            "pulumi_macie_provider",
            "macie_local",
            f"pulumi_macie-{project_version()}.dist-info",
        }
        assert archive.read("pulumi_macie_provider/schema.json") == (ROOT / "schema.json").read_bytes()
        assert not [name for name in names if "codegen" in name or name.startswith(("tests/", "scripts/"))]

    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=300)
    python = tmp_path / "venv" / "bin" / "python"
    pip_install(python, str(wheel))

    installed = venv_json(
        python,
        "import importlib.util, json; from importlib.metadata import version; "
        f"print(json.dumps({{'pulumi': version('pulumi'), 'local': [n for n in {LOCAL_ONLY!r} "
        "if importlib.util.find_spec(n)]}))",
        tmp_path,
    )
    newest = max((p.name.split("-")[1] for p in WHEELHOUSE.glob("pulumi-3.*.whl")), key=version_key)
    assert installed["pulumi"] == newest and version_key(newest) > (3, 260, 0)
    assert installed["local"] == []

    (tmp_path / "program.py").write_text(MOCKS_PROGRAM)
    ran = json.loads(run([str(python), "program.py"], cwd=tmp_path, env=clean_env()).stdout.strip().splitlines()[-1])
    assert ran["type"].startswith("pulumi-python:dynamic") and ran["provider"]
    assert (ran["name"], ran["memberAccountId"], ran["id"], ran["output"]) == (
        "audit",
        "111122223333",
        "audit-id",
        "111122223333",
    )

    versions = venv_json(
        python,
        "import json; from importlib.metadata import version; from importlib.resources import files; "
        "from pulumi_macie_provider.hosts.native import package_schema; "
        "from pulumi_macie_provider.hosts.plugin import tarball_name; "
        "print(json.dumps([version('pulumi-macie'), "
        "json.loads(files('pulumi_macie').joinpath('pulumi-plugin.json').read_text())['version'], "
        "json.loads(package_schema())['version'], tarball_name()]))",
        tmp_path,
    )
    expected = project_version()
    assert versions[:3] == [expected] * 3 and versions[3].startswith(f"pulumi-resource-macie-v{expected}-")

    macie_local = tmp_path / "venv" / "bin" / "macie-local"
    missing = subprocess.run([str(macie_local)], capture_output=True, text=True, timeout=60, env=clean_env())
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("pip install 'pulumi-macie[local]'")
    assert "Traceback" not in missing.stderr

    pip_install(python, f"pulumi-macie[local] @ {wheel.as_uri()}")
    extra = venv_json(
        python,
        f"import importlib.util, json; print(json.dumps([n for n in {SERVER_ONLY!r} if importlib.util.find_spec(n)]))",
        tmp_path,
    )
    assert extra == []
    port = free_port()
    server = subprocess.Popen(
        [str(macie_local), "--host", "127.0.0.1", "--port", str(port), "--state", ":memory:", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == f"macie-local listening on http://127.0.0.1:{port}"
        listed = venv_json(
            python,
            "import boto3, json; from pulumi_macie_provider.client import ClientSettings, make_client; "
            f"keys = {{'aws_access_key_id': {DEFAULT_ACCESS_KEY!r}, 'aws_secret_access_key': {DEFAULT_SECRET_KEY!r}}}; "
            f"url = 'http://127.0.0.1:{port}'; "
            "s3 = boto3.client('s3', region_name='us-east-1', endpoint_url=url, **keys); "
            "s3.create_bucket(Bucket='corp-logs'); s3.put_object(Bucket='corp-logs', Key='2024/a', Body=b'x'); "
            "client = make_client(ClientSettings(region='us-east-1', endpoint_url=url), credentials=keys); "
            "failed = client.associate_s3_resources(s3Resources=[{'bucketName': 'corp-logs', 'prefix': '2024/', "
            "'classificationType': {'oneTime': 'NONE', 'continuous': 'FULL'}}])['failedS3Resources']; "
            "print(json.dumps([client.list_member_accounts()['memberAccounts'], failed, "
            "client.list_s3_resources()['s3Resources'], "
            "s3.get_object(Bucket='corp-logs', Key='2024/a')['Body'].read().decode()]))",
            tmp_path,
        )
        assert listed == [
            [{"accountId": "123456789012"}],
            [],
            [
                {
                    "bucketName": "corp-logs",
                    "prefix": "2024/",
                    "classificationType": {"oneTime": "NONE", "continuous": "FULL"},
                }
            ],
            "x",
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        server.communicate()
