#!/usr/bin/env bash
# The houqin tool as an operator runs it: exit codes, output, and errors.
set -u
houqin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

. "$(dirname "$0")/lib.sh"

expect valid-id 0 '^valid$' -- "$houqin" validate id 11010519491231002X
expect bad-checksum 1 'check' -- "$houqin" validate id 110105194912310021
expect bad-checksum-zh 1 '校验' -- "$houqin" validate id 110105194912310021
expect valid-phone 0 '^valid$' -- "$houqin" validate phone "+86 138 1234 5678"
expect bad-phone 1 'invalid: phone' -- "$houqin" validate phone 12812345678
expect new-energy-plate 0 '^valid$' -- "$houqin" validate plate 粤B·D12345
expect bad-plate 1 'invalid: plate' -- "$houqin" validate plate XA12345
expect unknown-kind 2 'unknown kind' -- "$houqin" validate colour red

# 2026-11-23 is a Monday: last digits 1 and 6 stay parked.
expect monday-6 0 '^restricted' -- "$houqin" restricted --plate 京A12346 --date 2026-11-23
expect monday-7 0 '^allowed' -- "$houqin" restricted --plate 京A12347 --date 2026-11-23
expect saturday 0 '^restricted' -- "$houqin" restricted --plate 京A12347 --date 2026-11-28
expect saturday-work 0 '^allowed' -- "$houqin" restricted --plate 京A12347 --date 2026-11-28 --work-required
expect bad-date 2 'date' -- "$houqin" restricted --plate 京A12346 --date 2026-02-30
expect bad-plate-restricted 2 'plate' -- "$houqin" restricted --plate 京A --date 2026-11-23

# apply / state / events / merge / verify on real files.
cat >"$work/a.jsonl" <<'JSONL'
{"id":"01890000-0000-7000-8000-000000000001","type":"department","entity":"d1","kind":"department.upserted","payload":{"name":"办公室","approvers":["lead"]},"user":"admin","role":"admin","device":"dev-a","seq":1,"hlc":"0189000000000000"}
{"id":"01890000-0000-7000-8000-000000000002","type":"user","entity":"u1","kind":"user.upserted","payload":{"name":"王芳","department":"d1","roles":["staff"]},"user":"admin","role":"admin","device":"dev-a","seq":2,"hlc":"0189000000000001"}
JSONL
cat >"$work/b.jsonl" <<'JSONL'
{"id":"01890000-0000-7000-8000-000000000003","type":"user","entity":"u1","kind":"user.upserted","payload":{"name":"王芳芳"},"user":"admin","role":"admin","device":"dev-b","seq":1,"hlc":"0189000000000005"}
JSONL
expect apply 0 '"inserted": 2' -- "$houqin" apply --db "$work/a.db" "$work/a.jsonl"
expect apply-again 0 '"duplicates": 2' -- "$houqin" apply --db "$work/a.db" "$work/a.jsonl"
expect apply-b 0 '"inserted": 1' -- "$houqin" apply --db "$work/b.db" "$work/b.jsonl"
expect state 0 '王芳' -- "$houqin" state --db "$work/a.db" --entity user
expect merge 0 'identical' -- "$houqin" merge "$work/a.db" "$work/b.db"
expect merged-state 0 '王芳芳' -- "$houqin" state --db "$work/a.db" --entity user --id u1
expect events 0 '"kind":"department.upserted"' -- "$houqin" events --db "$work/b.db"
expect verify 0 '^ok: 3 events' -- "$houqin" verify --db "$work/b.db"
ha=$("$houqin" state --db "$work/a.db" | grep state_hash)
hb=$("$houqin" state --db "$work/b.db" | grep state_hash)
if [ "$ha" = "$hb" ]; then echo "ok   equal-hashes"; else echo "FAIL equal-hashes: $ha vs $hb"; failures=$((failures + 1)); fi

# Errors: clear message, non-zero exit, nothing stored.
printf '{"id":"bad"}\n' >"$work/bad.jsonl"
expect bad-event 2 'bad.jsonl:1: type' -- "$houqin" apply --db "$work/c.db" "$work/bad.jsonl"
printf 'not json\n' >"$work/junk.jsonl"
expect junk 2 'not valid JSON' -- "$houqin" apply --db "$work/c.db" "$work/junk.jsonl"
expect missing-file 2 'cannot read' -- "$houqin" apply --db "$work/c.db" "$work/none.jsonl"
echo "this is not a database" >"$work/text.db"
expect not-a-db 2 'not a Houqin database|damaged' -- "$houqin" state --db "$work/text.db"
expect unknown-command 2 'unknown command' -- "$houqin" frobnicate
expect no-args 2 'usage' -- "$houqin"

exit $((failures > 0))
