"""The shipped service model agrees with the API reference and the wire facts."""

from __future__ import annotations

from typing import Any

import pytest

from macie_local.validation import check, service_model
from pulumi_macie_provider.client import ClientSettings, make_client

# From the API reference: operation -> (input members {name: (shape, required)}, output members, errors)
OPERATIONS: dict[str, tuple[dict[str, tuple[str, bool]], set[str], set[str]]] = {
    "AssociateMemberAccount": (
        {"memberAccountId": ("AWSAccountId", True)},
        set(),
        {"InternalException", "InvalidInputException", "LimitExceededException"},
    ),
    "AssociateS3Resources": (
        {"memberAccountId": ("AWSAccountId", False), "s3Resources": ("S3ResourcesClassification", True)},
        {"failedS3Resources"},
        {"AccessDeniedException", "InternalException", "InvalidInputException", "LimitExceededException"},
    ),
    "DisassociateMemberAccount": (
        {"memberAccountId": ("AWSAccountId", True)},
        set(),
        {"InternalException", "InvalidInputException"},
    ),
    "DisassociateS3Resources": (
        {"memberAccountId": ("AWSAccountId", False), "associatedS3Resources": ("S3Resources", True)},
        {"failedS3Resources"},
        {"AccessDeniedException", "InternalException", "InvalidInputException"},
    ),
    "ListMemberAccounts": (
        {"maxResults": ("MaxResults", False), "nextToken": ("NextToken", False)},
        {"memberAccounts", "nextToken"},
        {"InternalException", "InvalidInputException"},
    ),
    "ListS3Resources": (
        {
            "maxResults": ("MaxResults", False),
            "memberAccountId": ("AWSAccountId", False),
            "nextToken": ("NextToken", False),
        },
        {"s3Resources", "nextToken"},
        {"AccessDeniedException", "InternalException", "InvalidInputException"},
    ),
    "UpdateS3Resources": (
        {
            "memberAccountId": ("AWSAccountId", False),
            "s3ResourcesUpdate": ("S3ResourcesClassificationUpdate", True),
        },
        {"failedS3Resources"},
        {"AccessDeniedException", "InternalException", "InvalidInputException"},
    ),
}

# Data types: shape -> {member: (shape, required)}
STRUCTURES: dict[str, dict[str, tuple[str, bool]]] = {
    "ClassificationType": {
        "continuous": ("S3ContinuousClassificationType", True),
        "oneTime": ("S3OneTimeClassificationType", True),
    },
    "ClassificationTypeUpdate": {
        "continuous": ("S3ContinuousClassificationType", False),
        "oneTime": ("S3OneTimeClassificationType", False),
    },
    "FailedS3Resource": {
        "errorCode": ("ErrorCode", False),
        "errorMessage": ("ExceptionMessage", False),
        "failedItem": ("S3Resource", False),
    },
    "MemberAccount": {"accountId": ("AWSAccountId", False)},
    "S3Resource": {"bucketName": ("BucketName", True), "prefix": ("Prefix", False)},
    "S3ResourceClassification": {
        "bucketName": ("BucketName", True),
        "classificationType": ("ClassificationType", True),
        "prefix": ("Prefix", False),
    },
    "S3ResourceClassificationUpdate": {
        "bucketName": ("BucketName", True),
        "classificationTypeUpdate": ("ClassificationTypeUpdate", True),
        "prefix": ("Prefix", False),
    },
    "AccessDeniedException": {"message": ("ExceptionMessage", False), "resourceType": ("ResourceType", False)},
    "InternalException": {"errorCode": ("ErrorCode", False), "message": ("ExceptionMessage", False)},
    "InvalidInputException": {
        "errorCode": ("ErrorCode", False),
        "fieldName": ("FieldName", False),
        "message": ("ExceptionMessage", False),
    },
    "LimitExceededException": {
        "errorCode": ("ErrorCode", False),
        "message": ("ExceptionMessage", False),
        "resourceType": ("ResourceType", False),
    },
}

# Scalar constraints: shape -> (type, {constraint: value})
SCALARS: dict[str, tuple[str, dict[str, Any]]] = {
    "AWSAccountId": ("string", {"pattern": "[0-9]{12}"}),
    "BucketName": ("string", {"max": 500}),
    "Prefix": ("string", {"max": 10000}),
    "MaxResults": ("integer", {"max": 250}),
    "NextToken": ("string", {"max": 500}),
    "ErrorCode": ("string", {"max": 10}),
    "ExceptionMessage": ("string", {"max": 10000}),
    "S3ContinuousClassificationType": ("string", {"enum": ["FULL"]}),
    "S3OneTimeClassificationType": ("string", {"enum": ["FULL", "NONE"]}),
}

ERROR_STATUS = {
    "AccessDeniedException": 400,
    "InternalException": 500,
    "InvalidInputException": 400,
    "LimitExceededException": 400,
}


def test_model_metadata_matches_wire_facts() -> None:
    """API version, protocol, signing name, endpoint prefix and target prefix are AWS's."""
    meta = service_model().metadata
    assert meta["apiVersion"] == "2017-12-19"
    assert meta["protocol"] == "json" and meta["jsonVersion"] == "1.1"
    assert meta["serviceId"] == "Macie" and meta["serviceFullName"] == "Amazon Macie"
    assert meta["endpointPrefix"] == "macie" and meta["signingName"] == "macie"
    assert meta["targetPrefix"] == "MacieService"
    assert meta["signatureVersion"] == "v4"


