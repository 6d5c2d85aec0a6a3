#!/usr/bin/env bash
# Times `rotor validate` and `rotor status --format json` against ajv-cli 5
# (with ajv-formats) on the same generated registers, side by side in one
# run: 10,000 credentials one per file, and the same packed 100 per file.
# Wall time is the median of RUNS runs (hyperfine when present); peak memory
# is the maximum resident set size from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
N=${N:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

# ajv-cli from npm, installed once into a cache folder.
AJV_DIR=${AJV_DIR:-$HOME/.cache/rotor-bench/ajv}
if [ ! -x "$AJV_DIR/node_modules/.bin/ajv" ]; then
  echo "installing ajv-cli 5 and ajv-formats into $AJV_DIR" >&2
  mkdir -p "$AJV_DIR"
  (cd "$AJV_DIR" && npm install --silent --no-audit --no-fund ajv-cli@5 ajv-formats@2 >/dev/null)
fi
AJV="$AJV_DIR/node_modules/.bin/ajv"

go build -o "$work/rotor" ./cmd/rotor
for per in 1 100; do
  mkdir -p "$work/reg$per/credential_rotation"
  go run ./scripts/genregister -n "$N" -per-file "$per" -dir "$work/reg$per/credential_rotation" >/dev/null
done

# median wall seconds and max RSS (MB) of a command over RUNS runs
measure() {
  local times=() rss=0 out
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$work/time" -f '%e %M' "$@" >/dev/null 2>&1 || true
    out=$(tail -n 1 "$work/time")
    times+=("${out% *}")
    local kb=${out#* }
    if (( kb > rss )); then rss=$kb; fi
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $((rss / 1024))"
}

ok=true
printf '%-28s %-9s %10s %9s\n' "register" "tool" "wall (s)" "RSS (MB)"
for per in 1 100; do
  reg="$work/reg$per/credential_rotation"
  read -r ajv_t ajv_m < <(measure "$AJV" validate --spec=draft2020 -c ajv-formats -s schema/credential.schema.json -d "$reg/*.yaml")
  read -r val_t val_m < <(measure "$work/rotor" validate --register "$reg" --today 2026-11-27)
  read -r st_t st_m < <(measure "$work/rotor" status --format json --register "$reg" --today 2026-11-27)
  label="$N credentials, $per per file"
  printf '%-28s %-9s %10s %9s\n' "$label" "ajv-cli" "$ajv_t" "$ajv_m" "$label" "validate" "$val_t" "$val_m" "$label" "status" "$st_t" "$st_m"
  for pair in "validate $val_t $val_m" "status $st_t $st_m"; do
    set -- $pair
    if awk -v t="$2" -v a="$ajv_t" 'BEGIN {exit !(t <= a / 2)}'; then r=pass; else r=FAIL; ok=false; fi
    if (( $3 >= 50 )); then r="$r, memory FAIL"; ok=false; fi
    printf '  %-8s %.2fx of ajv-cli wall time (bar: at most 0.50x), %s MB (bar: under 50): %s\n' "$1" \
      "$(awk -v t="$2" -v a="$ajv_t" 'BEGIN {print t / a}')" "$3" "$r"
  done
done
$ok || { echo "bench-validate: a bar was missed" >&2; exit 1; }
