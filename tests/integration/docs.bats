#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Documentation for people: the man pages (man/*.8.md) and the bash
# completion (contrib/completion/bash/hydra-runc) must say what the binary
# accepts, flag for flag, and the README's configuration snippets must be
# the files under contrib/ that the engine tests use.
#
# A flag is compared with its arity: "--bundle VALUE" (takes a value) or
# "--detach" (boolean).  In a man page, a flag is a line of the OPTIONS (or
# GLOBAL OPTIONS) section that starts with **-: `**--bundle** _path_,
# **-b** _path_` is --bundle and -b, both taking a value.

load helpers

MAN_DIR="$HYDRA_SRCDIR/man"
COMPLETION="$HYDRA_SRCDIR/contrib/completion/bash/hydra-runc"

teardown() {
  hr_teardown
}

# The commands `--help` lists (without "help, h").
help_commands() {
  "$HYDRA_RUNC" --help | awk '
    /^COMMANDS:/ { on = 1; next }
    /^[A-Z ]+:/ { on = 0 }
    on && /^   [a-z]/ { c = $1; sub(/,$/, "", c); if (c != "help") print c }' | sort
}

# help_flags [CMD]: the flags `hydra-runc [CMD] --help` lists, one a line,
# "--name" or "--name VALUE", sorted.
help_flags() {
  "$HYDRA_RUNC" "$@" --help | awk '
    /^(GLOBAL )?OPTIONS:/ { on = 1; next }
    /^[A-Z ]+:/ { on = 0 }
    on && /^   -/ {
      line = substr($0, 4)
      i = index(line, "  ")
      if (i) line = substr(line, 1, i - 1)
      n = split(line, parts, ", ")
      for (k = 1; k <= n; k++) {
        split(parts[k], w, " ")
        print w[1] (w[2] == "value" ? " VALUE" : "")
      }
    }' | sort
}

# man_flags PAGE.md: the flags the page's OPTIONS / GLOBAL OPTIONS section
# documents, in help_flags' form.
man_flags() {
  awk '/^# (GLOBAL )?OPTIONS$/ { on = 1; next } /^# / { on = 0 } on && /^\*\*-/' "$1" |
    grep -oE '\*\*-[-a-zA-Z0-9]+\*\*( _[^_]+_)?' |
    sed -E 's/^\*\*([^*]+)\*\* _.*$/\1 VALUE/; s/^\*\*([^*]+)\*\*$/\1/' | sort
}

# The commands the main page's COMMANDS section lists (without help).
man_commands() {
  awk '/^# COMMANDS$/ { on = 1; next } /^# / { on = 0 } on && /^\*\*[a-z]/' "$MAN_DIR/hydra-runc.8.md" |
    sed -E 's/^\*\*([a-z-]+)\*\*.*/\1/' | grep -vx help | sort
}

# compare WHAT WANT GOT: fail listing what is missing on either side.
compare() {
  local what=$1 want=$2 got=$3 missing extra
  missing=$(comm -23 <(printf '%s\n' "$want" | sed '/^$/d') <(printf '%s\n' "$got" | sed '/^$/d'))
  extra=$(comm -13 <(printf '%s\n' "$want" | sed '/^$/d') <(printf '%s\n' "$got" | sed '/^$/d'))
  if [ -n "$missing$extra" ]; then
    fail "$what: missing: [$(echo $missing)] not accepted by the binary: [$(echo $extra)]"
    return 1
  fi
}

requires_docs_target() {
  requires_hydra "the man pages and completion document hydra-runc's flags"
}

# --- man pages ----------------------------------------------------------------

@test "docs: one man page per command, and the main page lists every command" {
  requires_docs_target
  local cmds pages
  cmds=$(help_commands)
  [ -n "$cmds" ] || fail "no commands in --help"
  pages=$(cd "$MAN_DIR" && ls hydra-runc-*.8.md | sed 's/^hydra-runc-//; s/\.8\.md$//' | sort)
  compare "man/hydra-runc-CMD.8.md pages" "$cmds" "$pages"
  compare "COMMANDS of man/hydra-runc.8.md" "$cmds" "$(man_commands)"
  # and make installs every page
  local inc c
  inc=$(cat "$MAN_DIR/Makefile.inc")
  for c in $cmds; do
    [[ $inc == *"man/hydra-runc-$c.8 "* || $inc == *"man/hydra-runc-$c.8"$'\n'* ]] ||
      fail "man/Makefile.inc: man/hydra-runc-$c.8 is not in man8_MANS"
  done
}

