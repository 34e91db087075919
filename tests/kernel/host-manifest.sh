#!/bin/bash
# host-manifest.sh [--kernel|--stored|--raw] [--no-owners] DIR
#
# Prints the manifest of a host tree in the format of uml-mount.sh (see
# oracle-tool.c), so a source tree, or a tree extracted by our reader, can
# be diffed against what the kernel shows of an image.
#
#   --kernel (default)  values as the Linux cramfs driver shows an image of
#                       DIR made by util-linux mkfs.cramfs: uid & 0xffff,
#                       gid & 0xff, size capped at 2^24 - 1, device numbers
#                       through old_decode_dev() (8:8), root mode | 0555
#   --stored            as the image stores them (devices as glibc dev_t of
#                       the 24-bit field; root mode unchanged)
#   --raw               plain lstat() values
#   --no-owners         "-" instead of UID and GID
# Exit: 0, 1 if some entry could not be read (ERROR: in its line), 2 usage.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

args=(--kernel)
while [ $# -gt 1 ]; do
    case $1 in
    --kernel|--cramfs) args[0]=--kernel ;;
    --stored) args[0]=--stored ;;
    --raw) args[0]= ;;
    --no-owners) args+=(--no-owners) ;;
    *) break ;;
    esac
    shift
done
[ $# = 1 ] && [ -d "$1" ] || { echo "usage: $0 [--kernel|--stored|--raw] [--no-owners] DIR" >&2; exit 2; }
oracle_find_tool || { klog "cannot build oracle-tool"; exit 2; }
[ -n "${args[0]}" ] || args=("${args[@]:1}")
exec "$oracle_tool" manifest "${args[@]}" "$1"
