"""Every error the endpoint can answer is known to clients, and AWS's own model works against it."""

from __future__ import annotations

import glob
import json
import os
import zipfile
from typing import Any

import botocore.loaders
import botocore.session
import pytest

from macie_local import exceptions
from macie_local.server import LocalEndpoint
from macie_local.validation import service_model
from pulumi_macie_provider.client import DATA_PATH

from .conftest import DEFAULT_CREDENTIALS, FULL

#: Protocol-level errors common to AWS services (the reference's "Common Errors" and JSON 1.1's own).
PROTOCOL_ERRORS = {
    "MissingAuthenticationToken": 403,
    "InvalidClientTokenId": 403,
    "IncompleteSignature": 400,
    "SignatureDoesNotMatch": 403,
    "RequestExpired": 400,
    "InvalidAction": 400,
    "MissingAction": 400,
    "SerializationException": 400,
    "RequestEntityTooLarge": 413,
    "ThrottlingException": 400,
    "ServiceUnavailable": 503,
    "ExpiredTokenException": 403,
    # STS's, in its query protocol (AssumeRole and its sessions).
    "AccessDenied": 403,
    "ValidationError": 400,
    "ExpiredToken": 403,
}

#: The last botocore release that shipped AWS's own Macie Classic model: scripts/setup.sh downloads its
#: wheel into .tools/wheels.
AWS_BOTOCORE_WHEELS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".tools", "wheels", "botocore-1.31.0-*.whl"
)


def test_every_endpoint_error_is_modelled_or_a_protocol_error() -> None:
    """Each error class is a model error shape with the model's status, or a known protocol error."""
    model = service_model()
    for cls in exceptions.all_error_classes():
        if cls.modelled:
            shape = model.shape_for(cls.code)
            assert shape.metadata["exception"] and shape.metadata["error"]["httpStatusCode"] == cls.status
        else:
            assert PROTOCOL_ERRORS[cls.code] == cls.status, cls.code
    modelled = {c.code for c in exceptions.all_error_classes() if c.modelled}
    assert modelled == {s for s in model.shape_names if model.shape_for(s).metadata.get("exception")}


def aws_model_dir(tmp_dir: str) -> str:
    """AWS's own macie model, taken from the last botocore wheel that shipped it (setup downloads it)."""
    wheels = glob.glob(AWS_BOTOCORE_WHEELS)
    if not wheels:
        pytest.fail(f"no {os.path.basename(AWS_BOTOCORE_WHEELS)} in .tools/wheels: run scripts/setup.sh")
    with zipfile.ZipFile(wheels[0]) as wheel:
        for name in wheel.namelist():
            if name.startswith("botocore/data/macie/") and name.endswith(".json"):
                wheel.extract(name, tmp_dir)
    return os.path.join(tmp_dir, "botocore", "data")


@pytest.fixture(scope="module")
def aws_data(tmp_path_factory: pytest.TempPathFactory) -> str:
    return aws_model_dir(str(tmp_path_factory.mktemp("aws-model")))


def test_our_model_matches_aws_model(aws_data: str) -> None:
    """Our model's operations and shapes equal AWS's own, documentation and error statuses aside."""

    def load(root: str) -> Any:
        with open(os.path.join(root, "macie", "2017-12-19", "service-2.json")) as handle:
            return json.load(handle)

    aws, ours = load(aws_data), load(DATA_PATH)

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("documentation", "error")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(aws["operations"]) == strip(ours["operations"])
    assert strip(aws["shapes"]) == strip(ours["shapes"])
    for key in ("apiVersion", "endpointPrefix", "jsonVersion", "protocol", "serviceId", "targetPrefix"):
        assert aws["metadata"][key] == ours["metadata"][key]


def test_aws_generated_client_works_unchanged(aws_data: str, tmp_path: Any) -> None:
    """A client generated from AWS's own model runs all seven actions against macie-local."""
    with LocalEndpoint(buckets=["aws-model-bucket"]) as running:
        session = botocore.session.get_session()
        loader = botocore.loaders.Loader(extra_search_paths=[aws_data], include_default_search_paths=True)
        session.register_component("data_loader", loader)
        macie = session.create_client(
            "macie",
            region_name="us-east-1",
            endpoint_url=running.url,
            aws_access_key_id=DEFAULT_CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=DEFAULT_CREDENTIALS["aws_secret_access_key"],
        )
        assert loader.search_paths[0] == aws_data
        macie.associate_member_account(memberAccountId="444455556666")
        assert len(macie.list_member_accounts()["memberAccounts"]) == 2
        item = {"bucketName": "aws-model-bucket", "prefix": "p/", "classificationType": FULL}
        assert (
            macie.associate_s3_resources(memberAccountId="444455556666", s3Resources=[item])["failedS3Resources"] == []
        )
        update = {"bucketName": "aws-model-bucket", "prefix": "p/", "classificationTypeUpdate": {"oneTime": "NONE"}}
        assert (
            macie.update_s3_resources(memberAccountId="444455556666", s3ResourcesUpdate=[update])["failedS3Resources"]
            == []
        )
        listed = macie.list_s3_resources(memberAccountId="444455556666")["s3Resources"]
        assert listed == [
            {
                "bucketName": "aws-model-bucket",
                "prefix": "p/",
                "classificationType": {"oneTime": "NONE", "continuous": "FULL"},
            }
        ]
        gone = macie.disassociate_s3_resources(
            memberAccountId="444455556666", associatedS3Resources=[{"bucketName": "aws-model-bucket", "prefix": "p/"}]
        )
        assert gone["failedS3Resources"] == []
        macie.disassociate_member_account(memberAccountId="444455556666")
        with pytest.raises(macie.exceptions.InvalidInputException):
            macie.disassociate_member_account(memberAccountId="444455556666")
