/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Web3 Secret Storage v3. Reading is strict about what is checked (version, cipher, MAC, key
 * length, address) and bounded in what it costs (JSON size, scrypt memory and work, pbkdf2
 * iterations), since keystore files may come from anyone. Writing follows geth's layout.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "decc/keystore.h"

#define KS_MAX_SALT 1024
#define KS_MAX_SCRYPT_P 16

void decc_keystore_params_default(struct decc_keystore_params *out)
{
	*out = (struct decc_keystore_params){ .kdf = DECC_KDF_SCRYPT, .n = 262144, .r = 8, .p = 1 };
}

void decc_keystore_params_light(struct decc_keystore_params *out)
{
	*out = (struct decc_keystore_params){ .kdf = DECC_KDF_SCRYPT, .n = 4096, .r = 8, .p = 6 };
}

struct kdf_in {
	struct decc_keystore_params p;
	uint8_t salt[KS_MAX_SALT];
	size_t saltlen;
};

/* Reject parameters whose cost is beyond the caps before spending anything on them. */
static int check_params(const struct decc_keystore_params *p, uint64_t max_mem, uint32_t max_iter)
{
	uint64_t mem;

	switch (p->kdf) {
	case DECC_KDF_SCRYPT:
		if (p->n < 2 || (p->n & (p->n - 1)) || p->r == 0 || p->p == 0)
			return decc_error_set(
			    DECC_EINVAL,
			    "keystore: invalid scrypt parameters n=%llu r=%u p=%u "
			    "(n must be a power of two > 1, r and p >= 1)",
			    (unsigned long long)p->n, p->r, p->p);
		if (__builtin_mul_overflow(p->n, (uint64_t)p->r, &mem) ||
		    __builtin_mul_overflow(mem, (uint64_t)128, &mem) || mem > max_mem)
			return decc_error_set(
			    DECC_ELIMIT,
			    "keystore: scrypt n=%llu r=%u needs more than the %llu "
			    "bytes allowed",
			    (unsigned long long)p->n, p->r, (unsigned long long)max_mem);
		if (p->p > KS_MAX_SCRYPT_P)
			return decc_error_set(DECC_ELIMIT, "keystore: scrypt p=%u, at most %d",
					      p->p, KS_MAX_SCRYPT_P);
		return 0;
	case DECC_KDF_PBKDF2:
		if (p->c == 0)
			return decc_error_set(DECC_EINVAL, "keystore: pbkdf2 needs c >= 1");
		if (p->c > max_iter)
			return decc_error_set(DECC_ELIMIT, "keystore: pbkdf2 c=%u, at most %u",
					      p->c, max_iter);
		return 0;
	default:
		return decc_error_set(DECC_EINVAL, "keystore: unknown kdf %d", (int)p->kdf);
	}
}

static int derive(struct decc_secret *dk, const struct kdf_in *k, const char *pw, size_t pwlen,
		  uint64_t max_mem)
{
	int r;

	if (k->p.kdf == DECC_KDF_SCRYPT)
		r = decc_scrypt(dk->ptr, 32, pw, pwlen, k->salt, k->saltlen, k->p.n, k->p.r, k->p.p,
				max_mem);
	else
		r = decc_pbkdf2_sha256(dk->ptr, 32, pw, pwlen, k->salt, k->saltlen, k->p.c);
	if (r < 0)
		return decc_error_wrap(r, "keystore: key derivation");
	return 0;
}

static void compute_mac(uint8_t mac[32], const struct decc_secret *dk, const uint8_t *ct, size_t n)
{
	struct decc_keccak k;

	decc_keccak_init(&k);
	decc_keccak_update(&k, dk->ptr + 16, 16);
	decc_keccak_update(&k, ct, n);
	decc_keccak_final(&k, mac);
	decc_wipe(&k, sizeof(k));
}

/* ---- reading ---- */

static int get_hex(uint8_t *out, size_t cap, size_t *len, json_t *obj, const char *key, size_t want)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	if (!json_is_string(v))
		return decc_error_set(DECC_EINVAL, "keystore: missing or non-string \"%s\"", key);
	if (decc_hex_decode(out, cap, &n, json_string_value(v), json_string_length(v)) < 0)
		return decc_error_wrap(DECC_EINVAL, "keystore: \"%s\"", key);
	if (want != SIZE_MAX && n != want)
		return decc_error_set(DECC_EINVAL, "keystore: \"%s\" is %zu bytes, expected %zu",
				      key, n, want);
	if (len)
		*len = n;
	return 0;
}

