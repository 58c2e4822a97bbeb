/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MIME type of a bytes leaf, as DataProtector's schema extraction gives it: the file-signature
 * matcher it uses (magic-bytes.js) walks a trie of signatures and keeps the matches of the
 * deepest node reached; DataProtector then takes the first match whose MIME type is in its
 * supported list, else "application/octet-stream". Only the signatures that can produce a
 * supported type are listed here; for them "deepest node" is "longest matching signature"
 * ("ftyp" at offset 4 is the matcher's offset table, checked after the others).
 */
#include <string.h>

#include "decc/protect.h"

#define ANY (-1)

struct sig {
	const char *mime;
	int offset;
	int len;
	short bytes[12];
};

static const struct sig sigs[] = {
	{ "image/gif", 0, 6, { 0x47, 0x49, 0x46, 0x38, 0x37, 0x61 } },
	{ "image/gif", 0, 6, { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 } },
	/* MPEG transport stream sync byte: magic-bytes.js maps a lone 'G' to video/mpeg */
	{ "video/mpeg", 0, 1, { 0x47 } },
	{ "video/mpeg", 0, 4, { 0x00, 0x00, 0x01, 0xba } },
	{ "video/mpeg", 0, 4, { 0x00, 0x00, 0x01, 0xb3 } },
	{ "image/jpeg", 0, 4, { 0xff, 0xd8, 0xff, 0xdb } },
	{ "image/jpeg",
	  0,
	  12,
	  { 0xff, 0xd8, 0xff, 0xe0, ANY, ANY, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01 } },
	{ "image/jpeg",
	  0,
	  12,
	  { 0xff, 0xd8, 0xff, 0xe1, ANY, ANY, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00 } },
	{ "image/webp",
	  0,
	  12,
	  { 0x52, 0x49, 0x46, 0x46, ANY, ANY, ANY, ANY, 0x57, 0x45, 0x42, 0x50 } },
	{ "audio/x-wav",
	  0,
	  12,
	  { 0x52, 0x49, 0x46, 0x46, ANY, ANY, ANY, ANY, 0x57, 0x41, 0x56, 0x45 } },
	{ "video/x-msvideo",
	  0,
	  12,
	  { 0x52, 0x49, 0x46, 0x46, ANY, ANY, ANY, ANY, 0x41, 0x56, 0x49, 0x20 } },
	{ "application/zip", 0, 4, { 0x50, 0x4b, 0x03, 0x04 } },
	{ "application/zip", 0, 4, { 0x50, 0x4b, 0x05, 0x06 } },
	{ "application/zip", 0, 4, { 0x50, 0x4b, 0x07, 0x08 } },
	{ "image/png", 0, 8, { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a } },
	{ "application/pdf", 0, 4, { 0x25, 0x50, 0x44, 0x46 } },
	{ "audio/mpeg", 0, 2, { 0xff, 0xfb } },
	{ "audio/mpeg", 0, 2, { 0xff, 0xf3 } },
	{ "audio/mpeg", 0, 2, { 0xff, 0xf2 } },
	{ "audio/mpeg", 0, 3, { 0x49, 0x44, 0x33 } },
	{ "image/bmp", 0, 2, { 0x42, 0x4d } },
	{ "audio/midi", 0, 4, { 0x4d, 0x54, 0x68, 0x64 } },
	{ "application/xml", 0, 6, { 0x3c, 0x3f, 0x78, 0x6d, 0x6c, 0x20 } },
	{ "video/mp4", 4, 4, { 0x66, 0x74, 0x79, 0x70 } },
};

static const char *const supported[] = {
	"application/octet-stream",
	"application/pdf",
	"application/xml",
	"application/zip",
	"audio/midi",
	"audio/mpeg",
	"audio/x-wav",
	"image/bmp",
	"image/gif",
	"image/jpeg",
	"image/png",
	"image/webp",
	"video/mp4",
	"video/mpeg",
	"video/x-msvideo",
};

static bool sig_match(const struct sig *s, const uint8_t *p, size_t n)
{
	if ((size_t)(s->offset + s->len) > n)
		return false;
	for (int i = 0; i < s->len; i++)
		if (s->bytes[i] != ANY && s->bytes[i] != p[s->offset + i])
			return false;
	return true;
}

const char *decc_protect_sniff_mime(const uint8_t *p, size_t n)
{
	const struct sig *best = NULL;

	for (size_t i = 0; i < DECC_ARRAY_SIZE(sigs); i++) {
		const struct sig *s = &sigs[i];

		if (s->offset != 0 || !sig_match(s, p, n))
			continue;
		if (!best || s->len > best->len)
			best = s;
	}
	if (best)
		return best->mime;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(sigs); i++)
		if (sigs[i].offset != 0 && sig_match(&sigs[i], p, n))
			return sigs[i].mime;
	return "application/octet-stream";
}

bool decc_protect_type_valid(const char *type)
{
	static const char *const scalars[] = {
		"bool", "f64", "i128", "string", "boolean", "number"
	};

	if (!type)
		return false;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(scalars); i++)
		if (strcmp(type, scalars[i]) == 0)
			return true;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(supported); i++)
		if (strcmp(type, supported[i]) == 0)
			return true;
	return false;
}
