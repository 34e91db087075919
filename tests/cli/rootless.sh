#!/bin/bash
# rootless.sh - the cli tests that make trees with owners and device nodes
# run as any user (issue 13, item 14): as root, this runs a set of them
# again as the user nobody (uid and gid 65534, beyond cramfs's 8-bit gid,
# as most users' are), from copies of the tools and scripts any user can
# read, so that neither the build directory's permissions nor root's
# powers can make them pass.  Each must pass with none of its checks
# skipped.  (Run as a user already, the whole suite is this test.)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkcramfs mkfs fsck python3 oracle root
command -v setpriv >/dev/null || t_skip "setpriv (util-linux) not installed"
id nobody >/dev/null 2>&1 || t_skip "no user nobody to run as"

# A world-readable copy of what the scripts need: tools in $T/bin, the
# scripts where lib.sh looks for its siblings.
mkdir -p "$T/bin" "$T/tests" "$T/home"
cp "$CRAMFS" "$CRAMFSCK" "$MKCRAMFS" "$ORACLE_TOOL" "$T/bin/"
cp -r "$cli_dir" "$T/tests/cli"
cp -r "$data_dir" "$T/tests/data"
chmod -R a+rX "$T/bin" "$T/tests"
chown 65534:65534 "$T/home"

# as_nobody SCRIPT: run tests/cli/SCRIPT as nobody; output in $T/SCRIPT.log
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        env -i PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
        HOME="$T/home" TMPDIR="$T/home" \
        CRAMFS="$T/bin/cramfs" CRAMFSCK="$T/bin/cramfsck" \
        MKCRAMFS="$T/bin/mkcramfs" \
        ORACLE_TOOL="$T/bin/oracle-tool" \
        bash "$T/tests/cli/$1" >"$T/$1.log" 2>&1
}

for script in lib-selftest.sh errors.sh golden.sh build-roundtrip.sh \
    build-sources.sh build-cli.sh build-archive.sh; do
    as_nobody "$script"
    rc=$?
    if [ $rc = 0 ] && ! grep -q '^SKIP' "$T/$script.log"; then
        t_ok "$script as nobody: $(tail -n 1 "$T/$script.log")"
    else
        t_fail "$script as nobody: exit $rc"
        grep -E '^(FAIL|SKIP)' "$T/$script.log" | head -n 10 | sed 's/^/  /'
    fi
done
t_done
