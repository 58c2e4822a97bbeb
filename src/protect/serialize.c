/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON object (or one file) -> the protected-data zip and its schema, as DataProtector's
 * protectData does: one STORED entry per leaf named by the keys joined with "/", a directory
 * entry "a/" (DOS attribute 0x10) for each nested object, entries in input order, DOS
 * platform, Borsh leaves, bytes typed by their sniffed MIME type.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <zip.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/protect.h"
#include "protect/internal.h"

#define MAX_DEPTH 64
#define MAX_PATH 4096
#define MAX_LEAVES 4096
#define DOS_DIR_ATTR 0x10u
/* 2^53: beyond, not every integer is an f64 (JavaScript would silently round) */
#define F64_EXACT_INT 9007199254740992LL

struct ser {
	zip_t *za;
	unsigned flags;
	size_t entries;
	struct decc_buf *vals; /* leaf encodings, owned here and wiped after zip_close() */
	size_t nvals, capvals;
};

static void ser_release(struct ser *s)
{
	for (size_t i = 0; i < s->nvals; i++)
		decc_buf_release(&s->vals[i]);
	free(s->vals);
	s->vals = NULL;
	s->nvals = s->capvals = 0;
}

static int zip_fail(zip_t *za, const char *what, const char *name)
{
	return decc_error_set(DECC_ERROR, "zip: cannot %s '%s': %s", what, name, zip_strerror(za));
}

static int ser_count(struct ser *s)
{
	if (++s->entries > MAX_LEAVES)
		return decc_error_set(DECC_ELIMIT, "more than %d entries in the protected data",
				      MAX_LEAVES);
	return 0;
}

static int add_dir(struct ser *s, const char *path)
{
	zip_int64_t idx;

	DECC_TRY(ser_count(s));
	idx = zip_dir_add(s->za, path, ZIP_FL_ENC_GUESS);
	if (idx < 0)
		return zip_fail(s->za, "add directory", path);
	if (zip_file_set_external_attributes(s->za, (zip_uint64_t)idx, 0, ZIP_OPSYS_DOS,
					     DOS_DIR_ATTR) < 0)
		return zip_fail(s->za, "set attributes of", path);
	return 0;
}

/* Add a leaf from a source (taken over by libzip, also on failure). */
static int add_source(struct ser *s, const char *path, zip_source_t *src)
{
	zip_int64_t idx;

	idx = zip_file_add(s->za, path, src, ZIP_FL_ENC_GUESS);
	if (idx < 0) {
		zip_source_free(src);
		return zip_fail(s->za, "add entry", path);
	}
	if (zip_set_file_compression(s->za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) < 0 ||
	    zip_file_set_external_attributes(s->za, (zip_uint64_t)idx, 0, ZIP_OPSYS_DOS, 0) < 0)
		return zip_fail(s->za, "set the storage of", path);
	return 0;
}

/* Add a leaf whose bytes are in v (kept alive by s until the zip is written). */
static int add_value(struct ser *s, const char *path, struct decc_buf *v)
{
	zip_source_t *src;

	DECC_TRY(ser_count(s));
	if (s->nvals == s->capvals) {
		size_t cap = s->capvals ? 2 * s->capvals : 16;
		struct decc_buf *nv = realloc(s->vals, cap * sizeof(*nv));

		if (!nv)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		s->vals = nv;
		s->capvals = cap;
	}
	s->vals[s->nvals++] = *v;
	decc_buf_init_secret(v, DECC_BUF_DEFAULT_MAX);
	src = zip_source_buffer(s->za, s->vals[s->nvals - 1].data, s->vals[s->nvals - 1].len, 0);
	if (!src)
		return zip_fail(s->za, "make a source for", path);
	return add_source(s, path, src);
}

