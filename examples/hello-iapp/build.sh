#!/bin/sh
# Build the hello-iapp image: a root file system with the static busybox (Debian package
# busybox-static), its applets and /app.sh, made into a deterministic OCI archive by
# `decc image build`. Prints the image digest (the app's checksum).
# Usage: examples/hello-iapp/build.sh OUT.tar     (env: DECC_BIN, BUSYBOX)
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT.tar" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
decc=${DECC_BIN:-$(command -v decc || echo "$here/../../build/decc")}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "$0: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	case "$(ldd "$busybox" 2>&1)" in
	*"not a dynamic"*) ;;
	*) echo "$0: $busybox is not statically linked (install busybox-static)" >&2; exit 1 ;;
	esac
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/hello-iapp-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for a in sh cat echo printf tail head wc unzip rm ls id env mkdir test '[' sleep; do
	ln -s busybox "$root/bin/$a"
done
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
chmod 0644 "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
chmod 0644 "$root/etc/group" # modes are part of the image: do not depend on the umask
cp "$here/app.sh" "$root/app.sh"
chmod 0755 "$root/app.sh"
chmod 0755 "$root" "$root/bin" "$root/etc"
chmod 1777 "$root/tmp"
"$decc" image build "$root" -o "$out" --entrypoint /bin/sh --entrypoint /app.sh \
	--env PATH=/bin --user 65534:65534 --workdir /
