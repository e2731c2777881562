"""Build the TypeScript SDK (sdk/nodejs) into the npm package it is published as, in sdk/nodejs/bin.

    python scripts/build_sdk_nodejs.py [--pack DIR]

Pulumi's Node.js generator writes the sources, package.json and tsconfig.json; what it leaves to a
provider's own build (as Pulumi's providers do in their Makefiles) is done here:

- ``tsc`` compiles into bin/ without source or declaration maps: they would name .ts files the
  package does not ship;
- bin/package.json is sdk/nodejs/package.json with ``main`` and ``types`` (index.js, index.d.ts) and
  without what only building needs (``devDependencies``, ``scripts``), so npm installs nothing extra;
- bin/README.md is the generated README (schema.json's ``language.nodejs.readme``).

``--pack DIR`` then runs ``npm pack`` of bin/ into DIR and prints the tarball's path. tsc is
sdk/nodejs/node_modules/.bin/tsc: ``npm install`` in sdk/nodejs, or scripts/setup_sdks.sh, puts it there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = ROOT / "sdk" / "nodejs"
#: package.json keys that only building the SDK uses, left out of the published package.
BUILD_ONLY = ("devDependencies", "scripts")


def published_package_json(generated: dict[str, object]) -> dict[str, object]:
    """The published package.json of the generated one: entry points added, build-only keys dropped."""
    published: dict[str, object] = {}
    for key, value in generated.items():
        if key not in BUILD_ONLY:
            published[key] = value
        if key == "license":
            published.update(main="index.js", types="index.d.ts")
    return published


def build(out: Path = SDK / "bin") -> Path:
    """Compile sdk/nodejs into ``out`` and write its package.json and README.md there."""
    tsc = SDK / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        raise SystemExit(f"build_sdk_nodejs: {tsc.relative_to(ROOT)} is missing: run `npm install` in sdk/nodejs")
    shutil.rmtree(out, ignore_errors=True)
    command = [str(tsc), "-p", ".", "--outDir", str(out), "--sourceMap", "false", "--declarationMap", "false"]
    result = subprocess.run(command, cwd=SDK, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"build_sdk_nodejs: tsc failed:\n{result.stdout}{result.stderr}")
    generated = json.loads((SDK / "package.json").read_text(encoding="utf-8"))
    text = json.dumps(published_package_json(generated), indent=4) + "\n"
    (out / "package.json").write_text(text, encoding="utf-8")
    shutil.copy(SDK / "README.md", out / "README.md")
    return out


def pack(built: Path, into: Path) -> Path:
    """``npm pack`` of the built package into ``into``: the tarball's path."""
    into.mkdir(parents=True, exist_ok=True)
    command = ["npm", "pack", "--json", "--pack-destination", str(into.resolve())]
    result = subprocess.run(command, cwd=built, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"build_sdk_nodejs: npm pack failed:\n{result.stdout}{result.stderr}")
    (packed,) = json.loads(result.stdout)
    return into.resolve() / packed["filename"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build_sdk_nodejs.py", description="Build sdk/nodejs into its npm package (sdk/nodejs/bin)."
    )
    parser.add_argument("--pack", metavar="DIR", type=Path, help="then `npm pack` it into DIR")
    args = parser.parse_args(argv)
    built = build()
    print(pack(built, args.pack) if args.pack else built)
    return 0


if __name__ == "__main__":
    sys.exit(main())
