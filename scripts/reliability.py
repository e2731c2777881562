"""Reliability and security report: faults, crashes, bad input, fuzzing, secrets — measured.

    python scripts/reliability.py [--resources 200] [--crash-trials 10] [--crash-resources 40]
                                  [--backend file|s3|both] [--kill-trials 20] [--fuzz-examples 2500]
                                  [--seed 1] [--only CHECK,...]

Each check prints one line with its figures and PASS or FAIL; the exit status is 1 if any failed.
Everything runs against macie-local on 127.0.0.1 with the real Pulumi CLI; nothing else is reached.

- faults:  30% throttling and 5% 5xx; `pulumi up` of N S3 resources (and two member accounts) is
           run until it succeeds (at most 5 runs); the endpoint must hold exactly the declared set.
- latency: 20 ms added to every request and 5% of connections dropped; the same.
- ownership/dynamic, ownership/native: a quarter of the program's S3 resources of the master are
           associated outside the stack first; then `pulumi up --continue-on-error` (at most 3 runs:
           the refused ones fail every run) under 30% throttling, 10% answers lost after the work was
           done and 5% connections dropped before it. Each association made outside must be refused
           and none may end up in the state (adopted); none may be held by Macie that the state does
           not know after a `pulumi refresh` (unknown); every other declared one is made; `destroy`
           leaves exactly the ones made outside.
- crashes: `pulumi up` or `pulumi destroy` killed (SIGKILL, the CLI's process group) at a random
           moment; then, as the README's troubleshooting says, `pulumi cancel` (the killed run's
           lock), `pulumi-macie-import --pending-creates` (and `--rebuild` when it reports that the
           checkpoint cannot be read), `pulumi refresh`, and `pulumi up` again: exactly the declared
           set in Macie, a preview with no changes, and, once the trials are over, none of this
           checkout's processes that the runs started still running. Once per state backend: a
           folder (`file://`) and a bucket of macie-local's own S3 (`s3://…?endpoint=…`).
- kill:    macie-local killed with SIGKILL during a stream of writes; after a restart every
           acknowledged write is there and SQLite's integrity check passes.
- fuzz:    the endpoint fuzz tests with --fuzz-examples each (4 tests): no 5xx, no store change on
           a rejected request.
- secrets: after up and refresh with known keys, neither the secret key, a session token nor the
           passphrase is in the exported state, the backend's files or the CLI's verbose logs.
- isolation/replay: a member's keys cannot read or change its master's associations; a request
           signed 16 minutes ago is refused.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from macie_local.app import Faults  # noqa: E402
from macie_local.backend import Account  # noqa: E402
from macie_local.server import (  # noqa: E402
    DEFAULT_ACCESS_KEY,
    DEFAULT_ACCOUNT,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
    create_bucket,
)
from pulumi_macie_provider.client import ClientSettings, make_client  # noqa: E402
from pulumi_macie_provider.importer import UNREADABLE  # noqa: E402
from tests.helpers import raw_request  # noqa: E402
from tests.pulumi_harness import PASSPHRASE, PulumiError, PulumiStack, process_kind, run_processes  # noqa: E402

PROGRAM = """
import pulumi
from pulumi_macie import MacieMemberAccount, MacieS3Resource

config = pulumi.Config()
n = int(config.require("n"))
bucket = config.require("bucket")
members = [MacieMemberAccount(f"member-{i}", member_account_id=f"{600000000000 + i}") for i in range(2)]
for i in range(n):
    owner = members[i % 2].member_account_id if i % 3 else None
    MacieS3Resource(f"res-{i}", bucket_name=bucket, prefix=f"p{i:05d}/", member_account_id=owner)
