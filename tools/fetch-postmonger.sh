#!/usr/bin/env bash
# Re-fetches the Postmonger library the SFMC configuration page loads (src/Api/Sfmc/Page/vendor) from its npm package,
# with its licence (BSD-3-Clause or MIT, the user's pick; we use it under BSD-3-Clause, the package.json's licence).
# The files are committed and embedded in the Api assembly at build time; run this only to move to another version:
#   tools/fetch-postmonger.sh [version]   (default: the version vendored now)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:-0.0.16}"
target=src/Api/Sfmc/Page/vendor
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "postmonger@${version}" >/dev/null && tar xzf "postmonger-${version}.tgz" 2>/dev/null)
cp "$work/package/postmonger.js" "$target/postmonger.js"
cp "$work/package/LICENSE" "$target/postmonger.LICENSE"
echo "postmonger ${version}: $(sha256sum "$target/postmonger.js" | cut -d' ' -f1)  $target/postmonger.js"
