/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON documents of an image: index.json, the manifest, the config, and docker-save's
 * manifest.json. Every field is type-checked; unknown fields are ignored, as the OCI image spec
 * asks.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decc/error.h"
#include "oci/internal.h"

#define MAX_LAYERS 1024

bool oci_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int load(json_t **out, const char *json, size_t n, const char *what)
{
	json_error_t e;
	json_t *j;

	DECC_ENSURE(n <= DECC_OCI_JSON_MAX, DECC_ELIMIT, "%s: larger than %zu bytes", what,
		    DECC_OCI_JSON_MAX);
	j = json_loadb(json, n, JSON_REJECT_DUPLICATES, &e);
	DECC_ENSURE(j, DECC_EINVAL, "%s: invalid JSON: %s (line %d)", what, e.text, e.line);
	if (!json_is_object(j)) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL, "%s: not a JSON object", what);
	}
	*out = j;
	return 0;
}

/* A JSON array of strings (or null / absent) into a NULL-terminated vector. */
static int strv_from(char ***out, json_t *a, const char *what, size_t max)
{
	char **v = NULL;
	size_t n = 0, i;
	json_t *x;

	*out = NULL;
	if (!a || json_is_null(a))
		return 0;
	DECC_ENSURE(json_is_array(a), DECC_EINVAL, "config: %s is not an array", what);
	DECC_ENSURE(json_array_size(a) <= max, DECC_ELIMIT, "config: %s has more than %zu entries",
		    what, max);
	v = calloc(1, sizeof(*v));
	if (!v)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	json_array_foreach(a, i, x)
	{
		int r;

		if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x)) {
			decc_oci_strv_free(v);
			return decc_error_set(DECC_EINVAL, "config: %s[%zu] is not a string", what,
					      i);
		}
		r = oci_strv_push(&v, &n, strdup(json_string_value(x)));
		if (r < 0) {
			decc_oci_strv_free(v);
			return r;
		}
	}
	*out = v;
	return 0;
}

static int str_from(char **out, json_t *s, const char *what)
{
	*out = NULL;
	if (!s || json_is_null(s))
		return 0;
	DECC_ENSURE(json_is_string(s) && strlen(json_string_value(s)) == json_string_length(s),
		    DECC_EINVAL, "%s is not a string", what);
	*out = strdup(json_string_value(s));
	DECC_ENSURE(*out, DECC_ENOMEM, "out of memory");
	return 0;
}

void decc_oci_config_release(struct decc_oci_config *c)
{
	decc_oci_strv_free(c->entrypoint);
	decc_oci_strv_free(c->cmd);
	decc_oci_strv_free(c->env);
	decc_oci_strv_free(c->diff_ids);
	free(c->workdir);
	free(c->user);
	free(c->os);
	free(c->architecture);
	memset(c, 0, sizeof(*c));
}

