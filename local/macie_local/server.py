"""Run ``macie-local``: the command line and an in-process handle for tests and tools.

    macie-local [--host 127.0.0.1] [--port 0] [--state FILE|:memory:]
                [--account ACCESS_KEY:SECRET_KEY:ACCOUNT_ID[:disabled]]... [--bucket NAME]...
                [--role ROLE_ARN=ACCOUNT_ID[,ACCOUNT_ID...][;external-id=ID][;max-session-duration=S]]...
                [--region us-east-1]... [--max-members N] [--max-s3-resources N]
                [--throttle-rate P] [--error-rate P] [--latency-ms MS] [--drop-rate P] [--lose-rate P]
                [--seed N] [--quiet]

On start it prints one line, ``macie-local listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import math
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from types import FrameType

from .app import EndpointApp, Faults, MacieApp
from .backend import Account, Backend, Limits
from .http import WSGIServer
from .roles import ROLE_SYNTAX, Role, parse_role
from .sessions import Clock, Keys, system_clock
from .store import StateError, Store, default_state_path
from .sts import StsApp

#: The default master account (AWS's documented example key pair) used by the demo, examples, tests.
DEFAULT_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_ACCOUNT = Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_ACCOUNT_ID)
DEFAULT_REGIONS = ("us-east-1", "us-west-2")


def parse_account(spec: str) -> Account:
    """``ACCESS_KEY:SECRET_KEY:ACCOUNT_ID`` with an optional ``:disabled``."""
    parts = spec.split(":")
    if len(parts) not in (3, 4) or not all(parts[:3]) or (len(parts) == 4 and parts[3] != "disabled"):
        raise argparse.ArgumentTypeError(
            "an account is ACCESS_KEY:SECRET_KEY:ACCOUNT_ID, optionally followed by :disabled"
        )
    if not (len(parts[2]) == 12 and parts[2].isdigit()):
        raise argparse.ArgumentTypeError(f"account ID {parts[2]!r} must be 12 digits")
    return Account(parts[0], parts[1], parts[2], enabled=len(parts) == 3)


def _rate(text: str) -> float:
    """A probability: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability from 0 to 1")
    return value


def _whole(low: int, high: int | None = None, note: str = "") -> Callable[[str], int]:
    """A whole number from ``low`` (to ``high``)."""
    rule = f"a whole number from {low}" + (f" to {high}" if high is not None else "") + note

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {rule}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} is not {rule}")
        return value

    return parse


def _milliseconds(text: str) -> float:
    """A duration in milliseconds: a finite number, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milliseconds, 0 or more")
    return value


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the address to listen on must not be empty (127.0.0.1 listens locally)")
    return text


#: S3's rules for bucket names, as far as the name alone tells.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _bucket(text: str) -> str:
    if not BUCKET_NAME.fullmatch(text) or ".." in text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, "
            "beginning and ending with a letter or digit"
        )
    return text


REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


def _region(text: str) -> str:
    if not REGION_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region name such as us-east-1")
    return text


@lru_cache(maxsize=1)
def _s3_app() -> Callable[..., Iterable[bytes]]:
    """moto's S3 application; its state lives in moto's backends, so one serves every endpoint."""
    from moto.moto_server.werkzeug_app import create_backend_app

    return create_backend_app("s3")


def bucket_exists(name: str) -> bool:
    """Whether moto's S3 holds a bucket of that name (S3 bucket names are global)."""
    from moto.s3.models import s3_backends

    return name in s3_backends.bucket_accounts


def create_bucket(name: str, account_id: str = DEFAULT_ACCOUNT_ID, region: str = "us-east-1") -> None:
    """Create a bucket in moto's S3 as ``account_id``; an existing one is left as it is."""
    from moto.s3.models import s3_backends

    if not bucket_exists(name):
        s3_backends[account_id]["aws"].create_bucket(name, region)