/* Sniff the MIME type of a file and add it as a streamed leaf. */
static int add_file(struct ser *s, const char *path, const char *file, const char *mime,
		    const char **type)
{
	uint8_t head[DECC_PROTECT_SNIFF_LEN];
	zip_source_t *src;
	struct stat st;
	size_t got;
	int fd, r;

	DECC_TRY(ser_count(s));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "cannot open %s: %s", file, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return decc_error_set(DECC_EINVAL, "%s is not a regular file", file);
	}
	r = decc_protect_read_full(fd, head, sizeof(head), &got, file);
	close(fd);
	if (r < 0)
		return r;
	if (mime && !decc_protect_type_valid(mime))
		return decc_error_set(DECC_EINVAL,
				      "'%s' is not a MIME type DataProtector supports (see 'decc "
				      "help protect')",
				      mime);
	if (mime && decc_protect_kind_of(mime) != DECC_PROTECT_BYTES)
		return decc_error_set(DECC_EINVAL, "'%s' is not a MIME type", mime);
	*type = mime ? mime : decc_protect_sniff_mime(head, got);
	src = zip_source_file(s->za, file, 0, 0);
	if (!src)
		return zip_fail(s->za, "read", file);
	return add_source(s, path, src);
}

static int set_type(json_t *schema, const char *key, const char *type)
{
	if (json_object_set_new(schema, key, json_string(type)) != 0)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	return 0;
}

static int tagged_leaf(struct ser *s, const char *path, const char *tag, json_t *v, json_t *schema,
		       const char *key)
{
	struct decc_buf b;
	int r;

	decc_buf_init_secret(&b, DECC_BUF_DEFAULT_MAX);
	if (strcmp(tag, "$i128") == 0) {
		__int128 x;

		if (json_is_integer(v)) {
			x = json_integer_value(v);
		} else if (json_is_string(v)) {
			if ((r = decc_protect_i128_parse(&x, json_string_value(v))) < 0)
				return decc_error_wrap(r, "'%s'", path);
		} else {
			return decc_error_set(
			    DECC_EINVAL, "'%s': $i128 wants a decimal string or an integer", path);
		}
		r = decc_protect_borsh_i128(&b, x);
		if (r == 0)
			r = add_value(s, path, &b);
		decc_buf_release(&b);
		return r < 0 ? r : set_type(schema, key, "i128");
	}
	if (strcmp(tag, "$bytes") == 0) {
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "'%s': $bytes wants a base64 string",
					      path);
		r = decc_base64_decode(&b, json_string_value(v), json_string_length(v));
		if (r < 0) {
			decc_buf_release(&b);
			return decc_error_wrap(r, "'%s': $bytes", path);
		}
		r = set_type(schema, key, decc_protect_sniff_mime(b.data, b.len));
		if (r == 0)
			r = add_value(s, path, &b);
		decc_buf_release(&b);
		return r;
	}
	if (strcmp(tag, "$file") == 0) {
		const char *type = NULL;

		if (!(s->flags & DECC_PROTECT_ALLOW_FILES))
			return decc_error_set(DECC_EINVAL,
					      "'%s': {\"$file\": ...} leaves are not allowed here",
					      path);
		if (!json_is_string(v))
			return decc_error_set(DECC_EINVAL, "'%s': $file wants a path", path);
		DECC_TRY(add_file(s, path, json_string_value(v), NULL, &type));
		return set_type(schema, key, type);
	}
	return decc_error_set(DECC_EINVAL,
			      "'%s': unknown tag '%s' (expected $i128, $bytes or $file; data keys "
			      "use only [A-Za-z0-9_-])",
			      path, tag);
}

static int walk(struct ser *s, json_t *obj, const char *prefix, json_t *schema, int depth);

