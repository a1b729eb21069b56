# SPDX-License-Identifier: Apache-2.0
# Helpers for the exec suites (tests/integration/exec.bats,
# tests/security/exec.bats).  Load after helpers.

# start_sleeper: a running container whose init sleeps.
start_sleeper() {
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" running
}

# exec_detached PIDFILE ARGS...: exec -d, no stdio tied to the test.
exec_detached() {
  local pidfile=$1
  shift
  hr exec -d --pid-file "$pidfile" "$@" </dev/null >/dev/null 2>&1
}

# status_field PID FIELD: a line of /proc/PID/status without its name.
status_field() {
  awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status"
}

# has_cap HEXMASK BIT
has_cap() {
  (( (16#$1 >> $2) & 1 ))
}
