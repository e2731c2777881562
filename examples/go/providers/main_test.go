package main

import (
	"sync"
	"testing"

	"github.com/pulumi-macie/pulumi-macie/sdk/go/macie"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder answers each registration with its inputs as its state, and records what the program
// registered.
type recorder struct {
	mu         sync.Mutex
	registered map[string]pulumi.MockResourceArgs
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	r.registered[args.Name] = args
	r.mu.Unlock()
	return args.Name + "-id", args.Inputs, nil
}

func (r *recorder) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

const (
	accessKey = "AKIAIOSFODNN7EXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// run runs body under the mocks, with the keys in the stack config as plain values (the SDK is what
// makes them secret), and returns what was registered.
func run(t *testing.T, body pulumi.RunFunc) map[string]pulumi.MockResourceArgs {
	mocks := &recorder{registered: map[string]pulumi.MockResourceArgs{}}
	withKeys := func(info *pulumi.RunInfo) {
		info.Config = map[string]string{"macie-go:accessKey": accessKey, "macie-go:secretKey": secretKey}
	}
	if err := pulumi.RunErr(body, pulumi.WithMocks("macie-go", "dev", mocks), withKeys); err != nil {
		t.Fatal(err)
	}
	return mocks.registered
}

// TestEachResourceUsesItsOwnProvider: each S3 resource is registered with the reference (URN::ID) of the
// explicit provider the program gave it.
func TestEachResourceUsesItsOwnProvider(t *testing.T) {
	var mu sync.Mutex
	references := map[string]string{}
	registered := run(t, func(ctx *pulumi.Context) error {
		s, err := declare(ctx)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		for name, provider := range map[string]*macie.Provider{
			"east-logs": s.east, "west-logs": s.west, "audit-logs": s.audit,
		} {
			wg.Add(1)
			pulumi.All(provider.URN(), provider.ID()).ApplyT(func(all []interface{}) error {
				mu.Lock()
				references[name] = string(all[0].(pulumi.URN)) + "::" + string(all[1].(pulumi.ID))
				mu.Unlock()
				wg.Done()
				return nil
			})
		}
		wg.Wait()
		return nil
	})
	if len(references) != 3 {
		t.Fatalf("provider references %v, want three", references)
	}
	for name, reference := range references {
		got, ok := registered[name]
		if !ok || got.TypeToken != "macie:index:MacieS3Resource" {
			t.Fatalf("%s: not registered as a macie:index:MacieS3Resource: %+v", name, got)
		}
		if got.Provider != reference {
			t.Errorf("%s: provider %q, want %q", name, got.Provider, reference)
		}
	}
}

// TestProvidersReceiveTheirSettings: each provider is registered with the settings the program gave it,
// maxAttempts' default included; unlike the Node.js and Python SDKs, the Go SDK sends the non-string
// ones as values (a number, an object, a list), not as JSON text.
func TestProvidersReceiveTheirSettings(t *testing.T) {
	registered := run(t, program)
	settings := func(region string, more map[string]interface{}) resource.PropertyMap {
		values := map[string]interface{}{"region": region, "endpointUrl": "http://127.0.0.1:4510", "maxAttempts": 8}
		for key, value := range more {
			values[key] = value
		}
		props := resource.NewPropertyMapFromMap(values)
		props["accessKey"] = resource.MakeSecret(resource.NewProperty(accessKey))
		props["secretKey"] = resource.MakeSecret(resource.NewProperty(secretKey))
		return props
	}
	want := map[string]resource.PropertyMap{
		"us-east-1": settings("us-east-1", nil),
		"us-west-2": settings("us-west-2", nil),
		"audit-account": settings("us-east-1", map[string]interface{}{
			"assumeRole": map[string]interface{}{
				"roleArn": "arn:aws:iam::444455556666:role/MacieAdmin", "externalId": "macie-audit",
			},
			"allowedAccountIds": []interface{}{"444455556666"},
		}),
	}
	for name, inputs := range want {
		got, ok := registered[name]
		if !ok || got.TypeToken != "pulumi:providers:macie" || !got.Custom {
			t.Fatalf("%s: not registered as a pulumi:providers:macie: %+v", name, got)
		}
		if !got.Inputs.DeepEquals(inputs) {
			t.Errorf("%s: inputs %v, want %v", name, got.Inputs, inputs)
		}
	}
}

// TestProviderKeysAreSecrets: accessKey and secretKey, given as plain strings, reach every provider as
// secrets; its other settings do not.
func TestProviderKeysAreSecrets(t *testing.T) {
	registered := run(t, program)
	for _, name := range []string{"us-east-1", "us-west-2", "audit-account"} {
		inputs := registered[name].Inputs
		for _, key := range []resource.PropertyKey{"accessKey", "secretKey"} {
			if !inputs[key].IsSecret() {
				t.Errorf("%s: %s is not a secret: %v", name, key, inputs[key])
			}
		}
		for _, key := range []resource.PropertyKey{"region", "endpointUrl", "maxAttempts"} {
			if !inputs.HasValue(key) || inputs[key].IsSecret() {
				t.Errorf("%s: %s is missing or a secret: %v", name, key, inputs[key])
			}
		}
	}
}
