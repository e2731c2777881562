// Command pulumi-gen-macie writes the native SDKs of the macie package (TypeScript, Go, Python)
// from schema.json with Pulumi's own code generators, the ones behind `pulumi package gen-sdk`.
//
//	pulumi-gen-macie -schema schema.json -version 0.1.0 -out DIR [-languages nodejs,go,python]
//
//	pulumi-gen-macie program < GenerateProgramRequest.json > GenerateProgramResponse.json
//
// The first form writes DIR/sdk/nodejs, DIR/sdk/go and DIR/sdk/python-native and nothing else. The version
// comes from the caller (`python codegen/generate.py` reads it from pyproject.toml), never from
// schema.json. Run it through codegen/generate.py, which also compares and cleans the SDK trees.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool names this generator in the banner of every generated source file.
const tool = "`python codegen/generate.py` from schema.json"

// pulumiSDKVersion is the Go SDK the generated Go package requires: the CLI's version.
const pulumiSDKVersion = "v3.260.0"

// goDirective is the lowest Go that sdk/v3 at pulumiSDKVersion accepts.
const goDirective = "1.26.6"

// noPackages is the loader of a schema that refers to no other package: any reference is an error.
type noPackages struct{}

var errNoPackages = errors.New("schema.json refers to no other Pulumi package")

func (noPackages) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoPackages
}

func (noPackages) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoPackages
}

func (noPackages) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoPackages
}

func (noPackages) LoadPackageReferenceV2(
	context.Context, *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, errNoPackages
}

// bind reads and binds the schema, with the version set; any diagnostic is an error.
func bind(path, version string) (*schema.Package, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if spec.Version != "" {
		return nil, fmt.Errorf("%s has a version (%s): the version lives in pyproject.toml only", path, spec.Version)
	}
	spec.Version = version
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if len(diags) > 0 {
		return nil, fmt.Errorf("%s: %s", path, diags.Error())
	}
	return pkg, nil
}

// goMod is the go.mod of sdk/go: the module above the import base path, on the CLI's Go SDK.
// `python codegen/generate.py` completes it with `go mod tidy`.
func goMod(pkg *schema.Package) ([]byte, error) {
	if err := pkg.ImportLanguages(map[string]schema.Language{"go": gogen.Importer}); err != nil {
		return nil, err
	}
	info, _ := pkg.Language["go"].(gogen.GoPackageInfo)
	if info.ImportBasePath == "" {
		return nil, errors.New("schema.json has no language.go.importBasePath")
	}
	module := filepath.ToSlash(filepath.Dir(info.ImportBasePath))
	return []byte(fmt.Sprintf("module %s\n\ngo %s\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n",
		module, goDirective, pulumiSDKVersion)), nil
}

// generate returns the files of one language's SDK, relative to its directory.
func generate(language string, pkg *schema.Package) (map[string][]byte, error) {
	switch language {
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noPackages{})
	case "go":
		files, err := gogen.GeneratePackage(tool, pkg, nil)
		if err != nil {
			return nil, err
		}
		if files["go.mod"], err = goMod(pkg); err != nil {
			return nil, err
		}
		return files, nil
	case "python":
		files, err := python.GeneratePackage(tool, pkg, nil, noPackages{})
		if err != nil {
			return nil, err
		}
		// pyproject.toml names README.md beside it; the generator writes it inside the package only.
		info, _ := pkg.Language["python"].(python.PackageInfo)
		readme, ok := files[info.PackageName+"/README.md"]
		if !ok {
			return nil, errors.New("the Python generator wrote no README.md")
		}
		files["README.md"] = readme
		return files, nil
	}
	return nil, fmt.Errorf("unknown language %q: one of nodejs, go, python", language)
}

// dirs is where each language's SDK goes, under -out.
var dirs = map[string]string{"nodejs": "sdk/nodejs", "go": "sdk/go", "python": "sdk/python-native"}

func run(schemaPath, version, out string, languages []string) error {
	if _, err := semver.Parse(version); err != nil {
		return fmt.Errorf("-version %q: %w", version, err)
	}
	for _, language := range languages {
		// Each generator records its language's info on the package: bind afresh for each.
		pkg, err := bind(schemaPath, version)
		if err != nil {
			return err
		}
		files, err := generate(language, pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			path := filepath.Join(out, dirs[language], filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "program" {
		mainProgram()
		return
	}
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	version := flag.String("version", "", "the package version (from pyproject.toml)")
	out := flag.String("out", ".", "the directory that receives sdk/<language>")
	languages := flag.String("languages", "nodejs,go,python", "comma-separated languages to generate")
	flag.Parse()
	if *version == "" {
		fmt.Fprintln(os.Stderr, "pulumi-gen-macie: -version is required")
		os.Exit(2)
	}
	if err := run(*schemaPath, *version, *out, strings.Split(*languages, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-gen-macie:", err)
		os.Exit(1)
	}
}
