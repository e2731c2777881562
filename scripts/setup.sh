#!/usr/bin/env bash
# Set up everything the project needs, from a fresh clone, idempotently:
#   - .venv: a virtual environment with the project (editable, with macie-local's extra `local`), its
#     test dependencies and the checks (ruff, mypy and the stubs it reads), at the versions
#     constraints.txt pins;
#   - the Pulumi CLI at the version of `pulumi` in constraints.txt, with its Python language
#     host and the dynamic-provider shim: one on PATH if its version matches; else built from the Go
#     module proxy into .tools/pulumi/bin; else, with internet, the official installer;
#   - Pulumi's YAML language host (built from the Go module proxy unless one is on PATH);
#   - the native plugin pulumi-resource-macie, packaged from the venv and installed with
#     `pulumi plugin install` into the PULUMI_HOME that .tools/env.sh sets;
#   - what the SDKs need (scripts/setup_sdks.sh): the generator, npm packages, Go modules.
# Writes .tools/env.sh, which the other scripts source to put all of them on PATH.
# Prints each step and how long it took. Caches: Go's module and build caches, the venv, .tools.
#
#   scripts/setup.sh          everything (scripts/test.sh runs this)
#   scripts/setup.sh --demo   only what scripts/demo.sh needs: .venv with the project and its extra
#                             `local`, the Pulumi CLI with its Python language host, .tools/env.sh
set -euo pipefail

SCOPE=all
case "${1:-}" in
  "") ;;
  --demo) SCOPE=demo ;;
  *) echo "usage: scripts/setup.sh [--demo]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
VENV="$ROOT/.venv"
BIN="$TOOLS/pulumi/bin"
mkdir -p "$TOOLS"

now() { date +%s.%N; }
SETUP_START=$(now)
STEP_START=$SETUP_START
step() { STEP_START=$(now); echo "==> $*"; }
done_step() { printf '    done in %.1fs\n' "$(echo "$(now) - $STEP_START" | bc)"; }
fail() { echo "setup: $*" >&2; exit 1; }
finished() {
  printf '==> setup%s finished in %.1fs (pulumi %s, python %s)\n' "$([ "$SCOPE" = all ] || echo " --$SCOPE")" \
    "$(echo "$(now) - $SETUP_START" | bc)" "$WANT" \
    "$("$VENV/bin/python" -c 'import platform; print(platform.python_version())')"
}

command -v bc >/dev/null || bc() { python3 -c "import sys; print(eval(sys.stdin.read()))"; }

