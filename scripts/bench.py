"""Benchmark both hosts against their floors with the real Pulumi CLI and macie-local, in one run.

    python scripts/bench.py [--sizes 10,100,500] [--repeats 3] [--out .tools/bench]

For each N it builds four Python programs of the same shape — N MacieS3Resources spread over the
master and two MacieMemberAccounts:

- ``dynamic``:       this provider's dynamic resources (``pulumi_macie``);
- ``dynamic-floor``: a no-op dynamic provider of the same shape (the engine and the dynamic-provider
                     machinery by themselves);
- ``native``:        this provider's native plugin (``macie:index:*``, installed from its tarball);
- ``native-floor``:  a no-op native plugin on the same host (``scripts/bench_native_floor.py``).

Interleaving the four, it times ``up``, a no-change ``preview``, ``refresh`` and ``destroy``, and
reports per N and operation the median wall time of each, each host's ratio to its own floor, the
native host's ``up`` against the dynamic floor, the Macie API calls by action (counted by the
endpoint), the provider processes' peak memory (VmHWM), the CPU seconds of the provider, the
endpoint, the engine and the program (where the time goes), and the state's bytes per resource after
``up``. It also measures each host's process start-up and per-call gRPC overhead.

The engine rewrites the whole checkpoint after every step, so its own cost per resource grows with N.
To show how much of a run that is, each host's provider also runs ``up``, ``refresh`` and ``destroy``
once more per repeat with ``PULUMI_SKIP_CHECKPOINTS=true`` (a measurement only: a stack run so keeps
no record of a run that is cut short), and the share of the time that goes away is reported.
Results go to bench.json and bench.png (time per resource, peak memory, checkpoint share) in --out.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_native_floor import PACKAGE as FLOOR_PACKAGE  # noqa: E402
from bench_native_floor import VERSION as FLOOR_VERSION  # noqa: E402

from macie_local.server import (  # noqa: E402
    DEFAULT_ACCESS_KEY,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
    create_bucket,
)
from pulumi_macie_provider import __version__  # noqa: E402
from pulumi_macie_provider.hosts.plugin import package, write_tarball  # noqa: E402

OPERATIONS = ("up", "preview", "refresh", "destroy")
COMMANDS = {
    "up": ["up", "--yes", "--skip-preview"],
    "preview": ["preview", "--expect-no-changes"],
    "refresh": ["refresh", "--yes", "--skip-preview"],
    "destroy": ["destroy", "--yes", "--skip-preview"],
}
HOSTS = ("dynamic", "native")

PROGRAM = """
import pulumi
{imports}

config = pulumi.Config()
n = int(config.require("n"))
bucket = config.require("bucket")
members = [{member}(f"member-{{i}}", member_account_id=f"{{500000000000 + i}}") for i in range(2)]
for i in range(n):
    owner = members[i % 2].member_account_id if i % 3 else None
    {s3}(f"res-{{i}}", bucket_name=bucket, prefix=f"p{{i:05d}}/", member_account_id=owner)
"""

DYNAMIC_FLOOR_MODULE = '''
"""A no-op dynamic provider with the same resource shape: the floor the engine sets.

