"""Ending a plugin once the Pulumi engine that started it no longer answers its health check.

The engine starts each plugin (a resource provider, a language host) in a process group of its own
and passes it the engine's address; a killed CLI sends the plugin nothing, and left alone the plugin
would serve a dead engine forever. The engine serves gRPC's standard health service
(``grpc.health.v1.Health``) on that address, and Pulumi's own plugins ask it at intervals
(``rpcutil.Healthcheck`` in the Go SDK): any failure other than ``UNIMPLEMENTED`` means the engine
is gone. This module asks the same question from a daemon thread, through grpc's public API (the
request is empty; only whether the engine answers matters), and ends the process when it fails.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import grpc

#: Seconds between two checks. A check costs one local call; a killed engine's port refuses at once.
INTERVAL = 1.0
#: How long one check may wait for a busy engine before that counts as gone.
CHECK_TIMEOUT = 30.0
HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def engine_answers(channel: grpc.Channel, timeout: float = CHECK_TIMEOUT) -> bool:
    """Whether the engine behind ``channel`` answers a health check (``UNIMPLEMENTED`` counts: it answered)."""
    check: grpc.UnaryUnaryMultiCallable[None, bytes] = channel.unary_unary(
        HEALTH_CHECK, request_serializer=lambda _: b"", response_deserializer=bytes
    )
    try:
        check(None, timeout=timeout)
    except grpc.RpcError as error:
        return error.code() == grpc.StatusCode.UNIMPLEMENTED
    return True


def exit_with_engine(
    address: str | None,
    cleanup: Callable[[], None] | None = None,
    interval: float = INTERVAL,
) -> threading.Thread | None:
    """From a daemon thread, check the engine at ``address`` every ``interval`` seconds; once it does
    not answer, run ``cleanup`` and end the process. Without an address (a plugin started by hand) the
    process runs until it is stopped."""
    if not address:
        return None

    def watch() -> None:
        with grpc.insecure_channel(address) as channel:
            while True:
                time.sleep(interval)
                if not engine_answers(channel):
                    break
        try:
            if cleanup is not None:
                cleanup()
        finally:
            os._exit(0)

    thread = threading.Thread(target=watch, name="engine-health", daemon=True)
    thread.start()
    return thread
