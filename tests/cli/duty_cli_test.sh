#!/usr/bin/env bash
# houqin verify-duty on real database files: a shift handed over with a hash chain
# over its log, then the file edited behind the app's back with the sqlite3 tool.
set -u
houqin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

. "$(dirname "$0")/lib.sh"

if ! command -v sqlite3 >/dev/null; then
  echo "FAIL the sqlite3 command-line tool is needed to edit the database behind the app's back"
  exit 1
fi

# A copy of the sealed database to tamper with (the WAL too, should one be left).
copy_db() {
  cp "$work/duty.db" "$1"
  if [ -f "$work/duty.db-wal" ]; then cp "$work/duty.db-wal" "$1-wal"; fi
}

# Shift s1: rostered, checked in, three entries, handed over. The handover's chain was computed
# outside the C++ code (Python: link_0 = SHA-256("houqin.duty.chain.v1\n" || shift id), then
# link_i = SHA-256(link_{i-1} || canonical bytes of the entry event)), so the test also pins the
# canonical encoding: a change to it would break every chain already signed.
# Then e4, written offline on a phone and synced after the handover (late), and shift s2, open.
cat >"$work/duty.jsonl" <<'JSONL'
{"id":"01890000-0000-7000-8000-000000000d01","type":"duty_shift","entity":"s1","kind":"duty_shift.rostered","payload":{"site":"hq","room":"room-1","date":"2026-03-02","start":"2026-03-02T18:00","end":"2026-03-03T08:00","officers":["wang","zhao"],"leader":"lin","at":"2026-03-02T09:00"},"user":"root","role":"admin","device":"duty-room","seq":1,"hlc":"0189000000010000"}
{"id":"01890000-0000-7000-8000-000000000d02","type":"duty_shift","entity":"s1","kind":"duty_shift.checked_in","payload":{"officer":"wang","at":"2026-03-02T17:55","late":false},"user":"wang","role":"duty_officer","device":"duty-room","seq":2,"hlc":"0189000000020000"}
{"id":"01890000-0000-7000-8000-000000000d03","type":"duty_shift","entity":"s1","kind":"duty_shift.entry_logged","payload":{"entry":"e1","category":"routine","text":"20:00 巡视一遍, 平安无事","urgent":false,"at":"2026-03-02T20:00"},"user":"wang","role":"duty_officer","device":"duty-room","seq":3,"hlc":"0189000000030000"}
{"id":"01890000-0000-7000-8000-000000000d04","type":"duty_shift","entity":"s1","kind":"duty_shift.entry_logged","payload":{"entry":"e2","category":"call","text":"23:30 接群众来电, 反映路灯不亮","urgent":false,"at":"2026-03-02T23:30"},"user":"zhao","role":"duty_officer","device":"duty-room","seq":4,"hlc":"0189000000040000"}
{"id":"01890000-0000-7000-8000-000000000d05","type":"duty_shift","entity":"s1","kind":"duty_shift.entry_logged","payload":{"entry":"e3","category":"routine","text":"02:00 巡查完毕","urgent":false,"at":"2026-03-03T02:00"},"user":"wang","role":"duty_officer","device":"duty-room","seq":5,"hlc":"0189000000050000"}
{"id":"01890000-0000-7000-8000-000000000d06","type":"duty_shift","entity":"s1","kind":"duty_shift.handed_over","payload":{"outgoing":"wang","incoming":"sun","incoming_shift":"","at":"2026-03-03T08:05","checklist":{"log_complete":true,"room_clean":true,"equipment_ok":true,"keys_handed":true,"matters_briefed":true},"checklist_notes":{},"remarks":"","signatures":[],"chain":{"v":1,"head":"fa6b458064822ec7d22e4d78f23c8b5482701fd1ee685f42ebcbba72341c88c6","links":[["01890000-0000-7000-8000-000000000d03","f0fd7b6f2518a0f4aea73dda38f6eb339c327af1de2ea313211bec3ceee37174"],["01890000-0000-7000-8000-000000000d04","2d5b91031df80fd05b9efcc7aaf2d1bc6345117f2329ca7ae41b2380572ac642"],["01890000-0000-7000-8000-000000000d05","fa6b458064822ec7d22e4d78f23c8b5482701fd1ee685f42ebcbba72341c88c6"]]}},"user":"wang","role":"duty_officer","device":"duty-room","seq":6,"hlc":"0189000000060000"}
{"id":"01890000-0000-7000-8000-000000000d07","type":"duty_shift","entity":"s2","kind":"duty_shift.rostered","payload":{"site":"hq","room":"room-1","date":"2026-03-03","start":"2026-03-03T08:00","end":"2026-03-03T18:00","officers":["sun"],"leader":"liu","at":"2026-03-02T09:00"},"user":"root","role":"admin","device":"duty-room","seq":7,"hlc":"0189000000070000"}
{"id":"01890000-0000-7000-8000-000000000d08","type":"duty_shift","entity":"s1","kind":"duty_shift.entry_logged","payload":{"entry":"e4","category":"routine","text":"07:50 东门已锁 (手机离线补记)","urgent":false,"at":"2026-03-03T07:50"},"user":"zhao","role":"duty_officer","device":"zhao-phone","seq":1,"hlc":"0189000000080000"}
JSONL

