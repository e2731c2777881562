"""A configured native plugin imports the client machinery in the background, so that a refresh's first
read waits for Macie's answer, not for botocore's import; the floor of the benchmark, and any host not
given a ``prepare``, imports nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2

from pulumi_macie_provider import __version__
from pulumi_macie_provider.hosts.native import Provider
from pulumi_macie_provider.resources.registry import RESOURCES


def configure(provider: Provider) -> None:
    args = json_format.ParseDict({"region": "us-east-1", "endpointUrl": "http://127.0.0.1:9"}, struct_pb2.Struct())
    provider.Configure(provider_pb2.ConfigureRequest(args=args), None)


def test_configure_calls_prepare_once_configured() -> None:
    calls: list[str] = []
    provider = Provider([r.hooks for r in RESOURCES], __version__, lambda: "{}", lambda: calls.append("prepared"))
    configure(provider)
    assert calls == ["prepared"]
    configure(Provider([r.hooks for r in RESOURCES], __version__, lambda: "{}"))  # no prepare: nothing to call


def test_prepare_imports_botocore_in_the_background() -> None:
    program = textwrap.dedent(
        """
        import sys, threading
        from pulumi_macie_provider.resources import clients
        before = "botocore" in sys.modules
        clients.prepare()
        for thread in threading.enumerate():
            if thread.name == "macie-client-import":
                thread.join(60)
        print(before, "botocore" in sys.modules, "pulumi_macie_provider.client.factory" in sys.modules)
        """
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True", "True"]
