#!/usr/bin/env bash
# Installs the Debian peers the interop tests (test/interop/), the browser tests (test/e2e/: chromium)
# and bench/snmp.ts talk to, idempotently,
# and makes sure none of their own system services stay running on standard ports: the tests start
# private instances on high loopback ports (or inside network namespaces) instead.
set -euo pipefail

# Debian 12 package -> a binary it ships (to skip what is already there).
declare -A PEERS=(
  [snmpd]=/usr/sbin/snmpd
  [snmp]=/usr/bin/snmpget
  [snmpsim]=/usr/bin/snmpsimd
  [lldpd]=/usr/sbin/lldpd
  [prometheus-snmp-exporter]=/usr/bin/prometheus-snmp-exporter
  [prometheus]=/usr/bin/promtool
  [chromium]=/usr/bin/chromium
  [openssh-server]=/usr/sbin/sshd
  # the agent test (agent-netns.test.ts): its network namespace and the daemon's test certificate
  [iproute2]=/sbin/ip
  [openssl]=/usr/bin/openssl
)
# Not ssh: the policy-rc.d below keeps a fresh openssh-server from starting, and a host's own sshd
# (someone's way in) is never ours to stop. The tests start a private sshd on a high loopback port.
SERVICES=(snmpd snmptrapd lldpd prometheus-snmp-exporter prometheus prometheus-node-exporter)

if [ "$(id -u)" != 0 ]; then
  echo "install-interop-peers: not root, skipping (interop tests skip when their peer is missing)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-interop-peers: no apt-get, skipping" >&2
  exit 0
fi

missing=()
for pkg in "${!PEERS[@]}"; do
  [ -x "${PEERS[$pkg]}" ] || missing+=("$pkg")
done

stop_services() {
  for svc in "${SERVICES[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
    if [ -x "/etc/init.d/$svc" ]; then
      "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
      update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  done
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-interop-peers: installing ${missing[*]}"
  # policy-rc.d 101 = "action forbidden": the packages' postinst scripts do not start their daemons.
  # Only install our own when none exists, and remove only ours.
  ours_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    ours_policy=1
  fi
  trap '[ -n "$ours_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT
  # Update the package lists only when the first attempt cannot find a package.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "install-interop-peers: all peers present"
fi

stop_services
# Whatever started anyway (no init system, an older install): stop the system daemons by their pid files.
for pidfile in /run/snmpd.pid /run/lldpd.pid /var/run/snmpd.pid /var/run/lldpd.pid; do
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
  fi
done
for pkg in "${!PEERS[@]}"; do
  if [ -x "${PEERS[$pkg]}" ]; then echo "  ok $pkg (${PEERS[$pkg]})"; else echo "  MISSING $pkg" >&2; fi
done
