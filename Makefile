# berth: entry points. `make demo` runs the main job on the offline lab; `make test` runs what CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: venv lab demo destroy test lint pytest molecule clean

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

molecule: lab ## Every Molecule scenario, one after another
	. lab/env.sh && for s in default; do $(VENV)/bin/molecule test -s $$s || exit 1; done

test: lint lab pytest molecule ## Everything CI runs

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
