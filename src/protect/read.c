/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading protected data: open the zip, check every entry before anything is read (names,
 * duplicates, methods, sizes), then give leaves by index or key path, decoded by schema type.
 * The input is hostile until checked: it comes from whoever encrypted the dataset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zip.h>

#include "decc/error.h"
#include "decc/protect.h"
#include "protect/internal.h"

#define DEFAULT_MAX_ENTRIES 4096
#define DEFAULT_MAX_ENTRY ((uint64_t)16 << 30)
#define DEFAULT_MAX_TOTAL ((uint64_t)16 << 30)
#define DEFAULT_MAX_VALUE ((size_t)64 << 20)
#define MAX_NAME 4096
#define IO_CHUNK ((size_t)1 << 20)

struct leaf {
	char *name;
	zip_uint64_t index; /* in the zip */
	uint64_t size;
};

struct decc_protect_reader {
	zip_t *za;
	struct decc_protect_limits lim;
	struct leaf *leaves;
	size_t nleaves;
};

struct path_ent {
	const char *path; /* without a directory's trailing '/' */
	size_t len;
	bool dir;
};

static int cmp_path(const void *a, const void *b)
{
	const struct path_ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->path, y->path, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* An entry name: key components joined by '/', a directory ends with '/'. */
static int check_name(const char *name, size_t i)
{
	size_t n = strlen(name), start = 0;

	if (n == 0)
		return decc_error_set(DECC_EINVAL, "zip entry %zu has an empty name", i);
	if (n > MAX_NAME)
		return decc_error_set(DECC_ELIMIT, "zip entry %zu: name longer than %d bytes", i,
				      MAX_NAME);
	if (name[0] == '/')
		return decc_error_set(DECC_EINVAL, "zip entry '%.64s' is an absolute path", name);
	if (strchr(name, '\\'))
		return decc_error_set(
		    DECC_EINVAL, "zip entry '%.64s' contains a backslash (not a key path)", name);
	for (size_t k = 0; k <= n; k++) {
		if (k < n && name[k] != '/')
			continue;
		if (k == n && name[n - 1] == '/')
			break; /* directory */
		if (k - start == 2 && name[start] == '.' && name[start + 1] == '.')
			return decc_error_set(DECC_EINVAL,
					      "zip entry '%.64s' climbs out with '..' (path "
					      "traversal refused)",
					      name);
		if (!decc_protect_key_valid(name + start, k - start))
			return decc_error_set(DECC_EINVAL,
					      "zip entry '%.64s': each path component must be a "
					      "non-empty key of [A-Za-z0-9_-] (NUL, spaces, '.', "
					      "'//' are refused)",
					      name);
		start = k + 1;
	}
	return 0;
}

/* No name twice, and no leaf that is also a directory (leaf "a" with "a/" or "a/b"). */
static int check_conflicts(struct path_ent *ents, size_t n)
{
	qsort(ents, n, sizeof(*ents), cmp_path);
	for (size_t i = 0; i + 1 < n; i++)
		if (cmp_path(&ents[i], &ents[i + 1]) == 0)
			return decc_error_set(DECC_EINVAL,
					      "zip entry '%.*s' appears twice (duplicate or leaf "
					      "and directory at once)",
					      (int)(ents[i].len > 64 ? 64 : ents[i].len),
					      ents[i].path);
	for (size_t i = 0; i < n; i++) {
		char probe_path[MAX_NAME + 2];
		struct path_ent probe = { .path = probe_path, .len = ents[i].len + 1 };
		size_t lo = i + 1, hi = n;

		if (ents[i].dir)
			continue;
		/* children of a leaf "a" would sort at or after "a/" */
		memcpy(probe_path, ents[i].path, ents[i].len);
		probe_path[ents[i].len] = '/';
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_path(&ents[mid], &probe) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && ents[lo].len >= probe.len &&
		    memcmp(ents[lo].path, probe.path, probe.len) == 0)
			return decc_error_set(
			    DECC_EINVAL, "zip entry '%.*s' is both a value and a directory",
			    (int)(ents[i].len > 64 ? 64 : ents[i].len), ents[i].path);
	}
	return 0;
}

