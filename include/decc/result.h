/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task results (reference offchain.md §1.4, §1.5, §5.2, devtools.md §1.5): the result digest
 * of /iexec_out, the file-name rule, the result zip, its encryption for the beneficiary
 * (iexec_out.zip.aes = IV ‖ AES-256-CBC(zip) and aes-key.rsa = RSA PKCS#1 v1.5 of the AES key,
 * both in one zip) and the way back for the requester.
 *
 * Every zip read here is treated as hostile: entry count, names, sizes and compression ratio
 * are bounded, nothing is written outside the target directory, symlinks are never created.
 */
#ifndef DECC_RESULT_H
#define DECC_RESULT_H

#include "decc/address.h"

#define DECC_RESULT_NAME_MAX 31			   /* bytes of any file name under /iexec_out */
#define DECC_RESULT_COMPUTED_MAX ((size_t)1 << 20) /* bytes of computed.json */
#define DECC_RESULT_ENC_MAX ((uint64_t)1 << 30)	   /* iexec_out.zip.aes, as the SDK */
#define DECC_RESULT_RSA_KEY_MAX 1000		   /* aes-key.rsa, as the SDK */
#define DECC_RESULT_ZIP_ENTRIES_MAX 10000	   /* entries of a zip we unpack */
#define DECC_RESULT_UNZIP_MAX ((uint64_t)4 << 30)  /* bytes unpacked from one zip */
#define DECC_RESULT_RSA_BITS 4096		   /* beneficiary keys, as the SDKs make them */

/* What the app wrote to /iexec_out/computed.json (kebab-case keys; unknown keys ignored). */
struct decc_result_computed {
	char *deterministic_output_path; /* "/iexec_out/..." or NULL */
	char *callback_data;		 /* "0x..." or NULL */
	char *error_message;		 /* or NULL */
};
DECC_EXTERN DECC_MUST_USE int decc_result_computed_parse(struct decc_result_computed *out,
							 const char *json, size_t n);
DECC_EXTERN void decc_result_computed_release(struct decc_result_computed *c);

/*
 * Digest of a regular file (sha256 of its bytes) or of a directory (keccak over the sha256 of
 * each direct child, sorted byte-wise by name; a sub-directory contributes nothing). Empty
 * files, empty directories and directories whose children all contribute nothing are refused
 * (DECC_EINVAL), the strict reading of the Java/Rust divergence. Symlinks are refused.
 */
DECC_EXTERN DECC_MUST_USE int decc_result_digest_path(uint8_t out[32], const char *path);
/* Callback mode: keccak(hexdecode(callback_data)); empty data is DECC_EINVAL. */
DECC_EXTERN DECC_MUST_USE int decc_result_digest_callback(uint8_t out[32],
							  const char *callback_hex);
/*
 * The result digest of a task whose /iexec_out is out_dir on this host: callback mode when
 * callback is true, else the deterministic-output-path (which must be /iexec_out or under it,
 * without "..", and must not leave out_dir through a symlink).
 */
DECC_EXTERN DECC_MUST_USE int decc_result_digest(uint8_t out[32], const char *out_dir,
						 const struct decc_result_computed *c,
						 bool callback);

/* Every name under dir (recursively) is at most DECC_RESULT_NAME_MAX bytes (DECC_ELIMIT). */
DECC_EXTERN DECC_MUST_USE int decc_result_check_names(const char *dir);

/*
 * Zip every regular file under dir (recursive, names relative to dir, symlinks and special
 * files skipped, deflate) into zip_path (replaced).
 */
DECC_EXTERN DECC_MUST_USE int decc_result_zip_dir(const char *zip_path, const char *dir);

/*
 * Encrypt plain_zip for the beneficiary public key (SPKI or PKCS#1 PEM): writes to out_zip a
 * zip of iexec_out.zip.aes and aes-key.rsa. The AES key is fresh and wiped.
 */
DECC_EXTERN DECC_MUST_USE int decc_result_encrypt(const char *out_zip, const char *plain_zip,
						  const char *pem, size_t pem_len);

/*
 * Decrypt an encrypted result zip with the beneficiary's private key (PEM) into out_path (the
 * plain iexec_out.zip, written atomically). aes-key.rsa may be raw or Base64 RSA ciphertext.
 * A zip without both entries, oversize entries, a wrong key or bad padding fail and leave
 * nothing at out_path.
 */
DECC_EXTERN DECC_MUST_USE int decc_result_decrypt(const char *out_path, const char *enc_zip,
						  const char *pem, size_t pem_len);

/*
 * Unpack a zip into dir (created 0700 if missing): regular files and directories only, names
 * relative and without "..", total size bounded by DECC_RESULT_UNZIP_MAX. On failure what was
 * unpacked so far is removed.
 */
DECC_EXTERN DECC_MUST_USE int decc_result_unzip(const char *dir, const char *zip_path);

/* true when the zip at path holds an entry named iexec_out.zip.aes. */
DECC_EXTERN bool decc_result_is_encrypted(const char *zip_path);

/*
 * Beneficiary keys: a DECC_RESULT_RSA_BITS keypair written as dir/<addr>_key (PKCS#8 PEM,
 * 0600) and dir/<addr>_key.pub (SPKI PEM, 0644), addr in EIP-55 form; existing files are
 * DECC_EEXISTS unless replace. bits 0 means DECC_RESULT_RSA_BITS (tests use smaller keys).
 */
DECC_EXTERN DECC_MUST_USE int decc_result_keys_generate(const char *dir, const decc_address *addr,
							unsigned bits, bool replace);

/*
 * The result link stored on-chain for an IPFS result:
 * `{ "storage": "ipfs", "location": "/ipfs/<cid>" }` (byte-exact).
 */
DECC_EXTERN DECC_MUST_USE int decc_result_link(struct decc_buf *out, const char *storage,
					       const char *location);
/* Parse a result link (JSON); storage and location get heap strings. */
DECC_EXTERN DECC_MUST_USE int decc_result_link_parse(char **storage, char **location,
						     const uint8_t *p, size_t n);

#endif
