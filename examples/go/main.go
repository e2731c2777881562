// A member account, an S3 bucket monitored for the master, and a prefix monitored for the member,
// with the Go SDK of the native plugin (pulumi-resource-macie); the same stack as examples/basic.
package main

import (
	"github.com/pulumi-macie/pulumi-macie/sdk/go/macie"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// stack holds what the program declares, so that its test can read the outputs.
type stack struct {
	member     *macie.MacieMemberAccount
	masterLogs *macie.MacieS3Resource
	memberLogs *macie.MacieS3Resource
}

// orDefault is the config value of key, or fallback when it is not set.
func orDefault(cfg *config.Config, key, fallback string) string {
	if value := cfg.Get(key); value != "" {
		return value
	}
	return fallback
}

func declare(ctx *pulumi.Context) (*stack, error) {
	cfg := config.New(ctx, "")
	bucket := orDefault(cfg, "bucket", "corp-logs")

	member, err := macie.NewMacieMemberAccount(ctx, "audit", &macie.MacieMemberAccountArgs{
		MemberAccountId: pulumi.String(orDefault(cfg, "memberAccountId", "111122223333")),
	})
	if err != nil {
		return nil, err
	}

	masterLogs, err := macie.NewMacieS3Resource(ctx, "master-logs", &macie.MacieS3ResourceArgs{
		BucketName: pulumi.String(bucket),
		ClassificationType: &macie.ClassificationTypeArgs{
			OneTime:    macie.OneTimeClassificationType(orDefault(cfg, "oneTime", "FULL")),
			Continuous: macie.ContinuousClassificationTypeFull,
		},
	})
	if err != nil {
		return nil, err
	}

	memberLogs, err := macie.NewMacieS3Resource(ctx, "member-logs", &macie.MacieS3ResourceArgs{
		BucketName:      pulumi.String(bucket),
		Prefix:          pulumi.String(orDefault(cfg, "prefix", "2024/")),
		MemberAccountId: member.MemberAccountId,
	})
	if err != nil {
		return nil, err
	}
	return &stack{member: member, masterLogs: masterLogs, memberLogs: memberLogs}, nil
}

func program(ctx *pulumi.Context) error {
	s, err := declare(ctx)
	if err != nil {
		return err
	}
	ctx.Export("memberAccountId", s.member.MemberAccountId)
	ctx.Export("masterLogsId", s.masterLogs.ID())
	ctx.Export("memberLogsId", s.memberLogs.ID())
	ctx.Export("memberLogsClassification", s.memberLogs.ClassificationType)
	return nil
}

func main() {
	pulumi.Run(program)
}
