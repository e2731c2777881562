"""macie-local under load and restarts: pagination, persistence, concurrency, faults, the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from macie_local.app import Faults
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings, make_client

from .conftest import DEFAULT_CREDENTIALS, FULL, OTHER, credentials_of


def client(url: str, max_attempts: int = 1, account: Any = None) -> Any:
    creds = credentials_of(account) if account else DEFAULT_CREDENTIALS
    return make_client(
        ClientSettings(region="us-east-1", endpoint_url=url, max_attempts=max_attempts), credentials=creds
    )


def associate(macie: Any, bucket: str, prefixes: list[str], member: str | None = None) -> None:
    extra = {"memberAccountId": member} if member else {}
    for start in range(0, len(prefixes), 100):
        result = macie.associate_s3_resources(
            s3Resources=[
                {"bucketName": bucket, "prefix": p, "classificationType": FULL} for p in prefixes[start : start + 100]
            ],
            **extra,
        )
        assert result["failedS3Resources"] == []


def test_pagination_max_results_one_across_600(macie: Any, bucket: Callable[[], str]) -> None:
    """600 resources paged one at a time come back exactly once each, in order."""
    name = bucket()
    prefixes = [f"p{i:04d}/" for i in range(600)]
    associate(macie, name, prefixes)
    seen, token, pages = [], None, 0
    while True:
        page = macie.list_s3_resources(maxResults=1, **({"nextToken": token} if token else {}))
        pages += 1
        seen += [item["prefix"] for item in page["s3Resources"]]
        token = page.get("nextToken")
        if not token:
            break
        assert len(token) <= 500
    assert seen == prefixes and pages == 600


def test_pagination_stable_under_concurrent_writes(macie: Any, bucket: Callable[[], str]) -> None:
    """Items present throughout are listed exactly once while other items are added and removed."""
    name = bucket()
    stable = [f"s{i:03d}/" for i in range(120)]
    associate(macie, name, stable)
    seen: list[str] = []
    token = None
    round_ = 0
    while True:
        page = macie.list_s3_resources(maxResults=7, **({"nextToken": token} if token else {}))
        seen += [item["prefix"] for item in page["s3Resources"]]
        churn = f"churn{round_}/"
        associate(macie, name, [churn])
        if round_ % 2:
            macie.disassociate_s3_resources(
                associatedS3Resources=[{"bucketName": name, "prefix": f"churn{round_ - 1}/"}]
            )
        round_ += 1
        token = page.get("nextToken")
        if not token:
            break
    listed_stable = [p for p in seen if p.startswith("s")]
    assert listed_stable == stable
    assert len(seen) == len(set(seen))


def test_pagination_member_accounts(macie: Any) -> None:
    """ListMemberAccounts pages include the master first, then every member once."""
    for i in range(30):
        macie.associate_member_account(memberAccountId=f"{500000000000 + i}")
    pages = macie.get_paginator("list_member_accounts").paginate(PaginationConfig={"PageSize": 4})
    ids = [m["accountId"] for page in pages for m in page["memberAccounts"]]
    assert ids == ["123456789012"] + [f"{500000000000 + i}" for i in range(30)]


def test_next_token_cannot_be_forged_or_moved(endpoint: LocalEndpoint, macie: Any, bucket: Callable[[], str]) -> None:
    """A token works only for the store, account, member and list it came from; altered tokens are refused."""
    name = bucket()
    associate(macie, name, ["a/", "b/", "c/"])
    token = macie.list_s3_resources(maxResults=1)["nextToken"]
    other = client(endpoint.url, account=OTHER)
    body, _, mac = token.rpartition(".")
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT], buckets=[name]) as foreign_endpoint:
        foreign = client(foreign_endpoint.url)
        associate(foreign, name, ["a/", "b/"])
        foreign_token = foreign.list_s3_resources(maxResults=1)["nextToken"]
    for bad_client, bad_call, bad_token in [
        (other, "list_s3_resources", token),
        (macie, "list_member_accounts", token),
        (macie, "list_s3_resources", body[:-2] + "xx." + mac),
        (macie, "list_s3_resources", body + "." + "0" * len(mac)),
        (macie, "list_s3_resources", "garbage"),
        (macie, "list_s3_resources", foreign_token),
    ]:
        with pytest.raises(bad_client.exceptions.InvalidInputException) as excinfo:
            getattr(bad_client, bad_call)(nextToken=bad_token)
        assert excinfo.value.response["fieldName"] == "nextToken"


def test_state_survives_restart(tmp_path: Any, s3: Any) -> None:
    """Everything acknowledged before a stop is there after a restart on the same file."""
    state = str(tmp_path / "state.sqlite3")
    with LocalEndpoint(state=state, buckets=["restart-bucket"]) as first:
        macie = client(first.url)
        macie.associate_member_account(memberAccountId="444455556666")
        associate(macie, "restart-bucket", ["x/", "y/"])
        token = macie.list_s3_resources(maxResults=1)["nextToken"]
    with LocalEndpoint(state=state) as second:
        macie = client(second.url)
        assert [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]] == [
            "123456789012",
            "444455556666",
        ]
        assert [r["prefix"] for r in macie.list_s3_resources()["s3Resources"]] == ["x/", "y/"]
        assert [r["prefix"] for r in macie.list_s3_resources(nextToken=token)["s3Resources"]] == ["y/"]
        assert second.store.integrity_check() == "ok"


def test_concurrent_clients_exact_count(endpoint: LocalEndpoint, bucket: Callable[[], str]) -> None:
    """8 clients x 200 writes at once: exactly 1,600 rows, none lost, none duplicated."""
    name = bucket()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            macie = client(endpoint.url)
            for i in range(200):
                result = macie.associate_s3_resources(
                    s3Resources=[{"bucketName": name, "prefix": f"w{worker}/{i}/", "classificationType": FULL}]
                )
                assert result["failedS3Resources"] == []
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    macie = client(endpoint.url)
    prefixes = [
        r["prefix"] for page in macie.get_paginator("list_s3_resources").paginate() for r in page["s3Resources"]
    ]
    assert len(prefixes) == 1600 and len(set(prefixes)) == 1600


def test_faults_throttle_and_5xx_are_retried(tmp_path: Any) -> None:
    """With throttling and 5xx injected, botocore's retries get every call through; counts add up."""
    faults = Faults(throttle_rate=0.3, error_rate=0.05, seed=7)
    with LocalEndpoint(faults=faults, buckets=["fault-bucket"]) as running:
        macie = client(running.url, max_attempts=10)
        for i in range(10):
            macie.associate_s3_resources(
                s3Resources=[{"bucketName": "fault-bucket", "prefix": f"{i}/", "classificationType": FULL}]
            )
        listed = [r for page in macie.get_paginator("list_s3_resources").paginate() for r in page["s3Resources"]]
        assert len(listed) == 10
        counters = running.macie.counters
        assert counters.get("fault.throttle", 0) > 0 and counters.get("fault.error", 0) > 0


