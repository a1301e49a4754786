#!/usr/bin/env bash
# Run ansible-test (sanity | units) offline-friendly: on a copy of this checkout laid out as
# ansible_collections/eventstack/oke (ansible-test requires that path), in per-test venvs, with
# the get-pip bootstrap cache seeded (see tests/ansible_test/get_pip_offline.py).
# Usage: scripts/ansible_test.sh sanity|units [extra ansible-test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:?usage: $0 sanity|units [args]}
shift

# Outside this checkout: inside it, ansible-test would ask this repository's git which files exist.
# One copy per checkout, so two checkouts can run at once; tests/output (venvs) is reused per checkout.
root=${XDG_CACHE_HOME:-$HOME/.cache}/eventstack-oke/ansible-test/$(printf '%s' "$PWD" | sha256sum | cut -c1-12)
dest=$root/ansible_collections/eventstack/oke
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
# ansible-core 2.19 bootstraps pip with get_pip_24_2.py.
cmp -s tests/ansible_test/get_pip_offline.py "$cache/get_pip_24_2.py" \
  || cp tests/ansible_test/get_pip_offline.py "$cache/get_pip_24_2.py"

# A fresh copy of the files git knows about (tracked, and new ones not ignored); tests/output keeps
# ansible-test's venvs from one run to the next.
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + 2>/dev/null || true
git ls-files -z --cached --others --exclude-standard | .venv/bin/python -c '
import os, shutil, sys
dest = sys.argv[1]
for path in sys.stdin.buffer.read().decode().split("\0"):
    if path and os.path.isfile(path) and not os.path.islink(path):
        os.makedirs(os.path.join(dest, os.path.dirname(path)), exist_ok=True)
        shutil.copy2(path, os.path.join(dest, path))
' "$dest"
# Dependencies of the collection, for tests that import them.
mkdir -p "$root/ansible_collections"
ln -sfn "$PWD/.collections/ansible_collections/kubernetes" "$root/ansible_collections/kubernetes"
# The reference set beside the checkout (../shared) beside the copy too: the tests that read it find it there.
if [ -d ../shared ]; then ln -sfn "$(cd ../shared && pwd)" "$root/ansible_collections/eventstack/shared"; fi

cd "$dest"
case "$command" in
  sanity) exec "$OLDPWD/.venv/bin/ansible-test" sanity --venv --python 3.11 --requirements --color no "$@" ;;
  units)  exec "$OLDPWD/.venv/bin/ansible-test" units --venv --python 3.11 --requirements --color no "$@" ;;
  *) echo "usage: $0 sanity|units" >&2; exit 2 ;;
esac