class LocalEndpoint:
    """A running ``macie-local``: ``url``, ``store``, ``macie`` (the counters of Macie and STS alike), ``stop()``.

    ``roles`` are the roles STS ``AssumeRole`` lets callers assume; ``clock`` is the time their sessions
    are issued and expire by (the real time unless given: tests move it forward).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state: str = ":memory:",
        accounts: Sequence[Account] = (DEFAULT_ACCOUNT,),
        regions: tuple[str, ...] = DEFAULT_REGIONS,
        limits: Limits | None = None,
        faults: Faults | None = None,
        buckets: Sequence[str] = (),
        log: Callable[[str], None] | None = None,
        roles: Sequence[Role] = (),
        clock: Clock = system_clock,
    ) -> None:
        self.store = Store(state)
        try:
            for name in buckets:
                create_bucket(name, accounts[0].account_id if accounts else DEFAULT_ACCOUNT_ID)
            backend = Backend(self.store, bucket_exists, limits)
            keys = Keys(accounts, self.store.token_secret, clock)
            self.macie = MacieApp(backend, keys, regions, faults, log)
            self.sts = StsApp(keys, regions, self.macie.count, log, roles)
            self.server = WSGIServer(host, port, EndpointApp(self.macie, self.sts, _s3_app()))
        except BaseException:
            self.store.close()
            raise
        self.host = host
        self.port = self.server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LocalEndpoint:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.server.serve_forever, name="macie-local", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
            self._thread = None
        self.server.server_close()
        self.store.close()

    def __enter__(self) -> LocalEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="macie-local",
        description="A local Amazon Macie Classic endpoint (with S3 served by moto) on one port.",
    )
    parser.add_argument("--host", type=_host, default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=_whole(0, 65535, " (0 picks a free port)"),
        default=0,
        help="port; 0 picks a free one (default 0)",
    )
    parser.add_argument(
        "--state",
        default=None,
        help=f"SQLite file for the state, or :memory: (default {default_state_path()})",
    )
    parser.add_argument(
        "--account",
        action="append",
        type=parse_account,
        default=[],
        metavar="ACCESS_KEY:SECRET_KEY:ACCOUNT_ID[:disabled]",
        help=f"an account and its key pair; repeatable (default {DEFAULT_ACCESS_KEY}:<example secret>:"
        f"{DEFAULT_ACCOUNT_ID})",
    )
    parser.add_argument(
        "--role",
        action="append",
        type=parse_role,
        default=[],
        metavar=ROLE_SYNTAX,
        help="a role STS AssumeRole lets the listed accounts assume (its account is the one in its ARN); repeatable",
    )
    parser.add_argument(
        "--bucket", action="append", type=_bucket, default=[], help="create this S3 bucket at start; repeatable"
    )
    parser.add_argument(
        "--region",
        action="append",
        type=_region,
        default=[],
        help="a region to serve; repeatable (default us-east-1, us-west-2)",
    )
    parser.add_argument("--max-members", type=_whole(0), default=Limits.max_members, help="member accounts per master")
    parser.add_argument(
        "--max-s3-resources", type=_whole(0), default=Limits.max_s3_resources, help="S3 resources per account"
    )
    parser.add_argument("--throttle-rate", type=_rate, default=0.0, help="share of requests throttled")
    parser.add_argument("--error-rate", type=_rate, default=0.0, help="share of requests failing with 5xx")
    parser.add_argument("--latency-ms", type=_milliseconds, default=0.0, help="latency added to every request")
    parser.add_argument(
        "--drop-rate", type=_rate, default=0.0, help="share of requests dropped unanswered, before the action is done"
    )
    parser.add_argument(
        "--lose-rate",
        type=_rate,
        default=0.0,
        help="share of requests carried out whose answer is then lost: the connection is dropped after the action "
        "was done",
    )
    parser.add_argument("--seed", type=_whole(0), default=None, help="seed for the fault injection")
    parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    keys = [account.access_key for account in args.account]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        parser.error(f"argument --account: access key {repeated[0]} is given more than once; each key is one account")
    arns = [role.arn for role in args.role]
    repeated = sorted({arn for arn in arns if arns.count(arn) > 1})
    if repeated:
        parser.error(f"argument --role: role {repeated[0]} is given more than once; each ARN is one role")
    rates = args.throttle_rate + args.error_rate + args.drop_rate + args.lose_rate
    if rates > 1.0:
        parser.error(
            f"arguments --throttle-rate, --error-rate, --drop-rate, --lose-rate: they add up to {rates:g}; "
            "together they must be at most 1"
        )
    if args.state is not None and not args.state.strip():
        parser.error("argument --state: must be a file path or :memory:")
    state = args.state or default_state_path()
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            print(line, file=sys.stderr, flush=True)

    try:
        endpoint = LocalEndpoint(
            host=args.host,
            port=args.port,
            state=state,
            accounts=args.account or [DEFAULT_ACCOUNT],
            regions=tuple(dict.fromkeys(args.region)) or DEFAULT_REGIONS,
            limits=Limits(max_members=args.max_members, max_s3_resources=args.max_s3_resources),
            faults=Faults(
                throttle_rate=args.throttle_rate,
                error_rate=args.error_rate,
                latency_ms=args.latency_ms,
                drop_rate=args.drop_rate,
                lose_rate=args.lose_rate,
                seed=args.seed,
            ),
            buckets=args.bucket,
            log=None if args.quiet else log,
            roles=args.role,
        )
    except StateError as error:
        parser.error(f"argument --state: cannot keep the state in {state!r}: {error}")
    except OSError as error:
        parser.error(f"arguments --host, --port: cannot listen on {args.host}:{args.port}: {error}")

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=endpoint.server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"macie-local listening on {endpoint.url}", flush=True)
    try:
        endpoint.server.serve_forever()
    finally:
        endpoint.server.server_close()
        endpoint.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