static int check_archive(struct decc_protect_reader *r)
{
	zip_int64_t num = zip_get_num_entries(r->za, 0);
	struct path_ent *ents = NULL;
	uint64_t total = 0;
	size_t n, nleaves = 0;
	int ret = 0;

	if (num < 0)
		return decc_error_set(DECC_EINVAL, "zip: cannot count the entries");
	if ((uint64_t)num > r->lim.max_entries)
		return decc_error_set(DECC_ELIMIT, "zip has %lld entries, more than the limit %zu",
				      (long long)num, r->lim.max_entries);
	n = (size_t)num;
	ents = calloc(n ? n : 1, sizeof(*ents));
	r->leaves = calloc(n ? n : 1, sizeof(*r->leaves));
	if (!ents || !r->leaves) {
		free(ents);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		const char *name = zip_get_name(r->za, i, ZIP_FL_ENC_RAW);
		zip_stat_t st;
		size_t len;

		if (!name || zip_stat_index(r->za, i, ZIP_FL_ENC_RAW, &st) != 0) {
			ret = decc_error_set(DECC_EINVAL, "zip entry %zu: %s", i,
					     zip_strerror(r->za));
			break;
		}
		if ((ret = check_name(name, i)) < 0)
			break;
		if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD)) {
			ret = decc_error_set(DECC_EINVAL, "zip entry '%.64s': no size", name);
			break;
		}
		if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
			ret = decc_error_set(DECC_EINVAL,
					     "zip entry '%.64s': compression method %u (only "
					     "stored and deflate are read)",
					     name, (unsigned)st.comp_method);
			break;
		}
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE) {
			ret = decc_error_set(DECC_EINVAL, "zip entry '%.64s' is encrypted", name);
			break;
		}
		if (st.size > r->lim.max_entry_size) {
			ret =
			    decc_error_set(DECC_ELIMIT,
					   "zip entry '%.64s' declares %llu bytes, over the limit "
					   "%llu",
					   name, (unsigned long long)st.size,
					   (unsigned long long)r->lim.max_entry_size);
			break;
		}
		total += st.size; /* both <= 2^64 / 2 by the limits checked so far */
		if (total > r->lim.max_total_size || total < st.size) {
			ret = decc_error_set(DECC_ELIMIT,
					     "zip entries declare more than %llu bytes in total "
					     "(zip bomb?)",
					     (unsigned long long)r->lim.max_total_size);
			break;
		}
		len = strlen(name);
		ents[i].dir = name[len - 1] == '/';
		ents[i].path = name;
		ents[i].len = ents[i].dir ? len - 1 : len;
		if (ents[i].dir) {
			if (st.size != 0)
				ret = decc_error_set(
				    DECC_EINVAL, "zip directory entry '%.64s' has content", name);
			continue;
		}
		r->leaves[nleaves].name = strdup(name);
		if (!r->leaves[nleaves].name) {
			ret = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		r->leaves[nleaves].index = i;
		r->leaves[nleaves].size = st.size;
		nleaves++;
	}
	r->nleaves = nleaves;
	if (ret == 0)
		ret = check_conflicts(ents, n);
	free(ents);
	return ret;
}

static void set_limits(struct decc_protect_limits *out, const struct decc_protect_limits *in)
{
	out->max_entries = in && in->max_entries ? in->max_entries : DEFAULT_MAX_ENTRIES;
	out->max_entry_size = in && in->max_entry_size ? in->max_entry_size : DEFAULT_MAX_ENTRY;
	out->max_total_size = in && in->max_total_size ? in->max_total_size : DEFAULT_MAX_TOTAL;
	out->max_value_size = in && in->max_value_size ? in->max_value_size : DEFAULT_MAX_VALUE;
}

static int finish_open(struct decc_protect_reader **out, struct decc_protect_reader *r,
		       const char *what)
{
	int ret = check_archive(r);

	if (ret < 0) {
		decc_protect_close(r);
		return decc_error_wrap(ret, "protected data %s", what);
	}
	*out = r;
	return 0;
}

