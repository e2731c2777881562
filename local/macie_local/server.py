"""Run ``macie-local``: the command line and an in-process handle for tests and tools.

    macie-local [--host 127.0.0.1] [--port 0] [--state FILE|:memory:]
                [--account ACCESS_KEY:SECRET_KEY:ACCOUNT_ID[:disabled]]... [--bucket NAME]...
                [--region us-east-1]... [--max-members N] [--max-s3-resources N]
                [--throttle-rate P] [--error-rate P] [--latency-ms MS] [--drop-rate P] [--seed N]
                [--quiet]

On start it prints one line, ``macie-local listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from functools import lru_cache
from collections.abc import Callable, Iterable, Sequence
from types import FrameType


from .app import EndpointApp, Faults, MacieApp
from .http import WSGIServer
from .backend import Account, Backend, Limits
from .store import Store, default_state_path

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
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability from 0 to 1")
    return value


@lru_cache(maxsize=1)
def _s3_app() -> Callable[..., Iterable[bytes]]:
    """moto's S3 application; its state lives in moto's backends, so one serves every endpoint."""
    from moto.moto_server.werkzeug_app import create_backend_app

    return create_backend_app("s3")  # type: ignore[no-any-return]


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
    """A running ``macie-local``: ``url``, ``store``, ``macie`` (counters), ``stop()``."""

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
    ) -> None:
        self.store = Store(state)
        for name in buckets:
            create_bucket(name, accounts[0].account_id if accounts else DEFAULT_ACCOUNT_ID)
        backend = Backend(self.store, bucket_exists, limits)
        self.macie = MacieApp(backend, accounts, regions, faults, log)
        self.server = WSGIServer(host, port, EndpointApp(self.macie, _s3_app()))
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
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
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
    parser.add_argument("--bucket", action="append", default=[], help="create this S3 bucket at start")
    parser.add_argument(
        "--region", action="append", default=[], help="a region to serve; repeatable (default us-east-1, us-west-2)"
    )
    parser.add_argument("--max-members", type=int, default=Limits.max_members, help="member accounts per master")
    parser.add_argument(
        "--max-s3-resources", type=int, default=Limits.max_s3_resources, help="S3 resources per account"
    )
    parser.add_argument("--throttle-rate", type=_rate, default=0.0, help="share of requests throttled")
    parser.add_argument("--error-rate", type=_rate, default=0.0, help="share of requests failing with 5xx")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every request")
    parser.add_argument("--drop-rate", type=_rate, default=0.0, help="share of connections dropped unanswered")
    parser.add_argument("--seed", type=int, default=None, help="seed for the fault injection")
    parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            print(line, file=sys.stderr, flush=True)

    endpoint = LocalEndpoint(
        host=args.host,
        port=args.port,
        state=args.state or default_state_path(),
        accounts=args.account or [DEFAULT_ACCOUNT],
        regions=tuple(args.region) or DEFAULT_REGIONS,
        limits=Limits(max_members=args.max_members, max_s3_resources=args.max_s3_resources),
        faults=Faults(args.throttle_rate, args.error_rate, args.latency_ms, args.drop_rate, args.seed),
        buckets=args.bucket,
        log=None if args.quiet else log,
    )

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
