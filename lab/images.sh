#!/usr/bin/env bash
# Build the lab's images without any container registry (debootstrap + docker import), cached by a
# hash of what builds them: a second run costs seconds. Usage: lab/images.sh [bookworm] [trixie]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(bookworm trixie)
moto_spec=${BERTH_LAB_MOTO_SPEC:-moto[server]==5.2.5}
mirror=${BERTH_LAB_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)}
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
current() { # image label -> hash, or empty
  docker image inspect --format '{{ index .Config.Labels "berth.hash" }}' "$1" 2>/dev/null || true
}

build_base() { # suite
  local suite=$1 name="berth-lab/python-base:$1" h
  h=$(printf 'base %s %s' "$suite" "$(hash_of "$0")" | sha256sum | cut -c1-12)
  [ "$(current "$name")" = "$h" ] && return 0
  echo "lab: debootstrap $suite (about a minute)"
  local dir; dir=$(mktemp -d /var/tmp/berth-rootfs.XXXXXX)
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$suite" "$dir" "$mirror" \
    >"/var/tmp/berth-debootstrap-$suite.log" 2>&1 \
    || { echo "lab: debootstrap failed, see /var/tmp/berth-debootstrap-$suite.log" >&2; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  # This machine's own extra CAs (e.g. an egress proxy's) so that pip and apt work inside lab
  # containers exactly as they do here; a machine without any adds nothing.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
    chroot "$dir" update-ca-certificates >/dev/null 2>&1
  fi
  tar -C "$dir" -c . | docker import -c "LABEL berth.hash=$h" -c 'CMD ["/bin/bash"]' \
    -c 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' - "$name" >/dev/null
  rm -rf "$dir"
}

build_from() { # name dockerfile base [build-arg]
  local name=$1 file=$2 base=$3 extra=${4:-} h
  h=$(printf '%s %s %s' "$(hash_of "$file")" "$(current "$base")" "$extra" | sha256sum | cut -c1-12)
  [ "$(current "$name")" = "$h" ] && return 0
  echo "lab: building $name"
  docker build -q --label "berth.hash=$h" --build-arg "BASE_IMAGE=$base" \
    ${extra:+--build-arg "$extra"} -t "$name" -f "$file" "$here/images" >/dev/null
}

for suite in "${suites[@]}"; do
  build_base "$suite"
  build_from "berth-lab/host:$suite" "$here/images/host.Dockerfile" "berth-lab/python-base:$suite"
done
build_base bookworm
build_from berth-lab/services:latest "$here/images/services.Dockerfile" berth-lab/python-base:bookworm \
  "MOTO_SPEC=$moto_spec"
echo "lab: images ready: $(docker images --format '{{.Repository}}:{{.Tag}}' 'berth-lab/*' | sort | tr '\n' ' ')"
