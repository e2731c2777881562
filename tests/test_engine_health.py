"""A plugin ends once its engine stops answering the health check, and not before."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from concurrent import futures
from pathlib import Path

import grpc

from pulumi_macie_provider.hosts.engine_health import engine_answers


def _engine() -> tuple[grpc.Server, str]:
    """A gRPC server on 127.0.0.1 with no services: a health check is answered UNIMPLEMENTED."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


def test_an_engine_that_answers_even_unimplemented_is_there() -> None:
    server, address = _engine()
    try:
        with grpc.insecure_channel(address) as channel:
            assert engine_answers(channel, timeout=5)
    finally:
        server.stop(None)


def test_an_engine_that_is_gone_does_not_answer() -> None:
    server, address = _engine()
    server.stop(None).wait()
    with grpc.insecure_channel(address) as channel:
        assert not engine_answers(channel, timeout=5)


def test_the_plugin_runs_while_the_engine_answers_and_ends_with_cleanup_once_it_is_gone(tmp_path: Path) -> None:
    server, address = _engine()
    marker = tmp_path / "cleaned"
    plugin = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import time
                from pulumi_macie_provider.hosts.engine_health import exit_with_engine
                exit_with_engine({address!r}, lambda: open({str(marker)!r}, "w").close(), interval=0.1)
                time.sleep(120)
            """),
        ]
    )
    try:
        time.sleep(1.5)
        assert plugin.poll() is None, "the plugin ended while its engine answered"
        server.stop(None).wait()
        assert plugin.wait(timeout=20) == 0
        assert marker.exists(), "the clean-up did not run"
    finally:
        if plugin.poll() is None:
            plugin.kill()
            plugin.wait()
        server.stop(None)


def test_a_plugin_started_without_an_engine_address_is_not_watched() -> None:
    from pulumi_macie_provider.hosts.engine_health import exit_with_engine

    assert exit_with_engine(None) is None and exit_with_engine("") is None