static int zip_open_error(int code, const char *what)
{
	zip_error_t ze;
	int ret;

	if (code == ZIP_ER_EXISTS) /* libzip's own duplicate-name check */
		return decc_error_set(DECC_EINVAL,
				      "protected data %s: two entries have the same name "
				      "(duplicates are refused)",
				      what);
	zip_error_init_with_code(&ze, code);
	ret = decc_error_set(code == ZIP_ER_NOENT			  ? DECC_ENOTFOUND
			     : code == ZIP_ER_OPEN || code == ZIP_ER_READ ? DECC_ERROR
									  : DECC_EINVAL,
			     "protected data %s: not a readable zip archive: %s", what,
			     zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return ret;
}

int decc_protect_open(struct decc_protect_reader **out, const char *path,
		      const struct decc_protect_limits *limits)
{
	struct decc_protect_reader *r;
	int zerr = 0;

	r = calloc(1, sizeof(*r));
	if (!r)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	set_limits(&r->lim, limits);
	r->za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (!r->za) {
		free(r);
		return zip_open_error(zerr, path);
	}
	return finish_open(out, r, path);
}

int decc_protect_open_buf(struct decc_protect_reader **out, const void *data, size_t n,
			  const struct decc_protect_limits *limits)
{
	struct decc_protect_reader *r;
	zip_source_t *src;
	zip_error_t ze;

	r = calloc(1, sizeof(*r));
	if (!r)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	set_limits(&r->lim, limits);
	zip_error_init(&ze);
	src = zip_source_buffer_create(n ? data : "", n, 0, &ze);
	if (src)
		r->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!r->za) {
		int code = zip_error_code_zip(&ze);

		zip_source_free(src);
		zip_error_fini(&ze);
		free(r);
		return zip_open_error(code, "(in memory)");
	}
	zip_error_fini(&ze);
	return finish_open(out, r, "(in memory)");
}

void decc_protect_close(struct decc_protect_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nleaves; i++)
		free(r->leaves[i].name);
	free(r->leaves);
	if (r->za)
		zip_discard(r->za);
	free(r);
}

size_t decc_protect_count(const struct decc_protect_reader *r)
{
	return r->nleaves;
}

const char *decc_protect_name(const struct decc_protect_reader *r, size_t i)
{
	return i < r->nleaves ? r->leaves[i].name : NULL;
}

uint64_t decc_protect_size(const struct decc_protect_reader *r, size_t i)
{
	return i < r->nleaves ? r->leaves[i].size : 0;
}

/* "a.b" (deserializer style) and "a/b" both name entry "a/b". */
static bool same_path(const char *entry, const char *path)
{
	for (; *entry && *path; entry++, path++)
		if (*entry != *path && !(*entry == '/' && *path == '.'))
			return false;
	return *entry == 0 && *path == 0;
}

int decc_protect_find(const struct decc_protect_reader *r, size_t *index, const char *path)
{
	for (size_t i = 0; i < r->nleaves; i++) {
		if (same_path(r->leaves[i].name, path)) {
			*index = i;
			return 0;
		}
	}
	return decc_error_set(DECC_ENOTFOUND, "no value at '%.128s' in the protected data", path);
}

