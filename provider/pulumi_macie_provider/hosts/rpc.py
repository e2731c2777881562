"""The native plugin's gRPC plumbing: property structs, secrets unwrapped, and failures answered as
the engine reads them (one line, or a partly made resource it records)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2, json_format, struct_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import provider_pb2

from ..errors import MacieError, UnknownOutcomeError
from .wire import SECRET_SIG

Response = TypeVar("Response")


def to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def unwrap_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """Values with the engine's secret wrappers taken off: Configure sends secrets wrapped even to a
    plugin that does not accept them. (Messages never repeat the settings that may be secret.)"""
    return {
        key: value.get("value") if isinstance(value, dict) and value.get(SECRET_SIG[0]) == SECRET_SIG[1] else value
        for key, value in values.items()
    }


def wrap_secret(value: Any) -> dict[str, Any]:
    """``value`` marked as a secret, as the engine reads it from a provider's answer."""
    return {SECRET_SIG[0]: SECRET_SIG[1], "value": value}


def one_line(text: str) -> str:
    return " ".join(text.split())


def translated(method: Callable[..., Response]) -> Callable[..., Response]:
    """Answer the engine with one line for a failure: the provider's own message, never a traceback."""

    @functools.wraps(method)
    def handler(self: Any, request: Any, context: grpc.ServicerContext) -> Response:
        try:
            return method(self, request, context)
        except UnknownOutcomeError as error:
            # Partly made: the engine records the resource with this error, and refresh settles it.
            detail = any_pb2.Any()
            detail.Pack(
                provider_pb2.ErrorResourceInitFailed(
                    id=error.id,
                    properties=to_struct(error.outputs),
                    inputs=to_struct(error.inputs),
                    reasons=[one_line(str(error))],
                )
            )
            message = one_line(str(error))
            status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=message, details=[detail])
            # gRPC's rich error model: the status with its details travels in this trailer.
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
            context.abort(grpc.StatusCode.UNKNOWN, message)
            raise AssertionError("unreachable: abort raises") from None
        except MacieError as error:
            message, code = one_line(str(error)), grpc.StatusCode.UNKNOWN
        except Exception as error:  # noqa: BLE001 - a bug of ours still gets one clear line
            message = one_line(f"pulumi-resource-macie: unexpected {type(error).__name__}: {error}")
            code = grpc.StatusCode.INTERNAL
        context.abort(code, message)
        raise AssertionError("unreachable: abort raises")

    return handler