static int get_uint(uint64_t *out, json_t *obj, const char *key, uint64_t max)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return decc_error_set(
		    DECC_EINVAL, "keystore: kdfparams \"%s\" must be a non-negative integer", key);
	if ((uint64_t)json_integer_value(v) > max)
		return decc_error_set(DECC_ELIMIT, "keystore: kdfparams \"%s\" = %lld is too large",
				      key, (long long)json_integer_value(v));
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int read_kdf(struct kdf_in *k, json_t *crypto, uint64_t max_mem, uint32_t max_iter)
{
	json_t *kdf = json_object_get(crypto, "kdf");
	json_t *kp = json_object_get(crypto, "kdfparams");
	const char *name = json_string_value(kdf);
	uint64_t dklen, v;

	if (!name || !json_is_object(kp))
		return decc_error_set(DECC_EINVAL, "keystore: \"kdf\" and \"kdfparams\" required");
	DECC_TRY(get_uint(&dklen, kp, "dklen", UINT32_MAX));
	if (dklen != 32)
		return decc_error_set(DECC_EINVAL, "keystore: dklen %llu unsupported, expected 32",
				      (unsigned long long)dklen);
	memset(&k->p, 0, sizeof(k->p));
	if (strcmp(name, "scrypt") == 0) {
		k->p.kdf = DECC_KDF_SCRYPT;
		DECC_TRY(get_uint(&k->p.n, kp, "n", UINT64_MAX));
		DECC_TRY(get_uint(&v, kp, "r", UINT32_MAX));
		k->p.r = (uint32_t)v;
		DECC_TRY(get_uint(&v, kp, "p", UINT32_MAX));
		k->p.p = (uint32_t)v;
	} else if (strcmp(name, "pbkdf2") == 0) {
		const char *prf = json_string_value(json_object_get(kp, "prf"));

		k->p.kdf = DECC_KDF_PBKDF2;
		if (!prf || strcmp(prf, "hmac-sha256") != 0)
			return decc_error_set(
			    DECC_EINVAL,
			    "keystore: pbkdf2 prf \"%.40s\" unsupported, expected "
			    "hmac-sha256",
			    prf ? prf : "");
		DECC_TRY(get_uint(&v, kp, "c", UINT32_MAX));
		k->p.c = (uint32_t)v;
	} else {
		return decc_error_set(
		    DECC_EINVAL, "keystore: kdf \"%.40s\" unsupported (scrypt or pbkdf2)", name);
	}
	DECC_TRY(check_params(&k->p, max_mem, max_iter));
	return get_hex(k->salt, sizeof(k->salt), &k->saltlen, kp, "salt", SIZE_MAX);
}

struct ks_in {
	struct kdf_in kdf;
	uint8_t iv[16], ct[32], mac[32];
	bool has_addr;
	decc_address addr;
};

static int read_address(struct ks_in *in, json_t *root)
{
	json_t *a = json_object_get(root, "address");
	char buf[43];
	const char *s;

	if (!a || json_is_null(a))
		return 0;
	s = json_string_value(a);
	if (!s)
		return decc_error_set(DECC_EINVAL, "keystore: \"address\" must be a string");
	if (strlen(s) == 40) {
		snprintf(buf, sizeof(buf), "0x%s", s);
		s = buf;
	}
	if (decc_address_parse(&in->addr, s) < 0)
		return decc_error_wrap(DECC_EINVAL, "keystore: \"address\"");
	in->has_addr = true;
	return 0;
}

