"""Load macie-local and, in the same run, moto's own server with comparable JSON calls.

    python scripts/load.py [--clients 4] [--requests 400] [--json FILE] [--macie-local COMMAND]

Each server runs in its own process on 127.0.0.1; each client is its own process with a boto3 client
(keep-alive, no retries). Per server and action it prints requests/s and p50/p99 latency, then the
ratio of macie-local's throughput to moto's. ``--macie-local`` starts another build of the endpoint
(for instance ``"python -m macie_local"`` with another ``PYTHONPATH``), to compare two versions of it.
The pairs compared:

    read:  Macie Classic ListMemberAccounts   vs  moto macie2 ListMembers
    write: Macie Classic AssociateMemberAccount vs  moto macie2 CreateInvitations (one account each)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

CREDS = {
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"load: nothing listening on 127.0.0.1:{port}")


def client(kind: str, url: str) -> Any:
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=2)
    if kind == "macie-local":
        from pulumi_macie_provider.client import ClientSettings, make_client

        return make_client(ClientSettings(region="us-east-1", endpoint_url=url, max_attempts=1), credentials=CREDS)
    import boto3

    return boto3.client("macie2", region_name="us-east-1", endpoint_url=url, config=config, **CREDS)


def call(kind: str, action: str, api: Any, worker: int, i: int) -> None:
    account = f"{worker + 1:02d}{i:010d}"
    if kind == "macie-local":
        if action == "read":
            api.list_member_accounts(maxResults=10)
        else:
            api.associate_member_account(memberAccountId=account)
    elif action == "read":
        api.list_members(maxResults=10)
    else:
        api.create_invitations(accountIds=[account])


def worker_main(kind: str, url: str, action: str, worker: int, count: int, start_at: float, out: Any) -> None:
    api = client(kind, url)
    call(kind, "read", api, worker, 0)  # warm the connection and the client
    latencies = []
    while time.time() < start_at:
        time.sleep(0.001)
    for i in range(count):
        began = time.perf_counter()
        call(kind, action, api, worker, i + worker * 0)
        latencies.append(time.perf_counter() - began)
    out.put(latencies)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far; None where /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(kind: str, url: str, action: str, clients: int, requests: int, pid: int) -> dict[str, Any]:
    cpu_before = cpu_seconds(pid)
    queue: Any = multiprocessing.Queue()
    per_client = requests // clients
    start_at = time.time() + 2.0
    processes = [
        multiprocessing.Process(target=worker_main, args=(kind, url, action, w, per_client, start_at, queue))
        for w in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    ended = time.time()
    cpu_after = cpu_seconds(pid)
    latencies = sorted(x for result in results for x in result)
    wall = max(ended - start_at, 1e-9)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "server": kind,
        "action": action,
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        # The server's CPU per request (its warm-up requests included): what contention cannot inflate.
        "server_cpu_ms": None if cpu is None else cpu * 1000 / max(len(latencies), 1),
    }


def start_servers(tmp: str, command: list[str]) -> tuple[dict[str, str], dict[str, subprocess.Popen[bytes]]]:
    macie_port, moto_port = free_port(), free_port()
    macie = subprocess.Popen(
        [
            *command,
            "--port",
            str(macie_port),
            "--quiet",
            "--state",
            os.path.join(tmp, "load.sqlite3"),
            "--max-members",
            "1000000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    moto = subprocess.Popen(
        [os.path.join(BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(macie_port)
    wait_port(moto_port)
    urls = {"macie-local": f"http://127.0.0.1:{macie_port}", "moto": f"http://127.0.0.1:{moto_port}"}
    return urls, {"macie-local": macie, "moto": moto}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="requests per server and action")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument(
        "--macie-local",
        default=os.path.join(BIN, "macie-local"),
        help="the command that starts the endpoint (default: this environment's macie-local)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        urls, processes = start_servers(tmp, shlex.split(args.macie_local))
        try:
            client("moto", urls["moto"]).enable_macie()
            rows = []
            for action in ("read", "write"):
                for kind in ("macie-local", "moto"):  # interleaved: same machine state for both
                    rows.append(run_phase(kind, urls[kind], action, args.clients, args.requests, processes[kind].pid))
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(timeout=30)
    print(
        f"{'server':<12} {'action':<6} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'server CPU ms/req':>17}"
    )
    for row in rows:
        cpu = "-" if row["server_cpu_ms"] is None else f"{row['server_cpu_ms']:.2f}"
        print(
            f"{row['server']:<12} {row['action']:<6} {row['clients']:>7} {row['requests']:>8} "
            f"{row['rps']:>8.0f} {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {cpu:>17}"
        )
    ratios = {}
    for action in ("read", "write"):
        ours = next(r for r in rows if r["server"] == "macie-local" and r["action"] == action)
        theirs = next(r for r in rows if r["server"] == "moto" and r["action"] == action)
        ratios[action] = ours["rps"] / theirs["rps"]
        print(f"{action}: macie-local / moto throughput = {ratios[action]:.2f}x", end="")
        if ours["server_cpu_ms"] and theirs["server_cpu_ms"]:
            print(
                f"; server CPU per request, moto / macie-local = {theirs['server_cpu_ms'] / ours['server_cpu_ms']:.2f}x"
            )
        else:
            print()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"rows": rows, "ratios": ratios}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
