#!/usr/bin/env bash
# The docbus quickstart on one machine, on the embedded defaults: installs the
# Debian packages, builds, makes a test national PKI, starts a broker and two
# agency agents, sends a signed document from one agency to the other, shows
# it delivered with its signed receipt, and verifies the broker's audit log
# offline as an auditor would.
#
#   tools/quickstart.sh              # everything
#   tools/quickstart.sh --no-install # skip apt-get (packages already there)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${1:-}" != "--no-install" ]; then tools/install-deps.sh; fi

echo "== build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 >/dev/null
docbus="$root/build/tools/docbus"
broker_exe="$root/build/bus/broker/docbus-broker"
agent_exe="$root/build/agents/docbus-agent"

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

cat > broker.toml <<CONF
[broker]
listen = "tcp://127.0.0.1:*"
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
listen = "127.0.0.1:0"
CONF

wait_for() {  # wait_for FILE SECONDS
  for _ in $(seq 1 $(( $2 * 10 ))); do [ -s "$1" ] && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; return 1
}

echo "== start the broker"
mkdir -p var/broker
"$broker_exe" --config broker.toml 2>var/broker.log & pids+=($!)
wait_for var/broker/endpoints.json 20
endpoint=$(sed -n 's/.*"zmq" *: *"\([^"]*\)".*/\1/p' var/broker/endpoints.json)
echo "   broker at $endpoint"

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
cp -r var/broker/log audit-copy
"$docbus" audit verify audit-copy --vkey pki/broker/log.vkey
"$docbus" audit replay audit-copy
echo "== done: everything is under $demo"