int decc_oci_config_parse(struct decc_oci_config *out, const char *json, size_t n)
{
	struct decc_oci_config c = { 0 };
	json_t *j, *cfg, *rootfs;
	int r;

	DECC_TRY(load(&j, json, n, "image config"));
	cfg = json_object_get(j, "config");
	if (cfg && !json_is_null(cfg) && !json_is_object(cfg)) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL, "image config: 'config' is not an object");
	}
	if (json_is_null(cfg))
		cfg = NULL;
	r = strv_from(&c.entrypoint, cfg ? json_object_get(cfg, "Entrypoint") : NULL, "Entrypoint",
		      4096);
	if (r == 0)
		r = strv_from(&c.cmd, cfg ? json_object_get(cfg, "Cmd") : NULL, "Cmd", 4096);
	if (r == 0)
		r = strv_from(&c.env, cfg ? json_object_get(cfg, "Env") : NULL, "Env", 4096);
	for (size_t i = 0; r == 0 && c.env && c.env[i]; i++)
		if (!strchr(c.env[i], '=') || c.env[i][0] == '=')
			r = decc_error_set(DECC_EINVAL, "image config: Env[%zu] is not NAME=value",
					   i);
	if (r == 0)
		r = str_from(&c.workdir, cfg ? json_object_get(cfg, "WorkingDir") : NULL,
			     "image config: WorkingDir");
	if (r == 0)
		r = str_from(&c.user, cfg ? json_object_get(cfg, "User") : NULL,
			     "image config: User");
	if (r == 0)
		r = str_from(&c.os, json_object_get(j, "os"), "image config: os");
	if (r == 0)
		r = str_from(&c.architecture, json_object_get(j, "architecture"),
			     "image config: architecture");
	rootfs = json_object_get(j, "rootfs");
	if (r == 0 && rootfs) {
		if (!json_is_object(rootfs))
			r = decc_error_set(DECC_EINVAL, "image config: rootfs is not an object");
		else
			r = strv_from(&c.diff_ids, json_object_get(rootfs, "diff_ids"),
				      "rootfs.diff_ids", MAX_LAYERS);
	}
	for (size_t i = 0; r == 0 && c.diff_ids && c.diff_ids[i]; i++)
		if (!oci_digest_valid(c.diff_ids[i]))
			r = decc_error_set(DECC_EINVAL,
					   "image config: diff_ids[%zu] is not a sha256 digest", i);
	json_decref(j);
	if (r < 0) {
		decc_oci_config_release(&c);
		return r;
	}
	*out = c;
	return 0;
}

void oci_descriptor_release(struct decc_oci_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	d->media_type = d->digest = NULL;
}

static int descriptor(struct decc_oci_descriptor *d, json_t *o, const char *what)
{
	json_t *size;
	int r;

	memset(d, 0, sizeof(*d));
	DECC_ENSURE(json_is_object(o), DECC_EINVAL, "%s: not an object", what);
	size = json_object_get(o, "size");
	DECC_ENSURE(json_is_integer(size) && json_integer_value(size) >= 0, DECC_EINVAL,
		    "%s: size missing or negative", what);
	d->size = (uint64_t)json_integer_value(size);
	r = str_from(&d->media_type, json_object_get(o, "mediaType"), what);
	if (r == 0)
		r = str_from(&d->digest, json_object_get(o, "digest"), what);
	if (r == 0 && !oci_digest_valid(d->digest))
		r = decc_error_set(DECC_EINVAL, "%s: digest is not \"sha256:<64 hex>\"", what);
	if (r < 0)
		oci_descriptor_release(d);
	return r;
}

static bool layer_type_ok(const char *mt)
{
	static const char *const ok[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.diff.tar",
	};

	if (!mt)
		return true; /* the layer is sniffed when unpacked */
	for (size_t i = 0; i < DECC_ARRAY_SIZE(ok); i++)
		if (strcmp(mt, ok[i]) == 0)
			return true;
	return false;
}

void decc_oci_manifest_release(struct decc_oci_manifest *m)
{
	oci_descriptor_release(&m->config);
	for (size_t i = 0; i < m->nlayers; i++)
		oci_descriptor_release(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

int decc_oci_manifest_parse(struct decc_oci_manifest *out, const char *json, size_t n)
{
	struct decc_oci_manifest m = { 0 };
	json_t *j, *layers, *x, *mt;
	size_t i;
	int r;

	DECC_TRY(load(&j, json, n, "image manifest"));
	mt = json_object_get(j, "mediaType");
	if (mt && json_is_string(mt) && strstr(json_string_value(mt), "index")) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL,
				      "image manifest: this is an index (%s), not a "
				      "manifest",
				      json_string_value(mt));
	}
	r = descriptor(&m.config, json_object_get(j, "config"), "image manifest: config");
	layers = json_object_get(j, "layers");
	if (r == 0 && !json_is_array(layers))
		r = decc_error_set(DECC_EINVAL, "image manifest: layers is not an array");
	if (r == 0 && json_array_size(layers) > MAX_LAYERS)
		r = decc_error_set(DECC_ELIMIT, "image manifest: more than %d layers", MAX_LAYERS);
	if (r == 0 && json_array_size(layers)) {
		m.layers = calloc(json_array_size(layers), sizeof(*m.layers));
		if (!m.layers)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r == 0) {
		json_array_foreach(layers, i, x)
		{
			r = descriptor(&m.layers[i], x, "image manifest: layer");
			if (r < 0)
				break;
			m.nlayers++;
			if (!layer_type_ok(m.layers[i].media_type)) {
				r = decc_error_set(DECC_EINVAL,
						   "image manifest: layer %zu has media type %s; "
						   "only tar and tar+gzip layers are supported",
						   i, m.layers[i].media_type);
				break;
			}
		}
	}
	json_decref(j);
	if (r < 0) {
		decc_oci_manifest_release(&m);
		return r;
	}
	*out = m;
	return 0;
}

