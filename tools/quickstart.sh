#!/usr/bin/env bash
# The docbus quickstart on one machine, on the embedded defaults: installs the
# Debian packages, builds, makes a test national PKI, starts a broker and two
# agency agents, sends a signed document from one agency to the other, shows
# it delivered with its signed receipt, and verifies the broker's audit log
# offline as an auditor would.
#
#   tools/quickstart.sh              # everything
#   tools/quickstart.sh --no-install # skip apt-get (packages already there)
#   tools/quickstart.sh --no-install --setup-only
#                                    # only the PKI and the config files
#
# Environment: DOCBUS_DEMO_DIR (default ./demo), DOCBUS_BUILD_DIR (use this
# build as it is instead of building), DOCBUS_BROKER_PORT (default: a free
# port picked once, here).
#
# The broker listens on a fixed port written into broker.toml and into every
# agent's config, never on a wildcard port ("tcp://127.0.0.1:*"): a broker
# restarted on a wildcard port takes a new port, and agents that know the old
# one never reach it again. Restarting any daemon of the demo with its config
# (e.g. docbus-broker --config demo/broker.toml) just works.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
install=1
setup_only=0
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --setup-only) setup_only=1 ;;
    *) echo "usage: $0 [--no-install] [--setup-only]" >&2; exit 2 ;;
  esac
done
if [ "$install" = 1 ]; then tools/install-deps.sh; fi

build="${DOCBUS_BUILD_DIR:-}"
if [ -z "$build" ]; then
  echo "== build"
  build="$root/build"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 >/dev/null
fi
docbus="$build/tools/docbus"
broker_exe="$build/bus/broker/docbus-broker"
agent_exe="$build/agents/docbus-agent"

# A loopback port nothing listens on, below Linux's ephemeral range
# (32768-60999) so the kernel does not give it to an outgoing connection
# while the broker is down.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  echo "no free port found" >&2; return 1
}

demo="${DOCBUS_DEMO_DIR:-$root/demo}"
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

sender=000.00.00.G22     # Văn phòng Chính phủ
recipient=000.00.00.H41  # a provincial People's Committee
origin=docbus.gov.vn/axis/2026

echo "== test PKI in $demo/pki"
"$docbus" pki init --dir pki
"$docbus" pki issue --dir pki --agency "$sender" --name "Văn phòng Chính phủ"
"$docbus" pki issue --dir pki --agency "$recipient" --name "UBND tỉnh (thử nghiệm)"
"$docbus" pki broker --dir pki
"$docbus" audit keygen --name "$origin" --out pki/broker/log

port="${DOCBUS_BROKER_PORT:-$(free_port)}"
http_port="$(free_port)"
while [ "$http_port" = "$port" ]; do http_port="$(free_port)"; done
endpoint="tcp://127.0.0.1:$port"
cat > broker.toml <<CONF
[broker]
listen = "$endpoint"
data_dir = "var/broker"
curve_secret_key = "pki/broker/curve.secret"
[pki]
root_certificate = "pki/root.pem"
crl = "pki/crl.pem"
registry = "pki/registry.toml"
[audit]
origin = "$origin"
log_key = "pki/broker/log.key"
checkpoint_interval_ms = 500
[http]
listen = "127.0.0.1:$http_port"
CONF

wait_for() {  # wait_for FILE SECONDS
  for _ in $(seq 1 $(( $2 * 10 ))); do [ -s "$1" ] && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; return 1
}

mkdir -p var/broker
for agency in "$sender" "$recipient"; do
  mkdir -p "var/$agency"
  cat > "agent-$agency.toml" <<CONF
[agent]
agency_id = "$agency"
data_dir = "var/$agency"
[broker]
endpoint = "$endpoint"
public_key = "pki/broker/curve.public"
[keys]
curve_public_key = "pki/agencies/$agency/curve.public"
curve_secret_key = "pki/agencies/$agency/curve.secret"
signing_key = "pki/agencies/$agency/key.pem"
certificate = "pki/agencies/$agency/cert.pem"
[pki]
root_certificate = "pki/root.pem"
crl = "pki/crl.pem"
registry = "pki/registry.toml"
[audit]
broker_log_vkey = "pki/broker/log.vkey"
[http]
listen = "127.0.0.1:0"
CONF
done
if [ "$setup_only" = 1 ]; then
  trap - EXIT
  echo "== set up in $demo: broker.toml, agent-*.toml, pki/ (broker at $endpoint)"
  exit 0
fi

echo "== start the broker"
"$broker_exe" --config broker.toml 2>var/broker.log & pids+=($!)
wait_for var/broker/endpoints.json 20
echo "   broker at $endpoint, status on http://127.0.0.1:$http_port/"

for agency in "$sender" "$recipient"; do
  echo "== start the agent of $agency"
  "$agent_exe" --config "agent-$agency.toml" 2>"var/$agency.log" & pids+=($!)
  wait_for "var/$agency/endpoints.json" 20
done

echo "== $sender sends a signed document to $recipient"
printf 'Kính gửi: UBND tỉnh.\nNội dung công văn thử nghiệm.\n' > cong-van.txt
"$docbus" send --agent "var/$sender" --to "$recipient" \
  --subject "Về việc thử nghiệm trục liên thông docbus" \
  --code 1/VPCP-TH --attach cong-van.txt --wait 30

echo "== $recipient's inbox"
"$docbus" inbox --agent "var/$recipient"

sleep 1  # the next checkpoint covers the receipt; the status snapshot refreshes
echo "== operator's view"
"$docbus" status --broker var/broker

echo "== auditor: copy the published log and verify it offline"
# The checkpoint first, then the rest: every tile that checkpoint covers is
# already written, so the copy is consistent while the broker runs
# (bus/audit/FORMAT.md, section 9).
mkdir -p audit-copy
cp var/broker/log/checkpoint audit-copy/checkpoint
(cd var/broker/log && tar cf - --exclude=./checkpoint .) | tar xf - -C audit-copy
"$docbus" audit verify audit-copy --vkey pki/broker/log.vkey
"$docbus" audit replay audit-copy
echo "== done: everything is under $demo"