def test_faults_without_retries_surface_aws_errors() -> None:
    """With retries off, an injected fault reaches the caller as ThrottlingException or a 5xx code."""
    with LocalEndpoint(faults=Faults(throttle_rate=1.0)) as running:
        macie = client(running.url)
        with pytest.raises(macie.exceptions.ClientError) as excinfo:
            macie.list_member_accounts()
        assert excinfo.value.response["Error"]["Code"] == "ThrottlingException"
    with LocalEndpoint(faults=Faults(error_rate=1.0, seed=1)) as running:
        macie = client(running.url)
        with pytest.raises(macie.exceptions.ClientError) as excinfo:
            macie.list_member_accounts()
        assert excinfo.value.response["Error"]["Code"] in ("ServiceUnavailable", "InternalException")
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] in (500, 503)


def test_faults_dropped_connection_and_latency() -> None:
    """Dropped connections are a connection error to the client; added latency delays every answer by
    at least that much (as the client and the endpoint's log both measure it), and the answer is right."""
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    with LocalEndpoint(faults=Faults(drop_rate=1.0)) as running:
        macie = client(running.url)
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            macie.list_member_accounts()
        assert running.macie.counters["fault.drop"] >= 1
    latency_ms = 200
    lines: list[str] = []
    with LocalEndpoint(faults=Faults(latency_ms=latency_ms), log=lines.append) as running:
        macie = client(running.url)
        for _ in range(3):
            started = time.perf_counter()
            answer = macie.list_member_accounts()
            assert (time.perf_counter() - started) * 1000 >= latency_ms
            assert answer["memberAccounts"] == [{"accountId": DEFAULT_ACCOUNT.account_id}]
    logged = [float(line.rsplit("ms=", 1)[1]) for line in lines]
    assert len(logged) == 3 and min(logged) >= latency_ms


