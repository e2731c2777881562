"""The benchmark, load and reliability commands run, at a small scale, and report what they should."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .pulumi_harness import ROOT

pytestmark = pytest.mark.e2e


def run(script: str, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_load_command_reports_both_servers() -> None:
    """scripts/load.py drives macie-local and moto's server and prints throughput ratios."""
    result = run("load.py", "--clients", "2", "--requests", "40")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert sum(line.startswith(("macie-local ", "moto ")) for line in lines) == 4
    assert any(line.startswith("read: macie-local / moto throughput = ") for line in lines)


def test_load_script_starts_the_given_endpoint_and_reports_server_cpu(tmp_path: Path) -> None:
    """--macie-local's command is what serves the run, and every row carries the server's CPU per request."""
    marker = tmp_path / "started"
    command = f'sh -c \'touch {shlex.quote(str(marker))}; exec "$0" -m macie_local "$@"\' {sys.executable}'
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "load.py"),
            "--clients",
            "1",
            "--requests",
            "20",
            "--macie-local",
            command,
            "--json",
            str(tmp_path / "load.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert marker.exists()
    rows = json.loads((tmp_path / "load.json").read_text())["rows"]
    assert [(row["server"], row["action"]) for row in rows] == [
        ("macie-local", "read"),
        ("moto", "read"),
        ("macie-local", "write"),
        ("moto", "write"),
    ]
    assert all(isinstance(row["server_cpu_ms"], float) and row["server_cpu_ms"] >= 0 for row in rows)
    assert result.stdout.splitlines()[0].endswith("server CPU ms/req")


def test_endpoint_scale_command_reports_both_layers(tmp_path: Path) -> None:
    """scripts/endpoint_scale.py times each S3 action per size over HTTP and in the backend, and counts
    ceil(size/250) list calls for a full listing."""
    out = tmp_path / "scale.json"
    result = run("endpoint_scale.py", "--sizes", "750,1500", "--repeats", "2", "--batch", "10", "--json", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    assert [(row["size"], row["pages"]) for row in rows] == [(750, 3), (1500, 6)]
    for row in rows:
        for layer in ("http", "backend"):
            assert len(row[layer]) == 7 and all(ms > 0 for ms in row[layer].values())
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines if line.split()[1:2] in (["750"], ["1500"])] == [
        ["http", "750"],
        ["http", "1500"],
        ["backend", "750"],
        ["backend", "1500"],
    ]


def test_bench_command_writes_json_and_chart(tmp_path: Path) -> None:
    """scripts/bench.py times the four operations of both hosts against their floors, with API calls,
    CPU by process, peak memory, the checkpoint share and state sizes, and writes bench.json and
    bench.png."""
    result = run("bench.py", "--sizes", "2", "--repeats", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads((tmp_path / "bench.json").read_text())
    assert [(row["host"], row["op"]) for row in data["results"]] == [
        (host, op) for host in ("dynamic", "native") for op in ("up", "preview", "refresh", "destroy")
    ]
    for host_rows in (data["results"][:4], data["results"][4:]):
        # Per provider process: one list of the members (which tells the master's own ID from a new
        # member), one list per account of its S3 resources (what a create may not take over), and one
        # STS question for the master's ID (a memberAccountId is named).
        assert host_rows[0]["api_calls"] == {
            "AssociateMemberAccount": 2,
            "AssociateS3Resources": 2,
            "ListMemberAccounts": 1,
            "ListS3Resources": 2,
            "sts.GetCallerIdentity": 1,
        }
        assert host_rows[1]["api_calls"] == {}
        assert host_rows[3]["api_calls"] == {"DisassociateMemberAccount": 2, "DisassociateS3Resources": 2}
    assert "vs_dynamic_floor" in data["results"][4]
    for row in data["results"]:
        assert row["provider_ms_per_resource"] == pytest.approx(row["provider"] / 2 * 1000)
        # Where the time goes: the provider and the engine took CPU in every run, floors included.
        for key in ("cpu_s", "floor_cpu_s"):
            assert set(row[key]) == {"provider", "engine", "program", "endpoint"}
            assert row[key]["provider"] > 0 and row[key]["engine"] > 0, row
        # The share of checkpoint writing, from the same runs with PULUMI_SKIP_CHECKPOINTS (not preview).
        assert ("checkpoint_share" in row) == (row["op"] != "preview")
        assert 0 <= row.get("checkpoint_share", 0) < 1
        assert row["provider_peak_mib"] > 0, row
    assert set(data["state_bytes_per_resource"]["2"]) == {"dynamic", "dynamic-floor", "native", "native-floor"}
    assert set(data["overhead"]) == {"dynamic", "native"}
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reliability_command_small_scale() -> None:
    """scripts/reliability.py runs every check at a small scale and prints one line per check (the crash
    check once per state backend). What the recovery leaves is checked by tests/test_e2e_recovery.py."""
    result = run(
        "reliability.py",
        "--resources",
        "8",
        "--crash-trials",
        "2",
        "--crash-resources",
        "6",
        "--kill-trials",
        "2",
        "--fuzz-examples",
        "30",
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    checks = [line.split()[0] for line in lines if " PASS " in line or " FAIL " in line]
    assert checks == [
        "faults",
        "latency",
        "ownership/dynamic",
        "ownership/native",
        "crashes/file",
        "crashes/s3",
        "kill",
        "fuzz",
        "secrets",
        "isolation",
    ]
    assert lines[-1].startswith("10 passed, 0 failed")


def test_mock_scale_command_times_both_sdks_and_the_floor() -> None:
    """scripts/mock_scale.py prints a start-up row and a row per size for each SDK and the floor, and with
    --no-gc a row per size with the garbage collector off."""
    result = run("mock_scale.py", "--sizes", "10,20", "--no-gc")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [[line.split()[0], line.split()[1], line.endswith("no-gc")] for line in result.stdout.splitlines()[2:]]
    assert rows == [
        [sdk, count, off]
        for sdk in ("dynamic", "native", "floor")
        for count, off in (("0", False), ("10", False), ("20", False), ("10", True), ("20", True))
    ]