static int walk_one(struct ser *s, const char *key, json_t *v, const char *prefix, json_t *schema,
		    int depth)
{
	{
		char path[MAX_PATH];
		int n = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", key);
		struct decc_buf b;
		int r = 0;

		if (n < 0 || (size_t)n >= sizeof(path) - 1)
			return decc_error_set(DECC_ELIMIT, "key path longer than %d bytes",
					      MAX_PATH - 2);
		if (!decc_protect_key_valid(key, strlen(key)))
			return decc_error_set(DECC_EINVAL,
					      "key '%.64s': keys must be non-empty and use only "
					      "letters, digits, '-' and '_'",
					      path);
		decc_buf_init_secret(&b, DECC_BUF_DEFAULT_MAX);
		switch (json_typeof(v)) {
		case JSON_TRUE:
		case JSON_FALSE:
			r = decc_protect_borsh_bool(&b, json_is_true(v));
			if (r == 0)
				r = set_type(schema, key, "bool");
			break;
		case JSON_INTEGER: {
			json_int_t i = json_integer_value(v);

			if (i > F64_EXACT_INT || i < -F64_EXACT_INT) {
				r = decc_error_set(
				    DECC_EINVAL,
				    "'%s': %lld is not exact as an f64 number; write "
				    "{\"$i128\": \"%lld\"} for an integer",
				    path, (long long)i, (long long)i);
				break;
			}
			r = decc_protect_borsh_f64(&b, (double)i);
			if (r == 0)
				r = set_type(schema, key, "f64");
			break;
		}
		case JSON_REAL:
			r = decc_protect_borsh_f64(&b, json_real_value(v));
			if (r == 0)
				r = set_type(schema, key, "f64");
			break;
		case JSON_STRING:
			r = decc_protect_borsh_string(&b, json_string_value(v),
						      json_string_length(v));
			if (r == 0)
				r = set_type(schema, key, "string");
			break;
		case JSON_OBJECT: {
			const char *k1 = json_object_size(v) == 1
					     ? json_object_iter_key(json_object_iter(v))
					     : NULL;
			json_t *sub;

			if (k1 && k1[0] == '$') {
				r = tagged_leaf(s, path, k1, json_object_get(v, k1), schema, key);
				break;
			}
			sub = json_object();
			if (!sub || json_object_set_new(schema, key, sub) != 0) {
				r = decc_error_set(DECC_ENOMEM, "out of memory");
				break;
			}
			path[n] = '/';
			path[n + 1] = 0;
			r = add_dir(s, path);
			path[n] = 0;
			if (r == 0)
				r = walk(s, v, path, sub, depth + 1);
			break;
		}
		case JSON_NULL:
			r = decc_error_set(DECC_EINVAL, "'%s': null is not a protected data value",
					   path);
			break;
		case JSON_ARRAY:
			r = decc_error_set(DECC_EINVAL,
					   "'%s': arrays are not protected data values (use an "
					   "object with keys \"0\", \"1\", ...)",
					   path);
			break;
		default:
			r = decc_error_set(DECC_EINVAL, "'%s': unsupported JSON value", path);
			break;
		}
		if (r == 0 && b.len > 0)
			r = add_value(s, path, &b);
		decc_buf_release(&b);
		return r;
	}
}

/*
 * JavaScript's key order, which Object.entries() and JSON.stringify() follow: keys that are
 * array indices ("0" .. "4294967294", no leading zero) first, ascending, then the others in
 * insertion order.
 */
