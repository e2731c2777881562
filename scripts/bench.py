"""Benchmark the provider against the engine floor with the real Pulumi CLI and macie-local.

    python scripts/bench.py [--sizes 10,100,500] [--repeats 3] [--out .tools/bench]

For each N it builds two programs of the same shape — N MacieS3Resources spread over the master and
two MacieMemberAccounts — one with this provider, one with a no-op dynamic provider (the floor: what
the engine and the dynamic-provider machinery cost by themselves). Interleaving the two, it times
`up`, a no-change `preview`, `refresh` and `destroy`, and reports per operation and N: the median
wall time of each, the ratio provider/floor, the Macie API calls by action (counted by the endpoint)
and the peak memory (VmHWM) of the provider process. It also measures the provider process's
start-up and its per-call overhead over gRPC. Results go to bench.json and bench.png in --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pulumi_macie_provider.local.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LocalEndpoint, create_bucket

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("up", "preview", "refresh", "destroy")
COMMANDS = {
    "up": ["up", "--yes", "--skip-preview"],
    "preview": ["preview", "--expect-no-changes"],
    "refresh": ["refresh", "--yes", "--skip-preview"],
    "destroy": ["destroy", "--yes", "--skip-preview"],
}

PROGRAM = '''
import pulumi
{imports}

config = pulumi.Config()
n = int(config.require("n"))
bucket = config.require("bucket")
members = [{member}(f"member-{{i}}", member_account_id=f"{{500000000000 + i}}") for i in range(2)]
for i in range(n):
    owner = members[i % 2].member_account_id if i % 3 else None
    {s3}(f"res-{{i}}", bucket_name=bucket, prefix=f"p{{i:05d}}/", member_account_id=owner)
'''

PROVIDER_IMPORTS = "from pulumi_macie import MacieMemberAccount, MacieS3Resource"

FLOOR_MODULE = '''
"""A no-op dynamic provider with the same resource shape: the floor the engine sets."""

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider


class Noop(ResourceProvider):
    def create(self, props):
        outs = {k: v for k, v in props.items() if not k.startswith("__")}
        return CreateResult(id_=outs.get("bucketName", "") + "/" + (outs.get("prefix") or "")
                            if "bucketName" in outs else outs["memberAccountId"], outs=outs)

    def diff(self, _id, olds, news):
        keys = set(olds) | set(news)
        return DiffResult(changes=any(olds.get(k) != news.get(k) for k in keys if not k.startswith("__")))

    def read(self, id_, props):
        return ReadResult(id_, props)

    def delete(self, _id, _props):
        pass


class NoopMember(Resource):
    def __init__(self, name, member_account_id):
        super().__init__(Noop(), name, {"memberAccountId": member_account_id})
        self.member_account_id = pulumi.Output.from_input(member_account_id)


class NoopS3(Resource):
    def __init__(self, name, bucket_name, prefix=None, member_account_id=None):
        super().__init__(Noop(), name, {"bucketName": bucket_name, "prefix": prefix,
                                        "memberAccountId": member_account_id,
                                        "classificationType": {"oneTime": "NONE", "continuous": "FULL"}})
'''


class PeakMemory:
    """Samples the peak RSS (VmHWM) of dynamic-provider processes while an operation runs."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        if b"pulumi.dynamic" not in handle.read():
                            continue
                    with open(f"/proc/{pid}/status") as handle:
                        for line in handle:
                            if line.startswith("VmHWM:"):
                                self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except OSError:
                    continue
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Stack:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env

    def run(self, *args: str) -> None:
        result = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=self.workdir, env=self.env,
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            raise SystemExit(f"bench: pulumi {' '.join(args)} failed in {self.workdir}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def make_stack(base: Path, variant: str, n: int, bucket: str, endpoint_url: str) -> Stack:
    workdir = base / f"{variant}-{n}"
    workdir.mkdir(parents=True)
    (workdir / "Pulumi.yaml").write_text(
        f"name: bench-{variant}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {sys.prefix}\n")
    if variant == "provider":
        source = PROGRAM.format(imports=PROVIDER_IMPORTS, member="MacieMemberAccount", s3="MacieS3Resource")
    else:
        (workdir / "noop_provider.py").write_text(FLOOR_MODULE)
        source = PROGRAM.format(imports="from noop_provider import NoopMember, NoopS3", member="NoopMember",
                                s3="NoopS3")
    (workdir / "__main__.py").write_text(source)
    env = dict(os.environ,
               PULUMI_BACKEND_URL=(base / "backend").as_uri(), PULUMI_CONFIG_PASSPHRASE="bench",
               AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_KEY,
               AWS_REGION="us-east-1", PYTHONPATH=str(workdir))
    stack = Stack(workdir, env)
    stack.run("stack", "init", f"{variant}-{n}")
    for key, value in (("n", str(n)), ("bucket", bucket), ("macie:endpointUrl", endpoint_url)):
        stack.run("config", "set", key, value)
    return stack


def api_calls(endpoint: LocalEndpoint) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key, count in endpoint.macie.counters.items():
        if not key.startswith("fault."):
            action = key.rsplit(".", 1)[0]
            totals[action] = totals.get(action, 0) + count
    return totals


def startup_and_call_overhead(endpoint_url: str, calls: int = 200) -> dict[str, float]:
    """Seconds from spawning `python -m pulumi.dynamic` to its port; then the mean gRPC Check time."""
    import grpc
    from google.protobuf import json_format, struct_pb2
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    from pulumi_macie_provider.resources.s3_resource import MacieS3ResourceProvider

    starts = []
    per_call = []
    news = json_format.ParseDict({"bucketName": "b", "prefix": "p/", "__provider":
                                  serialize_provider(MacieS3ResourceProvider())}, struct_pb2.Struct())
    for _ in range(3):
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        port = int(process.stdout.readline())
        starts.append(time.perf_counter() - began)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=json_format.ParseDict(
                {"macie:endpointUrl": endpoint_url}, struct_pb2.Struct())))
            first = time.perf_counter()
            stub.Check(provider_pb2.CheckRequest(urn="urn:x", olds=struct_pb2.Struct(), news=news))
            first_call = time.perf_counter() - first
            began = time.perf_counter()
            for _ in range(calls):
                stub.Check(provider_pb2.CheckRequest(urn="urn:x", olds=struct_pb2.Struct(), news=news))
            per_call.append((time.perf_counter() - began) / calls)
        process.kill()
        process.communicate()
    return {"startup_s": statistics.median(starts), "first_check_s": first_call,
            "check_call_ms": statistics.median(per_call) * 1000}


