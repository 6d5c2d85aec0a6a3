#!/usr/bin/env bash
# bench-relay: rotor's relay against Debian's webhook (adnanh/webhook), side
# by side on the same load, on 127.0.0.1 only, against a local fake GitHub.
# The relay runs twice: as the rotor-relay binary and as `rotor relay`.
#
#   dropped    signed Jira events that must not be forwarded (status moved
#              to In Progress): the relay vs webhook with an HMAC + status rule
#   forwarded  signed "moved to Done" events, each a distinct event (its own
#              timestamp, signature and delivery id: the relay forwards an
#              event once): the relay vs webhook running curl to post the
#              dispatch
#
# Load: 1 thread or goroutine per connection, 32 connections, BENCH_DURATION
# seconds (default 5, at most 30) per run after a 1 s warm-up; dropped
# events with wrk, forwarded ones with relay-benchload (wrk cannot sign a
# new body for every request). Forwarded events are counted by the fake
# GitHub. Peak memory is each server's VmHWM from /proc, after all its runs.
# Exits 1 when the relay misses a bar.
#
# Bars (rotor-relay): dropped >= 20000/s and >= 1.2x webhook; forwarded >=
# 10x webhook+curl; p99 < 5 ms, dropped and forwarded; no answer but 2xx.
# Both rotor-relay and `rotor relay`: peak RSS < 30 MB.
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
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/" ./cmd/rotor-relay ./cmd/rotor)
(cd "$root" && go build -o "$work/" ./scripts/relay-benchsink ./scripts/relay-benchload)
mv "$work/relay-benchsink" "$work/benchsink"
mv "$work/relay-benchload" "$work/benchload"

secret=$(openssl rand -hex 32)
token=bench$(openssl rand -hex 16)
testdata=$root/internal/relay/testdata
done_body=$testdata/webhook-issue-updated-done.json
drop_body=$testdata/webhook-issue-updated-in-progress.json
sign() { echo "sha256=$(openssl dgst -sha256 -hmac "$secret" <"$1" | awk '{print $NF}')"; }
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

# The servers under test, by name: relay (rotor-relay), cli (rotor relay), hook (webhook).
declare -A url pid

# --- rotor-relay and rotor relay ----------------------------------------------
# start_relay NAME CMD...: start a relay on a free port.
start_relay() {
	local name=$1 port
	shift
	port=$("$work/benchsink" -free-port)
	ROTOR_RELAY_ADDR=127.0.0.1:$port \
		ROTOR_JIRA_WEBHOOK_SECRET=$secret \
		GITHUB_TOKEN=$token \
		ROTOR_GITHUB_REPOSITORY=acme/register \
		ROTOR_GITHUB_API_URL=$sink/ \
		$server_cpu "$@" 2>"$work/$name.log" &
	pid[$name]=$!
	pids+=("${pid[$name]}")
	url[$name]=http://127.0.0.1:$port/webhook/jira
	wait_http "http://127.0.0.1:$port/healthz"
}
start_relay relay "$work/rotor-relay"
start_relay cli "$work/rotor" relay

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
pid[hook]=$!
pids+=("${pid[hook]}")
url[hook]=http://127.0.0.1:$hook_port/hooks/jira
wait_http "${url[hook]}"

# --- load --------------------------------------------------------------------
cat >"$work/load.lua" <<'EOF'
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature"] = os.getenv("BENCH_SIG")
EOF

# Each run leaves key=value pairs in $work/NAME.out: rps, seconds, p99_ms, non2xx.
# drop NAME URL SECONDS: wrk, the same signed "in progress" event again and again.
drop() {
	BENCH_BODY=$drop_body BENCH_SIG=$drop_sig \
		timeout $(($3 + 15)) $load_cpu wrk -t1 -c"$CONNS" -d"$3s" --latency -s "$work/load.lua" "$2" >"$work/$1.wrk"
	awk '
		/^Requests\/sec:/ {rps = $2}
		/requests in/ {s = $4; sub(/s,$/, "", s)}
		/Non-2xx/ {bad = $NF}
		$1 == "99%" {
			v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v)
			if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
			p99 = v }
		END {printf "rps=%s seconds=%s p99_ms=%.2f non2xx=%d\n", rps, s, p99, bad + 0}' "$work/$1.wrk" >"$work/$1.out"
}
# fwd NAME URL SECONDS: relay-benchload, a distinct signed "done" event per request.
run_no=0
fwd() {
	run_no=$((run_no + 1))
	BENCH_SECRET=$secret timeout $(($3 + 15)) $load_cpu "$work/benchload" -url "$2" -body "$done_body" \
		-conns "$CONNS" -duration "$3s" -distinct -first $((run_no * 10000000)) -prefix "$1-$RANDOM" >"$work/$1.out"
}
# get NAME KEY: a value a run left.
get() { tr ' ' '\n' <"$work/$1.out" | sed -n "s/^$2=//p"; }
# forwarded NAME COUNT: dispatches the fake GitHub accepted per second during NAME.
forwarded() { awk -v n="$2" -v s="$(get "$1" seconds)" 'BEGIN {printf "%.0f", n / s}'; }
# rss PID: peak resident memory so far, MB.
rss() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

