package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi-macie/pulumi-macie/sdk/go/macie"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder answers each registration as the provider would (the ID from the inputs, classification
// defaults filled in) and records what the program registered.
type recorder struct {
	mu         sync.Mutex
	registered map[string]pulumi.MockResourceArgs
}

func newRecorder() *recorder {
	return &recorder{registered: map[string]pulumi.MockResourceArgs{}}
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	r.registered[args.Name] = args
	r.mu.Unlock()
	outputs := args.Inputs.Copy()
	id := ""
	switch args.TypeToken {
	case "macie:index:MacieMemberAccount":
		id = outputs["memberAccountId"].StringValue()
	case "macie:index:MacieS3Resource":
		if !outputs.HasValue("classificationType") {
			outputs["classificationType"] = resource.NewProperty(resource.PropertyMap{
				"oneTime": resource.NewProperty("NONE"), "continuous": resource.NewProperty("FULL"),
			})
		}
		id = outputs["bucketName"].StringValue()
		if outputs.HasValue("memberAccountId") {
			id = outputs["memberAccountId"].StringValue() + ":" + id
		}
		if prefix := outputs["prefix"].StringValue(); prefix != "" {
			id += "/" + prefix
		}
	}
	return id, outputs, nil
}

func (r *recorder) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// projectVersion is pyproject.toml's version, the one every SDK requests its plugin at.
func projectVersion(t *testing.T) string {
	raw, err := os.ReadFile("../../pyproject.toml")
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`(?ms)^\[project\].*?^version\s*=\s*"([^"]+)"`).FindSubmatch(raw)
	if match == nil {
		t.Fatal("pyproject.toml has no [project] version")
	}
	return string(match[1])
}

// TestExampleRegistersNativeResources: the program registers macie:index:* resources with the
// camelCase inputs the SDK sends (defaults included), at the package's version.
func TestExampleRegistersNativeResources(t *testing.T) {
	mocks := newRecorder()
	if err := pulumi.RunErr(program, pulumi.WithMocks("macie-go", "dev", mocks)); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		token  string
		inputs map[string]interface{}
	}{
		"audit": {"macie:index:MacieMemberAccount", map[string]interface{}{"memberAccountId": "111122223333"}},
		"master-logs": {"macie:index:MacieS3Resource", map[string]interface{}{
			"bucketName": "corp-logs", "prefix": "",
			"classificationType": map[string]interface{}{"oneTime": "FULL", "continuous": "FULL"},
		}},
		"member-logs": {"macie:index:MacieS3Resource", map[string]interface{}{
			"bucketName": "corp-logs", "prefix": "2024/", "memberAccountId": "111122223333",
		}},
	}
	if len(mocks.registered) != len(want) {
		t.Fatalf("registered %d resources, want %d: %v", len(mocks.registered), len(want), mocks.registered)
	}
	version := projectVersion(t)
	for name, w := range want {
		got, ok := mocks.registered[name]
		if !ok {
			t.Fatalf("%s was not registered", name)
		}
		if got.TypeToken != w.token || !got.Custom {
			t.Errorf("%s: type %q (custom %v), want %q (custom)", name, got.TypeToken, got.Custom, w.token)
		}
		if inputs := got.Inputs.Mappable(); !reflect.DeepEqual(inputs, w.inputs) {
			t.Errorf("%s: inputs %#v, want %#v", name, inputs, w.inputs)
		}
		if got.RegisterRPC == nil || got.RegisterRPC.GetVersion() != version {
			t.Errorf("%s: plugin version %q, want %q", name, got.RegisterRPC.GetVersion(), version)
		}
	}
}

// TestExampleReadsOutputs: the outputs the program exports are the provider's answers, typed.
func TestExampleReadsOutputs(t *testing.T) {
	type seen struct {
		memberID, masterID, memberLogsID, masterPrefix string
		oneTime, continuous                            string
	}
	var got seen
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		s, err := declare(ctx)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		wg.Add(1)
		pulumi.All(s.member.MemberAccountId, s.masterLogs.ID(), s.memberLogs.ID(), s.masterLogs.Prefix,
			s.memberLogs.ClassificationType).ApplyT(func(all []interface{}) error {
			classification := all[4].(macie.ClassificationType)
			got = seen{all[0].(string), string(all[1].(pulumi.ID)), string(all[2].(pulumi.ID)), all[3].(string),
				"<unset>", "<unset>"}
			if classification.OneTime != nil {
				got.oneTime = string(*classification.OneTime)
			}
			if classification.Continuous != nil {
				got.continuous = string(*classification.Continuous)
			}
			wg.Done()
			return nil
		})
		wg.Wait()
		return nil
	}, pulumi.WithMocks("macie-go", "dev", newRecorder()))
	if err != nil {
		t.Fatal(err)
	}
	want := seen{"111122223333", "corp-logs", "111122223333:corp-logs/2024/", "",
		string(macie.OneTimeClassificationTypeNone), string(macie.ContinuousClassificationTypeFull)}
	if got != want {
		t.Errorf("outputs %+v, want %+v", got, want)
	}
}

// TestMissingBucketNameIsAnError: a required input left out fails the program, naming it.
func TestMissingBucketNameIsAnError(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := macie.NewMacieS3Resource(ctx, "nope", &macie.MacieS3ResourceArgs{})
		return err
	}, pulumi.WithMocks("macie-go", "dev", newRecorder()))
	if err == nil || !strings.Contains(err.Error(), "BucketName") {
		t.Fatalf("err = %v, want one naming BucketName", err)
	}
}
