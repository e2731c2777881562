"""A member account, an S3 bucket monitored for the master, and a prefix monitored for the member, with the
Python SDK of the native plugin (``pulumi-resource-macie``): the same stack as examples/basic, as
``macie:index:*`` resources."""

import pulumi
import pulumi_macie_native as macie

config = pulumi.Config()
bucket = config.get("bucket") or "corp-logs"

member = macie.MacieMemberAccount("audit", member_account_id=config.get("memberAccountId") or "111122223333")

master_logs = macie.MacieS3Resource(
    "master-logs",
    bucket_name=bucket,
    classification_type=macie.ClassificationTypeArgs(one_time=config.get("oneTime") or "FULL", continuous="FULL"),
)

member_logs = macie.MacieS3Resource(
    "member-logs",
    bucket_name=bucket,
    prefix=config.get("prefix") or "2024/",
    member_account_id=member.member_account_id,
)

pulumi.export("memberAccountId", member.member_account_id)
pulumi.export("masterLogsId", master_logs.id)
pulumi.export("memberLogsId", member_logs.id)
pulumi.export("memberLogsClassification", member_logs.classification_type)