static int read_keystore(struct ks_in *in, json_t *root, uint64_t max_mem, uint32_t max_iter)
{
	json_t *ver = json_object_get(root, "version");
	json_t *crypto = json_object_get(root, "crypto"), *cp;
	const char *cipher;

	if (!json_is_object(root))
		return decc_error_set(DECC_EINVAL, "keystore: a JSON object is expected");
	if (!json_is_integer(ver) || json_integer_value(ver) != 3)
		return decc_error_set(DECC_EINVAL,
				      "keystore: unsupported or missing version (only version 3 "
				      "files can be read)");
	/* geth writes "crypto", some old tools "Crypto" */
	if (!crypto)
		crypto = json_object_get(root, "Crypto");
	else if (json_object_get(root, "Crypto"))
		return decc_error_set(DECC_EINVAL, "keystore: both \"crypto\" and \"Crypto\"");
	if (!json_is_object(crypto))
		return decc_error_set(DECC_EINVAL, "keystore: missing \"crypto\" object");
	cipher = json_string_value(json_object_get(crypto, "cipher"));
	if (!cipher || strcmp(cipher, "aes-128-ctr") != 0)
		return decc_error_set(
		    DECC_EINVAL, "keystore: cipher \"%.40s\" unsupported, expected aes-128-ctr",
		    cipher ? cipher : "");
	cp = json_object_get(crypto, "cipherparams");
	if (!json_is_object(cp))
		return decc_error_set(DECC_EINVAL, "keystore: missing \"cipherparams\"");
	DECC_TRY(get_hex(in->iv, sizeof(in->iv), NULL, cp, "iv", 16));
	DECC_TRY(get_hex(in->ct, sizeof(in->ct), NULL, crypto, "ciphertext", 32));
	DECC_TRY(get_hex(in->mac, sizeof(in->mac), NULL, crypto, "mac", 32));
	DECC_TRY(read_address(in, root));
	return read_kdf(&in->kdf, crypto, max_mem, max_iter);
}

static int open_keystore(uint8_t sk[32], decc_address *addr, const struct ks_in *in, const char *pw,
			 size_t pwlen, uint64_t max_mem)
{
	struct decc_secret *dk = NULL, *key = NULL;
	uint8_t mac[32];
	decc_address a;
	int r;

	r = decc_secret_new(&dk, 32);
	if (r == 0)
		r = decc_secret_new(&key, 32);
	if (r == 0)
		r = derive(dk, &in->kdf, pw, pwlen, max_mem);
	if (r == 0) {
		compute_mac(mac, dk, in->ct, sizeof(in->ct));
		if (!decc_ct_equal(mac, in->mac, 32))
			r = decc_error_set(DECC_EAUTH,
					   "wrong password: MAC mismatch (or the keystore "
					   "file is corrupted)");
	}
	if (r == 0)
		r = decc_aes128_ctr(key->ptr, in->ct, 32, dk->ptr, in->iv);
	if (r == 0 && !decc_secp256k1_seckey_valid(key->ptr))
		r = decc_error_set(DECC_EINVAL, "keystore: the decrypted key is not a valid "
						"secp256k1 private key");
	if (r == 0)
		r = decc_address_from_seckey(&a, key->ptr);
	if (r == 0 && in->has_addr && !decc_address_eq(&a, &in->addr)) {
		char want[43], got[43];

		decc_address_to_checksum(want, &in->addr);
		decc_address_to_checksum(got, &a);
		r = decc_error_set(
		    DECC_EAUTH, "keystore: the key is for %s but the file says %s (tampered file?)",
		    got, want);
	}
	if (r == 0) {
		memcpy(sk, key->ptr, 32);
		if (addr)
			*addr = a;
	}
	decc_secret_free(key);
	decc_secret_free(dk);
	return r;
}

int decc_keystore_decrypt_capped(uint8_t sk[32], decc_address *addr, const char *json, size_t n,
				 const char *password, size_t passlen, uint64_t max_scrypt_mem,
				 uint32_t max_pbkdf2_iter)
{
	struct ks_in in;
	json_error_t jerr;
	json_t *root;
	int r;

	if (n > DECC_KEYSTORE_MAX_JSON)
		return decc_error_set(DECC_ELIMIT,
				      "keystore: %zu bytes, at most %d (not a keystore "
				      "file?)",
				      n, DECC_KEYSTORE_MAX_JSON);
	root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "keystore: invalid JSON at line %d: %s",
				      jerr.line, jerr.text);
	memset(&in, 0, sizeof(in));
	r = read_keystore(&in, root, max_scrypt_mem, max_pbkdf2_iter);
	json_decref(root);
	if (r == 0)
		r = open_keystore(sk, addr, &in, password, passlen, max_scrypt_mem);
	return r;
}

