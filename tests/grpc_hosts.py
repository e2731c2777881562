"""Both hosts of the hooks, started as the engine starts them and driven over the same gRPC protocol.

``Host`` hides only what the engine itself does differently for each: the dynamic host's resources
carry their pickled provider in ``__provider`` (their types are ``pulumi-python:dynamic/macie:…``); the
native host's are ``macie:index:…`` and the provider's config goes through CheckConfig before Configure.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_macie_provider.dynamic_entry import PROVIDERS
from pulumi_macie_provider.hosts.dynamic import dynamic_type
from pulumi_macie_provider.resources.registry import BY_NAME

from .conftest import DEFAULT_CREDENTIALS

COMMANDS = {
    "dynamic": [sys.executable, "-u", "-m", "pulumi.dynamic"],
    # -P (keep the working folder off sys.path, as the plugin's launcher does) exists from Python 3.11.
    "native": [
        sys.executable,
        *(["-P"] if sys.version_info >= (3, 11) else []),
        "-m",
        "pulumi_macie_provider.hosts.native",
    ],  # no engine address: the host is not watching for an engine that these tests do not run
}
ENV = {
    "PATH": "/usr/bin:/bin",
    "AWS_ACCESS_KEY_ID": DEFAULT_CREDENTIALS["aws_access_key_id"],
    "AWS_SECRET_ACCESS_KEY": DEFAULT_CREDENTIALS["aws_secret_access_key"],
    "AWS_CONFIG_FILE": "/nonexistent",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
}


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(value, struct_pb2.Struct())


def plain(value: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(value)


@dataclass
class Host:
    """A running host process and a stub for it; ``kind`` is ``dynamic`` or ``native``."""

    kind: str
    process: subprocess.Popen[str]
    channel: grpc.Channel
    stub: Any
    config_failures: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, kind: str, env: dict[str, str] | None = None) -> Host:
        process = subprocess.Popen(
            COMMANDS[kind], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, **(env or {})}
        )
        assert process.stdout is not None
        port = int(process.stdout.readline())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        return cls(kind, process, channel, provider_pb2_grpc.ResourceProviderStub(channel))

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.communicate(timeout=30)

    def configure(self, config: dict[str, Any]) -> None:
        """Configure as the engine does: ``config`` keys without the ``macie:`` namespace."""
        if self.kind == "dynamic":
            self.stub.Configure(
                provider_pb2.ConfigureRequest(args=struct({f"macie:{k}": v for k, v in config.items()}))
            )
            return
        checked = self.stub.CheckConfig(
            provider_pb2.CheckRequest(
                urn="urn:pulumi:test::proj::pulumi:providers:macie::default", olds=struct({}), news=struct(config)
            )
        )
        self.config_failures = list(checked.failures)
        if not self.config_failures:
            self.stub.Configure(provider_pb2.ConfigureRequest(args=checked.inputs, acceptSecrets=True))

    # -- resources, as the engine addresses them -------------------------------------------------

    def urn(self, name: str, kind: str) -> str:
        typ = dynamic_type(kind) if self.kind == "dynamic" else BY_NAME[kind].token
        return f"urn:pulumi:test::proj::{typ}::{name}"

    def props(self, kind: str, values: dict[str, Any]) -> struct_pb2.Struct:
        if self.kind == "dynamic":
            values = {**values, "__provider": serialize_provider(PROVIDERS[kind]())}
        return struct(values)

    @staticmethod
    def outputs(values: struct_pb2.Struct) -> dict[str, Any]:
        """Outputs without the dynamic host's own ``__provider``."""
        return {k: v for k, v in plain(values).items() if not k.startswith("__")}

    def check(self, kind: str, news: dict[str, Any], name: str = "r") -> Any:
        return self.stub.Check(
            provider_pb2.CheckRequest(urn=self.urn(name, kind), olds=struct({}), news=self.props(kind, news))
        )

    def create(
        self, kind: str, inputs: dict[str, Any], name: str = "r", timeout: float = 0, deadline: float | None = None
    ) -> Any:
        """Check, then create; ``timeout`` is the resource's customTimeout, ``deadline`` the gRPC call's."""
        checked = self.check(kind, inputs, name)
        assert list(checked.failures) == [], checked.failures
        return self.stub.Create(
            provider_pb2.CreateRequest(urn=self.urn(name, kind), properties=checked.inputs, timeout=timeout),
            timeout=deadline,
        )

    def diff(self, kind: str, id_: str, olds: dict[str, Any], news: dict[str, Any], name: str = "r") -> Any:
        checked = self.check(kind, news, name)
        return self.stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=self.urn(name, kind), olds=self.props(kind, olds), news=checked.inputs)
        )

    def update(self, kind: str, id_: str, olds: dict[str, Any], news: dict[str, Any], name: str = "r") -> Any:
        checked = self.check(kind, news, name)
        return self.stub.Update(
            provider_pb2.UpdateRequest(
                id=id_, urn=self.urn(name, kind), olds=self.props(kind, olds), news=checked.inputs
            )
        )

    def read(self, kind: str, id_: str, state: dict[str, Any], name: str = "r") -> Any:
        props = self.props(kind, state) if state or self.kind == "dynamic" else struct({})
        return self.stub.Read(provider_pb2.ReadRequest(id=id_, urn=self.urn(name, kind), properties=props))

    def delete(self, kind: str, id_: str, state: dict[str, Any], name: str = "r") -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(id=id_, urn=self.urn(name, kind), properties=self.props(kind, state))
        )