/* Prefer linux/amd64 when an index lists several manifests; else take the only one. */
int oci_index_pick(struct decc_oci_descriptor *out, const char *json, size_t n)
{
	json_t *j, *ms, *x, *pick = NULL;
	size_t i;
	int r;

	DECC_TRY(load(&j, json, n, "index.json"));
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL, "index.json: no manifests");
	}
	json_array_foreach(ms, i, x)
	{
		json_t *p = json_is_object(x) ? json_object_get(x, "platform") : NULL;
		const char *mt =
		    json_is_object(x) ? json_string_value(json_object_get(x, "mediaType")) : NULL;

		if (mt && strstr(mt, "index"))
			continue; /* nested indexes (multi-arch) are not followed */
		if (json_is_object(p)) {
			const char *os = json_string_value(json_object_get(p, "os"));
			const char *arch = json_string_value(json_object_get(p, "architecture"));

			if (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, "amd64") == 0) {
				pick = x;
				break;
			}
			continue;
		}
		if (!pick)
			pick = x;
	}
	if (!pick) {
		json_decref(j);
		return decc_error_set(DECC_ENOTFOUND,
				      "index.json: no linux/amd64 image manifest (nested indexes "
				      "are not followed)");
	}
	r = descriptor(out, pick, "index.json: manifest");
	json_decref(j);
	return r;
}

int oci_docker_manifest_parse(char **config, char ***layers, size_t *nlayers, const char *json,
			      size_t n)
{
	json_error_t e;
	json_t *j, *first, *ls, *x;
	char **v = NULL;
	size_t i, nv = 0;
	int r = 0;

	DECC_ENSURE(n <= DECC_OCI_JSON_MAX, DECC_ELIMIT, "manifest.json: too large");
	j = json_loadb(json, n, JSON_REJECT_DUPLICATES, &e);
	DECC_ENSURE(j, DECC_EINVAL, "manifest.json: invalid JSON: %s", e.text);
	first = json_is_array(j) ? json_array_get(j, 0) : NULL;
	if (!json_is_object(first) || !json_is_string(json_object_get(first, "Config")) ||
	    !json_is_array(ls = json_object_get(first, "Layers")) ||
	    json_array_size(ls) > MAX_LAYERS) {
		json_decref(j);
		return decc_error_set(DECC_EINVAL, "manifest.json: expected [{\"Config\": ..., "
						   "\"Layers\": [...]}]");
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		r = decc_error_set(DECC_ENOMEM, "out of memory");
	json_array_foreach(ls, i, x)
	{
		if (r < 0)
			break;
		if (!json_is_string(x))
			r = decc_error_set(DECC_EINVAL,
					   "manifest.json: Layers[%zu] is not a string", i);
		else
			r = oci_strv_push(&v, &nv, strdup(json_string_value(x)));
	}
	if (r == 0) {
		*config = strdup(json_string_value(json_object_get(first, "Config")));
		if (!*config)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	json_decref(j);
	if (r < 0) {
		decc_oci_strv_free(v);
		return r;
	}
	*layers = v;
	*nlayers = nv;
	return 0;
}
