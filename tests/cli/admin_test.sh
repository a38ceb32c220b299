#!/usr/bin/env bash
# houqin admin on a real data directory: init, the directory, CSV imports (a bad
# file imports nothing and names every bad row), enrollment codes, the online
# backup, the retention purge and the demo compound, read back with the
# ordinary `houqin state` / `houqin events` commands.
set -u
houqin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
data="$work/srv"
db="$data/houqin.db"

. "$(dirname "$0")/lib.sh"

event_count() { "$houqin" events --db "$db" | grep -c '"id"'; }

if ! command -v sqlite3 >/dev/null; then
  echo "FAIL the sqlite3 command-line tool is needed to check the backup"
  exit 1
fi

admin() { "$houqin" admin --data "$data" "$@"; }

# --- init -------------------------------------------------------------------
expect needs-init 1 'run .*init' -- admin user --id a --name A --roles staff
expect init 0 '^fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}$' -- admin init --site hq --name 机关大院
[ -f "$data/tls/cert.pem" ] && echo "ok   init-cert" || { echo "FAIL init-cert: no $data/tls/cert.pem"; failures=$((failures + 1)); }
expect init-twice 1 'site hq .* exists already' -- admin init --site hq --name 又一个
expect init-site-record 0 '"name": "机关大院"' -- "$houqin" state --db "$db" --entity site_config --id site.hq

# --- departments and users ----------------------------------------------------
expect department 0 'department d-office created' -- admin department --id d-office --name 办公室 --approvers lead
expect user 0 'user lead created' -- admin user --id lead --name 刘主任 --department d-office --roles approver,staff --password secret-123
expect user-in-state 0 '"approver"' -- "$houqin" state --db "$db" --entity user --id lead
expect user-site-phone 0 'user wang2 created' -- admin user --id wang2 --name 王二 --department d-office --roles staff --site hq --phone "138 0013 8000"
expect user-phone-personal 0 '"phone":"13800138000"' -- "$houqin" events --db "$db"
expect user-bad-phone 1 'phone: ' -- admin user --id x --name X --department d-office --roles staff --phone 12345
expect user-unknown-site 1 'site: no site elsewhere' -- admin user --id x --name X --department d-office --roles staff --site elsewhere
expect user-bad-role 1 'roles: unknown role .wizard.' -- admin user --id x --name X --department d-office --roles wizard
expect user-bad-department 1 'department: no department .nowhere.' -- admin user --id x --name X --department nowhere --roles staff
expect user-short-password 1 'password: .*at least 8' -- admin user --id x --name X --department d-office --roles staff --password 123
expect_not user-refused-not-written '"id": "x"' -- "$houqin" state --db "$db" --entity user

