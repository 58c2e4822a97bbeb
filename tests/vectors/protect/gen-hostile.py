#!/usr/bin/env python3
# Regenerates the hostile zips of tests/vectors/protect/hostile/ (see README.md).
# Deterministic: fixed timestamps, Python's zipfile, then byte patches where zipfile refuses.
import io, os, struct, zipfile, warnings

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile")
T = (2024, 1, 1, 0, 0, 0)
warnings.simplefilter("ignore")


def make(entries, method=zipfile.ZIP_STORED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, T), data, compress_type=method)
    return b.getvalue()


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


borsh_foo = b"\x03\x00\x00\x00foo"
put("dotdot.zip", make([("../evil", borsh_foo)]))
put("dotdot-inner.zip", make([("a/../../evil", borsh_foo)]))
put("absolute.zip", make([("/etc/passwd", borsh_foo)]))
put("backslash.zip", make([("a\\b", borsh_foo)]))
put("dot.zip", make([("a/./b", borsh_foo)]))
put("empty-component.zip", make([("a//b", borsh_foo)]))
put("duplicate.zip", make([("email", borsh_foo), ("email", borsh_foo)]))
put("leaf-and-dir.zip", make([("a", borsh_foo), ("a/b", borsh_foo)]))
# NUL inside a name: zipfile cuts names at NUL, so write "aXb" and patch both headers
put("nul.zip", make([("aXb", borsh_foo)]).replace(b"aXb", b"a\x00b"))
# zip bomb: 2 MiB of zeros deflated to a few KiB (test limit: 1 MiB per entry)
put("bomb.zip", make([("big", b"\x00" * (2 << 20))], zipfile.ZIP_DEFLATED))
# three entries of 600 KiB each: each under 1 MiB, 1.8 MiB in total (test limit: 1 MiB)
put("bomb-total.zip",
    make([("a%d" % i, b"\x00" * (600 << 10)) for i in range(3)], zipfile.ZIP_DEFLATED))
# 5000 entries, over the default limit of 4096
put("many.zip", make([("k%d" % i, b"\x01") for i in range(5000)]))
# a stored entry whose declared size (central and local) is larger than its data
good = make([("v", borsh_foo)])
lie = bytearray(good)
# local header: uncompressed size at offset 22; central header (after data): offset 24
lie[22:26] = struct.pack("<I", 1000)
c = good.find(b"PK\x01\x02")
lie[c + 24:c + 28] = struct.pack("<I", 1000)
put("size-lie.zip", bytes(lie))
# CRC mismatch: flip one byte of the data
bad = bytearray(good)
bad[30 + 1 + 4] ^= 0xFF
put("crc.zip", bytes(bad))
put("not-a-zip.zip", b"this is not a zip archive at all, just text\n")
put("truncated.zip", good[: len(good) - 10])
