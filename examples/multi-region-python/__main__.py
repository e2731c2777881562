"""S3 resources monitored in two regions of the credentials' account and, through an assumed role, in a
second account, each with an explicit provider of the native plugin's Python SDK: the program of
examples/multi-region, in Python."""

import pulumi
import pulumi_macie_native as macie

config = pulumi.Config()
# The Macie endpoint of every provider (macie-local's URL); unset, the AWS environment's, else AWS's own.
endpoint_url = config.get("endpointUrl")

# The credentials' own account, in two regions.
east = macie.Provider("east", region="us-east-1", endpoint_url=endpoint_url)
west = macie.Provider("west", region="us-west-2", endpoint_url=endpoint_url)
# The audit account, reached by assuming a role there; it refuses to act in any other account.
audit = macie.Provider(
    "audit",
    region="us-east-1",
    endpoint_url=endpoint_url,
    assume_role=macie.AssumeRoleArgs(
        role_arn=config.get("auditRoleArn") or "arn:aws:iam::444455556666:role/MacieAudit",
        external_id=config.get("auditExternalId") or "macie-audit",
        session_name="pulumi-macie-audit",
        duration_seconds=3600,
    ),
    allowed_account_ids=[config.get("auditAccountId") or "444455556666"],
)

east_logs = macie.MacieS3Resource(
    "east-logs",
    bucket_name=config.get("eastBucket") or "corp-logs",
    classification_type=macie.ClassificationTypeArgs(one_time="FULL"),
    opts=pulumi.ResourceOptions(provider=east),
)
west_logs = macie.MacieS3Resource(
    "west-logs",
    bucket_name=config.get("westBucket") or "corp-logs-west",
    prefix="2024/",
    opts=pulumi.ResourceOptions(provider=west),
)
audit_logs = macie.MacieS3Resource(
    "audit-logs",
    bucket_name=config.get("auditBucket") or "audit-logs",
    classification_type=macie.ClassificationTypeArgs(one_time="FULL", continuous="FULL"),
    opts=pulumi.ResourceOptions(provider=audit),
)

pulumi.export("eastLogsId", east_logs.id)
pulumi.export("westLogsId", west_logs.id)
pulumi.export("auditLogsId", audit_logs.id)