echo "bench-relay: ${DURATION}s per run, $CONNS connections, 127.0.0.1${load_cpu:+; load and fake GitHub on CPU 0, server on CPUs 1-$((ncpu - 1))}" >&2
declare -A dropped fwded peak bad
for s in relay cli hook; do
	drop "warm-$s" "${url[$s]}" 1
	drop "$s-drop" "${url[$s]}" "$DURATION"
	fwd "warm-fwd-$s" "${url[$s]}" 1
	before=$(sink_count)
	fwd "$s-fwd" "${url[$s]}" "$DURATION"
	if [[ $s == hook ]]; then sleep 0.5; fi # let the last curl finish before counting
	after=$(sink_count)
	dropped[$s]=$(get "$s-drop" rps)
	fwded[$s]=$(forwarded "$s-fwd" $((after - before)))
	peak[$s]=$(rss "${pid[$s]}")
	bad[$s]=$(($(get "$s-drop" non2xx) + $(get "$s-fwd" non2xx) + $(get "$s-fwd" errors)))
done

# --- verdict -----------------------------------------------------------------
fail=0
verdict() { # verdict OK-EXPRESSION
	if awk "BEGIN {exit !($1)}"; then echo PASS; else
		echo FAIL
		fail=1
	fi
}
v_drop=$(verdict "${dropped[relay]} >= 20000 && ${dropped[relay]} >= 1.2 * ${dropped[hook]}")
v_fwd=$(verdict "${fwded[relay]} >= 10 * ${fwded[hook]}")
v_p99=$(verdict "$(get relay-drop p99_ms) < 5")
v_p99f=$(verdict "$(get relay-fwd p99_ms) < 5")
v_rss=$(verdict "${peak[relay]} < 30 && ${peak[cli]} < 30")
v_err=$(verdict "${bad[relay]} == 0 && ${bad[cli]} == 0")
[[ $v_drop$v_fwd$v_p99$v_p99f$v_rss$v_err == *FAIL* ]] && fail=1

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }
row() { printf '%-28s %12s %12s %14s %8s  %-24s %s\n' "$@"; }
echo
row "measure" "rotor-relay" "rotor relay" "webhook 2.8.0" "ratio" "bar (rotor-relay)" "result"
row "dropped events/s" "${dropped[relay]}" "${dropped[cli]}" "${dropped[hook]}" "$(ratio "${dropped[relay]}" "${dropped[hook]}")" ">= 20000 and >= 1.2x" "$v_drop"
row "forwarded events/s" "${fwded[relay]}" "${fwded[cli]}" "${fwded[hook]}" "$(ratio "${fwded[relay]}" "${fwded[hook]}")" ">= 10x (webhook+curl)" "$v_fwd"
row "p99 latency, dropped (ms)" "$(get relay-drop p99_ms)" "$(get cli-drop p99_ms)" "$(get hook-drop p99_ms)" "" "< 5" "$v_p99"
row "p99 latency, forwarded (ms)" "$(get relay-fwd p99_ms)" "$(get cli-fwd p99_ms)" "$(get hook-fwd p99_ms)" "" "< 5" "$v_p99f"
row "peak RSS (MB)" "${peak[relay]}" "${peak[cli]}" "${peak[hook]}" "" "< 30, both relays" "$v_rss"
row "non-2xx answers" "${bad[relay]}" "${bad[cli]}" "" "" "0, both relays" "$v_err"
echo
if ((fail)); then
	echo "bench-relay: FAIL" >&2
	exit 1
fi
echo "bench-relay: PASS" >&2