"""
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-reliability-session-token"
CREDENTIALS = {"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY}
#: What a MacieS3Resource of the program gets when it names no classification.
CLASSIFICATION = {"oneTime": "NONE", "continuous": "FULL"}
MEMBER = Account("AKIARELIABILITYMEMBER", "reliability-member-secret-000000000000", "600000000001")
RESULTS: list[bool] = []


def report(check: str, ok: bool, figures: str) -> None:
    RESULTS.append(ok)
    print(f"{check:<13} {'PASS' if ok else 'FAIL'}  {figures}", flush=True)


def expected(n: int, bucket: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    members = [f"{600000000000 + i}" for i in range(2)]
    s3 = sorted((members[i % 2] if i % 3 else DEFAULT_ACCOUNT.account_id, bucket, f"p{i:05d}/") for i in range(n))
    return members, s3


def held(endpoint: LocalEndpoint) -> tuple[list[str], list[tuple[str, str, str]]]:
    with endpoint.store.transaction() as db:
        members = sorted(r[0] for r in db.execute("SELECT account_id FROM members"))
        s3 = sorted(tuple(r) for r in db.execute("SELECT member, bucket, prefix FROM s3_resources"))
    return members, s3  # type: ignore[return-value]


def new_stack(base: Path, n: int, bucket: str, endpoint: LocalEndpoint, **env: str) -> PulumiStack:
    aws = {
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_REGION": "us-east-1",
        **env,
    }
    stack = PulumiStack.create(base, PROGRAM, extra_env=aws)
    for key, value in (("n", str(n)), ("bucket", bucket), ("macie:endpointUrl", endpoint.url)):
        stack.config_set(key, value)
    return stack


def until_success(stack: PulumiStack, *args: str, runs: int = 5) -> int:
    for attempt in range(1, runs + 1):
        try:
            stack.run(*args)
            return attempt
        except PulumiError:
            continue
    return 0


def counted(endpoint: LocalEndpoint) -> tuple[int, int]:
    counters = endpoint.macie.counters
    faults = sum(v for k, v in counters.items() if k.startswith("fault."))
    # Dropped requests and requests whose answer was lost are counted only as faults.
    unanswered = counters.get("fault.drop", 0) + counters.get("fault.lose", 0)
    requests = sum(v for k, v in counters.items() if not k.startswith("fault.")) + unanswered
    return requests, faults


def converge_check(name: str, base: Path, n: int, faults: Faults) -> None:
    with LocalEndpoint(faults=faults) as endpoint:
        bucket = f"rel-{name}-{random.randrange(10**8)}"
        create_bucket(bucket)
        stack = new_stack(base / name, n, bucket, endpoint)
        ups = until_success(stack, "up", "--yes", "--skip-preview")
        want_members, want_s3 = expected(n, bucket)
        members, s3 = held(endpoint)
        lost = len(set(want_s3) - set(s3)) + len(set(want_members) - set(members))
        extra = len(set(s3) - set(want_s3)) + len(set(members) - set(want_members))
        duplicated = len(s3) - len(set(s3))
        steady = until_success(stack, "preview", "--expect-no-changes") == 1
        downs = until_success(stack, "destroy", "--yes", "--skip-preview")
        empty = held(endpoint) == ([], [])
        requests, injected = counted(endpoint)
        ok = bool(ups) and lost == 0 and extra == 0 and duplicated == 0 and steady and bool(downs) and empty
        report(
            name,
            ok,
            f"resources {n}+2, requests {requests}, faults injected {injected} (retried by botocore), "
            f"up runs {ups or 'gave up'}, final {len(s3)}+{len(members)}, lost {lost}, "
            f"extra {extra}, duplicated {duplicated}, no-change preview {steady}, "
            f"destroy runs {downs or 'gave up'}, endpoint empty {empty}",
        )


NATIVE_PROGRAM = PROGRAM.replace(
    "from pulumi_macie import MacieMemberAccount, MacieS3Resource",
    "from pulumi_macie_native import MacieMemberAccount, MacieS3Resource",
)


def _triple(id_: str) -> tuple[str, str, str]:
    """(owner, bucket, prefix) of an S3 resource ID, as ``held`` lists them."""
    member, _, rest = id_.rpartition(":")
    bucket, _, prefix = rest.partition("/")
    return (member or DEFAULT_ACCOUNT.account_id, bucket, prefix)


def ownership_check(base: Path, n: int, host: str, seed: int) -> None:
    with LocalEndpoint() as endpoint:
        bucket = f"rel-own-{random.randrange(10**8)}"
        create_bucket(bucket)
        stack = new_stack(base / f"ownership-{host}", n, bucket, endpoint)
        if host == "native":
            from tests.e2e_support import native_plugin_tarball

            stack.write_program(NATIVE_PROGRAM)
            stack.install_plugin(native_plugin_tarball(base / f"ownership-{host}-plugin"))
        _, want_s3 = expected(n, bucket)
        masters = [t for t in want_s3 if t[0] == DEFAULT_ACCOUNT.account_id]
        before = sorted(random.Random(seed).sample(masters, max(1, len(masters) // 4)))
        client = make_client(ClientSettings(region="us-east-1", endpoint_url=endpoint.url), credentials=CREDENTIALS)
        for _, name, prefix in before:
            client.associate_s3_resources(
                s3Resources=[{"bucketName": name, "prefix": prefix, "classificationType": CLASSIFICATION}]
            )
        endpoint.macie.faults = Faults(throttle_rate=0.3, lose_rate=0.1, drop_rate=0.05, seed=seed)
        refused: set[str] = set()
        errors: list[str] = []
        for _ in range(3):
            result = stack.run("up", "--yes", "--skip-preview", "--continue-on-error", check=False)
            text = result.stdout + result.stderr
            refused = set(re.findall(r"for MacieS3Resource (\S+) failed: .*? was associated before this create", text))
            errors = sorted({line.strip()[:300] for line in text.splitlines() if "error:" in line})
            if result.returncode == 0 or set(want_s3) <= set(held(endpoint)[1]):
                break  # every declared association is held: the runs after would only be refused again
        refusals = len(refused)
        endpoint.macie.faults = Faults()
        stack.run("refresh", "--yes", "--skip-preview", check=False)
        resources = stack.export()["deployment"].get("resources", [])
        in_state = {_triple(r["id"]) for r in resources if r["type"].endswith("MacieS3Resource") and r.get("id")}
        _, s3 = held(endpoint)
        adopted = len(set(before) & in_state)
        unknown = len(set(s3) - set(before) - in_state)
        missing = len(set(want_s3) - set(before) - set(s3))
        stack.run("destroy", "--yes", "--skip-preview", check=False)
        left = held(endpoint)
        requests, injected = counted(endpoint)
        ok = adopted == 0 and unknown == 0 and missing == 0 and refused == {f"{b}/{p}" for _, b, p in before}
        ok = ok and left == ([], before)
        if not ok:
            print("\n".join(errors[:20]), flush=True)
        report(
            f"ownership/{host}",
            ok,
            f"resources {n}+2, {len(before)} associated outside first, requests {requests}, faults injected "
            f"{injected}, refused as held before {refusals} of {len(before)} (last run), adopted {adopted}, "
            f"unknown to the state {unknown}, not made {missing}, "
            f"destroy left exactly the outside ones {left == ([], before)}",
        )


#: What the recovery after a killed run had to do, counted over the trials.
RECOVERED = ("pending operations", "repaired metadata files", "unreadable checkpoints", "imported by rebuild")


def recover(stack: PulumiStack) -> dict[str, int]:
    """The README's recovery after a killed run (up to the final `pulumi up`); answers what it had to do."""
    done = dict.fromkeys(RECOVERED, 0)
    stack.run("cancel", "--yes", check=False)  # the killed run's lock: nothing else runs on this stack
    exported = stack.run("stack", "export", check=False)
    if exported.returncode == 0:
        done["pending operations"] = len(json.loads(exported.stdout)["deployment"].get("pending_operations") or [])
    pending = importer(stack, "--pending-creates")
    done["repaired metadata files"] += int("its metadata file" in pending.stdout)
    if pending.returncode == UNREADABLE:
        done["unreadable checkpoints"] += 1
        rebuilt = importer(stack, "--rebuild")
        found = re.search(r"imported (\d+) resources the program declares", rebuilt.stdout)
        done["imported by rebuild"] += int(found.group(1)) if found else 0
    # Deletes (and updates) that were under way: refresh finds what Macie really holds.
    stack.run("refresh", "--yes", "--skip-preview", check=False)
    return done


