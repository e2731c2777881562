package main

// The `program` subcommand: Pulumi's own Python program generator (pkg/v3/codegen/python), as the
// official Python language host runs it for the engine's GenerateProgram (`pulumi import`,
// `pulumi state promote`). scripts/pulumi_language_python.py, the project's language host, passes
// the engine's request through:
//
//	pulumi-gen-macie program < GenerateProgramRequest (protobuf JSON) > GenerateProgramResponse (protobuf JSON)
//
// The request's loader_target is the engine's schema loader, served while the engine waits for the
// answer: the program's packages (macie) are bound from the schemas the engine loads, as in the
// official host.

import (
	"fmt"
	"io"
	"os"
	"strings"

	hclsyntax "github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protojson"
)

// generateProgram answers one GenerateProgramRequest as the official Python host does.
func generateProgram(req *pulumirpc.GenerateProgramRequest) (*pulumirpc.GenerateProgramResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()

	parser := hclsyntax.NewParser()
	for path, contents := range req.Source {
		if err := parser.ParseFile(strings.NewReader(contents), path); err != nil {
			return nil, err
		}
		if parser.Diagnostics.HasErrors() {
			return &pulumirpc.GenerateProgramResponse{
				Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(parser.Diagnostics),
			}, nil
		}
	}

	options := []pcl.BindOption{pcl.PreferOutputVersionedInvokes}
	if !req.Strict {
		options = append(options, pcl.NonStrictBindOptions()...)
	}
	program, diags, err := pcl.BindProgram(parser.Files, schema.NewCachedLoader(loader), options...)
	if err != nil {
		return nil, err
	}
	diagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: diagnostics}, nil
	}
	if program == nil {
		return nil, fmt.Errorf("internal error: the bound program is nil")
	}

	files, diags, err := python.GenerateProgram(program)
	if err != nil {
		return nil, err
	}
	diagnostics = append(diagnostics, plugin.HclDiagnosticsToRPCDiagnostics(diags)...)
	return &pulumirpc.GenerateProgramResponse{Source: files, Diagnostics: diagnostics}, nil
}

// runProgram reads the request from in and writes the response to out.
func runProgram(in io.Reader, out io.Writer) error {
	raw, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	var req pulumirpc.GenerateProgramRequest
	if err := protojson.Unmarshal(raw, &req); err != nil {
		return fmt.Errorf("reading the GenerateProgramRequest: %w", err)
	}
	resp, err := generateProgram(&req)
	if err != nil {
		return err
	}
	answer, err := protojson.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = out.Write(answer)
	return err
}

func mainProgram() {
	if err := runProgram(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-gen-macie program:", err)
		os.Exit(1)
	}
}
