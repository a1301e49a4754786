# eventstack.oke -- the two commands are `make plan` and `make test`; see README.md.
ENV ?= local
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: setup plan deploy destroy destroy-needs-env lint test sanity units schemas bench docs clean

$(SETUP_STAMP): requirements.txt requirements-checkov.txt requirements-importer.txt requirements-oci-cli.txt scripts/setup.sh
	scripts/setup.sh
	touch $@

setup: $(SETUP_STAMP)

## Render the whole chain for inventories/$(ENV) into build/$(ENV)/ (no credentials, no cluster).
plan: setup
	$(BIN)/ansible-playbook playbooks/site.yml -i inventories/$(ENV) -e eventstack_mode=render
	$(BIN)/python scripts/plan_summary.py build/$(ENV)
	$(BIN)/python scripts/scan.py build/$(ENV)

## Converge inventories/$(ENV) for real (OCI and Kubernetes credentials needed).
deploy: setup
	$(BIN)/ansible-playbook playbooks/site.yml -i inventories/$(ENV) $(ARGS)

## Delete what site.yml built on inventories/$(ENV) (protected inventories: ARGS="-e eventstack_destroy_confirm=prod").
## ENV must be given: a default would destroy whatever inventories/local's kube context points at.
destroy: destroy-needs-env setup
	$(BIN)/ansible-playbook playbooks/destroy.yml -i inventories/$(ENV) $(ARGS)

destroy-needs-env:
	@case "$(origin ENV)" in command*|environment*) ;; \
	  *) echo "make destroy: name the inventory to destroy, e.g. make destroy ENV=dev (nothing was run)" >&2; exit 2 ;; esac

lint: setup
	LAYERS=lint scripts/test.sh

sanity: setup
	scripts/ansible_test.sh sanity

units: setup
	scripts/ansible_test.sh units

## Everything CI runs (.ci/run calls this).
test: setup
	scripts/test.sh

## Print performance figures (render and emulator converge times, API requests per object).
bench: setup
	$(BIN)/python scripts/bench.py

## Download the upstream CRD schemas into .cache/ (only needed when ../shared is absent).
schemas: setup
	$(BIN)/python scripts/fetch_schemas.py

## Regenerate docs/plugins (antsibull-docs), docs/roles (argument specs) and the table of docs/tags.md (site.yml).
docs: setup
	$(BIN)/python scripts/docs.py

clean:
	rm -rf build tests/output .cache/ansible-test