expect apply 0 '"inserted": 8' -- "$houqin" apply --db "$work/duty.db" "$work/duty.jsonl"
expect sealed-ok 0 '^ok: shift s1, 3 links, head fa6b458064822ec7' -- "$houqin" verify-duty --db "$work/duty.db" --shift s1
expect late-shown 0 '^late: event 01890000-0000-7000-8000-000000000d08' -- "$houqin" verify-duty --db "$work/duty.db" --shift s1
expect late-flagged 0 '"kind": "late_entry"' -- "$houqin" state --db "$work/duty.db" --entity duty_shift --id s1

# One entry's text changed in the events table (the payload is packed: bytes
# swapped for as many bytes, so that the record still reads).
copy_db "$work/changed.db"
sqlite3 "$work/changed.db" \
  "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), '路灯不亮', '一切正常') AS BLOB)
   WHERE id = x'01890000000070008000000000000d04'"
expect changed 1 '^changed: entry e2 event 01890000-0000-7000-8000-000000000d04 link 2' -- \
  "$houqin" verify-duty --db "$work/changed.db" --shift s1
expect changed-zh 1 '值班记录 e2' -- "$houqin" verify-duty --db "$work/changed.db" --shift s1
# The generic re-fold does not see it (entry texts are not folded state): that is what the chain is for.
expect changed-refold-blind 0 '^ok' -- "$houqin" verify --db "$work/changed.db"

# One entry deleted.
copy_db "$work/removed.db"
sqlite3 "$work/removed.db" "DELETE FROM events WHERE id = x'01890000000070008000000000000d05'"
expect removed 1 '^removed: entry e3 event 01890000-0000-7000-8000-000000000d05 link 3' -- \
  "$houqin" verify-duty --db "$work/removed.db" --shift s1

# One entry slipped in: a copy of e1's row with a new id and other words
# (written as JSON text, the form older files keep, which the store still reads).
copy_db "$work/added.db"
sqlite3 "$work/added.db" \
  "INSERT INTO events(id, rid, hlc, dev, seq, kind, usr, role, payload)
   SELECT x'01890000000070008000000000000d99', rid, hlc + 1, dev, seq + 100, kind, usr, role,
          '{\"at\":\"2026-03-02T20:00\",\"category\":\"routine\",\"entry\":\"e-forged\",\"text\":\"20:00 巡视一遍, 一切正常\",\"urgent\":false}'
   FROM events WHERE id = x'01890000000070008000000000000d03'"
expect added 1 '^added: entry e-forged event 01890000-0000-7000-8000-000000000d99' -- \
  "$houqin" verify-duty --db "$work/added.db" --shift s1

# Refusals and usage errors.
expect not-sealed 2 'not been handed over' -- "$houqin" verify-duty --db "$work/duty.db" --shift s2
expect unknown-shift 2 'no duty shift nope' -- "$houqin" verify-duty --db "$work/duty.db" --shift nope
expect no-shift 2 'needs --db FILE and --shift ID' -- "$houqin" verify-duty --db "$work/duty.db"
expect in-usage 2 'verify-duty --db FILE --shift ID' -- "$houqin"

exit $((failures > 0))
