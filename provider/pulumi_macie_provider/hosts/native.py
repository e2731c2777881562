"""The native plugin host, ``pulumi-resource-macie``: Pulumi's ResourceProvider gRPC protocol served
straight from the SDK's generated stubs around the resources' hooks.

    python -m pulumi_macie_provider.hosts.native [ENGINE_ADDRESS] [engine flags...]

The engine starts the plugin, reads the port it prints, and calls:

- GetPluginInfo, Handshake, GetSchema (schema.json, with the package's version);
- CheckConfig (``macie:region``, ``endpointUrl``, ``profile``, ``maxAttempts`` checked with the same
  rules and messages as the dynamic provider; an unknown key is refused, so a typo never sends calls
  elsewhere; a region left to the environment is resolved and recorded here, so the provider's
  state says where its resources live), DiffConfig (a new region or endpoint replaces the resources;
  the others update the provider), Configure;
- Check, Diff, Create, Read, Update, Delete: one hook call each (a preview's Create and Update answer
  the checked inputs, which are what the outputs will be, and call nothing: an engine that has had a
  Handshake takes every provider to support previews, whatever Configure answers, and sends them).
  Create, Read, Update and Delete run under the resource's ``customTimeouts``
  (``client.deadline``). A Read with nothing but an ID (``pulumi import``, the ``import`` option,
  ``get``) fails with a clear message when Macie holds nothing, and applies create's rules. A create
  whose outcome cannot be known (``UnknownOutcomeError``) is reported as partly made
  (``ErrorResourceInitFailed`` with its ID and properties): the engine records it, and ``refresh``
  finds out whether Macie holds it;
- Cancel (Ctrl-C): every operation of the process ends at its next step (``client.deadline.cancel``),
  so that the engine is not kept waiting by a hook's wait or a retry's back-off.

Every failure reaches the engine as one line: the action, the resource, AWS's error code and message.
Secrets arrive as plain values (the plugin does not accept secrets; the engine keeps them secret).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from .. import help_description
from ..client.deadline import cancel, time_limit
from ..errors import MacieError
from ..resources.base import Hooks
from ..resources.config import config_values, credentials_from_values, settings_from_values
from ..resources.provider_config import check_provider, diff_provider
from .engine_health import exit_with_engine
from .rpc import to_dict, to_struct, translated, unwrap_secrets, wrap_secret

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schema.json")


class Provider(provider_pb2_grpc.ResourceProviderServicer):
    """A package's resource provider: one hooks object per resource type, made at Configure."""

    def __init__(self, hooks: Iterable[type[Hooks]], version: str, schema: Callable[[], str]) -> None:
        self._types = {cls.token(): cls for cls in hooks}
        self._version = version
        self._schema = schema
        self._hooks: dict[str, Hooks] = {}
        self._lock = threading.Lock()

    # -- the plugin -----------------------------------------------------------------------------

    def GetPluginInfo(self, request: Any, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=self._version)

    def Handshake(self, request: Any, context: Any) -> provider_pb2.ProviderHandshakeResponse:
        return provider_pb2.ProviderHandshakeResponse(
            accept_secrets=False, accept_resources=False, accept_outputs=False
        )

    @translated
    def GetSchema(self, request: Any, context: Any) -> provider_pb2.GetSchemaResponse:
        return provider_pb2.GetSchemaResponse(schema=self._schema())

    def Cancel(self, request: Any, context: Any) -> empty_pb2.Empty:
        cancel()
        return empty_pb2.Empty()

    # -- provider configuration -----------------------------------------------------------------

    @translated
    def CheckConfig(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        checked = check_provider(unwrap_secrets(to_dict(request.olds)), unwrap_secrets(to_dict(request.news)))
        inputs = {key: wrap_secret(value) if key in checked.secrets else value for key, value in checked.inputs.items()}
        return provider_pb2.CheckResponse(
            inputs=to_struct(inputs),
            failures=[provider_pb2.CheckFailure(property=key, reason=reason) for key, reason in checked.failures],
        )

    @translated
    def DiffConfig(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        diff = diff_provider(unwrap_secrets(to_dict(request.olds)), unwrap_secrets(to_dict(request.news)))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if diff.changes else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=diff.replaces,
            diffs=diff.changes,
            deleteBeforeReplace=diff.delete_before_replace,
        )

    @translated
    def Configure(self, request: Any, context: Any) -> provider_pb2.ConfigureResponse:
        args = unwrap_secrets(to_dict(request.args)) if request.HasField("args") else {}
        if not args:  # older engines: "macie:config:region" = "us-east-1"
            args = {key.rsplit(":", 1)[-1]: value for key, value in request.variables.items()}
        values = config_values(lambda key: args.get(key.split(":", 1)[1]))
        settings, failures = settings_from_values(values)
        if failures:
            raise MacieError("; ".join(f"macie:{key.removeprefix('macie:')}: {reason}" for key, reason in failures))
        credentials = credentials_from_values(values)
        with self._lock:
            self._hooks = {token: cls(settings, credentials=credentials) for token, cls in self._types.items()}
        return provider_pb2.ConfigureResponse(
            acceptSecrets=False, supportsPreview=True, acceptResources=False, acceptOutputs=False
        )

    # -- resources ------------------------------------------------------------------------------

    def hooks(self, request: Any) -> Hooks:
        token = request.type or request.urn.split("::")[-2].rsplit("$", 1)[-1]
        with self._lock:
            hooks = self._hooks.get(token)
            if hooks is None:
                if token not in self._types:
                    raise MacieError(
                        f"unknown resource type {token}: this plugin serves {', '.join(sorted(self._types))}"
                    )
                hooks = self._hooks[token] = self._types[token]()  # not configured yet: checks only
        return hooks

    @translated
    def Check(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        result = self.hooks(request).check(to_dict(request.olds), to_dict(request.news))
        return provider_pb2.CheckResponse(
            inputs=to_struct(result.inputs),
            failures=[provider_pb2.CheckFailure(property=f.property, reason=f.reason) for f in result.failures],
        )

    @translated
    def Diff(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        hooks = self.hooks(request)
        olds, news = to_dict(request.olds), to_dict(request.news)
        result = hooks.diff(request.id, olds, news)
        # What will happen, from the values as they will be stored: a property left out of the program
        # that takes its default is an update to that default, not a deletion.
        olds, news = _normalised(hooks, olds), _normalised(hooks, news)
        kinds = provider_pb2.PropertyDiff
        kind = {  # (in olds, in news, replaces) -> kind
            (True, True, False): kinds.UPDATE,
            (True, True, True): kinds.UPDATE_REPLACE,
            (False, True, False): kinds.ADD,
            (False, True, True): kinds.ADD_REPLACE,
            (True, False, False): kinds.DELETE,
            (True, False, True): kinds.DELETE_REPLACE,
        }
        detailed = {key: kinds(kind=kind[(key in olds, key in news, key in result.replaces)]) for key in result.changes}
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if result.changed else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=result.replaces,
            diffs=result.changes,
            detailedDiff=detailed,
            hasDetailedDiff=True,
            deleteBeforeReplace=result.delete_before_replace,
        )

    @translated
    def Create(self, request: Any, context: Any) -> provider_pb2.CreateResponse:
        if request.preview:  # outputs are the checked inputs; nothing is known to Macie yet
            return provider_pb2.CreateResponse(properties=request.properties)
        with time_limit(request.timeout):
            result = self.hooks(request).create(to_dict(request.properties))
        return provider_pb2.CreateResponse(id=result.id, properties=to_struct(result.outputs))

    @translated
    def Read(self, request: Any, context: Any) -> provider_pb2.ReadResponse:
        hooks = self.hooks(request)
        state = to_dict(request.properties)
        with time_limit(request.timeout):
            if not state and not to_dict(request.inputs):
                result = hooks.lookup(request.id)  # an import or a lookup: nothing is known but the ID
            else:
                result = hooks.read(request.id, state)
        if result.id is None:
            return provider_pb2.ReadResponse()
        return provider_pb2.ReadResponse(
            id=result.id, properties=to_struct(result.outputs), inputs=to_struct(result.inputs)
        )

    @translated
    def Update(self, request: Any, context: Any) -> provider_pb2.UpdateResponse:
        if request.preview:
            return provider_pb2.UpdateResponse(properties=request.news)
        with time_limit(request.timeout):
            result = self.hooks(request).update(request.id, to_dict(request.olds), to_dict(request.news))
        return provider_pb2.UpdateResponse(properties=to_struct(result.outputs))

    @translated
    def Delete(self, request: Any, context: Any) -> empty_pb2.Empty:
        with time_limit(request.timeout):
            self.hooks(request).delete(request.id, to_dict(request.properties))
        return empty_pb2.Empty()


def _normalised(hooks: Hooks, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with defaults filled as they will be stored; as they are when they cannot be read
    (unknowns of a preview, values that check refuses)."""
    try:
        return hooks.normalise(values)
    except (MacieError, ValueError, TypeError, KeyError):  # KeyError: a type the schema does not describe
        return values


@functools.cache
def package_schema() -> str:
    """schema.json as GetSchema serves it: with the package's version."""
    from .. import __version__

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    schema["version"] = __version__
    return json.dumps(schema)


def serve(provider: Provider, argv: list[str] | None = None) -> None:
    """Serve ``provider`` on 127.0.0.1 as the engine expects: print the port, then serve until the
    engine stops the plugin or is gone."""
    parser = argparse.ArgumentParser(prog="pulumi-resource-macie", description=help_description(__doc__))
    parser.add_argument("engine", nargs="?", help="the engine's address (the engine passes it)")
    args, _ = parser.parse_known_args(argv)
    # More workers than the engine runs operations at once (4 per CPU by default): a hook that waits for
    # another resource of the run must never hold up the call that resource needs.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=64), options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)]
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    exit_with_engine(args.engine)
    server.wait_for_termination()


def main(argv: list[str] | None = None) -> None:
    from .. import __version__
    from ..resources.registry import RESOURCES

    serve(Provider([resource.hooks for resource in RESOURCES], __version__, package_schema), argv)


if __name__ == "__main__":
    main()