Registered as pulumi.dynamic.Resource registers, with the provider serialised once, as the project's
dynamic SDK does (Pulumi's serialize_provider, called per resource, fails past about 970 resources).
"""

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

_SERIALIZED = []


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


def _register(resource, name, props):
    if not _SERIALIZED:
        _SERIALIZED.append(serialize_provider(Noop()))
    props["__provider"] = pulumi.Output.secret(_SERIALIZED[0])
    pulumi.CustomResource.__init__(resource, "pulumi-python:dynamic:Resource", name, props)


class NoopMember(pulumi.CustomResource):
    def __init__(self, name, member_account_id):
        _register(self, name, {"memberAccountId": member_account_id})
        self.member_account_id = pulumi.Output.from_input(member_account_id)


class NoopS3(pulumi.CustomResource):
    def __init__(self, name, bucket_name, prefix=None, member_account_id=None):
        _register(self, name, {"bucketName": bucket_name, "prefix": prefix,
                               "memberAccountId": member_account_id,
                               "classificationType": {"oneTime": "NONE", "continuous": "FULL"}})
'''

NATIVE_MODULE = '''
"""The native plugin's resources registered by type token (package {package!r})."""

import pulumi


class Member(pulumi.CustomResource):
    def __init__(self, name, member_account_id):
        super().__init__("{package}:index:MacieMemberAccount", name, {{"memberAccountId": member_account_id}})
        self.member_account_id = self.id


class S3(pulumi.CustomResource):
    def __init__(self, name, bucket_name, prefix=None, member_account_id=None):
        super().__init__("{package}:index:MacieS3Resource", name,
                         {{"bucketName": bucket_name, "prefix": prefix, "memberAccountId": member_account_id}})
'''


@dataclass(frozen=True)
class Variant:
    name: str
    host: str
    floor: bool
    markers: tuple[bytes, ...]  # one of them is in the provider process's command line
    skip_checkpoints: bool = False

    @property
    def program(self) -> str:
        """The program it runs: a checkpoint-skipping variant runs its host's provider."""
        return self.host if self.skip_checkpoints else self.name


# The dynamic provider process: Pulumi's own (python -m pulumi.dynamic) or the project's host script.
DYNAMIC_MARKERS = (b"pulumi.dynamic", b"pulumi_dynamic_provider")
NATIVE_MARKERS = (b"pulumi_macie_provider.hosts.native",)
VARIANTS = (
    Variant("dynamic", "dynamic", False, DYNAMIC_MARKERS),
    Variant("dynamic-floor", "dynamic", True, DYNAMIC_MARKERS),
    Variant("native", "native", False, NATIVE_MARKERS),
    Variant("native-floor", "native", True, (b"bench_native_floor",)),
    Variant("dynamic-skip", "dynamic", False, DYNAMIC_MARKERS, skip_checkpoints=True),
    Variant("native-skip", "native", False, NATIVE_MARKERS, skip_checkpoints=True),
)
SKIP_OPERATIONS = ("up", "refresh", "destroy")  # a preview writes no checkpoint


class Processes:
    """Samples, every 50 ms, the processes of a run by kind: the provider (a command line with one of
    ``markers``), the engine (``pulumi``) and the program (the Python language host and the program it
    runs). Keeps the provider's peak RSS (VmHWM) and each kind's CPU seconds (utime + stime, as last
    sampled: a process's last 50 ms may be missed)."""

    KINDS = ("provider", "engine", "program")

    def __init__(self, markers: tuple[bytes, ...]) -> None:
        self.markers = markers
        self.peak_kib = 0
        self._ticks: dict[tuple[str, str], int] = {}  # (kind, pid) -> CPU ticks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def kind(self, command: bytes) -> str | None:
        if any(marker in command for marker in self.markers):
            return "provider"
        program = os.path.basename(command.split(b"\0", 1)[0])
        if program == b"pulumi":
            return "engine"
        if b"pulumi-language-python" in command:
            return "program"
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        kind = self.kind(handle.read())
                    if kind is None:
                        continue
                    with open(f"/proc/{pid}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                    self._ticks[(kind, pid)] = int(fields[11]) + int(fields[12])
                    if kind == "provider":
                        with open(f"/proc/{pid}/status") as handle:
                            for line in handle:
                                if line.startswith("VmHWM:"):
                                    self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except (OSError, IndexError, ValueError):
                    continue
            self._stop.wait(0.05)

    def cpu_seconds(self) -> dict[str, float]:
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        return {
            kind: sum(t for (k, _), t in self._ticks.items() if k == kind) / ticks_per_second for kind in self.KINDS
        }

    def __enter__(self) -> Processes:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Stack:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if result.returncode != 0:
            raise SystemExit(
                f"bench: pulumi {' '.join(args)} failed in {self.workdir}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def state_bytes_per_resource(self) -> float:
        deployment = json.loads(self.run("stack", "export"))["deployment"]
        resources = [
            r
            for r in deployment.get("resources", [])
            if r.get("custom") and not r["type"].startswith("pulumi:providers:")
        ]
        return len(json.dumps(deployment, indent=4)) / max(len(resources), 1)


def install_plugins(work: Path, env: dict[str, str]) -> None:
    """The native plugin and the native floor, installed from tarballs into the bench's PULUMI_HOME."""
    plugin = package(str(work / "plugins"))
    floor_script = f'#!/bin/sh\nexec {sys.executable} -P {ROOT / "scripts" / "bench_native_floor.py"} "$@"\n'
    floor = write_tarball(
        str(work / "plugins" / f"pulumi-resource-{FLOOR_PACKAGE}.tar.gz"),
        f"pulumi-resource-{FLOOR_PACKAGE}",
        floor_script,
    )
    for name, version, tarball in (("macie", __version__, plugin), (FLOOR_PACKAGE, FLOOR_VERSION, floor)):
        subprocess.run(
            ["pulumi", "plugin", "install", "resource", name, version, "--file", tarball, "--reinstall"],
            env=env,
            check=True,
            capture_output=True,
        )


def make_stack(base: Path, variant: Variant, n: int, bucket: str, endpoint_url: str, env: dict[str, str]) -> Stack:
    workdir = base / f"{variant.name}-{n}"
    workdir.mkdir(parents=True)
    (workdir / "Pulumi.yaml").write_text(
        f"name: bench-{variant.name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {sys.prefix}\n"
    )
    if variant.program == "dynamic":
        source = PROGRAM.format(
            imports="from pulumi_macie import MacieMemberAccount, MacieS3Resource",
            member="MacieMemberAccount",
            s3="MacieS3Resource",
        )
    elif variant.program == "dynamic-floor":
        (workdir / "noop_provider.py").write_text(DYNAMIC_FLOOR_MODULE)
        source = PROGRAM.format(
            imports="from noop_provider import NoopMember, NoopS3", member="NoopMember", s3="NoopS3"
        )
    else:
        package_name = FLOOR_PACKAGE if variant.floor else "macie"
        (workdir / "native_resources.py").write_text(NATIVE_MODULE.format(package=package_name))
        source = PROGRAM.format(imports="from native_resources import Member, S3", member="Member", s3="S3")
    (workdir / "__main__.py").write_text(source)
    stack_env = dict(env, PYTHONPATH=str(workdir))
    if variant.skip_checkpoints:
        stack_env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    stack = Stack(workdir, stack_env)
    stack.run("stack", "init", f"{variant.name}-{n}")
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


def startup_and_call_overhead(host: str, endpoint_url: str, calls: int = 200) -> dict[str, float]:
    """Seconds from spawning a host's process to its port; its first and then mean gRPC Check time."""
    import grpc
    from google.protobuf import json_format, struct_pb2
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    from pulumi_macie_provider.dynamic_entry import MacieS3ResourceProvider

    if host == "dynamic":
        command = [sys.executable, "-u", "-m", "pulumi.dynamic"]
        urn = "urn:pulumi:b::p::pulumi-python:dynamic:Resource::r"
        values = {"bucketName": "b", "prefix": "p/", "__provider": serialize_provider(MacieS3ResourceProvider())}
        config = {"macie:endpointUrl": endpoint_url}
    else:
        command = [sys.executable, "-P", "-m", "pulumi_macie_provider.hosts.native"]
        urn = "urn:pulumi:b::p::macie:index:MacieS3Resource::r"
        values = {"bucketName": "b", "prefix": "p/"}
        config = {"endpointUrl": endpoint_url, "region": "us-east-1"}
    news = json_format.ParseDict(values, struct_pb2.Struct())
    starts, firsts, per_call = [], [], []
    for _ in range(3):
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        port = int(process.stdout.readline())
        starts.append(time.perf_counter() - began)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=json_format.ParseDict(config, struct_pb2.Struct())))
            first = time.perf_counter()
            stub.Check(provider_pb2.CheckRequest(urn=urn, olds=struct_pb2.Struct(), news=news))
            firsts.append(time.perf_counter() - first)
            began = time.perf_counter()
            for _ in range(calls):
                stub.Check(provider_pb2.CheckRequest(urn=urn, olds=struct_pb2.Struct(), news=news))
            per_call.append((time.perf_counter() - began) / calls)
        process.kill()
        process.communicate()
    return {
        "startup_s": statistics.median(starts),
        "first_check_s": statistics.median(firsts),
        "check_call_ms": statistics.median(per_call) * 1000,
    }


def chart(results: list[dict[str, Any]], path: Path) -> None:
    """Time per resource for each operation, the providers' peak memory and the checkpoint share, by N."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, grid = plt.subplots(2, 3, figsize=(16, 9))
    axes = list(grid.flat)
    sizes = sorted({r["n"] for r in results})

    def row(n: int, host: str, op: str) -> dict[str, Any]:
        return next(r for r in results if r["n"] == n and r["op"] == op and r["host"] == host)

    styles = {"dynamic": "o-", "dynamic-floor": "o--", "native": "s-", "native-floor": "s--"}
    for axis, op in zip(axes, OPERATIONS, strict=False):
        for variant, style in styles.items():
            host, _, floor = variant.partition("-")
            key = "floor_ms_per_resource" if floor else "provider_ms_per_resource"
            axis.plot(sizes, [row(n, host, op)[key] for n in sizes], style, label=variant)
        axis.set_title(f"pulumi {op}: time per resource")
        axis.set_ylabel("ms per resource (median)")
    memory, share = axes[4], axes[5]
    for host, style in (("dynamic", "o-"), ("native", "s-")):
        peaks = [max(row(n, host, op)["provider_peak_mib"] for op in OPERATIONS) for n in sizes]
        memory.plot(sizes, peaks, style, label=f"{host} provider")
        for op, dash in zip(SKIP_OPERATIONS, ("-", "--", ":"), strict=True):
            share.plot(
                sizes,
                [row(n, host, op)["checkpoint_share"] * 100 for n in sizes],
                style[0] + dash,
                label=f"{host} {op}",
            )
    memory.set_title("provider process peak memory (VmHWM)")
    memory.set_ylabel("MiB")
    share.set_title("share of the run spent writing checkpoints")
    share.set_ylabel("% of wall time (PULUMI_SKIP_CHECKPOINTS)")
    for axis in axes:
        axis.set_xlabel("MacieS3Resources (N)")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize="small")
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
    env = dict(
        os.environ,
        PULUMI_BACKEND_URL=(work / "backend").as_uri(),
        PULUMI_CONFIG_PASSPHRASE="bench",
        PULUMI_HOME=str(work / "pulumi-home"),
        AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_KEY,
        AWS_REGION="us-east-1",
    )
    install_plugins(work, env)
    results: list[dict[str, Any]] = []
    state_bytes: dict[int, dict[str, float]] = {}
    with LocalEndpoint(state=":memory:") as endpoint:
        overhead = {host: startup_and_call_overhead(host, endpoint.url) for host in HOSTS}
        for n in sizes:
            bucket = f"bench-bucket-{n}"
            create_bucket(bucket)
            stacks = {v.name: make_stack(work, v, n, bucket, endpoint.url, env) for v in VARIANTS}
            times: dict[tuple[str, str], list[float]] = {}
            calls: dict[tuple[str, str], dict[str, int]] = {}
            peaks: dict[tuple[str, str], int] = {}
            cpu: dict[tuple[str, str], list[dict[str, float]]] = {}
            for _ in range(args.repeats):
                for variant in VARIANTS:
                    for op in SKIP_OPERATIONS if variant.skip_checkpoints else OPERATIONS:
                        before = api_calls(endpoint)
                        with Processes(variant.markers) as processes:
                            began, cpu_began = time.perf_counter(), time.process_time()
                            stacks[variant.name].run(*COMMANDS[op])
                            elapsed = time.perf_counter() - began
                            endpoint_cpu = time.process_time() - cpu_began
                        times.setdefault((variant.name, op), []).append(elapsed)
                        cpu.setdefault((variant.name, op), []).append(
                            {**processes.cpu_seconds(), "endpoint": endpoint_cpu}
                        )
                        if op == "up" and not variant.skip_checkpoints:
                            state_bytes.setdefault(n, {})[variant.name] = stacks[
                                variant.name
                            ].state_bytes_per_resource()
                        if not variant.floor and not variant.skip_checkpoints:
                            after = api_calls(endpoint)
                            calls[(variant.host, op)] = {
                                a: after.get(a, 0) - before.get(a, 0)
                                for a in after
                                if after.get(a, 0) != before.get(a, 0)
                            }
                            peaks[(variant.host, op)] = max(peaks.get((variant.host, op), 0), processes.peak_kib)
            for host in HOSTS:
                for op in OPERATIONS:
                    provider = statistics.median(times[(host, op)])
                    floor = statistics.median(times[(f"{host}-floor", op)])
                    row = {
                        "n": n,
                        "host": host,
                        "op": op,
                        "provider": provider,
                        "floor": floor,
                        "ratio": provider / floor,
                        "provider_ms_per_resource": provider / n * 1000,
                        "floor_ms_per_resource": floor / n * 1000,
                        "api_calls": calls.get((host, op), {}),
                        "provider_peak_mib": round(peaks.get((host, op), 0) / 1024, 1),
                    }
                    for key, variant_name in (("cpu_s", host), ("floor_cpu_s", f"{host}-floor")):
                        samples = cpu[(variant_name, op)]
                        row[key] = {kind: statistics.median(c[kind] for c in samples) for kind in samples[0]}
                    if op in SKIP_OPERATIONS:
                        skipped = statistics.median(times[(f"{host}-skip", op)])
                        row["skip_checkpoints"] = skipped
                        row["checkpoint_share"] = max(0.0, 1 - skipped / provider)
                    if host == "native":
                        row["vs_dynamic_floor"] = provider / statistics.median(times[("dynamic-floor", op)])
                    results.append(row)
    for host in HOSTS:
        o = overhead[host]
        print(
            f"{host} provider process: start-up {o['startup_s']:.2f}s, first Check {o['first_check_s'] * 1000:.1f}ms, "
            f"then {o['check_call_ms']:.2f}ms per Check call"
        )
    print(
        f"{'N':>5} {'host':<8}{'op':<8} {'provider s':>10} {'floor s':>8} {'ratio':>6} {'vs dyn floor':>12} "
        f"{'peak MiB':>8} {'ckpt %':>6}  API calls"
    )
    for row in results:
        calls_text = ", ".join(f"{k} {v}" for k, v in sorted(row["api_calls"].items())) or "none"
        versus = f"{row['vs_dynamic_floor']:.2f}" if "vs_dynamic_floor" in row else ""
        share = f"{row['checkpoint_share'] * 100:.0f}" if "checkpoint_share" in row else ""
        print(
            f"{row['n']:>5} {row['host']:<8}{row['op']:<8} {row['provider']:>10.2f} {row['floor']:>8.2f} "
            f"{row['ratio']:>6.2f} {versus:>12} {row['provider_peak_mib']:>8.1f} {share:>6}  {calls_text}"
        )
    print("CPU seconds by process, provider run (floor run): provider, endpoint, engine, program")
    for row in results:
        print(
            f"{row['n']:>5} {row['host']:<8}{row['op']:<8} "
            + ", ".join(f"{kind} {row['cpu_s'][kind]:.1f} ({row['floor_cpu_s'][kind]:.1f})" for kind in row["cpu_s"])
        )
    print(
        "state bytes per resource after up: "
        + "; ".join(
            f"N={n}: " + ", ".join(f"{name} {size:.0f}" for name, size in by_variant.items())
            for n, by_variant in sorted(state_bytes.items())
        )
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(
        json.dumps(
            {
                "overhead": overhead,
                "repeats": args.repeats,
                "results": results,
                "state_bytes_per_resource": state_bytes,
            },
            indent=2,
        )
    )
    chart(results, out / "bench.png")
    print(f"wrote {out / 'bench.json'} and {out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
