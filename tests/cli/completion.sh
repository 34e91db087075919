#!/bin/bash
# completion.sh - the bash completion of cramfs, mkcramfs and cramfsck
# (completion/), as any user:
#   - sourced into bash, each completion function offers, for a given
#     COMP_WORDS/COMP_CWORD: the commands, each command's options, the
#     values of options with a fixed set (--mode, -N, --xip-mode, -b),
#     directories where a directory goes, files elsewhere, and the paths
#     inside the image for `cramfs cat/ls/extract IMAGE ...`;
#   - no option a tool's --help shows is missing from its completion;
#   - `meson install --destdir` puts the three files into the
#     bash-completion directory (pkg-config's completionsdir under the
#     prefix when bash-completion is installed, else
#     PREFIX/share/bash-completion/completions).
# Env (meson sets them): MESON_BUILD_ROOT, PREFIX (the build's prefix).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkcramfs
build=$(realpath -m "${MESON_BUILD_ROOT:-${CRAMFS_BUILD:-$repo_dir/build}}")
prefix=${PREFIX:-/usr/local}
cd "$T" || exit 1
comp_dir=$repo_dir/completion
PATH=$(dirname "$CRAMFS"):$PATH    # the in-image completion runs `cramfs ls`

# complete FUNC WORDS...: COMPREPLY of FUNC for the command line WORDS (the
# last one being completed), sorted, on one line
complete_line() {
    local func=$1
    shift
    (
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMPREPLY=()
        "$func" 2>/dev/null
        printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
    )
}

# offers DESC WANT FUNC WORDS...: the completion is exactly WANT
offers() {
    local desc=$1 want=$2 got
    shift 2
    got=$(complete_line "$@")
    [ "$got" = "$want" ]
    t_check $? "$desc: '$want' (got '$got')"
}

# includes DESC "W1 W2..." FUNC WORDS...: each Wi is among the completions
includes() {
    local desc=$1 want=$2 got w missing=""
    shift 2
    got=" $(complete_line "$@") "
    for w in $want; do [[ $got == *" $w "* ]] || missing+=" $w"; done
    [ -z "$missing" ]
    t_check $? "$desc: offers $want${missing:+ (missing:$missing)}"
}

for f in cramfs mkcramfs cramfsck; do
    # shellcheck disable=SC1090
    . "$comp_dir/$f"
    [ "$(complete -p "$f" 2>/dev/null)" = "complete -F _$f $f" ]
    t_check $? "completion/$f registers _$f for $f"
done

mkdir -p tree/dir/sub out.d "with space.d"
printf 'a\n' >tree/dir/a
printf 'x\n' >tree/data.txt
"$CRAMFS" build -o img.img tree 2>/dev/null
: >other.file

# ----------------------------------------------------------------- cramfs
offers "cramfs TAB" "build cat check extract info ls" _cramfs cramfs ""
offers "cramfs e" "extract" _cramfs cramfs e
offers "cramfs --" "--help --version" _cramfs cramfs --
offers "cramfs build --mode" "native util-linux" _cramfs cramfs build --mode ""
offers "cramfs build -N" "big host little" _cramfs cramfs build -N ""
offers "cramfs build --xip-mode" "legacy mmu nommu off" _cramfs cramfs build --xip-mode ""
offers "cramfs check --xip-mode" "auto mmu nommu" _cramfs cramfs check --xip-mode ""
offers "cramfs ls -b" "16384 32768 4096 65536 8192" _cramfs cramfs ls -b ""
offers "cramfs build --xip-m" "--xip-mode" _cramfs cramfs build --xip-m
includes "cramfs extract -" "--to --force --manifest --no-owners -j" _cramfs cramfs extract -
includes "cramfs ls -" "-l -R --json -b" _cramfs cramfs ls -
offers "cramfs extract IMAGE --to o" "out.d" _cramfs cramfs extract img.img --to o
offers "cramfs info i" "img.img" _cramfs cramfs info i
offers "cramfs info with" "with space.d" _cramfs cramfs info with
offers "cramfs cat IMAGE (paths in the image)" "data.txt dir/" _cramfs cramfs cat img.img ""
offers "cramfs cat IMAGE dir/" "dir/a dir/sub/" _cramfs cramfs cat img.img dir/
offers "cramfs ls -l IMAGE /d" "/data.txt /dir/" _cramfs cramfs ls -l img.img /d
offers "cramfs extract --to X IMAGE di" "dir/" _cramfs cramfs extract --to out.d img.img di
offers "cramfs build -o IMAGE t (a host path)" "tree" _cramfs cramfs build -o x.img t

