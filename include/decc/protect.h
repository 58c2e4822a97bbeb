/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protected data: the DataProtector format (docs/cmd/decc-protect.md has the full rules).
 *
 *  - Serialization: a JSON object (or one file) becomes a zip with one STORED entry per leaf,
 *    named by its keys joined with "/", each nested object also getting a directory entry
 *    "a/". Leaves are Borsh: bool = 1 byte, f64 = 8 bytes IEEE-754 LE, i128 = 16 bytes two's
 *    complement LE, string = u32 LE length + UTF-8; bytes are stored as they are and typed by
 *    the MIME type sniffed from their first bytes. The schema JSON mirrors the object with the
 *    type names ("bool", "f64", "i128", "string", or a MIME type).
 *  - Reading: a bounded, hostile-input-safe zip reader that iApps link to decode their
 *    protected data by key path, like @iexec/dataprotector-deserializer.
 *  - Encryption: IV (16 random bytes) || AES-256-CBC-PKCS#7(plaintext), key = 32 random bytes
 *    carried as standard base64, checksum = "0x" + hex(sha256(encrypted file)). Streaming,
 *    constant memory, one pass.
 *
 * Files are written to a temporary name in the target directory and renamed only on success:
 * a failure never leaves a partial output file.
 */
#ifndef DECC_PROTECT_H
#define DECC_PROTECT_H

#include "decc/buf.h"

/* ---- Borsh leaves ---- */
enum decc_protect_kind {
	DECC_PROTECT_BOOL,   /* "bool" (and legacy "boolean": same byte) */
	DECC_PROTECT_F64,    /* "f64" */
	DECC_PROTECT_I128,   /* "i128" */
	DECC_PROTECT_STRING, /* "string" */
	DECC_PROTECT_NUMBER, /* legacy "number": decimal text of a safe integer */
	DECC_PROTECT_BYTES,  /* any other type name: a MIME type, raw bytes */
};

/* Deserialization modes of @iexec/dataprotector-deserializer. */
enum decc_protect_mode {
	DECC_PROTECT_OPTIMISTIC = 0, /* Borsh, strings fall back to legacy raw UTF-8 (default) */
	DECC_PROTECT_BORSH,	     /* current format only */
	DECC_PROTECT_LEGACY,	     /* dataprotector 0.x: raw strings, decimal numbers */
};

struct decc_protect_value {
	enum decc_protect_kind kind;
	bool b;
	double f64;
	__int128 i128;
	struct decc_buf bytes; /* STRING (UTF-8, NUL-terminated) and BYTES; secret (wiped) */
};

/* The kind a schema type name decodes as; unknown names are BYTES (MIME types). */
DECC_EXTERN enum decc_protect_kind decc_protect_kind_of(const char *type);

/* Append the Borsh encoding of one value (f64: finite only; strings: valid UTF-8 only). */
DECC_EXTERN DECC_MUST_USE int decc_protect_borsh_bool(struct decc_buf *out, bool v);
DECC_EXTERN DECC_MUST_USE int decc_protect_borsh_f64(struct decc_buf *out, double v);
DECC_EXTERN DECC_MUST_USE int decc_protect_borsh_i128(struct decc_buf *out, __int128 v);
DECC_EXTERN DECC_MUST_USE int decc_protect_borsh_string(struct decc_buf *out, const char *s,
							size_t n);

/*
 * Decode serialized bytes as schema type `type` in `mode`. The whole input must be consumed
 * (Borsh), bools are 0 or 1, strings valid UTF-8. out is initialised here and released by
 * decc_protect_value_release() (also on failure it is left released, never half-filled).
 */
DECC_EXTERN DECC_MUST_USE int decc_protect_decode(struct decc_protect_value *out, const char *type,
						  enum decc_protect_mode mode, const uint8_t *p,
						  size_t n);
DECC_EXTERN void decc_protect_value_release(struct decc_protect_value *v);

/* Decimal i128 text ("-170141183460469231731687303715884105728" .. "1701...727"). */
DECC_EXTERN DECC_MUST_USE int decc_protect_i128_parse(__int128 *out, const char *s);
#define DECC_PROTECT_I128_STR_MAX 41 /* sign + 39 digits + NUL */
DECC_EXTERN void decc_protect_i128_format(char out[DECC_PROTECT_I128_STR_MAX], __int128 v);

