// Explicit providers: one for each region, and one that acts in another account through an assumed
// role, each given to the resources it manages. A second program beside index.ts (examples/typescript
// runs index.ts; providers.test.ts runs this one under Pulumi's mocks).
import * as pulumi from "@pulumi/pulumi";
import * as macie from "@pulumi-macie/macie";

const config = new pulumi.Config();
// macie-local unless set; the keys are optional (without them: the profile, then the AWS credential
// chain). The SDK passes the keys to the provider as secrets, even when given as plain strings.
const endpointUrl = config.get("endpointUrl") ?? "http://127.0.0.1:4510";
const accessKey = config.get("accessKey");
const secretKey = config.get("secretKey");

export const east = new macie.Provider("us-east-1", {region: "us-east-1", endpointUrl, accessKey, secretKey});
export const west = new macie.Provider("us-west-2", {region: "us-west-2", endpointUrl, accessKey, secretKey});
// The audit account's Macie, through a role it trusts us with; a provider whose credentials turn out to
// be another account's fails before it calls Macie.
export const audit = new macie.Provider("audit-account", {
    region: "us-east-1",
    endpointUrl,
    accessKey,
    secretKey,
    assumeRole: {
        roleArn: "arn:aws:iam::444455556666:role/MacieAdmin",
        externalId: config.get("externalId") ?? "macie-audit",
    },
    allowedAccountIds: ["444455556666"],
});

const eastLogs = new macie.MacieS3Resource("east-logs", {bucketName: "corp-logs-east"}, {provider: east});
const westLogs = new macie.MacieS3Resource("west-logs", {bucketName: "corp-logs-west"}, {provider: west});
const auditLogs = new macie.MacieS3Resource("audit-logs", {bucketName: "audit-logs", prefix: "macie/"},
    {provider: audit});

export const eastLogsId = eastLogs.id;
export const westLogsId = westLogs.id;
export const auditLogsId = auditLogs.id;