# --- import: a bad file imports nothing ----------------------------------------
before=$(event_count)
cat >"$work/bad-cars.csv" <<'CSV'
id,plate,model,seats,new_energy,inspection_due
car-a,京A·12345,红旗 H5,5,no,2030-01-01
car-b,XX123,桑塔纳,5,no,2030-01-01
car-c,京B·D23456,比亚迪 汉,5,yes,2030-01-01
car-d,京C·34567,大众 帕萨特,five,no,2030-01-01
car-a,京D·45678,别克,5,no,2030-01-01
CSV
out=$(admin import --kind cars "$work/bad-cars.csv" 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q '^row 3, column plate: ' <<<"$out" && grep -q '^row 5, column seats: .five. is not a whole number' <<<"$out" &&
  grep -q '^row 6, column id: car-a repeats row 2' <<<"$out" && ! grep -q '^row 2' <<<"$out" && ! grep -q '^row 4' <<<"$out" &&
  grep -q 'nothing imported' <<<"$out"; then
  echo "ok   import-bad-rows-named"
else
  echo "FAIL import-bad-rows-named: exit $rc, output:"
  echo "$out" | head -20
  failures=$((failures + 1))
fi
after=$(event_count)
[ "$before" = "$after" ] && echo "ok   import-bad-nothing-written" ||
  { echo "FAIL import-bad-nothing-written: $before events before, $after after"; failures=$((failures + 1)); }

printf 'id,plate,colour\r\ncar-z,京A·11111,red\r\n' >"$work/bad-header.csv"
printf 'id,plate,model\ncar-y,京A·11112,\xC9\xE3\xBB\xFA\n' >"$work/gbk.csv"  # 摄机 saved as GBK, not UTF-8
expect import-not-utf8 1 'row 2, column model: not valid UTF-8' -- admin import --kind cars "$work/gbk.csv"
expect import-unknown-column 1 'row 1, column colour: not a column of cars' -- admin import --kind cars "$work/bad-header.csv"

# --- import: a good file, as a spreadsheet saves it (BOM, CRLF, quotes) ---------
printf '\xEF\xBB\xBFid,plate,model,seats,new_energy,special_need\r\ncar-1,京A·10083,"红旗 H5, 黑色",5,no,"山区道路 ""续航"""\r\ncar-2,京A·D12345,比亚迪 汉 EV,5,yes,\r\n' >"$work/cars.csv"
expect import-cars 0 'imported 2 cars .*one batch' -- admin import --kind cars "$work/cars.csv"
expect import-quoted-comma 0 '"model": "红旗 H5, 黑色"' -- "$houqin" state --db "$db" --entity car --id car-1
expect import-doubled-quote 0 '"special_need": "山区道路 \\"续航\\""' -- "$houqin" state --db "$db" --entity car --id car-1
expect import-new-energy 0 '"new_energy": true' -- "$houqin" state --db "$db" --entity car --id car-2

cat >"$work/people.csv" <<'CSV'
id,name,department,roles,password
wang,王芳,d-office,staff,
lin,林值班,d-office,"duty_officer;staff",duty-pass-1
gao,高带班,d-office,duty_leader staff,
CSV
expect import-users 0 'imported 3 users' -- admin import --kind users "$work/people.csv"
cat >"$work/rooms.csv" <<'CSV'
id,site,name,kind,code
room-1,hq,值班室,duty_room,ROOM-1-CODE
CSV
expect import-checkpoints 0 'imported 1 checkpoints' -- admin import --kind checkpoints "$work/rooms.csv"
tomorrow=$(date -d '+1 day' +%F)
cat >"$work/shifts.csv" <<CSV
id,site,room,date,start,end,officers,leader
s1,hq,room-1,$tomorrow,18:00,08:00,lin,gao
CSV
expect import-shifts 0 'imported 1 shifts' -- admin import --kind shifts "$work/shifts.csv"
expect shift-ends-next-morning 0 '"end": "'"$(date -d '+2 day' +%F)"'T08:00"' -- "$houqin" state --db "$db" --entity duty_shift --id s1

# --- enrollment codes and devices ------------------------------------------------
expect enroll-phone 0 '^code [0-9A-Z-]+$' -- admin enroll-code --phone wang --label "王芳的手机"
expect enroll-kiosk-json 0 '"kind":"kiosk".*"site":"hq"' -- admin enroll-code --kiosk hq --ttl-hours 24 --json
expect enroll-unknown-user 1 'phone: no user nobody' -- admin enroll-code --phone nobody
expect enroll-unknown-site 1 'kiosk: no site elsewhere' -- admin enroll-code --kiosk elsewhere
expect enroll-bad-ttl 1 'ttl-hours' -- admin enroll-code --phone wang --ttl-hours 0
expect devices-none-yet 0 'no devices enrolled' -- admin devices
expect revoke-unknown 1 '.' -- admin revoke 01890000-0000-7000-8000-000000000000

# --- online backup ----------------------------------------------------------------
expect backup 0 'integrity_check ok' -- admin backup --to "$work/backup.db"
expect backup-integrity 0 '^ok$' -- sqlite3 "$work/backup.db" 'PRAGMA integrity_check'
expect backup-has-events 0 "^$(event_count)\$" -- sqlite3 "$work/backup.db" 'SELECT count(*) FROM events'
expect backup-refuses-overwrite 1 'exists already' -- admin backup --to "$work/backup.db"

# --- demo -------------------------------------------------------------------------
demo="$work/demo"
demo_out=$("$houqin" admin --data "$demo" demo 2>&1)
demo_rc=$?
expect demo 0 '^code kiosk main [0-9A-Z]+' -- echo "$demo_out"
[ "$demo_rc" = 0 ] && echo "ok   demo-exit-0" || { echo "FAIL demo-exit-0: exit $demo_rc"; failures=$((failures + 1)); }
expect demo-password 0 'password is "houqin-demo"' -- echo "$demo_out"
expect demo-phone-codes 0 '^code phone wang.fang [0-9A-Z]+' -- echo "$demo_out"
expect demo-fingerprint 0 "^fingerprint $(cat "$demo/fingerprint" 2>/dev/null)\$" -- echo "$demo_out"
expect demo-twice 1 'already has site main' -- "$houqin" admin --data "$demo" demo
expect demo-new-energy-car 0 '"plate": "京AD12345"' -- "$houqin" state --db "$demo/houqin.db" --entity car
expect demo-request-approved 0 '"status": "approved"' -- "$houqin" state --db "$demo/houqin.db" --entity car_request --id req-2
expect demo-roster 0 '"id": "shift-' -- "$houqin" state --db "$demo/houqin.db" --entity duty_shift
expect demo-events 0 '"kind":"request.submitted"' -- "$houqin" events --db "$demo/houqin.db"
expect demo-invites 0 'visitor_invite' -- "$houqin" events --db "$demo/houqin.db"
expect demo-verifies 0 '^ok: ' -- "$houqin" verify --db "$demo/houqin.db"
expect demo-enroll-after 0 '^code ' -- "$houqin" admin --data "$demo" enroll-code --phone liu.lead

# --- retention purge ----------------------------------------------------------------
expect purge-nothing-today 0 'nothing to purge' -- "$houqin" admin --data "$demo" purge
expect purge-years-later 0 'purged the personal data of [1-9][0-9]* records' -- "$houqin" admin --data "$demo" purge --today 2040-01-01
expect purge-idempotent 0 'nothing to purge' -- "$houqin" admin --data "$demo" purge --today 2040-01-01
expect purge-bad-date 1 'today' -- "$houqin" admin --data "$demo" purge --today soon
expect_not purge-names-gone '赵先生' -- "$houqin" state --db "$demo/houqin.db" --entity visitor_invite

# --- beside a running server ---------------------------------------------------------
# The admin tool writes the server's file while it runs (WAL); the server
# enrolls with the admin's codes; revoke takes effect at once; the backup is
# consistent mid-flight. Skipped when the server is not built next to houqin.
server_bin="${2:-$(dirname "$houqin")/../../sync-server/houqin-server}"
if [ -x "$server_bin" ] && command -v curl >/dev/null; then
  "$server_bin" --data "$demo" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do  # bounded poll: up to ~20 s for the port file and /healthz
    if [ -s "$demo/port" ] && curl -skf "https://127.0.0.1:$(cat "$demo/port")/healthz" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  base="https://127.0.0.1:$(cat "$demo/port" 2>/dev/null)"
  if curl -skf "$base/healthz" >/dev/null 2>&1; then
    echo "ok   server-started"
    code=$("$houqin" admin --data "$demo" enroll-code --phone wang.fang --label "test phone" | awk '$1=="code" {print $2}')
    reply=$(curl -sk -X POST -H 'Content-Type: application/json' -d "{\"code\":\"$code\"}" "$base/v1/enroll")
    device=$(sed -n 's/.*"device_id":"\([^"]*\)".*/\1/p' <<<"$reply")
    token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' <<<"$reply")
    if [ -n "$device" ] && [ -n "$token" ]; then echo "ok   server-enrolls-with-admin-code"; else
      echo "FAIL server-enrolls-with-admin-code: $reply"; failures=$((failures + 1)); fi
    login=$(curl -sk -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"user":"wang.fang","password":"houqin-demo"}' "$base/v1/login")
    grep -q '"staff"' <<<"$login" && echo "ok   demo-password-signs-in" ||
      { echo "FAIL demo-password-signs-in: $login"; failures=$((failures + 1)); }
    expect devices-lists-enrolled 0 "^$device +phone +wang.fang +test phone .* no\$" -- "$houqin" admin --data "$demo" devices
    expect admin-writes-while-serving 0 'user late.comer created' -- "$houqin" admin --data "$demo" user --id late.comer --name 晚到 --department dept-office --roles staff
    expect backup-while-serving 0 'integrity_check ok' -- "$houqin" admin --data "$demo" backup --to "$work/live-backup.db"
    expect live-backup-integrity 0 '^ok$' -- sqlite3 "$work/live-backup.db" 'PRAGMA integrity_check'
    status=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/pull?after=0&limit=1")
    [ "$status" != 401 ] && echo "ok   token-works-before-revoke" ||
      { echo "FAIL token-works-before-revoke: $status"; failures=$((failures + 1)); }
    expect revoke 0 "device $device revoked" -- "$houqin" admin --data "$demo" revoke "$device"
    expect devices-shows-revoked 0 "^$device .* yes\$" -- "$houqin" admin --data "$demo" devices
    status=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/v1/pull?after=0&limit=1")
    [ "$status" = 401 ] && echo "ok   revoked-token-401" || { echo "FAIL revoked-token-401: $status"; failures=$((failures + 1)); }
  else
    echo "FAIL server-started: $(tail -5 "$work/server.log")"
    failures=$((failures + 1))
  fi
  kill -TERM "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
else
  echo "skip the running-server checks: no $server_bin"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures failed"
  exit 1
fi
echo "all passed"