/* First supported MIME type recognised from the first bytes (DataProtector's list), else
 * "application/octet-stream". Looks at most at DECC_PROTECT_SNIFF_LEN bytes. */
#define DECC_PROTECT_SNIFF_LEN 64
DECC_EXTERN const char *decc_protect_sniff_mime(const uint8_t *p, size_t n);
/* true for the type names a schema may hold (scalars, legacy scalars, supported MIME types). */
DECC_EXTERN bool decc_protect_type_valid(const char *type);
/* true for a key DataProtector accepts: non-empty, [A-Za-z0-9_-] only. */
DECC_EXTERN bool decc_protect_key_valid(const char *key, size_t n);

/* ---- serialization ---- */
enum decc_protect_flags {
	DECC_PROTECT_REPLACE = 1 << 0,	   /* replace an existing output (default: DECC_EEXISTS) */
	DECC_PROTECT_ALLOW_FILES = 1 << 1, /* honour {"$file": "path"} leaves in JSON input */
};

/*
 * Serialize a JSON object into the protected-data zip at out_zip; *schema_json gets the
 * schema (compact JSON, keys in input order; free() it). JSON mapping: true/false -> bool,
 * numbers -> f64 (integers beyond 2^53 are refused: not exact as f64), strings -> string,
 * objects -> nested; tagged leaves (objects with one "$" key, never a valid data key):
 * {"$i128": "-12"} (decimal string or integer) -> i128, {"$bytes": "<base64>"} -> bytes
 * typed by MIME, {"$file": "path"} -> the file's bytes (streamed, only with
 * DECC_PROTECT_ALLOW_FILES). null and arrays are refused, as DataProtector does.
 */
DECC_EXTERN DECC_MUST_USE int decc_protect_serialize_json(const char *out_zip, char **schema_json,
							  const char *json, size_t len,
							  unsigned flags);

/*
 * Serialize one file as the single entry `key` (NULL: "file", the name DataProtector's apps
 * and the iApp mocks use for file uploads), typed by the MIME type sniffed from its content
 * (mime non-NULL overrides; it must be a supported type). The file is streamed, never loaded;
 * progress (may be NULL) follows how much of it was written into the zip.
 */
DECC_EXTERN DECC_MUST_USE int decc_protect_serialize_file(const char *out_zip, char **schema_json,
							  const char *file_path, const char *key,
							  const char *mime, unsigned flags,
							  const struct decc_progress *progress);

/* ---- reading ---- */
struct decc_protect_limits {
	size_t max_entries;	 /* zip entries, directories included (default 4096) */
	uint64_t max_entry_size; /* uncompressed size of one entry (default 16 GiB) */
	uint64_t max_total_size; /* sum of uncompressed sizes (default 16 GiB) */
	size_t max_value_size;	 /* largest value read into memory (default 64 MiB) */
};

struct decc_protect_reader; /* opaque */

/*
 * Open a protected-data zip and check it whole before anything is read: entry names are key
 * paths (components of [A-Za-z0-9_-], joined by "/", directories end with "/"; "..", absolute
 * paths, backslashes, NUL, empty components are DECC_EINVAL), no duplicate or conflicting
 * names, STORED or DEFLATE only, no encrypted entries, counts and declared sizes within the
 * limits (DECC_ELIMIT). limits may be NULL (defaults).
 */
DECC_EXTERN DECC_MUST_USE int decc_protect_open(struct decc_protect_reader **out, const char *path,
						const struct decc_protect_limits *limits);
/* Same over bytes in memory (borrowed: they must outlive the reader). */
DECC_EXTERN DECC_MUST_USE int decc_protect_open_buf(struct decc_protect_reader **out,
						    const void *data, size_t n,
						    const struct decc_protect_limits *limits);
DECC_EXTERN void decc_protect_close(struct decc_protect_reader *r);

/* Leaf entries (directories excluded), in zip order. */
DECC_EXTERN size_t decc_protect_count(const struct decc_protect_reader *r);
/* Entry name of leaf i ("a/b"); NULL when i is out of range. */
DECC_EXTERN const char *decc_protect_name(const struct decc_protect_reader *r, size_t i);
DECC_EXTERN uint64_t decc_protect_size(const struct decc_protect_reader *r, size_t i);
/* Index of a leaf by key path: "a.b" (deserializer style) or "a/b". DECC_ENOTFOUND if none. */
DECC_EXTERN DECC_MUST_USE int decc_protect_find(const struct decc_protect_reader *r, size_t *index,
						const char *path);

