#!/usr/bin/env bash
# bench-relay: rotor's relay against Debian's webhook (adnanh/webhook), side
# by side on the same load, on 127.0.0.1 only, against a local fake GitHub.
#
#   dropped    signed Jira events that must not be forwarded (status moved
#              to In Progress): rotor relay vs webhook with an HMAC + status rule
#   forwarded  signed "moved to Done" events, each with its own delivery id:
#              rotor relay vs webhook running curl to post the dispatch
#
# Load: wrk, 1 thread, 32 connections, BENCH_DURATION seconds (default 5,
# at most 30) per run after a 1 s warm-up. Forwarded events are counted by
# the fake GitHub. Peak memory is the relay's VmHWM from /proc, after all
# runs. Exits 1 when the relay misses a bar.
#
# Bars: dropped >= 20000/s and >= 1.2x webhook; forwarded >= 10x
# webhook+curl; p99 < 5 ms, dropped and forwarded; peak RSS < 30 MB.
set -euo pipefail

DURATION=${BENCH_DURATION:-5}
CONNS=32
if ! [[ $DURATION =~ ^[0-9]+$ ]] || ((DURATION < 1 || DURATION > 30)); then
	echo "bench-relay: BENCH_DURATION must be 1..30 seconds" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [[ -n ${BENCH_KEEP:-} ]]; then echo "bench-relay: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- tools -----------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v webhook >/dev/null || need+=(webhook)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
	sudo=""
	[[ $(id -u) == 0 ]] || sudo="sudo"
	echo "bench-relay: installing ${need[*]} with apt-get" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
		{ $sudo apt-get update >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi

echo "bench-relay: building" >&2
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/rotor-relay" ./cmd/rotor-relay)
(cd "$root" && go build -o "$work/benchsink" ./internal/relay/cmd/relay-benchsink)

secret=$(openssl rand -hex 32)
token=bench$(openssl rand -hex 16)
testdata=$root/internal/relay/testdata
done_body=$testdata/webhook-issue-updated-done.json
drop_body=$testdata/webhook-issue-updated-in-progress.json
sign() { echo "sha256=$(openssl dgst -sha256 -hmac "$secret" <"$1" | awk '{print $NF}')"; }
done_sig=$(sign "$done_body")
drop_sig=$(sign "$drop_body")

# wait_http URL: poll until URL answers, at most 5 s.
wait_http() {
	for _ in $(seq 50); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "bench-relay: $1 did not come up" >&2
	exit 1
}

# The outside world (wrk playing Jira, the fake GitHub) runs on CPU 0 and
# the system under test (the relay, or webhook and the curl it runs) on the
# other CPUs, so that the load generator and the server do not preempt
# each other and the fake GitHub's work is not charged to the server, as
# with the real GitHub. BENCH_PIN=0 turns this off.
server_cpu="" load_cpu=""
ncpu=$(nproc)
if [[ ${BENCH_PIN:-1} != 0 ]] && ((ncpu >= 2)) && command -v taskset >/dev/null; then
	load_cpu="taskset -c 0"
	server_cpu="taskset -c 1-$((ncpu - 1))"
fi

# --- fake GitHub -----------------------------------------------------------
$load_cpu "$work/benchsink" -addr 127.0.0.1:0 -repo acme/register -token "$token" >"$work/sink.out" &
pids+=($!)
for _ in $(seq 50); do grep -q '^url=' "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
sink=$(sed -n 's/^url=//p' "$work/sink.out")
[[ $sink == http://127.0.0.1:* ]] || { echo "bench-relay: the fake GitHub did not start" >&2; exit 1; }
sink_count() { curl -s "$sink/_count"; }

# --- rotor relay -------------------------------------------------------------
relay_port=$("$work/benchsink" -free-port)
ROTOR_RELAY_ADDR=127.0.0.1:$relay_port \
	ROTOR_JIRA_WEBHOOK_SECRET=$secret \
	GITHUB_TOKEN=$token \
	ROTOR_GITHUB_REPOSITORY=acme/register \
	ROTOR_GITHUB_API_URL=$sink/ \
	$server_cpu "$work/rotor-relay" 2>"$work/relay.log" &
relay_pid=$!
pids+=($relay_pid)
relay_url=http://127.0.0.1:$relay_port/webhook/jira
wait_http "http://127.0.0.1:$relay_port/healthz"

# --- webhook + curl ----------------------------------------------------------
hook_port=$("$work/benchsink" -free-port)
cat >"$work/dispatch.sh" <<'EOF'
#!/bin/sh
exec curl -sS -f -o /dev/null -X POST \
	-H "Authorization: Bearer $GITHUB_TOKEN" \
	-H "Accept: application/vnd.github+json" \
	-H "Content-Type: application/json" \
	--data "{\"event_type\":\"rotor.rotation-done\",\"client_payload\":{\"issue_key\":\"$ISSUE_KEY\",\"credential_id\":\"${CREDENTIAL_LABEL#rotor-}\",\"done_at\":\"$DONE_AT\",\"delivery_id\":\"$DELIVERY_ID\"}}" \
	"$SINK_URL/repos/acme/register/dispatches"
EOF
chmod +x "$work/dispatch.sh"
cat >"$work/hooks.json" <<EOF
[{
  "id": "jira",
  "execute-command": "$work/dispatch.sh",
  "command-working-directory": "$work",
  "include-command-output-in-response": true,
  "pass-environment-to-command": [
    {"source": "payload", "name": "issue.key", "envname": "ISSUE_KEY"},
    {"source": "payload", "name": "issue.fields.labels.1", "envname": "CREDENTIAL_LABEL"},
    {"source": "payload", "name": "issue.fields.statuscategorychangedate", "envname": "DONE_AT"},
    {"source": "header", "name": "X-Atlassian-Webhook-Identifier", "envname": "DELIVERY_ID"}
  ],
  "trigger-rule": {"and": [
    {"match": {"type": "payload-hmac-sha256", "secret": "$secret", "parameter": {"source": "header", "name": "X-Hub-Signature"}}},
    {"match": {"type": "value", "value": "done", "parameter": {"source": "payload", "name": "issue.fields.status.statusCategory.key"}}}
  ]}
}]
EOF
GITHUB_TOKEN=$token SINK_URL=$sink $server_cpu webhook -hooks "$work/hooks.json" -ip 127.0.0.1 -port "$hook_port" >"$work/webhook.log" 2>&1 &
hook_pid=$!
pids+=($hook_pid)
hook_url=http://127.0.0.1:$hook_port/hooks/jira
wait_http "$hook_url"

# --- load --------------------------------------------------------------------
cat >"$work/load.lua" <<'EOF'
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature"] = os.getenv("BENCH_SIG")
if os.getenv("BENCH_UNIQUE") == "1" then
  local n, prefix = 0, os.getenv("BENCH_PREFIX")
  request = function()
    n = n + 1
    local h = {}
    for k, v in pairs(wrk.headers) do h[k] = v end
    h["X-Atlassian-Webhook-Identifier"] = prefix .. "-" .. n
    return wrk.format(nil, nil, h)
  end
end
EOF

# load NAME URL BODY SIG UNIQUE SECONDS: run wrk, leave its output in $work/NAME.out
load() {
	BENCH_BODY=$3 BENCH_SIG=$4 BENCH_UNIQUE=$5 BENCH_PREFIX=$1-$RANDOM \
		timeout $(($6 + 15)) $load_cpu wrk -t1 -c"$CONNS" -d"$6s" --latency -s "$work/load.lua" "$2" >"$work/$1.out"
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$work/$1.out"; }
secs() { awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$work/$1.out"; }
non2xx() { awk '/Non-2xx/ {n = $NF} END {print n + 0}' "$work/$1.out"; }
p99ms() {
	awk '$1 == "99%" {
		v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
		printf "%.2f", v }' "$work/$1.out"
}
# forwarded NAME: dispatches the fake GitHub accepted per second during NAME.
forwarded() { awk -v n="$2" -v s="$(secs "$1")" 'BEGIN {printf "%.0f", n / s}'; }

echo "bench-relay: ${DURATION}s per run, wrk 1 thread, $CONNS connections, 127.0.0.1${load_cpu:+; wrk and fake GitHub on CPU 0, server on CPUs 1-$((ncpu - 1))}" >&2
load warm-relay "$relay_url" "$drop_body" "$drop_sig" 0 1
load relay-drop "$relay_url" "$drop_body" "$drop_sig" 0 "$DURATION"
load warm-hook "$hook_url" "$drop_body" "$drop_sig" 0 1
load hook-drop "$hook_url" "$drop_body" "$drop_sig" 0 "$DURATION"

before=$(sink_count)
load relay-fwd "$relay_url" "$done_body" "$done_sig" 1 "$DURATION"
after=$(sink_count)
relay_fwd=$(forwarded relay-fwd $((after - before)))
before=$after
load hook-fwd "$hook_url" "$done_body" "$done_sig" 1 "$DURATION"
sleep 0.5 # let the last curl finish before counting
after=$(sink_count)
hook_fwd=$(forwarded hook-fwd $((after - before)))

relay_drop=$(rps relay-drop)
hook_drop=$(rps hook-drop)
relay_rss=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$relay_pid/status")
hook_rss=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$hook_pid/status")
relay_bad=$(($(non2xx relay-drop) + $(non2xx relay-fwd)))

# --- verdict -----------------------------------------------------------------
fail=0
verdict() { # verdict OK-EXPRESSION
	if awk "BEGIN {exit !($1)}"; then echo PASS; else
		echo FAIL
		fail=1
	fi
}
v_drop=$(verdict "$relay_drop >= 20000 && $relay_drop >= 1.2 * $hook_drop")
v_fwd=$(verdict "$relay_fwd >= 10 * $hook_fwd")
v_p99=$(verdict "$(p99ms relay-drop) < 5")
v_p99f=$(verdict "$(p99ms relay-fwd) < 5")
v_rss=$(verdict "$relay_rss < 30")
v_err=$(verdict "$relay_bad == 0")
[[ $v_drop$v_fwd$v_p99$v_p99f$v_rss$v_err == *FAIL* ]] && fail=1

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }
printf '\n%-26s %14s %16s %8s  %-26s %s\n' "measure" "rotor relay" "webhook 2.8.0" "ratio" "bar" "result"
printf '%-26s %14.0f %16.0f %8s  %-26s %s\n' "dropped events/s" "$relay_drop" "$hook_drop" "$(ratio "$relay_drop" "$hook_drop")" ">= 20000 and >= 1.2x" "$v_drop"
printf '%-26s %14s %16s %8s  %-26s %s\n' "forwarded events/s" "$relay_fwd" "$hook_fwd" "$(ratio "$relay_fwd" "$hook_fwd")" ">= 10x (webhook+curl)" "$v_fwd"
printf '%-26s %14s %16s %8s  %-26s %s\n' "p99 latency, dropped (ms)" "$(p99ms relay-drop)" "$(p99ms hook-drop)" "" "< 5" "$v_p99"
printf '%-26s %14s %16s %8s  %-26s %s\n' "p99 latency, forwarded (ms)" "$(p99ms relay-fwd)" "$(p99ms hook-fwd)" "" "< 5" "$v_p99f"
printf '%-26s %14s %16s %8s  %-26s %s\n' "peak RSS (MB)" "$relay_rss" "$hook_rss" "" "< 30" "$v_rss"
printf '%-26s %14s %16s %8s  %-26s %s\n' "relay non-2xx answers" "$relay_bad" "" "" "0" "$v_err"
echo
if ((fail)); then
	echo "bench-relay: FAIL" >&2
	exit 1
fi
echo "bench-relay: PASS" >&2
