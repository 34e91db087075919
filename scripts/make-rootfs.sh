#!/usr/bin/env bash
# make-rootfs.sh DIR: a small busybox-based root file system for XIP tests,
# the XIP benchmark and the demo.
#
#   /bin/busybox        Debian's busybox-static (64-bit, static) + applet links
#   /usr/bin/{ls,sha256sum,find,gzip}  dynamic 64-bit programs from the host
#   /lib/x86_64-linux-gnu/*, /lib64/ld-linux-x86-64.so.2   their libraries
#   /usr/lib/i386/hello32   a 32-bit ELF (assembled here; not run: x86_64 guest)
#   /etc/*, /usr/share/data/*   scripts and data files
#
# Everything comes from installed Debian packages (busybox-static,
# coreutils, findutils, gzip, binutils); nothing is downloaded.
set -euo pipefail

dir=${1:?usage: make-rootfs.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"/{bin,sbin,etc,dev,proc,sys,tmp,mnt,usr/bin,usr/lib/i386,usr/share/data,lib64}

busybox=$(command -v busybox || true)
[[ -n $busybox ]] && file -L "$busybox" | grep -q 'statically linked' ||
    busybox=/bin/busybox
cp "$busybox" "$dir/bin/busybox"
for applet in sh ls cat echo sleep mount sha256sum md5sum grep sed head; do
    ln -s busybox "$dir/bin/$applet"
done

# Dynamic programs and every library they load, where the loader looks.
copy_with_libs() {
    local prog=$1 lib
    cp "$prog" "$dir/usr/bin/"
    for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
        mkdir -p "$dir$(dirname "$lib")"
        [[ -e $dir$lib ]] || cp -L "$lib" "$dir$lib"
    done
}
for prog in /usr/bin/ls /usr/bin/sha256sum /usr/bin/find /usr/bin/gzip; do
    copy_with_libs "$prog"
done

# A 32-bit ELF: R, R+X and RW segments, like a small program.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/hello.s" <<'ASM'
	.section .text
	.globl _start
_start:	movl $1, %eax
	xorl %ebx, %ebx
	int $0x80
	.section .rodata
msg:	.ascii "hello from a 32-bit program\n"
	.fill 6000, 1, 0x5a
	.section .data
counter: .long 42
	.fill 3000, 1, 0x33
ASM
as --32 -o "$tmp/hello.o" "$tmp/hello.s"
ld -m elf_i386 -z separate-code -o "$dir/usr/lib/i386/hello32" "$tmp/hello.o"

cat >"$dir/etc/profile" <<'SH'
# sourced by busybox sh -l
export PATH=/bin:/usr/bin
SH
cat >"$dir/usr/bin/checksum-all" <<'SH'
#!/bin/sh
# Print a checksum of every regular file under the given directories.
find "$@" -type f -exec sha256sum {} +
SH
chmod 0755 "$dir/usr/bin/checksum-all"
seq 1 20000 >"$dir/usr/share/data/numbers.txt"
head -c 300000 /usr/share/common-licenses/GPL-3 >"$dir/usr/share/data/license.txt" 2>/dev/null ||
    seq 1 50000 >"$dir/usr/share/data/license.txt"
head -c 65536 /dev/zero | tr '\0' 'x' >"$dir/usr/share/data/xs"
