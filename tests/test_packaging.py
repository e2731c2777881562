"""Packaging: the provider runs without macie-local's extra, and macie-local says what to install without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

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
from pulumi_macie_provider.resources.member_account import MacieMemberAccountProvider

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
