#!/usr/bin/env bash
# Bring the offline lab up from nothing: system packages and dockerd, the Python tools, the lab's
# images, the AWS and registry stand-ins, and the service image published to the lab's "ECR".
# Idempotent and cached: a second run takes seconds. Used by `make demo`, `make test` and Molecule.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "$(id -u)" = 0 ]; then bash lab/install-system.sh; fi
docker info >/dev/null 2>&1 || { echo "lab: the Docker engine is not running (run lab/install-system.sh as root)" >&2; exit 1; }
make -s venv
bash lab/images.sh bookworm trixie
. lab/env.sh
export ANSIBLE_CONFIG="$root/ansible.cfg"
.venv/bin/ansible-playbook lab/up.yml
.venv/bin/ansible-playbook playbooks/image.yml -e @lab/vars.yml -e image_state_file="$root/lab/state/image.yml"
