/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iexec_args splitting and the run parameters of an image (argv, env, cwd, user), as Docker
 * derives them from Entrypoint, Cmd, Env, WorkingDir and User.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/error.h"
#include "decc/oci.h"
#include "decc/sandbox.h"
#include "oci/internal.h"

#define ARGS_MAX_WORDS 4096
#define ARGS_MAX_BYTES ((size_t)1 << 20)
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void decc_oci_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int oci_strv_push(char ***v, size_t *n, char *owned)
{
	char **nv;

	if (!owned)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	nv = realloc(*v, (*n + 2) * sizeof(**v));
	if (!nv) {
		free(owned);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	nv[(*n)++] = owned;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int decc_oci_split_args(char ***out, size_t *nout, const char *s)
{
	size_t len = s ? strlen(s) : 0, wl = 0, n = 0;
	char **v = NULL, *word;
	bool in_word = false;
	int r = 0;

	DECC_ENSURE(len <= ARGS_MAX_BYTES, DECC_ELIMIT, "arguments: longer than %zu bytes",
		    ARGS_MAX_BYTES);
	word = malloc(len + 1);
	if (!word)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	v = calloc(1, sizeof(*v));
	if (!v) {
		free(word);
		return decc_error_set(DECC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < len && r == 0;) {
		char c = s[i];

		if (blank(c)) {
			if (in_word) {
				word[wl] = 0;
				if (n >= ARGS_MAX_WORDS)
					r = decc_error_set(DECC_ELIMIT,
							   "arguments: more than %d words",
							   ARGS_MAX_WORDS);
				else
					r = oci_strv_push(&v, &n, strdup(word));
				in_word = false;
				wl = 0;
			}
			i++;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *end = strchr(s + i + 1, '\'');

			if (!end) {
				r = decc_error_set(
				    DECC_EINVAL, "arguments: unbalanced single quote at offset %zu",
				    i);
				break;
			}
			memcpy(word + wl, s + i + 1, (size_t)(end - s - (ptrdiff_t)i - 1));
			wl += (size_t)(end - s - (ptrdiff_t)i - 1);
			i = (size_t)(end - s) + 1;
		} else if (c == '"') {
			size_t start = i++;

			for (;;) {
				if (i >= len) {
					r = decc_error_set(
					    DECC_EINVAL,
					    "arguments: unbalanced double quote at offset %zu",
					    start);
					break;
				}
				if (s[i] == '"') {
					i++;
					break;
				}
				if (s[i] == '\\' && i + 1 < len && strchr("\"\\$`\n", s[i + 1])) {
					if (s[i + 1] != '\n')
						word[wl++] = s[i + 1];
					i += 2;
					continue;
				}
				word[wl++] = s[i++];
			}
		} else if (c == '\\') {
			if (i + 1 >= len) {
				r = decc_error_set(DECC_EINVAL, "arguments: trailing backslash");
				break;
			}
			if (s[i + 1] != '\n')
				word[wl++] = s[i + 1];
			else if (wl == 0)
				in_word = false; /* a line continuation alone makes no word */
			i += 2;
		} else {
			word[wl++] = c;
			i++;
		}
	}
	if (r == 0 && in_word) {
		word[wl] = 0;
		if (n >= ARGS_MAX_WORDS)
			r = decc_error_set(DECC_ELIMIT, "arguments: more than %d words",
					   ARGS_MAX_WORDS);
		else
			r = oci_strv_push(&v, &n, strdup(word));
	}
	free(word);
	if (r < 0) {
		decc_oci_strv_free(v);
		return r;
	}
	*out = v;
	if (nout)
		*nout = n;
	return 0;
}

static int strv_copy_into(char ***dst, size_t *n, char *const *src)
{
	for (size_t i = 0; src && src[i]; i++)
		DECC_TRY(oci_strv_push(dst, n, strdup(src[i])));
	return 0;
}

/* Put NAME=value in env, replacing an entry with the same name. */
static int env_set(char ***env, size_t *n, const char *entry)
{
	size_t kl = strcspn(entry, "=");

	DECC_ENSURE(kl > 0 && entry[kl] == '=', DECC_EINVAL,
		    "environment entry '%.40s' is not NAME=value", entry);
	for (size_t i = 0; i < *n; i++)
		if (strncmp((*env)[i], entry, kl + 1) == 0) {
			char *c = strdup(entry);

			if (!c)
				return decc_error_set(DECC_ENOMEM, "out of memory");
			free((*env)[i]);
			(*env)[i] = c;
			return 0;
		}
	return oci_strv_push(env, n, strdup(entry));
}

static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Look a user or group name up in <rootfs>/etc/passwd or /etc/group (field 3 = the id). */
static int lookup_name(uint32_t *out, uint32_t *group, const char *rootfs, const char *file,
		       const char *name, size_t nl)
{
	char path[4096], line[1024];
	FILE *f;

	if (!rootfs)
		return decc_error_set(DECC_ENOTFOUND, "image user '%.*s': no rootfs to look it up",
				      (int)nl, name);
	snprintf(path, sizeof(path), "%s/etc/%s", rootfs, file);
	f = fopen(path, "re");
	if (!f)
		return decc_error_set(DECC_ENOTFOUND, "image user '%.*s': no /etc/%s in the image",
				      (int)nl, name, file);
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *c3;

		if (!c1 || (size_t)(c1 - line) != nl || strncmp(line, name, nl) != 0)
			continue;
		c2 = strchr(c1 + 1, ':');
		c3 = c2 ? strchr(c2 + 1, ':') : NULL;
		if (c3 && parse_u32(c2 + 1, (size_t)(c3 - c2 - 1), out)) {
			char *c4 = strchr(c3 + 1, ':');

			/* passwd: the 4th field is the user's primary group */
			if (group && (!c4 || !parse_u32(c3 + 1, (size_t)(c4 - c3 - 1), group)))
				continue;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return decc_error_set(DECC_ENOTFOUND, "image user '%.*s' is not in /etc/%s", (int)nl, name,
			      file);
}

static int resolve_user(uint32_t *uid, uint32_t *gid, const char *user, const char *rootfs)
{
	const char *colon;
	size_t ul;

	*uid = *gid = 0;
	if (!user || !*user)
		goto nobody;
	colon = strchr(user, ':');
	ul = colon ? (size_t)(colon - user) : strlen(user);
	if (parse_u32(user, ul, uid))
		*gid = *uid; /* numeric without a group: the same number */
	else if (ul == 4 && strncmp(user, "root", 4) == 0)
		*uid = *gid = 0; /* no /etc/passwd needed to know root (made 65534 below) */
	else
		DECC_TRY(lookup_name(uid, gid, rootfs, "passwd", user, ul)); /* + primary group */
	if (colon && !parse_u32(colon + 1, strlen(colon + 1), gid))
		DECC_TRY(lookup_name(gid, NULL, rootfs, "group", colon + 1, strlen(colon + 1)));
nobody:
	/* root inside would still be powerless (no capabilities), but apps never need it */
	if (*uid == 0)
		*uid = DECC_SANDBOX_NOBODY;
	if (*gid == 0)
		*gid = DECC_SANDBOX_NOBODY;
	return 0;
}

void decc_oci_run_release(struct decc_oci_run *r)
{
	decc_oci_strv_free(r->argv);
	decc_oci_strv_free(r->env);
	free(r->cwd);
	r->argv = r->env = NULL;
	r->cwd = NULL;
}

int decc_oci_run_params(struct decc_oci_run *out, const struct decc_oci_config *cfg,
			const char *rootfs, const char *iexec_args, const char *const *extra_env)
{
	struct decc_oci_run run = { 0 };
	char **args = NULL;
	size_t n = 0, ne = 0;
	bool have_path = false;
	int r;

	if (iexec_args && *iexec_args)
		DECC_TRY(decc_oci_split_args(&args, NULL, iexec_args));
	r = strv_copy_into(&run.argv, &n, cfg->entrypoint);
	if (r == 0)
		r = strv_copy_into(&run.argv, &n, args ? args : cfg->cmd);
	decc_oci_strv_free(args);
	if (r == 0 && n == 0)
		r = decc_error_set(DECC_EINVAL,
				   "image has no Entrypoint nor Cmd and no arguments were given");
	for (size_t i = 0; r == 0 && cfg->env && cfg->env[i]; i++)
		r = env_set(&run.env, &ne, cfg->env[i]);
	for (size_t i = 0; r == 0 && i < ne; i++)
		have_path |= strncmp(run.env[i], "PATH=", 5) == 0;
	if (r == 0 && !have_path)
		r = env_set(&run.env, &ne, DEFAULT_PATH);
	for (size_t i = 0; r == 0 && extra_env && extra_env[i]; i++)
		r = env_set(&run.env, &ne, extra_env[i]);
	if (r == 0) {
		run.cwd = strdup(cfg->workdir && cfg->workdir[0] == '/' ? cfg->workdir : "/");
		if (!run.cwd)
			r = decc_error_set(DECC_ENOMEM, "out of memory");
	}
	if (r == 0)
		r = resolve_user(&run.uid, &run.gid, cfg->user, rootfs);
	if (r == 0 && !run.env)
		r = oci_strv_push(&run.env, &ne, strdup(DEFAULT_PATH));
	if (r < 0) {
		decc_oci_run_release(&run);
		return r;
	}
	*out = run;
	return 0;
}
