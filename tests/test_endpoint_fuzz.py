"""Fuzzing macie-local: generated requests never get a 5xx for a client fault, never crash it, and
a rejected request never changes the store."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from macie_local.server import LocalEndpoint

from .helpers import raw_request

#: How many generated requests each fuzz test sends (10,000 in all across the four by default).
EXAMPLES = int(os.environ.get("MACIE_FUZZ_EXAMPLES", "2500"))
ACTIONS = [
    "AssociateMemberAccount",
    "DisassociateMemberAccount",
    "AssociateS3Resources",
    "DisassociateS3Resources",
    "ListMemberAccounts",
    "ListS3Resources",
    "UpdateS3Resources",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["FULL", "NONE", "111122223333", "123456789012", ""]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
fields = st.sampled_from(
    [
        "memberAccountId",
        "s3Resources",
        "associatedS3Resources",
        "s3ResourcesUpdate",
        "maxResults",
        "nextToken",
        "bucketName",
        "prefix",
        "classificationType",
        "classificationTypeUpdate",
        "oneTime",
        "continuous",
    ]
)
item = st.fixed_dictionaries(
    {},
    optional={
        "bucketName": st.one_of(
            st.text(max_size=20), st.just("fuzz-bucket"), st.integers(499, 502).map(lambda n: "b" * n)
        ),
        "prefix": st.one_of(st.text(max_size=30), st.integers(9999, 10001).map(lambda n: "p" * n)),
        "classificationType": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "oneTime": st.sampled_from(["FULL", "NONE", "X"]),
                    "continuous": st.sampled_from(["FULL", "NONE"]),
                },
            ),
        ),
        "classificationTypeUpdate": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "oneTime": st.sampled_from(["FULL", "NONE", "X"]),
                    "continuous": st.sampled_from(["FULL", "N"]),
                },
            ),
        ),
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "memberAccountId": st.one_of(st.from_regex(r"[0-9]{12}", fullmatch=True), st.text(max_size=14), json_values),
        "s3Resources": st.one_of(st.lists(item, max_size=4), json_values),
        "associatedS3Resources": st.one_of(st.lists(item, max_size=4), json_values),
        "s3ResourcesUpdate": st.one_of(st.lists(item, max_size=4), json_values),
        "maxResults": st.one_of(st.integers(-5, 300), json_values),
        "nextToken": st.one_of(st.text(max_size=40), st.integers(499, 502).map(lambda n: "b" * n)),
    },
).flatmap(lambda body: st.dictionaries(fields, json_values, max_size=2).map(lambda extra: {**extra, **body}))


@pytest.fixture(scope="module")
def fuzz_endpoint() -> Iterator[LocalEndpoint]:
    with LocalEndpoint(buckets=["fuzz-bucket"]) as endpoint:
        yield endpoint


def snapshot(endpoint: LocalEndpoint) -> Any:
    with endpoint.store.transaction() as db:
        return (
            db.execute("SELECT * FROM members ORDER BY id").fetchall(),
            db.execute("SELECT * FROM s3_resources ORDER BY id").fetchall(),
        )


def assert_sane(endpoint: LocalEndpoint, before: Any, status: int, answer: dict[str, Any]) -> None:
    assert status < 500, answer
    if status != 200:
        assert answer.get("__type") and answer.get("message"), answer
        assert snapshot(endpoint) == before


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@FUZZ_SETTINGS
@given(action=st.sampled_from(ACTIONS), body=bodies)
def test_fuzz_structured_bodies(fuzz_endpoint: LocalEndpoint, action: str, body: dict[str, Any]) -> None:
    """Bodies shaped like the API's, with wrong types, sizes and values: no 5xx; rejections change nothing."""
    before = snapshot(fuzz_endpoint)
    status, answer, _ = raw_request(fuzz_endpoint.url, json.dumps(body), f"MacieService.{action}")
    assert_sane(fuzz_endpoint, before, status, answer)


@FUZZ_SETTINGS
@given(action=st.sampled_from(ACTIONS), body=st.one_of(st.binary(max_size=300), json_values.map(json.dumps)))
def test_fuzz_raw_bodies(fuzz_endpoint: LocalEndpoint, action: str, body: Any) -> None:
    """Arbitrary bytes and JSON of any type as the body: no 5xx; rejections change nothing."""
    before = snapshot(fuzz_endpoint)
    data = body.encode() if isinstance(body, str) else body
    status, answer, _ = raw_request(fuzz_endpoint.url, data, f"MacieService.{action}")
    assert_sane(fuzz_endpoint, before, status, answer)


@FUZZ_SETTINGS
@given(
    target=st.one_of(
        st.none(),
        st.text(max_size=60).filter(lambda t: "\r" not in t and "\n" not in t and t.isprintable() and t.isascii()),
        st.sampled_from(ACTIONS).map(lambda a: f"MacieService.{a}"),
    ),
    method=st.sampled_from(["POST", "PUT", "GET", "DELETE"]),
)
def test_fuzz_targets_and_methods(fuzz_endpoint: LocalEndpoint, target: str | None, method: str) -> None:
    """Any target header and method: a protocol error or a real answer, never a 5xx."""
    before = snapshot(fuzz_endpoint)
    status, answer, _ = raw_request(fuzz_endpoint.url, "{}", target if target else None, method=method)
    if target is None or not target.startswith("MacieService."):
        # Without a Macie target the request is routed by its macie-scoped signature; still no 5xx.
        assert status < 500
        assert snapshot(fuzz_endpoint) == before
        return
    assert_sane(fuzz_endpoint, before, status, answer)


@FUZZ_SETTINGS
@given(
    header=st.sampled_from(
        ["Authorization", "X-Amz-Date", "X-Amz-Target", "Content-Type", "X-Amz-Content-Sha256", "X-Amz-Security-Token"]
    ),
    value=st.text(max_size=120).filter(lambda t: t.isascii() and t.isprintable()),
)
def test_fuzz_headers(fuzz_endpoint: LocalEndpoint, header: str, value: str) -> None:
    """A signed request with one header replaced by junk: refused or answered, never a 5xx or a change."""
    before = snapshot(fuzz_endpoint)

    def junk(headers: dict[str, str]) -> None:
        headers[header] = value

    status, answer, _ = raw_request(
        fuzz_endpoint.url, '{"memberAccountId": "777788889999"}', "MacieService.AssociateMemberAccount", tamper=junk
    )
    assert_sane(fuzz_endpoint, before, status, answer)