/* Read leaf i's bytes (appended to out, at most max_value_size; CRC checked). */
DECC_EXTERN DECC_MUST_USE int decc_protect_read_raw(struct decc_protect_reader *r,
						    struct decc_buf *out, size_t i);
/* Stream leaf i into a new file (temp + rename), whatever its size. */
DECC_EXTERN DECC_MUST_USE int decc_protect_extract(struct decc_protect_reader *r,
						   const char *out_path, size_t i, unsigned flags);
/* Find path, read and decode it as schema type `type` (see decc_protect_decode). */
DECC_EXTERN DECC_MUST_USE int decc_protect_get(struct decc_protect_reader *r,
					       struct decc_protect_value *out, const char *path,
					       const char *type, enum decc_protect_mode mode);

/*
 * The type of an entry in a schema JSON ({"a":{"b":"f64"}}): *type gets a pointer into a
 * string owned by the caller-held schema object (see decc_protect_schema_*). Flattened schema:
 * entries "a/b" -> "f64", in schema order.
 */
struct decc_protect_schema; /* opaque */
DECC_EXTERN DECC_MUST_USE int decc_protect_schema_parse(struct decc_protect_schema **out,
							const char *json, size_t len);
DECC_EXTERN void decc_protect_schema_free(struct decc_protect_schema *s);
/* Type of the leaf at path ("a/b" or "a.b"); NULL when the schema has no such leaf. */
DECC_EXTERN const char *decc_protect_schema_type(const struct decc_protect_schema *s,
						 const char *path);

/* ---- encryption ---- */
#define DECC_PROTECT_KEY_LEN 32
#define DECC_PROTECT_KEY_B64_LEN 44	 /* standard base64 of 32 bytes, without NUL */
#define DECC_PROTECT_CHECKSUM_STR_MAX 67 /* "0x" + 64 hex + NUL */

/* A fresh random key. */
DECC_EXTERN DECC_MUST_USE int decc_protect_key_new(uint8_t key[DECC_PROTECT_KEY_LEN]);
/* Standard base64 (44 chars + NUL) of a key, and back (whitespace around is ignored; exactly
 * 32 bytes required). */
DECC_EXTERN void decc_protect_key_encode(char out[DECC_PROTECT_KEY_B64_LEN + 1],
					 const uint8_t key[DECC_PROTECT_KEY_LEN]);
DECC_EXTERN DECC_MUST_USE int decc_protect_key_decode(uint8_t key[DECC_PROTECT_KEY_LEN],
						      const char *b64, size_t n);

/*
 * Encrypt in_path into out_path: a random IV, then AES-256-CBC-PKCS#7 of the file; checksum
 * (may be NULL) gets "0x" + hex sha256 of the written bytes, computed in the same pass;
 * progress (may be NULL) follows the bytes of in_path read.
 */
DECC_EXTERN DECC_MUST_USE int
decc_protect_encrypt_file(const char *out_path, char checksum[DECC_PROTECT_CHECKSUM_STR_MAX],
			  const char *in_path, const uint8_t key[DECC_PROTECT_KEY_LEN],
			  unsigned flags, const struct decc_progress *progress);
/* Same with a caller-chosen IV (known-answer tests, reproducible outputs). */
DECC_EXTERN DECC_MUST_USE int
decc_protect_encrypt_file_iv(const char *out_path, char checksum[DECC_PROTECT_CHECKSUM_STR_MAX],
			     const char *in_path, const uint8_t key[DECC_PROTECT_KEY_LEN],
			     const uint8_t iv[16], unsigned flags,
			     const struct decc_progress *progress);
/*
 * Decrypt an IV||ciphertext file. A file shorter than 32 bytes or not a multiple of 16 after
 * the IV is DECC_EINVAL (truncated); bad padding (wrong key) is DECC_EAUTH; no output is left
 * on failure.
 */
DECC_EXTERN DECC_MUST_USE int decc_protect_decrypt_file(const char *out_path, const char *in_path,
							const uint8_t key[DECC_PROTECT_KEY_LEN],
							unsigned flags);
/* "0x" + hex sha256 of a file (what the ledger's dataset checksum holds). */
DECC_EXTERN DECC_MUST_USE int decc_protect_checksum_file(char out[DECC_PROTECT_CHECKSUM_STR_MAX],
							 const char *path);

#endif