@test "docs: the global flags in hydra-runc(8) are the binary's" {
  requires_docs_target
  local want
  want=$(help_flags)
  [ -n "$want" ] || fail "no global options in --help"
  compare "hydra-runc.8.md GLOBAL OPTIONS" "$want" "$(man_flags "$MAN_DIR/hydra-runc.8.md")"
}

@test "docs: each command's flags in its man page are the binary's" {
  requires_docs_target
  local c bad=0
  for c in $(help_commands); do
    compare "hydra-runc-$c.8.md OPTIONS" "$(help_flags "$c")" \
      "$(man_flags "$MAN_DIR/hydra-runc-$c.8.md")" || bad=1
  done
  [ "$bad" -eq 0 ]
}

@test "docs: every flag a man page documents is accepted by the binary's parser" {
  requires_docs_target
  # Each flag, with a value when the page says it takes one, followed by
  # --help: the parser must take the flag (and not the help) and print help.
  local page c f v args
  for page in "$MAN_DIR"/hydra-runc*.8.md; do
    c=$(basename "$page" .8.md)
    c=${c#hydra-runc}
    c=${c#-}
    while read -r f v; do
      [ -n "$f" ] || continue
      case $f in --help | -h) continue ;; esac
      args=()
      [ -n "$c" ] && args=("$c")
      if [ -n "$v" ]; then args+=("$f=1"); else args+=("$f"); fi
      run --separate-stderr "$HYDRA_RUNC" --root "$BATS_TEST_TMPDIR/root" "${args[@]}" --help
      if [ "$c" = "" ] && { [ "$f" = --version ] || [ "$f" = -v ]; }; then
        [ "$status" -eq 0 ] || fail "$f: status $status: $stderr"
        continue
      fi
      [ "$status" -eq 0 ] || fail "hydra-runc ${args[*]} --help: status $status: $stderr"
      [[ $output == *"OPTIONS:"* ]] || fail "hydra-runc ${args[*]} --help printed no help: $output"
    done < <(man_flags "$page")
  done
}

# man_page NAME: the roff page: built by make, or made here with go-md2man.
man_page() {
  local b="${HYDRA_BUILDDIR:-}/man/$1.8"
  if [ -n "${HYDRA_BUILDDIR:-}" ] && [ -s "$b" ] && ! [ "$MAN_DIR/$1.8.md" -nt "$b" ]; then
    echo "$b"
  elif command -v go-md2man >/dev/null; then
    go-md2man -in "$MAN_DIR/$1.8.md" -out "$BATS_TEST_TMPDIR/$1.8" && echo "$BATS_TEST_TMPDIR/$1.8"
  else
    return 1
  fi
}

@test "docs: every man page renders with man -l, without warnings" {
  command -v man >/dev/null || skip "man (man-db) is not installed"
  command -v groff >/dev/null || skip "groff (groff-base) is not installed"
  local md name page out err
  for md in "$MAN_DIR"/*.8.md; do
    name=$(basename "$md" .8.md)
    page=$(man_page "$name") || skip "no built man pages and no go-md2man to make them"
    err="$BATS_TEST_TMPDIR/$name.err"
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 MANPAGER=cat PAGER=cat man --warnings=w -l "$page" 2>"$err") ||
      fail "man -l $page failed: $(cat "$err")"
    [ ! -s "$err" ] || fail "man -l $page: warnings: $(cat "$err")"
    groff -ww -man -Tutf8 -z "$page" 2>"$err" || fail "groff $page failed: $(cat "$err")"
    [ ! -s "$err" ] || fail "groff -ww $page: warnings: $(cat "$err")"
    [[ $out == *NAME*"$name "* ]] || fail "man -l $page: no NAME section for $name: $out"
    [[ $out == *OPTIONS* ]] || fail "man -l $page: no OPTIONS section"
  done
}

# --- bash completion ----------------------------------------------------------

# complete_words WORD...: run the completion function as bash would for the
# command line WORD... (the last word is the one being completed); prints
# COMPREPLY one a line, sorted.
complete_words() {
  bash -c '
    source "$1" || exit 1
    shift
    spec=$(complete -p hydra-runc) || exit 1
    func=$(printf "%s\n" "$spec" | sed -E "s/.*-F ([^ ]+).*/\1/")
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@" | sed '/^$/d' | sort
}

@test "completion: registered for hydra-runc; 'hydra-runc ki<TAB>' completes kill" {
  run bash -c 'source "$1" && complete -p hydra-runc' _ "$COMPLETION"
  [ "$status" -eq 0 ] || fail "complete -p hydra-runc: $output"
  assert_match "$output" "^complete -F [_a-zA-Z0-9]+ hydra-runc$" "complete -p"
  assert_eq "$(complete_words hydra-runc ki)" "kill" "hydra-runc ki<TAB>"
  assert_eq "$(complete_words hydra-runc re | xargs)" "restore resume" "hydra-runc re<TAB>"
  assert_eq "$(complete_words hydra-runc st | xargs)" "start state" "hydra-runc st<TAB>"
}

@test "completion: 'hydra-runc kill --<TAB>' completes kill's flags" {
  assert_eq "$(complete_words hydra-runc kill -- | xargs)" "--all --help" "hydra-runc kill --<TAB>"
  assert_eq "$(complete_words hydra-runc --root /x kill - | xargs)" "--all --help -a -h" "kill -<TAB>"
  assert_eq "$(complete_words hydra-runc list --format '' | xargs)" "json table" "list --format <TAB>"
  # options end at exec's container id: "-" after it belongs to the command
  assert_eq "$(complete_words hydra-runc exec someid sh - | xargs)" "" "exec ID sh -<TAB>"
}

@test "completion: the values of checkpoint's and restore's fixed-set options" {
  assert_eq "$(complete_words hydra-runc checkpoint --manage-cgroups-mode '' | xargs)" "full ignore soft strict" \
    "checkpoint --manage-cgroups-mode <TAB>"
  assert_eq "$(complete_words hydra-runc restore --empty-ns n | xargs)" "network" "restore --empty-ns n<TAB>"
  assert_eq "$(complete_words hydra-runc restore --lsm- | xargs)" "--lsm-mount-context --lsm-profile" \
    "restore --lsm-<TAB>"
  assert_eq "$(complete_words hydra-runc --cr | xargs)" "--criu" "hydra-runc --cr<TAB>"
}

@test "completion: commands and every command's flags are the binary's" {
  requires_docs_target
  local got c bad=0
  got=$(bash -c 'source "$1"; printf "%s\n" $_hydra_runc_commands' _ "$COMPLETION" | grep -vx help | sort)
  compare "completion commands" "$(help_commands)" "$got" || bad=1
  got=$(bash -c 'source "$1"; printf "%s\n" $_hydra_runc_global_flags; printf "%s VALUE\n" $_hydra_runc_global_vflags' \
    _ "$COMPLETION" | sort)
  compare "completion global flags" "$(help_flags)" "$got" || bad=1
  for c in $(help_commands); do
    got=$(bash -c 'source "$1"; printf "%s\n" $(_hydra_runc_flags "$2"); printf "%s VALUE\n" $(_hydra_runc_vflags "$2")' \
      _ "$COMPLETION" "$c" | sed '/^ VALUE$/d' | sort)
    compare "completion flags of $c" "$(help_flags "$c")" "$got" || bad=1
  done
  [ "$bad" -eq 0 ]
}

@test "completion: container ids from 'list -q' (with --root) and signal names for kill" {
  requires_root
  hr_setup
  cfg_args sleep 1000
  create_container "${TAG}a"
  create_container "${TAG}b"
  local want
  want=$(printf '%s\n' "${TAG}a" "${TAG}b")
  assert_eq "$(complete_words "$HYDRA_RUNC" --root "$ROOT" kill '')" "$want" "kill <TAB>"
  assert_eq "$(complete_words "$HYDRA_RUNC" --root "$ROOT" state "${TAG}b")" "${TAG}b" "state ${TAG}b<TAB>"
  assert_eq "$(complete_words "$HYDRA_RUNC" "--root=$ROOT" delete --force '')" "$want" "delete --force <TAB>"
  # a new id is not completed from the existing ones
  assert_eq "$(complete_words "$HYDRA_RUNC" --root "$ROOT" create '')" "" "create <TAB>"
  # signals: names with and without SIG, each one kill accepts
  local sigs s
  sigs=$(complete_words "$HYDRA_RUNC" --root "$ROOT" kill "${TAG}a" '')
  [[ $sigs == *$'\nKILL\n'* && $sigs == *$'\nTERM\n'* ]] || fail "kill ID <TAB>: $sigs"
  assert_eq "$(complete_words "$HYDRA_RUNC" --root "$ROOT" kill "${TAG}a" SIGKI)" "SIGKILL" "kill ID SIGKI<TAB>"
  for s in $sigs; do
    # signal 0-like check: the name parses (the id does not exist)
    run --separate-stderr "$HYDRA_RUNC" --root "$ROOT" kill "no-such-$TAG" "$s"
    [ "$status" -ne 0 ] || fail "kill of a missing container succeeded"
    [[ $stderr != *"unknown signal"* ]] || fail "completed signal $s is refused: $stderr"
  done
}

# --- README -------------------------------------------------------------------

@test "docs: README code blocks marked '<!-- from: contrib/PATH -->' are that file, byte for byte" {
  run "$(python3_bin)" - "$HYDRA_SRCDIR" <<'EOF'
import os, re, sys

top = sys.argv[1]
text = open(os.path.join(top, "README.md"), encoding="utf-8").read()
lines = text.split("\n")
problems, checked = [], 0
for i, line in enumerate(lines):
    m = re.fullmatch(r"<!-- (from|pending): (\S+) -->", line.strip())
    if not m:
        continue
    kind, rel = m.groups()
    path = os.path.join(top, rel)
    if kind == "pending":
        # a placeholder until the file exists; then it must become a block
        if os.path.exists(path):
            problems.append(f"{rel} exists now: replace the pending placeholder with a "
                            f"'<!-- from: {rel} -->' code block of its content")
        continue
    j = i + 1
    while j < len(lines) and lines[j].strip() == "":
        j += 1
    if j >= len(lines) or not re.fullmatch(r"(`{3,})[\w+-]*", lines[j]):
        problems.append(f"line {i + 1}: '<!-- from: {rel} -->' is not followed by a ``` code block")
        continue
    fence = re.match(r"`+", lines[j]).group(0)
    k = j + 1
    while k < len(lines) and lines[k] != fence:
        k += 1
    if k >= len(lines):
        problems.append(f"line {j + 1}: unterminated code block for {rel}")
        continue
    block = "\n".join(lines[j + 1:k]) + "\n"
    if not os.path.isfile(path):
        problems.append(f"{rel}: quoted in README.md (line {i + 1}) but the file does not exist")
        continue
    content = open(path, encoding="utf-8", newline="").read()
    checked += 1
    if block != content:
        problems.append(f"README.md block at line {j + 1} differs from {rel}: copy the file into it")
print(f"checked {checked} blocks")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF
  echo "$output"
  [ "$status" -eq 0 ] || fail "$output"
}

# The file map at the top of docs/architecture.md: a line starting with a
# folder ("src/lib/setup/") opens it; the indented lines below name its
# files.  Prints "missing DIR/FILE" for a source file the map does not name
# under its folder, "stale DIR/FILE" for a name the map gives that is not
# there.
architecture_map_problems() {
  local doc="$HYDRA_SRCDIR/docs/architecture.md"
  (cd "$HYDRA_SRCDIR" && git ls-files 'src/*.[ch]' 'libocispec/*.[ch]' 'oci-spec/*.def' 'oci-spec/*.h') |
    "$(python3_bin)" -c '
import os, re, sys
top, doc = sys.argv[1], sys.argv[2]
text = open(doc).read()
block = text.split("```")[1]          # the first fenced block is the map
named, cur = set(), None
for line in block.splitlines():
    if line and not line[0].isspace():
        cur = line.split()[0]
        if not cur.endswith("/"):
            print("not a folder: " + cur); cur = None
        continue
    for tok in re.findall(r"[A-Za-z0-9_.-]+\.(?:c|h|def)\b", line):
        if cur:
            named.add(cur + tok)
files = set(l.strip() for l in sys.stdin if l.strip())
for f in sorted(files - named):
    print("missing " + f)
for f in sorted(named - files):
    print("stale " + f)
' "$HYDRA_SRCDIR" "$doc"
}

@test "docs: architecture.md's file map names every source file in its folder, and no other" {
  command -v git >/dev/null && git -C "$HYDRA_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
    skip "needs a git checkout of the source tree (git ls-files)"
  run architecture_map_problems
  [ "$status" -eq 0 ] || fail "the check itself failed: $output"
  assert_eq "$output" "" "docs/architecture.md file map"
}