# -------------------------------------------------------------- mkcramfs
includes "mkcramfs -" "-b -e -N -i -n -p -s -z -E -v -B -L -q -D -x -X -l -j -h -V" _mkcramfs mkcramfs -
offers "mkcramfs -N" "big host little" _mkcramfs mkcramfs -N ""
offers "mkcramfs -b 8" "8192" _mkcramfs mkcramfs -b 8
offers "mkcramfs -D o" "other.file out.d" _mkcramfs mkcramfs -D o
offers "mkcramfs -v t" "tree" _mkcramfs mkcramfs -v t

# -------------------------------------------------------------- cramfsck
includes "cramfsck -" "-a -y -v -c -b -x -V -h --verbose --blocksize --extract --extract=" _cramfsck cramfsck -
offers "cramfsck -x o" "out.d" _cramfsck cramfsck -x o
offers "cramfsck --extract=o (split at '=' as bash does)" "out.d" _cramfsck cramfsck --extract = o
offers "cramfsck --blocksize 6" "65536" _cramfsck cramfsck --blocksize 6
offers "cramfsck i" "img.img" _cramfsck cramfsck i

# -------------------------------------- every option --help shows is offered
# help_options: the options named in help text on stdin ("-x", "--long")
help_options() { grep -oE -- '(^|[[ |,])--?[A-Za-z][A-Za-z-]*' | sed 's/^[[ |,]//' | sort -u; }
for c in info check ls cat extract build; do
    missing=$(comm -23 <("$CRAMFS" "$c" --help | help_options) \
        <(complete_line _cramfs cramfs "$c" - | tr ' ' '\n' | sort -u) | paste -sd' ')
    [ -n "$("$CRAMFS" "$c" --help | help_options)" ] && [ -z "$missing" ]
    t_check $? "cramfs $c: every option of its --help is completed${missing:+ (missing: $missing)}"
done
commands=$("$CRAMFS" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }' | sort | paste -sd' ')
[ "$commands" = "$(complete_line _cramfs cramfs "")" ]
t_check $? "cramfs: the commands of --help are the ones completed ($commands)"
for tool in mkcramfs cramfsck; do
    bin=$MKCRAMFS; [ $tool = cramfsck ] && bin=$CRAMFSCK
    missing=$(comm -23 <("$bin" --help | sed -n 's/^ \(-.*\)/\1/p' | sed 's/   .*//' | help_options) \
        <(complete_line "_$tool" "$tool" - | tr ' ' '\n' | sort -u) | paste -sd' ')
    [ -z "$missing" ]
    t_check $? "$tool: every option of its --help is completed${missing:+ (missing: $missing)}"
done

# ------------------------------------------------------ meson install
if [ ! -f "$build/meson-private/install.dat" ]; then
    t_fail "no meson build at $build (set MESON_BUILD_ROOT=)"
    t_done
fi
rc_run install 0 "meson install --destdir" meson install -C "$build" --destdir "$T/dest" --no-rebuild
if pkg-config --exists bash-completion; then
    want=$(pkg-config --define-variable=prefix="$prefix" --variable=completionsdir bash-completion)
else
    want=$prefix/share/bash-completion/completions
fi
for f in cramfs mkcramfs cramfsck; do
    cmp -s "$comp_dir/$f" "$T/dest$want/$f"
    t_check $? "meson install put completion/$f into $want"
done
t_done
