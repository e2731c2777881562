#!/usr/bin/env bash
# Set up Java for the Java SDK (sdk/java) and examples/java, idempotently; run by scripts/setup_sdks.sh
# (after scripts/setup.sh: it needs .tools/env.sh):
#   - .tools/java/bin/pulumi-language-java: Pulumi's Java language host (it runs `runtime: java`
#     programs and is the Java code generator behind `pulumi package gen-sdk --language java`), built
#     from the Go module proxy: github.com/pulumi/pulumi-java/pkg at an exact version, in a module of
#     its own (.tools/java/build: it pins pulumi/pkg/v3 v3.205.0, not the CLI's version);
#   - .tools/maven: the project's own Maven repository, with com.pulumi:macie (sdk/java, `mvn install`),
#     com.pulumi:pulumi from Maven Central and everything examples/java builds, tests and runs with;
#   - .tools/env.sh gains the host's folder on PATH and MAVEN_OPTS=-Dmaven.repo.local=.tools/maven,
#     so that `pulumi up` in examples/java finds the host, and the host's `mvn`, the SDK.
# Prints each step and how long it took. Caches: Go's module and build caches, .tools/maven, stamps.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
JAVA_DIR="$TOOLS/java"
JAVA_BIN="$JAVA_DIR/bin"
MAVEN_REPO="$TOOLS/maven"
# The version of github.com/pulumi/pulumi-java/pkg (the host) and of com.pulumi:pulumi (the Java SDK's
# runtime library, schema.json's language.java.dependencies) go together.
PULUMI_JAVA_VERSION=v1.17.0

SETUP_NAME=setup_java
# shellcheck source=scripts/setup_steps.sh
source "$ROOT/scripts/setup_steps.sh"

[ -f "$TOOLS/env.sh" ] || fail "run scripts/setup.sh first (.tools/env.sh)"
# shellcheck source=/dev/null
source "$TOOLS/env.sh"
command -v java >/dev/null && command -v mvn >/dev/null || fail "Java (17) and Maven are needed for sdk/java"
mkdir -p "$JAVA_DIR"
MVN_LOG="$JAVA_DIR/mvn.log"
# mvn ARGS... in the current folder, on .tools/maven; its output goes to .tools/java/mvn.log, shown if it fails.
run_mvn() {
  mvn --batch-mode --no-transfer-progress -Dmaven.repo.local="$MAVEN_REPO" "$@" > "$MVN_LOG" 2>&1 \
    || { cat "$MVN_LOG" >&2; return 1; }
}

# -- the Java language host ------------------------------------------------------------------------
step "Pulumi Java language host $PULUMI_JAVA_VERSION (.tools/java/bin/pulumi-language-java)"
if [ -x "$JAVA_BIN/pulumi-language-java" ] && [ "$(cat "$JAVA_BIN/.stamp" 2>/dev/null)" = "$PULUMI_JAVA_VERSION" ]; then
  echo "    cached"
else
  command -v go >/dev/null || fail "Go is needed to build pulumi-language-java"
  build="$JAVA_DIR/build"
  rm -rf "$build"
  mkdir -p "$build" "$JAVA_BIN"
  (
    cd "$build"
    export GOFLAGS=-mod=mod GOTOOLCHAIN=local
    # `go install …@version` asks the proxy for the module's version list (refused here); a module
    # that requires the exact version does not. pulumi-java's own go.mod replaces these two.
    cat > go.mod <<MOD
module pulumi-language-java-build

go 1.24

require github.com/pulumi/pulumi-java/pkg $PULUMI_JAVA_VERSION

replace github.com/Sirupsen/logrus => github.com/sirupsen/logrus v1.5.0

replace github.com/gogo/protobuf => github.com/gogo/protobuf v1.3.2
MOD
    cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java"
GO
    go mod tidy > "$JAVA_DIR/go-mod.log" 2>&1 || { cat "$JAVA_DIR/go-mod.log" >&2; exit 1; }
    go build -trimpath -ldflags "-s -w" -o "$JAVA_BIN/" github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java
  ) || fail "could not build pulumi-language-java $PULUMI_JAVA_VERSION from the Go module proxy"
  echo "$PULUMI_JAVA_VERSION" > "$JAVA_BIN/.stamp"
fi
done_step

# -- .tools/env.sh ---------------------------------------------------------------------------------
# scripts/setup.sh rewrites env.sh on every run; this adds Java's part after it.
if ! grep -q "pulumi-language-java" "$TOOLS/env.sh"; then
  cat >> "$TOOLS/env.sh" <<ENV
# Written by scripts/setup_java.sh: Pulumi's Java language host, and the project's Maven repository
# (com.pulumi:macie from sdk/java) for the host's mvn.
export PATH="$JAVA_BIN:\$PATH"  # pulumi-language-java
export MAVEN_OPTS="\${MAVEN_OPTS:+\$MAVEN_OPTS }-Dmaven.repo.local=$MAVEN_REPO"
ENV
fi

# -- the Java SDK in .tools/maven -----------------------------------------------------------------
step "Java SDK com.pulumi:macie (sdk/java) installed into .tools/maven"
STAMP=$( (find "$ROOT/sdk/java" -path "$ROOT/sdk/java/target" -prune -o -type f -print0 | sort -z \
  | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
VERSION=$(sed -n 's|^    <version>\(.*\)</version>$|\1|p' "$ROOT/sdk/java/pom.xml" | head -n 1)
if [ "$(cat "$MAVEN_REPO/.sdk-stamp" 2>/dev/null)" = "$STAMP" ] \
   && [ -f "$MAVEN_REPO/com/pulumi/macie/$VERSION/macie-$VERSION.jar" ]; then
  echo "    up to date"
else
  (cd "$ROOT/sdk/java" && run_mvn install) || fail "mvn install in sdk/java"
  rm -rf "$ROOT/sdk/java/target"
  echo "$STAMP" > "$MAVEN_REPO/.sdk-stamp"
  echo "    installed com.pulumi:macie:$VERSION"
fi
done_step

# -- examples/java's build, tests and run, in .tools/maven ----------------------------------------
step "examples/java: what it builds, tests and runs with (mvn test, exec plugin) into .tools/maven"
STAMP=$(stamp_of "$ROOT/examples/java/pom.xml" "$MAVEN_REPO/.sdk-stamp")
if [ "$(cat "$MAVEN_REPO/.example-stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "    up to date"
else
  # The tests under mocks, and the plugins the language host runs (exec:java, dependency:tree).
  (cd "$ROOT/examples/java" && run_mvn test dependency:tree exec:help) || fail "mvn test in examples/java"
  rm -rf "$ROOT/examples/java/target"
  echo "$STAMP" > "$MAVEN_REPO/.example-stamp"
fi
done_step

echo "==> setup_java finished in $(elapsed "$SETUP_START")s"
