#!/usr/bin/env bash
# Installing just core, the CLI and the multi-label plugin works outside the workspace:
# pack the three packages, install the tarballs into an empty folder, list the tasks and
# train one epoch of ALEN on Bibtex there, and show its hyper-parameters. Needs the packages built (npm run build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${ALEN_DATA:-$root/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in core cli multilabel; do
  (cd "$root/packages/$p" && npm pack --silent --pack-destination "$tmp" >/dev/null)
done
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent ./alen-core-*.tgz ./alen-cli-*.tgz ./alen-multilabel-*.tgz
tasks=$(npx --no-install alen tasks --data "$data")
echo "$tasks"
grep -q '^| bibtex ' <<<"$tasks" || { echo "pack-install-check: bibtex task not registered" >&2; exit 1; }
npx --no-install alen train --task bibtex --method alen --epochs 1 --data "$data" --out run --quiet
test -f run/result.json || { echo "pack-install-check: no result.json" >&2; exit 1; }
params=$(npx --no-install alen params --task bibtex --method alen)
grep -q '^| betaV | 0.1 | task (alen) |' <<<"$params" || { echo "pack-install-check: alen params does not show the plugin's betaV" >&2; exit 1; }
echo "pack-install-check: ok (core, cli and multilabel installed from tarballs in $tmp)"