def test_model_has_exactly_the_seven_operations() -> None:
    """The model defines the reference's seven actions and no others."""
    assert sorted(service_model().operation_names) == sorted(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_shapes_match_reference(name: str) -> None:
    """Each operation's input members, required flags, output members and errors match the reference."""
    inputs, outputs, errors = OPERATIONS[name]
    op = service_model().operation_model(name)
    assert op.http == {"method": "POST", "requestUri": "/"}
    members = op.input_shape.members
    assert {k: (v.name, k in op.input_shape.required_members) for k, v in members.items()} == inputs
    assert (set(op.output_shape.members) if op.output_shape else set()) == outputs
    assert {e.name for e in op.error_shapes} == errors
    assert op.documentation


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_structure_shapes_match_reference(name: str) -> None:
    """Each data type has the reference's members, member shapes and required flags."""
    shape = service_model().shape_for(name)
    actual = {k: (v.name, k in shape.required_members) for k, v in shape.members.items()}
    assert actual == STRUCTURES[name]


@pytest.mark.parametrize("name", sorted(SCALARS))
def test_scalar_constraints_match_reference(name: str) -> None:
    """Patterns, maximum lengths, ranges and enums are the reference's."""
    kind, constraints = SCALARS[name]
    shape = service_model().shape_for(name)
    assert shape.type_name == kind
    for key, value in constraints.items():
        assert shape.metadata[key] == value


@pytest.mark.parametrize("name", sorted(ERROR_STATUS))
def test_error_shapes_have_reference_status(name: str) -> None:
    """Each modelled error is an exception with the reference's HTTP status."""
    shape = service_model().shape_for(name)
    assert shape.metadata["exception"] is True
    assert shape.metadata["error"]["httpStatusCode"] == ERROR_STATUS[name]
    assert bool(shape._shape_model.get("fault")) == (name == "InternalException")


def test_every_member_is_documented() -> None:
    """Every input and output member of every operation carries a documentation string."""
    model = service_model()
    for name in model.operation_names:
        op = model.operation_model(name)
        for shape in (op.input_shape, op.output_shape):
            for member, member_shape in shape.members.items() if shape else []:
                assert member_shape.documentation, f"{name}.{member}"


def test_paginators_cover_both_list_actions() -> None:
    """ListMemberAccounts and ListS3Resources paginate on nextToken with maxResults as the limit."""
    client = make_client(
        ClientSettings(region="us-east-1"),
        credentials={"aws_access_key_id": "k", "aws_secret_access_key": "s"},
    )
    for op in ("list_member_accounts", "list_s3_resources"):
        assert client.can_paginate(op)
    paginator = client.get_paginator("list_s3_resources")
    assert paginator._pagination_cfg == {
        "input_token": "nextToken",
        "output_token": "nextToken",
        "limit_key": "maxResults",
        "result_key": "s3Resources",
    }


@pytest.mark.parametrize(
    ("operation", "params", "field", "code"),
    [
        ("AssociateMemberAccount", {}, "memberAccountId", "Required"),
        ("AssociateMemberAccount", {"memberAccountId": "12345678901a"}, "memberAccountId", "Pattern"),
        ("AssociateMemberAccount", {"memberAccountId": "1234567890123"}, "memberAccountId", "Pattern"),
        ("ListS3Resources", {"maxResults": 251}, "maxResults", "Range"),
        ("ListS3Resources", {"maxResults": 0}, "maxResults", "Range"),
        ("ListS3Resources", {"maxResults": True}, "maxResults", "Type"),
        ("ListS3Resources", {"nextToken": "x" * 501}, "nextToken", "Length"),
        ("AssociateS3Resources", {"s3Resources": []}, "s3Resources", "Empty"),
        (
            "AssociateS3Resources",
            {
                "s3Resources": [
                    {"bucketName": "b" * 501, "classificationType": {"oneTime": "FULL", "continuous": "FULL"}}
                ]
            },
            "s3Resources[0].bucketName",
            "Length",
        ),
        (
            "AssociateS3Resources",
            {
                "s3Resources": [
                    {
                        "bucketName": "b",
                        "prefix": "p" * 10001,
                        "classificationType": {"oneTime": "FULL", "continuous": "FULL"},
                    }
                ]
            },
            "s3Resources[0].prefix",
            "Length",
        ),
        (
            "AssociateS3Resources",
            {"s3Resources": [{"bucketName": "b", "classificationType": {"oneTime": "FULL"}}]},
            "s3Resources[0].classificationType.continuous",
            "Required",
        ),
        (
            "AssociateS3Resources",
            {"s3Resources": [{"bucketName": "b", "classificationType": {"oneTime": "FULL", "continuous": "NONE"}}]},
            "s3Resources[0].classificationType.continuous",
            "Enum",
        ),
        (
            "UpdateS3Resources",
            {"s3ResourcesUpdate": [{"bucketName": "b", "classificationTypeUpdate": {}}]},
            "s3ResourcesUpdate[0].classificationTypeUpdate",
            "Required",
        ),
        (
            "DisassociateS3Resources",
            {"associatedS3Resources": [{"bucketName": ""}]},
            "associatedS3Resources[0].bucketName",
            "Empty",
        ),
        ("DisassociateS3Resources", {"associatedS3Resources": "b"}, "associatedS3Resources", "Type"),
    ],
)
def test_validation_names_field_and_rule(operation: str, params: dict[str, Any], field: str, code: str) -> None:
    """The model-driven check reports the first broken rule with the field's path."""
    violation = check(operation, params)
    assert violation is not None
    assert (violation.field, violation.code) == (field, code)


def test_validation_accepts_valid_requests() -> None:
    """Requests that follow every rule pass."""
    assert check("ListS3Resources", {"maxResults": 250, "memberAccountId": "111122223333"}) is None
    assert (
        check(
            "UpdateS3Resources",
            {
                "s3ResourcesUpdate": [
                    {"bucketName": "b", "prefix": "p/", "classificationTypeUpdate": {"oneTime": "NONE"}}
                ]
            },
        )
        is None
    )
