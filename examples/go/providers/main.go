// Explicit providers: one for each region, and one that acts in another account through an assumed
// role, each given to the resources it manages. A second program in examples/go's module (examples/go
// itself is the first); main_test.go runs it under pulumi.WithMocks.
package main

import (
	"github.com/pulumi-macie/pulumi-macie/sdk/go/macie"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// stack holds what the program declares, so that its test can read it.
type stack struct {
	east, west, audit             *macie.Provider
	eastLogs, westLogs, auditLogs *macie.MacieS3Resource
}

// optional is the config value of key, or nil (the setting left out) when it is not set.
func optional(cfg *config.Config, key string) pulumi.StringPtrInput {
	if value := cfg.Get(key); value != "" {
		return pulumi.StringPtr(value)
	}
	return nil
}

func declare(ctx *pulumi.Context) (*stack, error) {
	cfg := config.New(ctx, "")
	// macie-local unless set; the keys are optional (without them: the profile, then the AWS credential
	// chain). The SDK passes the keys to the provider as secrets, even when given as plain strings.
	endpointURL := cfg.Get("endpointUrl")
	if endpointURL == "" {
		endpointURL = "http://127.0.0.1:4510"
	}
	externalID := cfg.Get("externalId")
	if externalID == "" {
		externalID = "macie-audit"
	}
	in := func(region string) *macie.ProviderArgs {
		return &macie.ProviderArgs{
			Region:      pulumi.StringPtr(region),
			EndpointUrl: pulumi.StringPtr(endpointURL),
			AccessKey:   optional(cfg, "accessKey"),
			SecretKey:   optional(cfg, "secretKey"),
		}
	}
	s := &stack{}
	var err error
	if s.east, err = macie.NewProvider(ctx, "us-east-1", in("us-east-1")); err != nil {
		return nil, err
	}
	if s.west, err = macie.NewProvider(ctx, "us-west-2", in("us-west-2")); err != nil {
		return nil, err
	}
	// The audit account's Macie, through a role it trusts us with; a provider whose credentials turn out
	// to be another account's fails before it calls Macie.
	auditArgs := in("us-east-1")
	auditArgs.AssumeRole = &macie.AssumeRoleArgs{
		RoleArn:    pulumi.String("arn:aws:iam::444455556666:role/MacieAdmin"),
		ExternalId: pulumi.StringPtr(externalID),
	}
	auditArgs.AllowedAccountIds = pulumi.StringArray{pulumi.String("444455556666")}
	if s.audit, err = macie.NewProvider(ctx, "audit-account", auditArgs); err != nil {
		return nil, err
	}

	if s.eastLogs, err = macie.NewMacieS3Resource(ctx, "east-logs", &macie.MacieS3ResourceArgs{
		BucketName: pulumi.String("corp-logs-east"),
	}, pulumi.Provider(s.east)); err != nil {
		return nil, err
	}
	if s.westLogs, err = macie.NewMacieS3Resource(ctx, "west-logs", &macie.MacieS3ResourceArgs{
		BucketName: pulumi.String("corp-logs-west"),
	}, pulumi.Provider(s.west)); err != nil {
		return nil, err
	}
	if s.auditLogs, err = macie.NewMacieS3Resource(ctx, "audit-logs", &macie.MacieS3ResourceArgs{
		BucketName: pulumi.String("audit-logs"),
		Prefix:     pulumi.String("macie/"),
	}, pulumi.Provider(s.audit)); err != nil {
		return nil, err
	}
	return s, nil
}

func program(ctx *pulumi.Context) error {
	s, err := declare(ctx)
	if err != nil {
		return err
	}
	ctx.Export("eastLogsId", s.eastLogs.ID())
	ctx.Export("westLogsId", s.westLogs.ID())
	ctx.Export("auditLogsId", s.auditLogs.ID())
	return nil
}

func main() {
	pulumi.Run(program)
}
