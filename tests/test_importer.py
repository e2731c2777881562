"""pulumi-macie-import's reading of a stack's pending creates, for the resources of both hosts."""

from __future__ import annotations

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.importer import pending_creates
from pulumi_macie_provider.resources.s3_resource import MacieS3ResourceProvider

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:macie::default"


def _deployment() -> dict:
    return {
        "resources": [{"urn": PROVIDER_URN, "type": "pulumi:providers:macie",
                       "inputs": {"region": "us-west-2", "endpointUrl": "http://127.0.0.1:4510", "version": "0.1.0"}}],
        "pending_operations": [
            {"type": "creating", "resource": {
                "urn": "urn:pulumi:dev::p::macie:index:MacieS3Resource::logs", "type": "macie:index:MacieS3Resource",
                "provider": f"{PROVIDER_URN}::0b1c", "inputs": {"bucketName": "b", "prefix": "x/",
                                                               "memberAccountId": "111122223333"}}},
            {"type": "creating", "resource": {
                "urn": "urn:pulumi:dev::p::pulumi-python:dynamic:Resource::old", "type": "pulumi-python:dynamic:Resource",
                "inputs": {"bucketName": "b", "__provider": serialize_provider(MacieS3ResourceProvider())}}},
            {"type": "updating", "resource": {
                "urn": "urn:pulumi:dev::p::macie:index:MacieMemberAccount::m", "type": "macie:index:MacieMemberAccount",
                "inputs": {"memberAccountId": "111122223333"}}},
        ],
    }


def test_pending_creates_of_both_hosts() -> None:
    """Pending creates of native and dynamic resources are found with their IDs; a native one is looked
    up where its provider's recorded settings say, a dynamic one where the command's settings say."""
    given = ClientSettings(region="us-east-1")
    found = pending_creates(_deployment(), given)
    assert [(urn.rsplit("::", 1)[1], kind, id_) for urn, kind, id_, _ in found] == [
        ("logs", "macie:index:MacieS3Resource", "111122223333:b/x/"), ("old", "MacieS3Resource", "b")]
    assert found[0][3] == ClientSettings(region="us-west-2", endpoint_url="http://127.0.0.1:4510")
    assert found[1][3] == given
