"""Declares associations that already exist, so that, once imported, this stack manages them.

Import them first (the names and IDs match what is declared here):

    pulumi-macie-import MacieMemberAccount legacy-member 111122223333 \
        MacieS3Resource legacy-logs 111122223333:legacy-logs/archive/ --run -- --yes
"""

import pulumi

from pulumi_macie import ClassificationTypeArgs, MacieMemberAccount, MacieS3Resource

config = pulumi.Config()

member = MacieMemberAccount("legacy-member", member_account_id=config.get("memberAccountId") or "111122223333")

logs = MacieS3Resource(
    "legacy-logs",
    bucket_name=config.get("bucket") or "legacy-logs",
    prefix="archive/",
    member_account_id=member.member_account_id,
    classification_type=ClassificationTypeArgs(one_time="FULL", continuous="FULL"),
)

pulumi.export("legacyLogsId", logs.id)
