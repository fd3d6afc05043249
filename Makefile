# berth: entry points. `make demo` runs the main job on the offline lab; `make test` runs what CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: venv lab demo destroy test lint pytest molecule audit

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt service/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt -r service/requirements.txt
	touch $@

lab: ## Start the offline lab (AWS stand-ins, registry, service image)
	bash lab/setup.sh

lint: venv ## ruff, yamllint, ansible-lint --profile production
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/yamllint -s .
	$(VENV)/bin/ansible-lint --profile production

pytest: venv ## Python test suites (service, EC2 and Lightsail provisioning, lab)
	$(VENV)/bin/pytest -q tests; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

molecule: lab ## Every Molecule scenario, one after another (never two at once)
	. lab/env.sh && for s in default ec2 lightsail deploy; do $(VENV)/bin/molecule test -s $$s || exit 1; done

demo: ## The main job on the offline lab: playbooks/ec2.yml against moto and a lab host, then what to try
	bash lab/setup.sh
	. lab/env.sh && $(VENV)/bin/molecule converge -s ec2
	@echo; echo "Try:"; cat .berth/summary.txt

destroy: venv ## Remove everything the demo made (AWS side through ec2_destroy.yml, then the lab)
	. lab/env.sh && $(VENV)/bin/molecule cleanup -s ec2 && $(VENV)/bin/molecule destroy -s ec2
	. lab/env.sh && $(VENV)/bin/ansible-playbook lab/down.yml

test: lint lab pytest molecule ## Everything CI runs

AUDIT_HOST ?= berth-bookworm
audit: venv ## Audit a running lab host (AUDIT_HOST=container): lynis index, gixy, daemon.json, sshd, firewall
	bash lab/audit.sh $(AUDIT_HOST)

# --- inference service (service/) --------------------------------------------------------
.PHONY: serve bench service-test
SERVICE_MODEL := service/trained_models

$(SERVICE_MODEL)/model_card.json:
	cd service && ../$(PY) -m recommender train --out trained_models

serve: venv $(SERVICE_MODEL)/model_card.json ## Serve the model on 127.0.0.1:8082 (trains first if needed; Ctrl-C stops)
	cd service && exec ../$(PY) -m recommender serve trained_models --host 127.0.0.1 --port 8082

bench: venv $(SERVICE_MODEL)/model_card.json ## wrk: nginx static vs service via nginx vs direct; last line `ratio <b/a>`
	$(PY) service/bench/bench.py --model-dir $(SERVICE_MODEL)

service-test: venv ## The service's tests only (builds the image when Docker and the lab base are there)
	$(VENV)/bin/pytest -q tests/service