int decc_keystore_decrypt(uint8_t sk[32], decc_address *addr, const char *json, size_t n,
			  const char *password, size_t passlen)
{
	return decc_keystore_decrypt_capped(sk, addr, json, n, password, passlen,
					    DECC_KEYSTORE_MAX_SCRYPT_MEM,
					    DECC_KEYSTORE_MAX_PBKDF2_ITER);
}

/* ---- writing ---- */

static int append_hex(struct decc_buf *b, const uint8_t *p, size_t n)
{
	char h[2 * KS_MAX_SALT + 1];

	decc_hex_encode(h, p, n, false);
	return decc_buf_append_str(b, h);
}

static int write_json(struct decc_buf *b, const decc_address *a, const struct kdf_in *k,
		      const uint8_t iv[16], const uint8_t ct[32], const uint8_t mac[32],
		      const uint8_t uuid[16])
{
	char id[37];

	DECC_TRY(decc_buf_append_str(b, "{\"address\":\""));
	DECC_TRY(append_hex(b, a->b, 20));
	DECC_TRY(
	    decc_buf_append_str(b, "\",\"crypto\":{\"cipher\":\"aes-128-ctr\",\"ciphertext\":\""));
	DECC_TRY(append_hex(b, ct, 32));
	DECC_TRY(decc_buf_append_str(b, "\",\"cipherparams\":{\"iv\":\""));
	DECC_TRY(append_hex(b, iv, 16));
	if (k->p.kdf == DECC_KDF_SCRYPT)
		DECC_TRY(decc_buf_appendf(b,
					  "\"},\"kdf\":\"scrypt\",\"kdfparams\":{\"dklen\":32,"
					  "\"n\":%llu,\"p\":%u,\"r\":%u,\"salt\":\"",
					  (unsigned long long)k->p.n, k->p.p, k->p.r));
	else
		DECC_TRY(
		    decc_buf_appendf(b,
				     "\"},\"kdf\":\"pbkdf2\",\"kdfparams\":{\"c\":%u,\"dklen\":"
				     "32,\"prf\":\"hmac-sha256\",\"salt\":\"",
				     k->p.c));
	DECC_TRY(append_hex(b, k->salt, k->saltlen));
	DECC_TRY(decc_buf_append_str(b, "\"},\"mac\":\""));
	DECC_TRY(append_hex(b, mac, 32));
	snprintf(id, sizeof(id),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
		 uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
		 uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
	return decc_buf_appendf(b, "\"},\"id\":\"%s\",\"version\":3}", id);
}

int decc_keystore_encrypt(struct decc_buf *out, const uint8_t sk[32], const char *password,
			  size_t passlen, const struct decc_keystore_params *params)
{
	struct kdf_in k;
	struct decc_secret *dk = NULL;
	uint8_t iv[16], ct[32], mac[32], uuid[16];
	decc_address a;
	struct decc_buf b = DECC_BUF_INIT;
	int r;

	if (!decc_secp256k1_seckey_valid(sk))
		return decc_error_set(DECC_EINVAL, "keystore: not a valid secp256k1 private key");
	memset(&k, 0, sizeof(k));
	k.p = *params;
	DECC_TRY(check_params(&k.p, DECC_KEYSTORE_MAX_SCRYPT_MEM, DECC_KEYSTORE_MAX_PBKDF2_ITER));
	DECC_TRY(decc_address_from_seckey(&a, sk));
	k.saltlen = 32;
	DECC_TRY(decc_random_bytes(k.salt, k.saltlen));
	DECC_TRY(decc_random_bytes(iv, sizeof(iv)));
	DECC_TRY(decc_random_bytes(uuid, sizeof(uuid)));
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	r = decc_secret_new(&dk, 32);
	if (r == 0)
		r = derive(dk, &k, password, passlen, DECC_KEYSTORE_MAX_SCRYPT_MEM);
	if (r == 0)
		r = decc_aes128_ctr(ct, sk, 32, dk->ptr, iv);
	if (r == 0) {
		compute_mac(mac, dk, ct, sizeof(ct));
		r = write_json(&b, &a, &k, iv, ct, mac, uuid);
	}
	decc_secret_free(dk);
	if (r == 0 && b.len > out->max)
		r = decc_error_set(DECC_ELIMIT, "keystore JSON does not fit the output buffer");
	if (r == 0) {
		decc_buf_reset(out);
		r = decc_buf_append(out, b.data, b.len);
	}
	decc_buf_release(&b);
	return r;
}
