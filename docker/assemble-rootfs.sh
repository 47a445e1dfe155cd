#!/usr/bin/env bash
# Assembles the runtime image's filesystem under ROOT around ROOT/usr/local/bin/letterbox, from the
# files of the Debian system it runs in (stage `rootfs` of docker/Dockerfile; as root):
#   - what the binary links (ldd: libc, libm, libstdc++, libgcc_s, the loader);
#   - libssl.so.3 and libcrypto.so.3, which TLS loads with dlopen (ldd cannot see them), installing
#     Debian's libssl3 first if the system lacks it: the only download, from the mirror the base
#     image's apt sources name (needs a network: --network host where the engine has no bridge);
#   - glibc's converters (gconv modules) for each iconv name in GCONV_CHARSETS, found by watching
#     the system's own iconv load them, with the gconv configuration, at glibc's default path;
#   - /etc/passwd and /etc/group for uid 1025, /data owned by it and group 0, group-writable (so an
#     arbitrary uid in group 0, as OpenShift runs images, can write there too), /tmp.
# Every path comes from this system (ldd, the loader, iconv), so nothing names an architecture.
# Then it checks the tree with its own loader and iconv in a chroot: a missing file fails here,
# not in a running container. (Not `letterbox --version`: a chroot has no /proc, and without
# /proc/self/cmdline a static Swift binary sees no arguments and starts the server.)
#
# Usage: GCONV_CHARSETS="UTF-16 CP932 ..." assemble-rootfs ROOT
set -euo pipefail
root=${1:?usage: assemble-rootfs ROOT}
binary=$root/usr/local/bin/letterbox
charsets=${GCONV_CHARSETS:?GCONV_CHARSETS must name the iconv charsets to ship}

# Copies each file, and every library ldd says it loads, to the same path under ROOT.
copy_with_libraries() {
  local file
  for file in "$@"; do
    cp --parents -L "$file" "$root"
    ldd "$file" | grep -o '/[^ ]*' | xargs -r -I '{}' cp --parents -L '{}' "$root"
  done
}

if ldd "$binary" | grep 'not found'; then exit 1; fi
ldd "$binary" | grep -o '/[^ ]*' | xargs -r -I '{}' cp --parents -L '{}' "$root"
loader=$(ldd "$binary" | awk '$1 ~ /^\// { print $1 }')
libdir=$(dirname "$(ldd "$binary" | awk '$1 == "libc.so.6" { print $3 }')")

# TLS. The apt step only runs on a base image without libssl3 (the official slim one); this stage
# is thrown away, so its apt state does not matter, and the version is whatever the base's
# distribution currently ships. libssl3 may sit in /usr/lib/<triple> where libc is in /lib/<triple>
# (a base without merged /usr): both are looked at before anything is fetched.
ssl_dir() {
  local dir
  for dir in "$libdir" "/usr$libdir"; do
    if [ -e "$dir/libssl.so.3" ] && [ -e "$dir/libcrypto.so.3" ]; then echo "$dir"; return 0; fi
  done
  return 1
}
if ! ssl_dir >/dev/null; then
  echo "assemble-rootfs: the base image has no libssl3: fetching Debian's package from its apt sources" >&2
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends libssl3; }; then
    echo "assemble-rootfs: could not fetch libssl3. The build needs a network for it (on an engine" >&2
    echo "without a default bridge: docker build --network host), or a base image that has it" >&2
    echo "(--build-arg BASE_IMAGE=...)." >&2
    exit 1
  fi
  rm -rf /var/lib/apt/lists/*
fi
ssl=$(ssl_dir)
copy_with_libraries "$ssl/libssl.so.3" "$ssl/libcrypto.so.3"

# Charsets: LD_DEBUG=files shows which module iconv_open loads for a name (and fails the build
# for a name glibc does not know); ldd adds the tables some modules share (libJIS.so, libKSC.so…).
gconv_log=$(mktemp)
for charset in $charsets; do
  if ! LD_DEBUG=files iconv -f "$charset" -t UTF-8 </dev/null >/dev/null 2>>"$gconv_log"; then
    echo "assemble-rootfs: glibc's iconv cannot convert from $charset" >&2
    exit 1
  fi
done
mapfile -t modules < <(sed -n 's/.*file=\(\/[^ ]*\.so\) .*dynamically loaded by.*/\1/p' "$gconv_log" | sort -u)
rm -f "$gconv_log"
if [ ${#modules[@]} -gt 0 ]; then
  copy_with_libraries "${modules[@]}"
  gconv_dir=$(dirname "${modules[0]}")
  cp --parents -L -r "$gconv_dir"/gconv-modules* "$root"
fi

mkdir -p "$root/etc" "$root/data" "$root/tmp"
echo 'letterbox:x:1025:1025:Letterbox:/data:/sbin/nologin' >"$root/etc/passwd"
echo 'letterbox:x:1025:' >"$root/etc/group"
chown 1025:0 "$root/data"
chmod 0775 "$root/data"
chmod 1777 "$root/tmp"

# The checks, inside the tree: the loader resolves the binary's and TLS's libraries, and iconv
# (borrowed for the moment) opens every charset.
chroot "$root" "$loader" --list /usr/local/bin/letterbox >/dev/null
chroot "$root" "$loader" --list "$ssl/libssl.so.3" >/dev/null
cp /usr/bin/iconv "$root/iconv-check"
for charset in $charsets; do
  chroot "$root" /iconv-check -f "$charset" -t UTF-8 </dev/null
done
rm "$root/iconv-check"
echo "assemble-rootfs: $(du -sh "$root" | cut -f1) in $root: ${#modules[@]} gconv modules for $(wc -w <<<"$charsets") charsets"
