"""Explicit providers: one for each region, and one that acts in another account through an assumed role,
each given to the resources it manages. A second program beside ``__main__.py`` (which the stack runs);
``tests/test_sdk_python_native.py`` runs this one under Pulumi's mocks."""

import pulumi
import pulumi_macie_native as macie

config = pulumi.Config()
# macie-local unless set; the keys are optional (without them: the profile, then the AWS credential chain).
# The SDK passes the keys to the provider as secrets, even when given as plain strings.
endpoint_url = config.get("endpointUrl") or "http://127.0.0.1:4510"
keys = {"access_key": config.get("accessKey"), "secret_key": config.get("secretKey")}

east = macie.Provider("us-east-1", region="us-east-1", endpoint_url=endpoint_url, **keys)
west = macie.Provider("us-west-2", region="us-west-2", endpoint_url=endpoint_url, **keys)
# The audit account's Macie, through a role it trusts us with; a provider whose credentials turn out to be
# another account's fails before it calls Macie. (Give assume_role as AssumeRoleArgs: the SDK sends a
# plain dict's Python keys, role_arn..., which the provider refuses: pulumi/pulumi#18810.)
audit = macie.Provider(
    "audit-account",
    region="us-east-1",
    endpoint_url=endpoint_url,
    assume_role=macie.AssumeRoleArgs(
        role_arn="arn:aws:iam::444455556666:role/MacieAdmin",
        external_id=config.get("externalId") or "macie-audit",
    ),
    allowed_account_ids=["444455556666"],
    **keys,
)

east_logs = macie.MacieS3Resource("east-logs", bucket_name="corp-logs-east", opts=pulumi.ResourceOptions(provider=east))
west_logs = macie.MacieS3Resource("west-logs", bucket_name="corp-logs-west", opts=pulumi.ResourceOptions(provider=west))
audit_logs = macie.MacieS3Resource(
    "audit-logs", bucket_name="audit-logs", prefix="macie/", opts=pulumi.ResourceOptions(provider=audit)
)

pulumi.export("eastLogsId", east_logs.id)
pulumi.export("westLogsId", west_logs.id)
pulumi.export("auditLogsId", audit_logs.id)
