#!/usr/bin/env bash
# Install the system packages the lab and the tests need, and start the Docker engine.
# Idempotent: a second run costs a few seconds. Debian 12 machines (the project's CI kind).
set -euo pipefail

packages=(docker.io debootstrap nginx-light wrk apache2-utils openssh-client openssl curl make git)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "lab: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's nginx package starts a default server on :80 when a service manager exists; we do not want it.
if pgrep -x nginx >/dev/null 2>&1 && [ -f /etc/nginx/sites-enabled/default ]; then nginx -s stop || true; fi

# The Docker engine: no systemd on these machines, so start dockerd by hand.
if ! docker info >/dev/null 2>&1; then
  echo "lab: starting dockerd"
  dockerd_bin=$(command -v dockerd || echo /usr/sbin/dockerd)
  nohup "$dockerd_bin" >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "lab: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi
echo "lab: docker $(docker version --format '{{.Server.Version}}') is running"