static bool array_index(const char *k, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = strlen(k);

	if (n == 0 || n > 10 || (n > 1 && k[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (k[i] < '0' || k[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(k[i] - '0');
	}
	if (x > 4294967294ull)
		return false;
	*v = x;
	return true;
}

struct okey {
	const char *key;
	uint64_t index; /* array index, or UINT64_MAX */
	size_t pos;	/* insertion position */
};

static int cmp_okey(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int js_key_order(struct okey **out, json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	struct okey *keys = calloc(n ? n : 1, sizeof(*keys));
	const char *key;
	json_t *v;

	if (!keys)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	json_object_foreach(obj, key, v)
	{
		keys[i].key = key;
		keys[i].pos = i;
		if (!array_index(key, &keys[i].index))
			keys[i].index = UINT64_MAX;
		i++;
	}
	qsort(keys, n, sizeof(*keys), cmp_okey);
	*out = keys;
	return 0;
}

static int walk(struct ser *s, json_t *obj, const char *prefix, json_t *schema, int depth)
{
	struct okey *keys = NULL;
	size_t nkeys = json_object_size(obj);
	int r = 0;

	if (depth > MAX_DEPTH)
		return decc_error_set(DECC_ELIMIT, "objects nested deeper than %d", MAX_DEPTH);
	DECC_TRY(js_key_order(&keys, obj));
	for (size_t i = 0; i < nkeys && r == 0; i++)
		r = walk_one(s, keys[i].key, json_object_get(obj, keys[i].key), prefix, schema,
			     depth);
	free(keys);
	return r;
}

/* An archive without entries: libzip removes the file instead; DataProtector (JSZip) writes
 * a bare end-of-central-directory record. */
static int write_empty(struct decc_protect_out *o)
{
	static const uint8_t eocd[22] = { 0x50, 0x4b, 0x05, 0x06 };

	return decc_protect_write_all(o->fd, eocd, sizeof(eocd), o->path);
}

typedef int (*fill_fn)(struct ser *s, json_t *schema, void *ctx);

/* libzip's progress (a fraction of zip_close's work) as bytes of the input */
struct zip_progress {
	const struct decc_progress *to;
	uint64_t total;
};

static void on_zip_progress(zip_t *za, double fraction, void *ud)
{
	const struct zip_progress *p = ud;

	(void)za;
	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	decc_progress_report(p->to, (uint64_t)(fraction * (double)p->total), p->total);
}

static int serialize(const char *out_zip, char **schema_json, unsigned flags, fill_fn fill,
		     void *ctx, const struct zip_progress *progress)
{
	struct ser s = { .flags = flags };
	struct decc_protect_out o;
	json_t *schema;
	char *text = NULL;
	int r, zerr = 0;

	schema = json_object();
	if (!schema)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	if ((r = decc_protect_out_open(&o, out_zip, flags)) < 0) {
		json_decref(schema);
		return r;
	}
	/* libzip writes the archive next to our temporary file and renames it over */
	s.za = zip_open(o.tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!s.za) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		r = decc_error_set(DECC_ERROR, "zip: cannot create %s: %s", out_zip,
				   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out;
	}
	r = fill(&s, schema, ctx);
	if (r == 0 && s.entries == 0) {
		zip_discard(s.za);
		s.za = NULL;
		r = write_empty(&o);
	}
	if (r == 0 && s.za && progress && progress->to && progress->to->fn &&
	    zip_register_progress_callback_with_state(s.za, 0.01, on_zip_progress, NULL,
						      (void *)progress) != 0)
		r = zip_fail(s.za, "progress", out_zip);
	if (r == 0 && s.za) {
		if (zip_close(s.za) != 0) {
			r = decc_error_set(DECC_ERROR, "zip: cannot write %s: %s", out_zip,
					   zip_strerror(s.za));
		} else {
			s.za = NULL;
			if (progress) /* libzip's last report may stop short of 1 */
				decc_progress_report(progress->to, progress->total,
						     progress->total);
			/* libzip's own temporary file took the umask's mode */
			if (chmod(o.tmp, 0600) != 0)
				r = decc_error_set(DECC_ERROR, "cannot chmod %s: %s", o.tmp,
						   strerror(errno));
		}
	}
	if (r == 0) {
		text = json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
out:
	if (s.za)
		zip_discard(s.za);
	ser_release(&s);
	json_decref(schema);
	if (r < 0) {
		decc_protect_out_abort(&o);
		return r;
	}
	if ((r = decc_protect_out_commit(&o)) < 0) {
		free(text);
		return r;
	}
	if (schema_json)
		*schema_json = text;
	else
		free(text);
	return 0;
}

static int fill_json(struct ser *s, json_t *schema, void *ctx)
{
	return walk(s, ctx, "", schema, 0);
}

int decc_protect_serialize_json(const char *out_zip, char **schema_json, const char *json,
				size_t len, unsigned flags)
{
	json_error_t jerr;
	json_t *root;
	int r;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "protected data JSON, line %d: %s", jerr.line,
				      jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return decc_error_set(DECC_EINVAL,
				      "protected data must be a JSON object (not an array, a "
				      "string, a number or null)");
	}
	r = serialize(out_zip, schema_json, flags, fill_json, root, NULL);
	json_decref(root);
	return r;
}

struct file_ctx {
	const char *path, *key, *mime;
};

static int fill_file(struct ser *s, json_t *schema, void *ctx)
{
	const struct file_ctx *f = ctx;
	const char *type = NULL;

	DECC_TRY(add_file(s, f->key, f->path, f->mime, &type));
	return set_type(schema, f->key, type);
}

int decc_protect_serialize_file(const char *out_zip, char **schema_json, const char *file_path,
				const char *key, const char *mime, unsigned flags,
				const struct decc_progress *progress)
{
	struct file_ctx f = { .path = file_path, .key = key ? key : "file", .mime = mime };
	struct zip_progress zp = { .to = progress };
	struct stat st;

	if (!decc_protect_key_valid(f.key, strlen(f.key)))
		return decc_error_set(DECC_EINVAL,
				      "key '%.64s': keys must be non-empty and use only letters, "
				      "digits, '-' and '_'",
				      f.key);
	if (stat(file_path, &st) == 0)
		zp.total = (uint64_t)st.st_size;
	return serialize(out_zip, schema_json, flags, fill_file, &f, &zp);
}