@pytest.mark.parametrize(
    ("faults", "fault", "outcome", "done"),
    [(Faults(lose_rate=1.0), "fault.lose", "lost", True), (Faults(drop_rate=1.0), "fault.drop", "dropped", False)],
    ids=["lost-answer", "dropped-request"],
)
def test_faults_lost_answer_comes_after_the_action(faults: Faults, fault: str, outcome: str, done: bool) -> None:
    """A lost answer and a dropped request are the same connection error to the client, but only a lost
    answer's action was done: after it, the member is listed; after a drop, it is not."""
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    lines: list[str] = []
    with LocalEndpoint(faults=faults, log=lines.append) as running:
        macie = client(running.url)
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            macie.associate_member_account(memberAccountId="444455556666")
        assert running.macie.counters == {fault: 1}
        running.macie.faults = Faults()
        members = [{"accountId": DEFAULT_ACCOUNT.account_id}] + ([{"accountId": "444455556666"}] if done else [])
        assert macie.list_member_accounts()["memberAccounts"] == members
    # (read once the endpoint has stopped: the client may see the connection close before the line is written)
    logged = [line for line in lines if "action=AssociateMemberAccount" in line]
    assert len(logged) == 1 and logged[0].startswith(
        f"macie-local action=AssociateMemberAccount account=123456789012 status={outcome} "
    )


def test_faults_lost_answer_only_for_success() -> None:
    """An action that fails is answered, lose rate or not: only a done action's answer is lost."""
    with LocalEndpoint(faults=Faults(lose_rate=1.0)) as running:
        macie = client(running.url)
        with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
            macie.disassociate_member_account(memberAccountId="444455556666")
        assert "444455556666 is not yet associated with Macie" in excinfo.value.response["Error"]["Message"]
        assert running.macie.counters == {"DisassociateMemberAccount.400": 1}


def test_faults_limited_to_some_actions_leave_the_others_alone() -> None:
    """Faults limited to named actions hit those and serve every other action as usual."""
    with LocalEndpoint(faults=Faults(throttle_rate=1.0, actions=frozenset({"AssociateMemberAccount"}))) as running:
        macie = client(running.url)
        assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": "123456789012"}]
        with pytest.raises(macie.exceptions.ClientError, match="ThrottlingException"):
            macie.associate_member_account(memberAccountId="444455556666")
        assert running.macie.counters == {
            "ListMemberAccounts.200": 1,
            "fault.throttle": 1,
            "AssociateMemberAccount.400": 1,
        }


def test_faults_never_hit_unauthenticated_callers() -> None:
    """Fault injection applies after authentication: a bad key still gets its auth error."""
    from .helpers import raw_request

    with LocalEndpoint(faults=Faults(throttle_rate=1.0)) as running:
        _status, answer, _ = raw_request(running.url, access_key="AKIANOBODY0000000000")
        assert answer["__type"] == "InvalidClientTokenId"


