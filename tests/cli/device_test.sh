#!/usr/bin/env bash
# houqin device against a real houqin-server with the demo compound: a phone
# enrolls with an admin code and signs in, pulls only what its user may see,
# pushes nothing twice; a wrong fingerprint and a spent code are refused with
# a clear reason.
set -u
houqin="$1"
server_bin="${2:-$(dirname "$houqin")/../../sync-server/houqin-server}"
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
failures=0
data="$work/srv"

. "$(dirname "$0")/lib.sh"

[ -x "$server_bin" ] || { echo "FAIL no server binary at $server_bin"; exit 1; }
"$houqin" admin --data "$data" demo >"$work/demo.out" 2>&1 || { echo "FAIL demo"; cat "$work/demo.out"; exit 1; }
"$server_bin" --data "$data" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do  # bounded poll for the port file and /healthz (up to ~30 s)
  if [ -s "$data/port" ] && curl -skf "https://127.0.0.1:$(cat "$data/port")/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
url="https://127.0.0.1:$(cat "$data/port")"
fp=$(cat "$data/fingerprint")
code_of() { awk -v u="$1" '$1=="code" && $3==u {print $4}' "$work/demo.out"; }

expect enroll-and-sign-in 0 'signed in wang.fang \(staff\)' -- \
  "$houqin" device enroll --db "$work/phone.db" --server "$url" --fingerprint "$fp" --code "$(code_of wang.fang)" \
  --user wang.fang --password houqin-demo
expect sync-once 0 '^sync idle pending 0 refused 0' -- "$houqin" device sync --db "$work/phone.db"
expect sees-own-request 0 '"requester": "wang.fang"' -- "$houqin" state --db "$work/phone.db" --entity car_request --id req-1
# req-4 belongs to another department's requester: staff see only their own.
own=$("$houqin" state --db "$work/phone.db" --entity car_request | grep -c '"requester"')
others=$("$houqin" state --db "$work/phone.db" --entity car_request | grep '"requester"' | grep -vc 'wang.fang')
[ "$own" -ge 1 ] && [ "$others" = 0 ] && echo "ok   staff-scope-own-requests-only" ||
  { echo "FAIL staff-scope-own-requests-only: $own requests, $others of others"; failures=$((failures + 1)); }
expect no-duty-on-staff-phone 0 '"records": \[\]' -- "$houqin" state --db "$work/phone.db" --entity duty_shift
before=$("$houqin" events --db "$work/phone.db" | wc -l)
expect sync-again-idempotent 0 'pending 0' -- "$houqin" device sync --db "$work/phone.db"
after=$("$houqin" events --db "$work/phone.db" | wc -l)
[ "$before" = "$after" ] && echo "ok   resync-adds-nothing" || { echo "FAIL resync-adds-nothing: $before -> $after"; failures=$((failures + 1)); }
expect status 0 "server $url" -- "$houqin" device status --db "$work/phone.db"

wrong=$(sed 's/^../00/' <<<"$fp")
expect wrong-fingerprint-refused 2 'does not match the pinned fingerprint' -- \
  "$houqin" device enroll --db "$work/evil.db" --server "$url" --fingerprint "$wrong" --code "$(code_of liu.lead)"
[ ! -e "$work/evil.db" ] && echo "ok   no-store-after-refusal" || { echo "FAIL no-store-after-refusal"; failures=$((failures + 1)); }
expect spent-code-refused 2 'bad_enrollment_code|enrollment code' -- \
  "$houqin" device enroll --db "$work/second.db" --server "$url" --fingerprint "$fp" --code "$(code_of wang.fang)"
expect kiosk-enrolls 0 'enrolled kiosk device .* at site main' -- \
  "$houqin" device enroll --db "$work/kiosk.db" --server "$url" --fingerprint "$fp" --code "$(awk '$1=="code" && $2=="kiosk" {print $4}' "$work/demo.out")"
expect kiosk-syncs 0 '^sync idle' -- "$houqin" device sync --db "$work/kiosk.db"
expect kiosk-no-car-requests 0 '"records": \[\]' -- "$houqin" state --db "$work/kiosk.db" --entity car_request

if [ "$failures" -gt 0 ]; then
  echo "$failures failed"
  exit 1
fi
echo "all passed"