# The exact versions the project's own setup and tests use; pulumi's is the CLI's too.
CONSTRAINTS="$ROOT/constraints.txt"
PULUMI_VERSION=$(sed -n 's/^pulumi==\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$CONSTRAINTS" | head -n 1)
[ -n "$PULUMI_VERSION" ] || fail "constraints.txt does not pin pulumi==X.Y.Z"
WANT="v$PULUMI_VERSION"

# -- Python virtual environment ------------------------------------------------------------------
# The demo needs the project and macie-local; the tests and checks need the other extras too. A venv
# set up with all of them serves the demo as it is.
EXTRAS=local,test,dev,bench
[ "$SCOPE" = demo ] && EXTRAS=local
step "Python environment (.venv) with the project and its extras $EXTRAS"
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail "$PYTHON is older than 3.10"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pip' 2>/dev/null; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Editable installs map the top-level packages found at install time: they are part of the stamp.
stamp_for() {  # the venv's stamp with the extras $1
  (cat "$ROOT/pyproject.toml" "$CONSTRAINTS"; ls "$ROOT/provider" "$ROOT/local" "$ROOT/sdk/python"; echo "$1") \
    | sha256sum | cut -d' ' -f1
}
STAMP=$(stamp_for "$EXTRAS")
HAVE=$(cat "$VENV/.setup-stamp" 2>/dev/null || true)
if [ "$HAVE" = "$STAMP" ] || [ "$HAVE" = "$(stamp_for local,test,dev,bench)" ]; then
  echo "    up to date"
else
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c "$CONSTRAINTS" -e "$ROOT[$EXTRAS]"
  echo "$STAMP" > "$VENV/.setup-stamp"
fi
# AWS's own Macie Classic model ships in the last botocore release that had it; a test compares ours
# with it, and runs a client built from it, offline: the wheel is kept in .tools/wheels.
if [ "$SCOPE" = all ] && ! ls "$TOOLS"/wheels/botocore-1.31.0-*.whl >/dev/null 2>&1; then
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    botocore==1.31.0 -d "$TOOLS/wheels" || fail "could not download botocore 1.31.0 (AWS's own Macie model)"
fi
done_step

# -- Pulumi CLI ------------------------------------------------------------------------------------
version_of() { "$1" version 2>/dev/null | tr -d '[:space:]'; }

build_from_go_proxy() {
  command -v go >/dev/null || return 1
  local build="$TOOLS/pulumi/build"
  mkdir -p "$build" "$BIN"
  export GOFLAGS=-mod=mod GOTOOLCHAIN=local
  (
    cd "$build"
    if [ ! -f go.mod ] || ! grep -q "pulumi/pkg/v3 $WANT" go.mod; then
      rm -f go.mod go.sum
      go mod init pulumi-cli-build >/dev/null 2>&1
      # The CLI's own go.mod replaces this module; `go build` of a dependency does not see replaces.
      go mod edit -replace \
        github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
      go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$WANT" "github.com/pulumi/pulumi/sdk/v3@$WANT" \
        > "$TOOLS/go-get.log" 2>&1 || { cat "$TOOLS/go-get.log" >&2; exit 1; }
    fi
    go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$WANT" \
      -o "$BIN/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  ) || return 1
  # The exec script that runs a program ships in the SDK module (read-only there: copy, then chmod).
  local sdk
  sdk="$(go env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@$WANT/python"
  install -m 0755 "$sdk/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
  install_dynamic_shim
  # The language host's Go module is not served by the proxy; install ours, which speaks its protocol.
  cat > "$BIN/pulumi-language-python" <<SH
#!/bin/sh
exec "$VENV/bin/python" "$ROOT/scripts/pulumi_language_python.py" --exec "$BIN/pulumi-language-python-exec" "\$@"
SH
  chmod 0755 "$BIN/pulumi-language-python"
  echo "$WANT go-proxy" > "$BIN/.stamp"
}

# The shim the engine runs for Python dynamic providers. The SDK's own (dist/pulumi-resource-pulumi-python)
# runs `python -m pulumi.dynamic` under /bin/sh, and neither ends when the engine is killed. This one
# picks the interpreter as the SDK's does, then execs scripts/pulumi_dynamic_provider.py with it: the
# same server, which exits once the engine that started it is gone. Rewritten on every setup.
install_dynamic_shim() {
  {
    echo '#!/bin/sh'
    echo '# pulumi-resource-pulumi-python, written by scripts/setup.sh: Python dynamic providers, ended with their engine.'
    printf "SERVER='%s'\n" "$ROOT/scripts/pulumi_dynamic_provider.py"
    cat <<'SH'
if [ -z "${PULUMI_RUNTIME_VIRTUALENV:-}" ]; then
  if [ "${PULUMI_RUNTIME_TOOLCHAIN:-}" = "uv" ]; then
    PULUMI_RUNTIME_VIRTUALENV=".venv"
  elif [ "${PULUMI_RUNTIME_TOOLCHAIN:-}" = "poetry" ]; then
    PULUMI_RUNTIME_VIRTUALENV=$(poetry env info --path)
  fi
fi
python="${PULUMI_PYTHON_CMD:-python3}"
if [ -n "${PULUMI_RUNTIME_VIRTUALENV:-}" ]; then
  venv=${PULUMI_RUNTIME_VIRTUALENV%/}
  case $venv in /*) ;; *) venv=$PWD/$venv ;; esac
  if [ ! -f "$venv/bin/python" ]; then
    echo "The 'virtualenv' option in Pulumi.yaml is \"$venv\", which is not a virtual environment (no bin/python)." >&2
    exit 1
  fi
  PATH="$venv/bin:$PATH"
  export PATH
  unset PYTHONHOME
  python="$venv/bin/python"
fi
exec "$python" -u "$SERVER" "$@"
SH
  } > "$BIN/pulumi-resource-pulumi-python.new"
  chmod 0755 "$BIN/pulumi-resource-pulumi-python.new"
  mv "$BIN/pulumi-resource-pulumi-python.new" "$BIN/pulumi-resource-pulumi-python"
}

install_official() {
  command -v curl >/dev/null || return 1
  curl -fsSL --max-time 20 https://get.pulumi.com -o "$TOOLS/get-pulumi.sh" 2>/dev/null || return 1
  sh "$TOOLS/get-pulumi.sh" --version "$PULUMI_VERSION" --install-root "$TOOLS/pulumi" --no-edit-path \
    || return 1
  echo "$WANT official" > "$BIN/.stamp"
}

step "Pulumi CLI $WANT"
PULUMI_DIR=""
ON_PATH=$(command -v pulumi || true)
if [ -n "$ON_PATH" ] && [ "$ON_PATH" != "$BIN/pulumi" ] && [ "$(version_of "$ON_PATH")" = "$WANT" ] \
   && command -v pulumi-language-python >/dev/null; then
  PULUMI_DIR=$(dirname "$ON_PATH")
  echo "    using $ON_PATH"
elif [ -x "$BIN/pulumi" ] && [ "$(version_of "$BIN/pulumi")" = "$WANT" ] && [ -f "$BIN/.stamp" ] \
     && [ -x "$BIN/pulumi-language-python" ] && [ -x "$BIN/pulumi-resource-pulumi-python" ]; then
  PULUMI_DIR="$BIN"
  echo "    cached in .tools/pulumi/bin ($(cut -d' ' -f2 "$BIN/.stamp"))"
  if grep -q go-proxy "$BIN/.stamp"; then install_dynamic_shim; fi
else
  rm -f "$BIN/.stamp"
  echo "    building from the Go module proxy (a first build takes several minutes)"
  if build_from_go_proxy; then
    PULUMI_DIR="$BIN"
  else
    echo "    the Go build did not succeed; trying the official installer"
    install_official || fail "could not build the Pulumi CLI $WANT from the Go module proxy, and the \
official installer is out of reach"
    PULUMI_DIR="$BIN"
  fi
fi
[ "$(version_of "$PULUMI_DIR/pulumi")" = "$WANT" ] || fail "pulumi in $PULUMI_DIR is not $WANT"
done_step

# -- YAML language host ---------------------------------------------------------------------------
YAML_VERSION=v1.25.0
step "Pulumi YAML language host $YAML_VERSION"
if [ "$SCOPE" = demo ]; then
  echo "    not needed by the demo (scripts/setup.sh without --demo sets it up)"
elif [ "$PULUMI_DIR" != "$BIN" ] && command -v pulumi-language-yaml >/dev/null; then
  echo "    using $(command -v pulumi-language-yaml)"
elif [ -x "$BIN/pulumi-language-yaml" ] && { [ "$(cat "$BIN/.yaml-stamp" 2>/dev/null)" = "$YAML_VERSION versioned" ] \
     || grep -q official "$BIN/.stamp" 2>/dev/null; }; then
  echo "    cached in .tools/pulumi/bin"
else
  command -v go >/dev/null || fail "Go is needed to build pulumi-language-yaml"
  # Its own module (no replaces), built on its own: it needs pkg/sdk v3.206.0, not the CLI's version.
  # The version is stamped in as Pulumi's release builds do, so `pulumi about` can name it.
  mkdir -p "$BIN"
  GOFLAGS=-mod=mod GOTOOLCHAIN=local GOBIN="$BIN" \
    go install -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$YAML_VERSION" \
    || fail "could not build pulumi-language-yaml $YAML_VERSION from the Go module proxy"
  echo "$YAML_VERSION versioned" > "$BIN/.yaml-stamp"
fi
done_step

cat > "$TOOLS/env.sh" <<ENV
# Written by scripts/setup.sh: the project's venv and Pulumi CLI first on PATH, Pulumi offline.
export PATH="$PULUMI_DIR:$VENV/bin:\$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_HOME="\${PULUMI_HOME:-$TOOLS/pulumi-home}"
ENV
# The demo runs a Python program with the dynamic provider: no plugin, SDK or other Python.
if [ "$SCOPE" = demo ]; then
  finished
  exit 0
fi
# -- the native plugin ----------------------------------------------------------------------------
step "Native plugin pulumi-resource-macie"
(
  # shellcheck source=/dev/null
  source "$TOOLS/env.sh"
  tarball=$("$VENV/bin/pulumi-macie-plugin" package --out "$TOOLS/plugins")
  stamp=$( (sha256sum "$tarball"; echo "$PULUMI_HOME") | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$TOOLS/plugins/.stamp" 2>/dev/null)" != "$stamp" ] \
     || ! ls "$PULUMI_HOME"/plugins/resource-macie-v*/pulumi-resource-macie >/dev/null 2>&1; then
    version=$("$VENV/bin/python" -c 'import pulumi_macie_provider as p; print(p.__version__)')
    pulumi plugin install resource macie "$version" --file "$tarball" --reinstall >/dev/null
    echo "$stamp" > "$TOOLS/plugins/.stamp"
    echo "    installed $(basename "$tarball") into $PULUMI_HOME/plugins"
  else
    echo "    up to date"
  fi
)
done_step

# -- the SDKs' toolchains: the generator, npm packages, Go modules, the native Python SDK --------------
bash "$ROOT/scripts/setup_sdks.sh"

# -- every other Python the package claims ---------------------------------------------------------
# The classifiers in pyproject.toml list the Python versions the package supports; scripts/test.sh runs
# the fast suite on each of them, each in its own venv (.tools/python/3.X) with the project (with
# macie-local) and the native Python SDK, both editable, and the test dependencies. A version that is not installed is
# reported here and fails scripts/test.sh.
find_python() {  # a Python interpreter of version $1 (3.X): python3.X on PATH, else pyenv's newest 3.X.*
  local want=$1 candidate root
  candidate=$(command -v "python$want" || true)
  if [ -n "$candidate" ] && "$candidate" -c "import sys; sys.exit(sys.version[:${#want}+1] != '$want.')" 2>/dev/null; then
    echo "$candidate"
    return 0
  fi
  if command -v pyenv >/dev/null; then
    root=$(pyenv root)
    for candidate in $(ls -d "$root/versions/$want".* 2>/dev/null | grep -E "/$want\.[0-9]+$" | sort -V -r); do
      if [ -x "$candidate/bin/python" ] && "$candidate/bin/python" -c 'import venv' 2>/dev/null; then
        echo "$candidate/bin/python"
        return 0
      fi
    done
  fi
  return 1
}
PYTHON_VERSIONS=$(sed -n 's/.*"Programming Language :: Python :: \(3\.[0-9][0-9]*\)".*/\1/p' "$ROOT/pyproject.toml")
MAIN_VERSION=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for version in $PYTHON_VERSIONS; do
  step "Python $version: .tools/python/$version with the project and its test dependencies"
  if [ "$version" = "$MAIN_VERSION" ]; then
    echo "    .venv is Python $version: the whole suite runs on it"
    done_step
    continue
  fi
  target="$TOOLS/python/$version"
  interpreter=$(find_python "$version") || {
    rm -rf "$target"
    echo "    Python $version is not installed (neither python$version on PATH nor a pyenv version $version.*):"
    echo "    scripts/test.sh will fail until it is (e.g. pyenv install $version)"
    continue
  }
  if [ ! -x "$target/bin/python" ] || ! "$target/bin/python" -c 'import pip' 2>/dev/null; then
    rm -rf "$target"
    "$interpreter" -m venv "$target"
  fi
  stamp=$( (echo "$STAMP"; cat "$ROOT/sdk/python-native/pyproject.toml") | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$target/.setup-stamp" 2>/dev/null)" != "$stamp" ]; then
    "$target/bin/python" -m pip install --quiet --disable-pip-version-check -c "$CONSTRAINTS" \
      -e "$ROOT[local,test]" -e "$ROOT/sdk/python-native" || fail "could not install the project into $target"
    echo "$stamp" > "$target/.setup-stamp"
    echo "    $("$target/bin/python" -c 'import platform; print(platform.python_version())') from $interpreter"
  else
    echo "    up to date"
  fi
  done_step
done

finished
