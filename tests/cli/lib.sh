# Shared by the CLI test scripts: source it after setting `failures=0`.

expect() {  # expect NAME WANT_EXIT WANT_PATTERN -- command...
  local name="$1" want_rc="$2" pattern="$3"
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" != "$want_rc" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $want_rc), output:"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect_not() {  # expect_not NAME PATTERN -- command...: the output must not match
  local name="$1" pattern="$2"
  shift 3
  local out
  out=$("$@" 2>&1)
  if grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output matches '$pattern':"
    grep -E -- "$pattern" <<<"$out" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
