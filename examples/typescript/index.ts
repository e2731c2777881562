// A member account, an S3 bucket monitored for the master, and a prefix monitored for the member,
// with the TypeScript SDK of the native plugin (pulumi-resource-macie): the same stack as examples/basic.
import * as pulumi from "@pulumi/pulumi";
import * as macie from "@pulumi-macie/macie";

const config = new pulumi.Config();
const bucket = config.get("bucket") ?? "corp-logs";
const oneTime = config.get("oneTime", {
    allowedValues: [macie.OneTimeClassificationType.Full, macie.OneTimeClassificationType.None],
});

const member = new macie.MacieMemberAccount("audit", {
    memberAccountId: config.get("memberAccountId") ?? "111122223333",
});

const masterLogs = new macie.MacieS3Resource("master-logs", {
    bucketName: bucket,
    classificationType: {
        oneTime: oneTime ?? macie.OneTimeClassificationType.Full,
        continuous: macie.ContinuousClassificationType.Full,
    },
});

const memberLogs = new macie.MacieS3Resource("member-logs", {
    bucketName: bucket,
    prefix: config.get("prefix") ?? "2024/",
    memberAccountId: member.memberAccountId,
});

export const memberAccountId = member.memberAccountId;
export const masterLogsId = masterLogs.id;
export const memberLogsId = memberLogs.id;
export const memberLogsClassification = memberLogs.classificationType;
