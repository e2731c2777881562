"""Where resources live, as both hosts record it, and what counts as a move (``resources.location``)."""

from __future__ import annotations

import pytest

from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.resources.location import canonical_endpoint, location, moved, resolved_region, settings_at

LOCAL = "http://127.0.0.1:4510"


def test_the_recorded_endpoint_keeps_no_user_password_query_or_fragment() -> None:
    settings = ClientSettings(region="us-east-1", endpoint_url="http://user:pw@[::1]:4510/macie?x=1#y")
    assert location(settings) == {"region": "us-east-1", "endpointUrl": "http://[::1]:4510/macie"}
    assert location(ClientSettings()) == {"region": "", "endpointUrl": ""}
    # AWS's own endpoint is recorded as its URL: "" is only ever "not known".
    aws = {"region": "us-west-2", "endpointUrl": "https://macie.us-west-2.amazonaws.com"}
    assert location(ClientSettings(region="us-west-2")) == aws


@pytest.mark.parametrize(
    "written",
    ["http://127.0.0.1:4510", "http://127.0.0.1:4510/", "HTTP://127.0.0.1:4510", "http://127.0.0.1:4510//"],
)
def test_the_same_endpoint_written_another_way_is_one_canonical_url(written: str) -> None:
    assert canonical_endpoint(written) == LOCAL
    assert canonical_endpoint("https://Macie.US-EAST-1.amazonaws.com:443/") == "https://macie.us-east-1.amazonaws.com"
    assert canonical_endpoint("http://u:p@h:80/x/", userinfo=True) == "http://u:p@h/x"
    assert canonical_endpoint("http://u:p@h:80/x/") == "http://h/x"


@pytest.mark.parametrize(
    ("recorded", "here", "keys"),
    [
        ({"region": "us-east-1", "endpointUrl": LOCAL}, {"region": "us-east-1", "endpointUrl": LOCAL}, []),
        ({"region": "us-east-1", "endpointUrl": ""}, {"region": "us-west-2", "endpointUrl": ""}, ["region"]),
        ({"region": "", "endpointUrl": ""}, {"region": "us-west-2", "endpointUrl": ""}, []),  # left to the env
        ({"region": "us-east-1", "endpointUrl": LOCAL}, {"region": "", "endpointUrl": ""}, []),  # not known
        ({"region": "us-east-1", "endpointUrl": ""}, {"region": "us-east-1", "endpointUrl": LOCAL}, []),  # not recorded
        (
            {"region": "us-east-1", "endpointUrl": "https://macie.us-east-1.amazonaws.com"},
            {"region": "us-east-1", "endpointUrl": LOCAL},
            ["endpointUrl"],
        ),
        ({"region": "us-east-1", "endpointUrl": LOCAL + "/"}, {"region": "us-east-1", "endpointUrl": LOCAL}, []),
    ],
)
def test_a_move_is_a_changed_region_or_endpoint(
    recorded: dict[str, str], here: dict[str, str], keys: list[str]
) -> None:
    assert moved(recorded, here) == keys


def test_a_resource_is_reached_where_it_was_recorded() -> None:
    here = ClientSettings(region="us-west-2", endpoint_url=None, max_attempts=3)
    there = settings_at(here, {"region": "us-east-1", "endpointUrl": LOCAL})
    assert (there.region, there.endpoint_url, there.max_attempts) == ("us-east-1", LOCAL, 3)
    assert settings_at(here, None) is here
    unset = ClientSettings(region=None)
    assert settings_at(unset, {"region": "us-east-1", "endpointUrl": ""}).region == "us-east-1"


def test_a_region_left_to_the_environment_is_the_environments_else_the_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert resolved_region("us-east-1") == "us-east-1"
    assert resolved_region(None) is None
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert resolved_region("us-east-1") == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert resolved_region("us-east-1") == "eu-west-1"