/* Stream leaf i through emit(); checks the byte count against the declared size. */
static int read_leaf(struct decc_protect_reader *r, size_t i,
		     int (*emit)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
	const struct leaf *l;
	zip_file_t *zf;
	uint8_t *buf;
	uint64_t seen = 0;
	int ret = 0;

	if (i >= r->nleaves)
		return decc_error_set(DECC_ENOTFOUND, "no protected data entry %zu", i);
	l = &r->leaves[i];
	zf = zip_fopen_index(r->za, l->index, 0);
	if (!zf)
		return decc_error_set(DECC_EINVAL, "cannot open entry '%.64s': %s", l->name,
				      zip_strerror(r->za));
	buf = malloc(IO_CHUNK);
	if (!buf) {
		zip_fclose(zf);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	for (;;) {
		zip_int64_t got = zip_fread(zf, buf, IO_CHUNK);

		if (got < 0) {
			ret = decc_error_set(DECC_EINVAL, "cannot read entry '%.64s': %s", l->name,
					     zip_file_strerror(zf));
			break;
		}
		if (got == 0)
			break;
		seen += (uint64_t)got;
		if (seen > l->size) {
			ret = decc_error_set(DECC_EINVAL,
					     "entry '%.64s' holds more than its "
					     "declared %llu bytes",
					     l->name, (unsigned long long)l->size);
			break;
		}
		if ((ret = emit(ctx, buf, (size_t)got)) < 0)
			break;
	}
	if (ret == 0 && seen != l->size)
		ret = decc_error_set(DECC_EINVAL, "entry '%.64s' is shorter than its declared size",
				     l->name);
	decc_wipe(buf, IO_CHUNK);
	free(buf);
	zip_fclose(zf);
	return ret;
}

static int emit_buf(void *ctx, const uint8_t *p, size_t n)
{
	return decc_buf_append(ctx, p, n);
}

int decc_protect_read_raw(struct decc_protect_reader *r, struct decc_buf *out, size_t i)
{
	size_t before = out->len;
	int ret;

	if (i < r->nleaves && r->leaves[i].size > r->lim.max_value_size)
		return decc_error_set(DECC_ELIMIT,
				      "entry '%.64s' has %llu bytes, over the in-memory limit %zu "
				      "(extract it to a file instead)",
				      r->leaves[i].name, (unsigned long long)r->leaves[i].size,
				      r->lim.max_value_size);
	ret = read_leaf(r, i, emit_buf, out);
	if (ret < 0) {
		if (out->len > before)
			decc_wipe(out->data + before, out->len - before);
		out->len = before;
		out->data[before] = 0;
	}
	return ret;
}

static int emit_fd(void *ctx, const uint8_t *p, size_t n)
{
	struct decc_protect_out *o = ctx;

	return decc_protect_write_all(o->fd, p, n, o->path);
}

int decc_protect_extract(struct decc_protect_reader *r, const char *out_path, size_t i,
			 unsigned flags)
{
	struct decc_protect_out o;
	int ret;

	if (i >= r->nleaves)
		return decc_error_set(DECC_ENOTFOUND, "no protected data entry %zu", i);
	DECC_TRY(decc_protect_out_open(&o, out_path, flags));
	ret = read_leaf(r, i, emit_fd, &o);
	if (ret < 0) {
		decc_protect_out_abort(&o);
		return ret;
	}
	return decc_protect_out_commit(&o);
}

int decc_protect_get(struct decc_protect_reader *r, struct decc_protect_value *out,
		     const char *path, const char *type, enum decc_protect_mode mode)
{
	struct decc_buf raw;
	size_t i = 0;
	int ret;

	DECC_TRY(decc_protect_find(r, &i, path));
	decc_buf_init_secret(&raw, SIZE_MAX);
	ret = decc_protect_read_raw(r, &raw, i);
	if (ret == 0)
		ret = decc_protect_decode(out, type, mode, raw.data, raw.len);
	decc_buf_release(&raw);
	if (ret < 0)
		return decc_error_wrap(ret, "'%.128s'", path);
	return 0;
}

/* ---- schema ---- */
struct schema_ent {
	char *path;
	char *type;
};

struct decc_protect_schema {
	struct schema_ent *ents;
	size_t n, cap;
};

static int schema_walk(struct decc_protect_schema *s, json_t *obj, const char *prefix, int depth)
{
	const char *key;
	json_t *v;

	if (depth > 64)
		return decc_error_set(DECC_ELIMIT, "schema nested deeper than 64");
	json_object_foreach(obj, key, v)
	{
		char path[MAX_NAME];
		int n = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", key);

		if (n < 0 || (size_t)n >= sizeof(path))
			return decc_error_set(DECC_ELIMIT, "schema path too long");
		if (!decc_protect_key_valid(key, strlen(key)))
			return decc_error_set(DECC_EINVAL, "schema key '%.64s' is not a valid key",
					      path);
		if (json_is_object(v)) {
			DECC_TRY(schema_walk(s, v, path, depth + 1));
			continue;
		}
		if (!json_is_string(v) || !decc_protect_type_valid(json_string_value(v)))
			return decc_error_set(DECC_EINVAL,
					      "schema '%.64s': unsupported type (expected bool, "
					      "f64, i128, string or a supported MIME type)",
					      path);
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			struct schema_ent *ne = realloc(s->ents, cap * sizeof(*ne));

			if (!ne)
				return decc_error_set(DECC_ENOMEM, "out of memory");
			s->ents = ne;
			s->cap = cap;
		}
		s->ents[s->n].path = strdup(path);
		s->ents[s->n].type = strdup(json_string_value(v));
		if (!s->ents[s->n].path || !s->ents[s->n].type) {
			free(s->ents[s->n].path);
			free(s->ents[s->n].type);
			return decc_error_set(DECC_ENOMEM, "out of memory");
		}
		s->n++;
	}
	return 0;
}

int decc_protect_schema_parse(struct decc_protect_schema **out, const char *json, size_t len)
{
	struct decc_protect_schema *s;
	json_error_t jerr;
	json_t *root;
	int r;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return decc_error_set(DECC_EINVAL, "schema JSON, line %d: %s", jerr.line,
				      jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return decc_error_set(DECC_EINVAL, "schema must be a JSON object");
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		json_decref(root);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	r = schema_walk(s, root, "", 0);
	json_decref(root);
	if (r < 0) {
		decc_protect_schema_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void decc_protect_schema_free(struct decc_protect_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->ents[i].path);
		free(s->ents[i].type);
	}
	free(s->ents);
	free(s);
}

const char *decc_protect_schema_type(const struct decc_protect_schema *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (same_path(s->ents[i].path, path))
			return s->ents[i].type;
	return NULL;
}