def last_errors(stack: PulumiStack) -> list[str]:
    """The first two error lines of the stack's last command."""
    return [line.strip() for line in stack.log[-1].splitlines() if "error:" in line.lower()][:2]


def importer(stack: PulumiStack, *args: str) -> subprocess.CompletedProcess[str]:
    """pulumi-macie-import ARGS on the stack; Macie's endpoint comes from the stack's config."""
    return stack.macie_import(*args, "--file", str(stack.workdir / "recovery.json"), "--", "--stack", stack.stack)


def s3_backend(endpoint: LocalEndpoint) -> str:
    """A state backend in a bucket of the endpoint's own S3 (the CLI signs with the stack's AWS keys)."""
    bucket = f"rel-state-{random.randrange(10**8)}"
    create_bucket(bucket)
    return f"s3://{bucket}?endpoint={endpoint.host}:{endpoint.port}&disableSSL=true&s3ForcePathStyle=true"


def left_running(marker: str, since: float, limit: float = 10.0) -> dict[int, str]:
    """This checkout's processes started by the check's runs that are still alive ``limit`` seconds on."""
    end = time.monotonic() + limit
    while run_processes(marker, since) and time.monotonic() < end:
        time.sleep(0.5)
    return run_processes(marker, since)


def crash_check(base: Path, n: int, trials: int, rng: random.Random, backend: str) -> None:
    began_check = time.time()
    folder = base / f"crash-{backend}"
    with LocalEndpoint() as endpoint:
        bucket = f"rel-crash-{rng.randrange(10**8)}"
        create_bucket(bucket)
        env = {"PULUMI_BACKEND_URL": s3_backend(endpoint)} if backend == "s3" else {}
        stack = new_stack(folder, n, bucket, endpoint, **env)
        want = expected(n, bucket)
        good = 0
        problems: list[str] = []
        totals = dict.fromkeys(RECOVERED, 0)
        began = time.perf_counter()
        stack.run("up", "--yes", "--skip-preview")
        took = {"up": time.perf_counter() - began}
        began = time.perf_counter()
        stack.run("destroy", "--yes", "--skip-preview")
        took["destroy"] = time.perf_counter() - began
        for trial in range(trials):
            # Alternate: crash a create from scratch, and crash a destroy.
            if trial % 2 and not until_success(stack, "up", "--yes", "--skip-preview", runs=2):
                problems.append(f"trial {trial}: the up before the destroy to kill failed {last_errors(stack)}")
                continue
            command = [
                "pulumi",
                "destroy" if trial % 2 else "up",
                "--yes",
                "--skip-preview",
                "--non-interactive",
                "--stack",
                stack.stack,
            ]
            process = subprocess.Popen(
                command,
                cwd=stack.workdir,
                env=stack.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            time.sleep(rng.uniform(0.3, 0.95) * took[command[1]])  # somewhere inside the run
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            for key, value in recover(stack).items():
                totals[key] += value
            ups = until_success(stack, "up", "--yes", "--skip-preview", runs=2)
            now = held(endpoint)
            steady = bool(ups) and until_success(stack, "preview", "--expect-no-changes", runs=1)
            if ups and now == want and steady:
                good += 1
            else:
                missing = len(set(want[1]) - set(now[1])) + len(set(want[0]) - set(now[0]))
                problems.append(
                    f"trial {trial}: up ok {bool(ups)}, missing {missing}, steady {steady} {last_errors(stack)}"
                )
            until_success(stack, "destroy", "--yes", "--skip-preview", runs=2)
        empty = held(endpoint) == ([], [])
        left = left_running(str(folder), began_check)
        figures = ", ".join(f"{key} {value}" for key, value in totals.items())
        report(
            f"crashes/{backend}",
            good == trials and empty and not left,
            f"backend {backend}, trials {trials}, converged {good}, resources {n}+2, recovered: {figures}; "
            f"endpoint empty {empty}; processes of the runs left running {len(left)}"
            + "".join(f"\n          {p}" for p in problems)
            + "".join(f"\n          left: {pid} {process_kind(c)}: {c[:120]}" for pid, c in left.items()),
        )


def kill_check(base: Path, trials: int, rng: random.Random) -> None:
    missing, acknowledged_total, integrity = 0, 0, True
    for trial in range(trials):
        state = str(base / f"kill-{trial}.sqlite3")
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "macie-local"), "--state", state, "--quiet", "--bucket", "kill-bucket"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        acknowledged: list[str] = []
        stop = threading.Event()

        def writer() -> None:
            macie = make_client(
                ClientSettings(region="us-east-1", endpoint_url=url, max_attempts=1),
                credentials={"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY},
            )
            i = 0
            while not stop.is_set():
                try:
                    macie.associate_s3_resources(
                        s3Resources=[
                            {
                                "bucketName": "kill-bucket",
                                "prefix": f"{i}/",
                                "classificationType": {"oneTime": "NONE", "continuous": "FULL"},
                            }
                        ]
                    )
                except Exception:  # noqa: BLE001 - the endpoint was killed
                    return
                acknowledged.append(f"{i}/")
                i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(rng.uniform(0.2, 1.0))
        process.kill()
        process.communicate()
        stop.set()
        thread.join(timeout=60)
        with LocalEndpoint(state=state, buckets=["kill-bucket"]) as again:
            with again.store.transaction() as db:
                present = {r[0] for r in db.execute("SELECT prefix FROM s3_resources")}
            integrity = integrity and again.store.integrity_check() == "ok"
        missing += len(set(acknowledged) - present)
        acknowledged_total += len(acknowledged)
    report(
        "kill",
        missing == 0 and integrity,
        f"trials {trials}, acknowledged writes {acknowledged_total}, lost {missing}, integrity check ok {integrity}",
    )


def fuzz_check(examples: int) -> None:
    env = dict(os.environ, MACIE_FUZZ_EXAMPLES=str(examples))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_endpoint_fuzz.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    report(
        "fuzz",
        result.returncode == 0,
        f"generated requests {examples * 4}, 5xx for client faults 0 and "
        f"store changes from rejected requests 0 (asserted per request); {summary}",
    )


def secrets_check(base: Path) -> None:
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT, MEMBER]) as endpoint:
        bucket = f"rel-secrets-{random.randrange(10**8)}"
        create_bucket(bucket)
        stack = new_stack(base / "secrets", 3, bucket, endpoint, AWS_SESSION_TOKEN=SESSION_TOKEN)
        stack.run("up", "--yes", "--skip-preview", "--logtostderr", "-v=9")
        stack.run("refresh", "--yes", "--skip-preview", "--logtostderr", "-v=9")
        texts = [stack.run("stack", "export", "--show-secrets").stdout, *stack.log]
        texts += [p.read_text(errors="replace") for p in (base / "secrets").rglob("*") if p.is_file()]
        with endpoint.store.transaction() as db:
            texts.append(repr(db.execute("SELECT * FROM members").fetchall()))
            texts.append(repr(db.execute("SELECT * FROM s3_resources").fetchall()))
        leaks = sum(secret in text for text in texts for secret in (DEFAULT_SECRET_KEY, SESSION_TOKEN, PASSPHRASE))
        report(
            "secrets",
            leaks == 0,
            f"places searched {len(texts)} (state, backend files, CLI logs at -v=9, "
            f"endpoint store), leaks of secret key/session token/passphrase {leaks}",
        )
        member = make_client(
            ClientSettings(region="us-east-1", endpoint_url=endpoint.url, max_attempts=1),
            credentials={"aws_access_key_id": MEMBER.access_key, "aws_secret_access_key": MEMBER.secret_key},
        )
        refused = 0
        for call, kwargs in [
            (member.list_s3_resources, {}),
            (member.list_s3_resources, {"memberAccountId": DEFAULT_ACCOUNT.account_id}),
            (member.disassociate_s3_resources, {"associatedS3Resources": [{"bucketName": bucket}]}),
            (
                member.update_s3_resources,
                {"s3ResourcesUpdate": [{"bucketName": bucket, "classificationTypeUpdate": {"oneTime": "FULL"}}]},
            ),
        ]:
            try:
                call(**kwargs)
            except member.exceptions.AccessDeniedException:
                refused += 1
        from datetime import datetime, timedelta, timezone

        status, answer, _ = raw_request(endpoint.url, when=datetime.now(timezone.utc) - timedelta(minutes=16))
        replay = answer.get("__type") == "RequestExpired"
        bound = endpoint.host == "127.0.0.1"
        stack.run("destroy", "--yes", "--skip-preview")
        report(
            "isolation",
            refused == 4 and replay and bound,
            f"member-key calls on the master's data refused {refused}/4, request signed 16 min ago refused "
            f"{replay} ({status}), endpoint bound to 127.0.0.1 {bound}",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--crash-trials", type=int, default=10)
    parser.add_argument("--crash-resources", type=int, default=40)
    parser.add_argument(
        "--backend",
        choices=("file", "s3", "both"),
        default="both",
        help="state backend(s) of the crash check: a folder, or a bucket of macie-local's own S3 (default both)",
    )
    parser.add_argument("--kill-trials", type=int, default=20)
    parser.add_argument("--fuzz-examples", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated checks to run (default all)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    only = set(filter(None, args.only.split(",")))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        checks = {
            "faults": lambda: converge_check(
                "faults", base, args.resources, Faults(throttle_rate=0.3, error_rate=0.05, seed=args.seed)
            ),
            "latency": lambda: converge_check(
                "latency", base, args.resources, Faults(latency_ms=20, drop_rate=0.05, seed=args.seed)
            ),
            **{
                f"ownership/{host}": functools.partial(ownership_check, base, args.resources // 2, host, args.seed)
                for host in ("dynamic", "native")
            },
            **{
                f"crashes/{backend}": functools.partial(
                    crash_check, base, args.crash_resources, args.crash_trials, rng, backend
                )
                for backend in (("file", "s3") if args.backend == "both" else (args.backend,))
            },
            "kill": lambda: kill_check(base, args.kill_trials, rng),
            "fuzz": lambda: fuzz_check(args.fuzz_examples),
            "secrets": lambda: secrets_check(base),
        }
        for name, check in checks.items():
            if not only or name in only or name.split("/")[0] in only or (name == "secrets" and "isolation" in only):
                try:
                    check()
                except Exception as error:  # noqa: BLE001 - a check that breaks is a failed check
                    report(name, False, f"error: {error!r}"[:500])
    print(f"{sum(RESULTS)} passed, {len(RESULTS) - sum(RESULTS)} failed in {time.perf_counter() - started:.0f}s")
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
