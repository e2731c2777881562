"""A member account, an S3 bucket monitored for the master, and a prefix monitored for the member."""

import pulumi

from pulumi_macie import ClassificationTypeArgs, MacieMemberAccount, MacieS3Resource

config = pulumi.Config()
bucket = config.get("bucket") or "corp-logs"

member = MacieMemberAccount("audit", member_account_id=config.get("memberAccountId") or "111122223333")

master_logs = MacieS3Resource(
    "master-logs",
    bucket_name=bucket,
    classification_type=ClassificationTypeArgs(one_time=config.get("oneTime") or "FULL", continuous="FULL"),
)

member_logs = MacieS3Resource(
    "member-logs",
    bucket_name=bucket,
    prefix=config.get("prefix") or "2024/",
    member_account_id=member.member_account_id,
)

pulumi.export("memberAccountId", member.member_account_id)
pulumi.export("masterLogsId", master_logs.id)
pulumi.export("memberLogsId", member_logs.id)
pulumi.export("memberLogsClassification", member_logs.classification_type)
