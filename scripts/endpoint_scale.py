"""Measure how macie-local's S3 actions cost as one account's associations grow.

    python scripts/endpoint_scale.py [--sizes 1000,10000,50000,100000] [--batch 100] [--repeats 31] [--json FILE]

Starts one macie-local per size in this process, as scripts/bench.py does (``LocalEndpoint``:
127.0.0.1, a free port), each with its state in its own temporary SQLite file (the durable path, WAL
and all) and ``max_s3_resources`` above the largest size. It gives the master account of each as
many associations of one bucket as its size, with AssociateS3Resources batches of 1,000 over HTTP,
then times on every endpoint in turn, call by call (so that the shared machine's changing load
touches every size alike), the median of ``--repeats`` of:

- ``assoc 1`` / ``assoc B``: AssociateS3Resources of 1 / ``--batch`` new prefixes (undone after);
- ``update 1``, ``disassoc 1``: UpdateS3Resources and DisassociateS3Resources of one association;
- ``list first`` / ``list mid`` / ``list last``: one ListS3Resources page of 250 at the start, the
  middle and the end of the account's list (the later two with the nextToken that reaches them);
- ``pages``: the ListS3Resources calls the provider's paginator makes for the whole list (counted
  by the endpoint); a count other than ceil(size/250) is printed and fails the run.

Each is timed twice: over HTTP with the project's client (what a caller waits for) and through the
endpoint's backend alone (the store's share, without HTTP, SigV4 and JSON). It prints both tables in
milliseconds with each column's ratio to the smallest size; flat means ratios near 1 (at most 1.5).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from botocore import xform_name  # noqa: E402
from load import CREDS  # noqa: E402

from macie_local.backend import Backend, Caller, Limits  # noqa: E402
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint, create_bucket  # noqa: E402
from pulumi_macie_provider.client import ClientSettings, make_client  # noqa: E402

BUCKET = "endpoint-scale"
FULL = {"oneTime": "FULL", "continuous": "FULL"}
PAGE = 250
GROW_BATCH = 1000
COLUMNS = ("assoc 1", "assoc B", "update 1", "disassoc 1", "list first", "list mid", "list last")

Send = Callable[[str, dict[str, Any]], dict[str, Any]]


def item(name: str) -> dict[str, Any]:
    return {"bucketName": BUCKET, "prefix": name, "classificationType": FULL}


def client_of(endpoint: LocalEndpoint) -> Any:
    """The project's Macie client for the endpoint's default account, retries off."""
    return make_client(ClientSettings(region="us-east-1", endpoint_url=endpoint.url, max_attempts=1), credentials=CREDS)


def senders(endpoint: LocalEndpoint, api: Any) -> dict[str, Send]:
    """One way to call an action per layer: ``http`` (the project's boto3 client) and ``backend``."""
    backend: Backend = endpoint.macie.backend
    caller = Caller(DEFAULT_ACCOUNT, "us-east-1")

    def http(action: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = getattr(api, xform_name(action))(**params)
        return result

    def direct(action: str, params: dict[str, Any]) -> dict[str, Any]:
        return backend.dispatch(action, caller, params)

    return {"http": http, "backend": direct}


def checked(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("failedS3Resources"):
        raise SystemExit(f"endpoint_scale: a write failed: {result['failedS3Resources'][0]}")
    return result


def grow(send: Send, size: int) -> None:
    """Associate prefixes 0 .. ``size - 1`` in batches."""
    for start in range(0, size, GROW_BATCH):
        batch = [item(f"p{i:07d}/") for i in range(start, min(start + GROW_BATCH, size))]
        checked(send("AssociateS3Resources", {"s3Resources": batch}))


def page_tokens(send: Send) -> list[str]:
    """The nextToken of each page after the first, in order (listed once, untimed)."""
    tokens: list[str] = []
    params: dict[str, Any] = {"maxResults": PAGE}
    while True:
        token = send("ListS3Resources", params).get("nextToken")
        if not token:
            return tokens
        tokens.append(token)
        params = {"maxResults": PAGE, "nextToken": token}


#: A timed step: untimed ``before(i)``, timed ``timed(i)``, untimed ``after(i)`` for the i-th repeat.
Step = tuple[Callable[[int], None], Callable[[int], None], Callable[[int], None]]


def steps(send: Send, size: int, batch: int, tag: str) -> dict[str, Step]:
    """The columns' steps for an account of ``size`` associations through ``send``; each leaves it at ``size``."""

    def one(i: int) -> list[dict[str, Any]]:
        return [item(f"{tag}-one-{i}/")]

    def many(i: int) -> list[dict[str, Any]]:
        return [item(f"{tag}-many-{i}-{j}/") for j in range(batch)]

    def associate(items: list[dict[str, Any]]) -> None:
        checked(send("AssociateS3Resources", {"s3Resources": items}))

    def disassociate(items: list[dict[str, Any]]) -> None:
        gone = [{"bucketName": x["bucketName"], "prefix": x["prefix"]} for x in items]
        checked(send("DisassociateS3Resources", {"associatedS3Resources": gone}))

    def update(i: int) -> None:
        target = {"bucketName": BUCKET, "prefix": f"p{(i * 7919) % size:07d}/"}  # spread over the list
        kind = {"oneTime": "NONE" if i % 2 else "FULL"}
        checked(send("UpdateS3Resources", {"s3ResourcesUpdate": [{**target, "classificationTypeUpdate": kind}]}))

    def lister(token: str | None) -> Callable[[int], None]:
        params: dict[str, Any] = {"maxResults": PAGE, **({"nextToken": token} if token else {})}

        def list_page(i: int) -> None:
            send("ListS3Resources", params)

        return list_page

    def nothing(i: int) -> None:
        return None

    tokens = page_tokens(send)
    return {
        "assoc 1": (nothing, lambda i: associate(one(i)), lambda i: disassociate(one(i))),
        "assoc B": (nothing, lambda i: associate(many(i)), lambda i: disassociate(many(i))),
        "update 1": (nothing, update, nothing),
        "disassoc 1": (lambda i: associate(one(i)), lambda i: disassociate(one(i)), nothing),
        "list first": (nothing, lister(None), nothing),
        "list mid": (nothing, lister(tokens[len(tokens) // 2]), nothing),
        "list last": (nothing, lister(tokens[-1]), nothing),
    }


def interleaved_ms(runs: dict[Any, dict[str, Step]], repeats: int) -> dict[Any, dict[str, float]]:
    """The median milliseconds of every run's every step, the runs taking turns call by call, so that
    a change in the machine's load touches every size alike."""
    took: dict[Any, dict[str, list[float]]] = {key: {c: [] for c in COLUMNS} for key in runs}
    for i in range(repeats):
        for column in COLUMNS:
            for key, run in runs.items():
                before, timed, after = run[column]
                before(i)
                began = time.perf_counter()
                timed(i)
                took[key][column].append(time.perf_counter() - began)
                after(i)
    return {key: {c: statistics.median(t) * 1000 for c, t in columns.items()} for key, columns in took.items()}


def full_listing_calls(endpoint: LocalEndpoint, send_client: Any) -> int:
    """The ListS3Resources calls the provider's paginator makes to list the account in full."""

    def listed() -> int:
        return sum(v for k, v in endpoint.macie.counters.items() if k.startswith("ListS3Resources."))

    before = listed()
    for _ in send_client.get_paginator("list_s3_resources").paginate(PaginationConfig={"PageSize": PAGE}):
        pass
    return listed() - before


def table(results: list[dict[str, Any]], layer: str, batch: int) -> str:
    """One layer's rows: milliseconds per column and, in brackets, the ratio to the smallest size."""
    head = [c.replace(" B", f" {batch}") for c in COLUMNS]
    lines = [f"{layer:<8} {'size':>7} " + " ".join(f"{c:>16}" for c in head) + f" {'pages':>7}"]
    base = results[0][layer]
    for row in results:
        cells = [f"{row[layer][c]:7.3f} ({row[layer][c] / base[c]:4.2f}x)" for c in COLUMNS]
        lines.append(f"{layer:<8} {row['size']:>7} " + " ".join(f"{c:>16}" for c in cells) + f" {row['pages']:>7}")
    worst = max(row[layer][c] / base[c] for row in results for c in COLUMNS)
    lines.append(f"{layer}: largest ratio to size {results[0]['size']}: {worst:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000,100000", help="associations in the account, ascending")
    parser.add_argument("--batch", type=int, default=100, help="prefixes in the timed AssociateS3Resources batch")
    parser.add_argument("--repeats", type=int, default=31, help="timed calls per column and layer (the median counts)")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if sizes[0] < PAGE * 3:
        parser.error(f"--sizes: the smallest must be at least {PAGE * 3} (three pages, for a middle one)")
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as running:
        create_bucket(BUCKET)
        limits = Limits(max_s3_resources=sizes[-1] + args.batch + 1)
        runs: dict[tuple[int, str], dict[str, Step]] = {}
        results: list[dict[str, Any]] = []
        wrong: list[str] = []
        for size in sizes:  # one endpoint and state file per size, all running at once
            state = os.path.join(folder, f"scale-{size}.sqlite3")
            endpoint = running.enter_context(LocalEndpoint(state=state, limits=limits))
            client = client_of(endpoint)
            send = senders(endpoint, client)
            grow(send["http"], size)
            results.append({"size": size, "pages": full_listing_calls(endpoint, client)})
            expected = math.ceil(size / PAGE)
            if results[-1]["pages"] != expected:
                wrong.append(f"size {size}: {results[-1]['pages']} list calls, not ceil({size}/{PAGE}) = {expected}")
            for layer, how in send.items():
                runs[size, layer] = steps(how, size, args.batch, layer)
            print(f"size {size}: associated", file=sys.stderr, flush=True)
        timings = interleaved_ms(runs, args.repeats)
        for row in results:
            for layer in ("http", "backend"):
                row[layer] = timings[row["size"], layer]
    print(
        f"milliseconds per call (median of {args.repeats}), ratio to size {sizes[0]} in brackets; "
        f"pages = ListS3Resources calls for a full listing"
    )
    for layer in ("http", "backend"):
        print(table(results, layer, args.batch))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"batch": args.batch, "repeats": args.repeats, "rows": results}, handle, indent=2)
    for line in wrong:
        print(line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