def chart(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(OPERATIONS), figsize=(16, 4))
    sizes = sorted({r["n"] for r in results})
    for axis, op in zip(axes, OPERATIONS):
        for variant, style in (("provider", "o-"), ("floor", "s--")):
            times = [next(r[variant] for r in results if r["n"] == n and r["op"] == op) for n in sizes]
            axis.plot(sizes, times, style, label=variant)
        axis.set_title(f"pulumi {op}")
        axis.set_xlabel("MacieS3Resources (N)")
        axis.set_ylabel("median wall time (s)")
        axis.grid(True, alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / ".tools" / "bench"))
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    out = Path(args.out)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "backend").mkdir(parents=True)
    results: list[dict[str, Any]] = []
    with LocalEndpoint(state=":memory:") as endpoint:
        overhead = startup_and_call_overhead(endpoint.url)
        for n in sizes:
            bucket = f"bench-bucket-{n}"
            create_bucket(bucket)
            stacks = {v: make_stack(work, v, n, bucket, endpoint.url) for v in ("provider", "floor")}
            times: dict[tuple[str, str], list[float]] = {}
            calls: dict[str, dict[str, int]] = {}
            peaks: dict[str, int] = {}
            for _ in range(args.repeats):
                for variant in ("provider", "floor"):
                    for op in OPERATIONS:
                        before = api_calls(endpoint)
                        with PeakMemory() as memory:
                            began = time.perf_counter()
                            stacks[variant].run(*COMMANDS[op])
                            elapsed = time.perf_counter() - began
                        times.setdefault((variant, op), []).append(elapsed)
                        if variant == "provider":
                            after = api_calls(endpoint)
                            calls[op] = {a: after.get(a, 0) - before.get(a, 0) for a in after
                                         if after.get(a, 0) != before.get(a, 0)}
                            peaks[op] = max(peaks.get(op, 0), memory.peak_kib)
            for op in OPERATIONS:
                provider = statistics.median(times[("provider", op)])
                floor = statistics.median(times[("floor", op)])
                results.append({"n": n, "op": op, "provider": provider, "floor": floor,
                                "ratio": provider / floor, "api_calls": calls.get(op, {}),
                                "provider_peak_mib": round(peaks.get(op, 0) / 1024, 1)})
    print(f"provider process: start-up {overhead['startup_s']:.2f}s, first Check {overhead['first_check_s'] * 1000:.1f}ms, "
          f"then {overhead['check_call_ms']:.2f}ms per Check call")
    print(f"{'N':>5} {'op':<8} {'provider s':>10} {'floor s':>8} {'ratio':>6} {'peak MiB':>8}  API calls")
    for row in results:
        calls_text = ", ".join(f"{k} {v}" for k, v in sorted(row["api_calls"].items())) or "none"
        print(f"{row['n']:>5} {row['op']:<8} {row['provider']:>10.2f} {row['floor']:>8.2f} {row['ratio']:>6.2f} "
              f"{row['provider_peak_mib']:>8.1f}  {calls_text}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps({"overhead": overhead, "repeats": args.repeats,
                                                "results": results}, indent=2))
    chart(results, out / "bench.png")
    print(f"wrote {out / 'bench.json'} and {out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
