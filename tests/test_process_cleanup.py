"""A killed `pulumi up` leaves none of this project's processes behind.

The engine starts each plugin in a process group of its own, so SIGKILL to the CLI's group reaches
only the CLI: the language host, the program it runs, the dynamic-provider server and the native
plugin must each see that their engine is gone and exit within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from macie_local.app import Faults
from macie_local.server import LocalEndpoint

from .e2e_support import both_hosts_stack
from .pulumi_harness import TOOLS_BIN, PulumiStack, process_kind, pulumi_binary, run_processes

pytestmark = pytest.mark.e2e

PROGRAM = """
import pulumi
import pulumi_macie_native as native
from pulumi_macie import MacieS3Resource

bucket = pulumi.Config().require("bucket")
for i in range(4):
    native.MacieS3Resource(f"native-{i}", bucket_name=bucket, prefix=f"native-{i}/")
    MacieS3Resource(f"dynamic-{i}", bucket_name=bucket, prefix=f"dynamic-{i}/")
"""

#: How long every process of the run has, after the CLI is killed, to be gone.
EXIT_WITHIN = 15.0


def wait_for(condition, limit: float, pause: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it answers something truthy (answered) or ``limit`` seconds pass (None)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        answer = condition()
        if answer:
            return answer
        time.sleep(pause)
    return None


def start_up(stack: PulumiStack, **output: Any) -> subprocess.Popen[Any]:
    """`pulumi up` of ``stack`` started in a process group of its own (signals go to the CLI alone)."""
    return subprocess.Popen(
        [pulumi_binary(), "up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.stack],
        cwd=stack.workdir,
        env=stack.env,
        start_new_session=True,
        **output,
    )


def test_sigkill_of_pulumi_up_leaves_no_process(tmp_path: Path) -> None:
    """SIGKILL to `pulumi up`'s process group mid-run: within seconds no language host, program,
    dynamic-provider server or native plugin of that run is left."""
    # Our language host and dynamic-provider shim are the ones scripts/setup.sh installs with a CLI built
    # from the Go module proxy; an official CLI brings Pulumi's own, which are not this project's.
    setup_toolchain = Path(pulumi_binary()).parent == TOOLS_BIN
    wanted = {"native plugin"} | ({"language host", "program", "dynamic provider"} if setup_toolchain else set())
    began = time.time()
    # Slow answers keep the run going while the processes are looked at.
    with LocalEndpoint(faults=Faults(latency_ms=1500)) as endpoint:
        stack, _ = both_hosts_stack(tmp_path, PROGRAM, endpoint)
        marker = str(tmp_path)
        cli = start_up(stack, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running: dict[int, str] = {}
        try:

            def all_started() -> dict[int, str] | None:
                found = run_processes(marker, since=began)
                return found if wanted <= {process_kind(command) for command in found.values()} else None

            running = wait_for(all_started, limit=120) or {}
            assert running, f"not every process of the run started: {run_processes(marker, since=began)}"
            assert cli.poll() is None, "the run ended before it could be killed"
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait(timeout=30)
            left = wait_for(lambda: not run_processes(marker, since=began), limit=EXIT_WITHIN)
            remaining = run_processes(marker, since=began)
            assert left and not remaining, f"still running {EXIT_WITHIN:.0f}s after the CLI was killed: " + "; ".join(
                f"{pid} {process_kind(command)}: {command[:160]}" for pid, command in remaining.items()
            )
        finally:
            if cli.poll() is None:
                os.killpg(cli.pid, signal.SIGKILL)
                cli.wait(timeout=30)
            for pid in run_processes(marker, since=began):  # what a failed assertion found: not left to run
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


CANCEL_PROGRAM = """
import pulumi
import pulumi_macie_native as native

bucket = pulumi.Config().require("bucket")
native.MacieS3Resource("ready", bucket_name=bucket, prefix="ready/")
# A literal member ID that no resource associates: the create waits for it to become a member.
native.MacieS3Resource("waiting", bucket_name=bucket, prefix="waiting/", member_account_id="444455556666")
"""


def test_ctrl_c_of_pulumi_up_ends_a_native_wait_within_seconds(tmp_path: Path) -> None:
    """One SIGINT to `pulumi up` while a native create waits for its member account (up to 2 minutes):
    the engine's Cancel ends the wait, the run ends within seconds, and the state records what was
    made and nothing of the create cut short, with no pending operation left."""
    with LocalEndpoint() as endpoint:
        stack, bucket = both_hosts_stack(tmp_path, CANCEL_PROGRAM, endpoint)
        cli = start_up(stack, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # The wait has begun once the create has been refused as "not a member" at least once.
            refused = wait_for(lambda: endpoint.macie.counters.get("AssociateS3Resources.400"), limit=60)
            if not refused:
                cli.kill()
                assert refused, f"{endpoint.macie.counters}\n{cli.communicate()[0][-3000:]}"
            time.sleep(1.0)
            assert cli.poll() is None, "the run ended before it could be interrupted"
            began = time.monotonic()
            os.killpg(cli.pid, signal.SIGINT)
            output, _ = cli.communicate(timeout=60)
            ended = time.monotonic() - began
        finally:
            if cli.poll() is None:
                os.killpg(cli.pid, signal.SIGKILL)
                cli.wait(timeout=30)
        assert cli.returncode != 0
        assert ended < 10, f"the run took {ended:.1f}s to end after Ctrl-C:\n{output[-2000:]}"
        deployment = stack.export()["deployment"]
        assert not deployment.get("pending_operations")
        ids = sorted(
            r.get("id", "") for r in deployment.get("resources", []) if r["type"] == "macie:index:MacieS3Resource"
        )
        assert ids == [f"{bucket}/ready/"]
        assert endpoint.macie.counters.get("AssociateS3Resources.200") == 1
        stack.destroy()
