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
# One lab per machine: its state (CA, keys, the image digest) lives outside any checkout, and
# lab/state links to it, so that several checkouts share the same running lab.
state=${BERTH_LAB_STATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth-lab}
mkdir -p "$state" && chmod 0700 "$state"
if [ ! -L lab/state ]; then
  if [ -d lab/state ]; then cp -a lab/state/. "$state"/ && rm -rf lab/state; fi
  ln -s "$state" lab/state
fi
bash lab/images.sh bookworm trixie
. lab/env.sh
export ANSIBLE_CONFIG="$root/ansible.cfg"
.venv/bin/ansible-playbook lab/up.yml
.venv/bin/ansible-playbook playbooks/image.yml -e @lab/vars.yml -e image_state_file="$root/lab/state/image.yml"
# The Lightsail API test double (in memory, 127.0.0.1 only), started once and left running.
if ! curl -s -o /dev/null --max-time 2 http://127.0.0.1:5001/; then
  setsid nohup .venv/bin/python -m tests.lightsail_double --port 5001 >lab/state/lightsail-double.log 2>&1 &
  echo $! >lab/state/lightsail-double.pid
  for _ in $(seq 1 30); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:5001/ && break; sleep 0.5; done
fi
