#!/usr/bin/env bash
# Audit one lab host (a running container) and print a table: lynis (host hardening index), gixy
# on its nginx.conf, the Docker daemon settings berth sets, the sshd settings in effect and berth's
# firewall table. Usage: lab/audit.sh CONTAINER   (make audit AUDIT_HOST=CONTAINER)
# Exit status 1 when a check fails. Installs lynis inside the container (apt) on first use.
set -euo pipefail

host=${1:?usage: lab/audit.sh CONTAINER}
here=$(cd "$(dirname "$0")/.." && pwd)
gixy=${GIXY:-$here/.venv/bin/gixy}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=()
failed=0

row() { # check, result, status (PASS | FAIL | NOTE)
  rows+=("$1|$2|$3")
  if [ "$3" = FAIL ]; then failed=1; fi
}
in_host() { docker exec "$host" "$@"; }

docker inspect -f '{{.State.Running}}' "$host" 2>/dev/null | grep -qx true \
  || { echo "audit: container '$host' is not running" >&2; exit 2; }

# lynis: the hardening index and the warnings count from its report.
if ! in_host sh -c 'command -v lynis' >/dev/null; then
  echo "audit: installing lynis in $host ..." >&2
  in_host sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lynis' >/dev/null 2>&1 \
    || { echo "audit: cannot install lynis in $host" >&2; exit 2; }
fi
echo "audit: running lynis in $host (about a minute) ..." >&2
in_host lynis audit system --quick --no-colors >"$work/lynis.log" 2>&1 || true
index=$(in_host sh -c "sed -n 's/^hardening_index=//p' /var/log/lynis-report.dat" 2>/dev/null || true)
warnings=$(in_host sh -c "grep -c '^warning\[\]=' /var/log/lynis-report.dat" 2>/dev/null || true)
suggestions=$(in_host sh -c "grep -c '^suggestion\[\]=' /var/log/lynis-report.dat" 2>/dev/null || true)
if [ -n "$index" ]; then
  row "lynis hardening index" "$index (warnings ${warnings:-0}, suggestions ${suggestions:-0})" NOTE
else
  row "lynis hardening index" "no report (see lynis output)" FAIL
fi

# gixy on the host's nginx configuration (the whole /etc/nginx, so includes resolve).
if in_host test -f /etc/nginx/nginx.conf; then
  mkdir -p "$work/etc"
  in_host tar -C /etc -cf - nginx | tar -C "$work/etc" -xf -
  if "$gixy" "$work/etc/nginx/nginx.conf" >"$work/gixy.log" 2>&1; then
    row "gixy /etc/nginx/nginx.conf" "no findings" PASS
  else
    row "gixy /etc/nginx/nginx.conf" "$(grep -c '^>> Problem' "$work/gixy.log" || true) finding(s), see below" FAIL
    cat "$work/gixy.log" >&2
  fi
else
  row "gixy /etc/nginx/nginx.conf" "nginx not configured" FAIL
fi

# Docker daemon.json: the CIS Docker items berth applies (userland-proxy stays on, on purpose).
if in_host test -f /etc/docker/daemon.json; then
  in_host cat /etc/docker/daemon.json >"$work/daemon.json"
  python3 - "$work/daemon.json" >"$work/daemon.rows" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
opts = d.get("log-opts", {})
checks = [
    ("daemon.json icc (CIS 2.1)", d.get("icc"), d.get("icc") is False, "PASS"),
    ("daemon.json live-restore (CIS 2.14)", d.get("live-restore"), d.get("live-restore") is True, "PASS"),
    ("daemon.json no-new-privileges (CIS 2.18)", d.get("no-new-privileges"), d.get("no-new-privileges") is True, "PASS"),
    ("daemon.json log-driver + rotation (CIS 2.12)", f"{d.get('log-driver')} max-size={opts.get('max-size')} max-file={opts.get('max-file')}",
     d.get("log-driver") == "json-file" and bool(opts.get("max-size")) and bool(opts.get("max-file")), "PASS"),
]
for name, value, ok, good in checks:
    print(f"{name}|{json.dumps(value) if not isinstance(value, str) else value}|{good if ok else 'FAIL'}")
up = d.get("userland-proxy", True)
print(f"daemon.json userland-proxy (CIS 2.15)|{json.dumps(up)}|{'PASS' if up is False else 'NOTE'}")
PY
  while IFS= read -r line; do row "${line%%|*}" "$(cut -d'|' -f2 <<<"$line")" "${line##*|}"; done <"$work/daemon.rows"
else
  row "daemon.json" "missing" FAIL
fi

# sshd settings in effect and berth's firewall table.
sshd=$(in_host sshd -T 2>/dev/null || true)
for setting in "passwordauthentication no" "permitrootlogin no" "kbdinteractiveauthentication no"; do
  if grep -qx "$setting" <<<"$sshd"; then row "sshd ${setting% *}" "${setting#* }" PASS
  else row "sshd ${setting% *}" "$(grep "^${setting% *} " <<<"$sshd" | cut -d' ' -f2 || echo unknown)" FAIL; fi
done
if in_host nft list chain inet berth_filter input >"$work/nft" 2>/dev/null && grep -q 'policy drop' "$work/nft"; then
  row "nftables inet berth_filter input" "loaded, policy drop" PASS
else
  row "nftables inet berth_filter input" "not loaded" FAIL
fi

printf '\n%-46s %-44s %s\n' CHECK RESULT STATUS
printf '%-46s %-44s %s\n' "$(printf '%.0s-' {1..46})" "$(printf '%.0s-' {1..44})" ------
for r in "${rows[@]}"; do
  IFS='|' read -r check result status <<<"$r"
  printf '%-46s %-44s %s\n' "$check" "$result" "$status"
done
echo "(NOTE: measured, or deliberately not applied; see the README's hardening section.)"
exit "$failed"
