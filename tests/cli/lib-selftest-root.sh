#!/bin/bash
# lib-selftest-root.sh - a user's test tree and its meta stand for root's
# tree (lib.sh tree_begin), which is what lets the other cli tests run as
# any user.  As root, each tree maker runs twice: as root (owners, modes
# and device nodes on disk) and as a user would (CRAMFS_TREE_ROOTLESS=1:
# recorded in the meta).  Then, for the rich and the small tree:
#   - their manifests are equal in every view (raw, stored, kernel and
#     without owners): what the tests expect of a source is the same;
#   - tree_image of the user's tree (our builder in util-linux mode with
#     the tree's device table) equals mkfs.cramfs's image of root's tree,
#     byte for byte, in several option variants;
#   - tree_tar of the user's tree (Python's tarfile: owners and devices in
#     the headers) builds the image mkfs.cramfs writes of root's tree
#     without its sockets (which no tar can hold).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs mkfs python3 oracle root
head -c 1001 /dev/zero | tr '\0' 'B' >"$T/blob"

# both NAME MAKER: $T/NAME.root as root, $T/NAME.user as a user would
both() {
    "$2" "$T/$1.root" && CRAMFS_TREE_ROOTLESS=1 "$2" "$T/$1.user"
    t_check $? "$1: $2 as root and as a user"
}

# same_manifests NAME: every view of the two trees is equal
same_manifests() {
    local v
    for v in raw stored kernel stored-no-owners raw-no-owners; do
        manifest "$v" "$T/$1.root" >"$T/m.root"
        CRAMFS_TREE_ROOTLESS=1 manifest "$v" "$T/$1.user" >"$T/m.user"
        if diff -u "$T/m.root" "$T/m.user" >"$T/m.diff"; then
            t_ok "$1: manifest $v of the user's tree equals root's ($(wc -l <"$T/m.root") entries)"
        else
            t_fail "$1: manifest $v of the user's tree differs from root's"
            head -n 20 "$T/m.diff" | sed 's/^/  /'
        fi
    done
}

# same_images NAME MKFS_OPTIONS...: tree_image both ways, byte for byte
same_images() {
    local name=$1
    shift
    rm -f "$T/root.img" "$T/user.img"
    tree_image "$T/root.img" "$T/$name.root" "$@" &&
        CRAMFS_TREE_ROOTLESS=1 tree_image "$T/user.img" "$T/$name.user" "$@" &&
        cmp -s "$T/root.img" "$T/user.img"
    t_check $? "$name [$*]: our builder with the user's table writes mkfs.cramfs's image of root's tree"
}

for tree in rich small; do
    both "$tree" "make_${tree}_tree"
    same_manifests "$tree"
    same_images "$tree"
    same_images "$tree" -N big -p -b 8192
    same_images "$tree" -z -i "$T/blob" -n label -e 7
    [ "$tree" = small ] && same_images "$tree" -b 65536 -N little

    CRAMFS_TREE_ROOTLESS=1 tree_tar "$T/$tree.user" "$T/$tree.tar"
    t_check $? "$tree: tree_tar of the user's tree"
    find "$T/$tree.root" -type s -delete
    "$MKFS" "$T/$tree.root" "$T/nosock.img" >/dev/null 2>&1
    rc_run tar 0 "$tree: cramfs build --mode util-linux from that tar" \
        "$CRAMFS" build --mode util-linux -o "$T/tar.img" "$T/$tree.tar"
    cmp -s "$T/nosock.img" "$T/tar.img"
    t_check $? "$tree: the tar's image equals mkfs.cramfs's of root's tree (sockets aside)"
    chmod -R u+rwX "$T/$tree.root" "$T/$tree.user"
    rm -rf "$T/$tree.root" "$T/$tree.user"
done
t_done
