#!/usr/bin/env bash
# houqin deadline and houqin calendar: repair due times on the working-day calendar.
set -u
houqin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

. "$(dirname "$0")/lib.sh"

first_line() {  # first_line NAME WANT -- command...: the due time is alone on the first line
  local name="$1" want="$2"
  shift 3
  local got
  got=$("$@" 2>/dev/null | head -1)
  if [ "$got" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name: first line '$got' (want '$want')"; failures=$((failures + 1)); fi
}

# National Day 2026: Oct 1–7 off, Saturday Oct 10 worked.
first_line national-day-small "2026-10-08 17:00" -- "$houqin" deadline --reported "2026-09-30 17:00" --size small
first_line national-day-large "2026-10-10 17:00" -- "$houqin" deadline --reported "2026-09-30 17:00" --size large
expect national-day-skipped 0 'skipped 2026-10-07 Wed holiday: National Day / 国庆节' -- \
  "$houqin" deadline --reported "2026-09-30 17:00" --size small
expect national-day-swap 0 'working day 3: 2026-10-10 Sat swapped working day' -- \
  "$houqin" deadline --reported "2026-09-30 17:00" --size large
# Spring Festival: 2025 (Jan 28–Feb 4 off) and 2026 (Feb 14 worked, Feb 15–23 off).
first_line spring-2025 "2025-02-05 16:00" -- "$houqin" deadline --reported "2025-01-27 16:00" --size small
first_line spring-2026-friday "2026-02-14 15:00" -- "$houqin" deadline --reported "2026-02-13 15:00" --size small
first_line spring-2026-friday-large "2026-02-25 15:00" -- "$houqin" deadline --reported "2026-02-13 15:00" --size large
first_line spring-2026-saturday "2026-02-24 11:00" -- "$houqin" deadline --reported "2026-02-14 11:00" --size small
# A Sunday report counts from Monday 08:30.
first_line sunday "2026-03-10 08:30" -- "$houqin" deadline --reported "2026-03-08 20:00" --size small
expect sunday-start 0 'counted from 2026-03-09 08:30' -- "$houqin" deadline --reported "2026-03-08 20:00" --size small
# A year without data: Monday to Friday, with a warning in both languages.
first_line unknown-year "2027-01-04 10:00" -- "$houqin" deadline --reported "2027-01-01 10:00" --size small
expect unknown-year-warning 0 '^warning: no working-day calendar for 2027' -- \
  "$houqin" deadline --reported "2027-01-01 10:00" --size small
expect unknown-year-warning-zh 0 '2027 年没有工作日历数据' -- "$houqin" deadline --reported "2027-01-01 10:00" --size small
if "$houqin" deadline --reported "2026-03-09 10:00" --size small | grep -q warning; then
  echo "FAIL known-year-no-warning: a year with data warned"; failures=$((failures + 1))
else
  echo "ok   known-year-no-warning"
fi
# Errors.
expect bad-size 2 'size' -- "$houqin" deadline --reported "2026-09-30 17:00" --size medium
expect bad-time 2 'reported' -- "$houqin" deadline --reported "2026-09-31 17:00" --size small
expect missing-size 2 'deadline needs' -- "$houqin" deadline --reported "2026-09-30 17:00"
expect missing-calendar 2 'calendar' -- "$houqin" deadline --reported "2026-09-30 17:00" --size small --calendar "$work/none.json"

# An admin's own calendar file (next year's notice).
cat >"$work/cal.json" <<'JSON'
{"format": 1, "workday_start": "09:00", "years": {"2027": {"source": "test",
  "off": [{"from": "2027-01-01", "to": "2027-01-03", "name": "元旦", "name_en": "New Year's Day"}],
  "work": [{"date": "2027-01-09", "name": "调休", "name_en": "swap"}]}}}
JSON
first_line own-calendar "2027-01-05 09:00" -- "$houqin" deadline --reported "2027-01-02 12:00" --size small --calendar "$work/cal.json"
expect own-calendar-year 0 '^off  2027-01-01 Fri \.\. 2027-01-03 Sun  New Year.s Day / 元旦' -- \
  "$houqin" calendar --year 2027 --calendar "$work/cal.json"
echo '{"format": 1, "years": {"2027": {"work": [{"date": "2027-01-04"}]}}}' >"$work/bad.json"
expect bad-calendar 2 '2027.work\[0\]' -- "$houqin" calendar --year 2027 --calendar "$work/bad.json"

# houqin calendar
expect calendar-2026-holiday 0 '^off  2026-10-01 Thu \.\. 2026-10-07 Wed  National Day / 国庆节' -- "$houqin" calendar --year 2026
expect calendar-2026-swap 0 '^work 2026-02-14 Sat  Spring Festival working day / 春节调休上班' -- "$houqin" calendar --year 2026
expect calendar-2026-count 0 '^248 working days' -- "$houqin" calendar --year 2026
expect calendar-2025 0 '^work 2025-10-11 Sat' -- "$houqin" calendar --year 2025
expect calendar-no-data 1 'no calendar data for 2027' -- "$houqin" calendar --year 2027
expect calendar-no-data-zh 1 '没有 2027 年的工作日历数据' -- "$houqin" calendar --year 2027
expect calendar-years 0 'years with data: 2025 2026' -- "$houqin" calendar
expect calendar-bad-year 2 'year' -- "$houqin" calendar --year 20x6
expect usage-lists-deadline 2 'deadline --reported' -- "$houqin"

exit $((failures > 0))