def test_request_log_one_line_each() -> None:
    """Each request is logged once with action, account, status and milliseconds."""
    lines: list[str] = []
    with LocalEndpoint(log=lines.append) as running:
        macie = client(running.url)
        macie.list_member_accounts()
        with pytest.raises(macie.exceptions.InvalidInputException):
            macie.disassociate_member_account(memberAccountId="444455556666")
    assert len(lines) == 2
    assert lines[0].startswith("macie-local action=ListMemberAccounts account=123456789012 status=200 ms=")
    assert lines[1].startswith("macie-local action=DisassociateMemberAccount account=123456789012 status=400")
    assert DEFAULT_ACCOUNT.secret_key not in "".join(lines)


def _start_command(args: list[str], module: bool = False) -> tuple[subprocess.Popen[str], str]:
    command = (
        [sys.executable, "-m", "macie_local"]
        if module
        else [os.path.join(os.path.dirname(sys.executable), "macie-local")]
    )
    process = subprocess.Popen(command + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("macie-local listening on http://127.0.0.1:"), line
    return process, line.strip().rsplit(" ", 1)[1]


@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python-m"])
def test_command_prints_listening_line_and_stops(tmp_path: Any, module: bool) -> None:
    """The command prints its one line, serves, and stops cleanly on SIGTERM."""
    process, url = _start_command(["--port", "0", "--state", str(tmp_path / "s.db")], module)
    try:
        assert client(url).list_member_accounts()["memberAccounts"] == [{"accountId": "123456789012"}]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        process.communicate()


def test_command_sigkill_keeps_acknowledged_writes(tmp_path: Any) -> None:
    """After SIGKILL mid-stream, every acknowledged write is there and the store is intact."""
    state = str(tmp_path / "k.db")
    process, url = _start_command(["--state", state, "--bucket", "kill-bucket", "--quiet"])
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        macie = client(url)
        i = 0
        while not stop.is_set():
            try:
                macie.associate_s3_resources(
                    s3Resources=[{"bucketName": "kill-bucket", "prefix": f"{i}/", "classificationType": FULL}]
                )
            except Exception:  # noqa: BLE001 - the server was killed; stop writing
                return
            acknowledged.append(f"{i}/")
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while len(acknowledged) < 50:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(
                    f"the writer got {len(acknowledged)} of 50 writes acknowledged before it stopped or 120 s ran out"
                )
            thread.join(timeout=0.01)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=20)
    finally:
        stop.set()
        thread.join(timeout=30)
    with LocalEndpoint(state=state, buckets=["kill-bucket"]) as again:
        prefixes = {
            r["prefix"]
            for page in client(again.url).get_paginator("list_s3_resources").paginate()
            for r in page["s3Resources"]
        }
        assert set(acknowledged) <= prefixes
        assert len(prefixes) - len(acknowledged) <= 1  # at most the one in flight at the kill
        assert again.store.integrity_check() == "ok"


def test_command_lose_rate_loses_answers_of_done_actions(tmp_path: Any) -> None:
    """With --lose-rate 1 the command loses every success's answer, and the action is in its state."""
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    state = str(tmp_path / "lose.db")
    process, url = _start_command(["--lose-rate", "1", "--state", state, "--quiet"], module=True)
    try:
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            client(url).associate_member_account(memberAccountId="444455556666")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        process.communicate()
    with LocalEndpoint(state=state) as restarted:
        assert client(restarted.url).list_member_accounts()["memberAccounts"][1:] == [{"accountId": "444455556666"}]


def test_command_rejects_bad_account_spec() -> None:
    """A malformed --account is refused with a message naming the form."""
    result = subprocess.run(
        [sys.executable, "-m", "macie_local", "--account", "AK:SK:123"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "must be 12 digits" in result.stderr
