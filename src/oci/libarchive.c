/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libarchive, loaded on first use.
 *
 * Why: libarchive.so links libxml2, which links ICU and libstdc++; loaded at start they cost every
 * decc process ~2.3 MiB of resident memory (symbol tables, relocations, C++ static
 * constructors) although only image builds and rootfs unpacking use them. decc is therefore not
 * linked against libarchive: this file defines the libarchive functions the oci layer calls, each
 * forwarding to the library that oci_archive_load() opened with dlopen(). The prototypes come from
 * <archive.h>, so the compiler checks that they match the library's.
 *
 * Every entry point of the layer calls oci_archive_load() first and reports its error, so the
 * forwarding functions run only once the library is there.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>

#include "decc/error.h"
#include "oci/internal.h"

#define LIBARCHIVE_SONAME "libarchive.so.13"

/* X(return type, name, (parameters), (arguments)) for every function but archive_set_error:
 * those returning nothing */
#define OCI_ARCHIVE_VOID(X)                                                                        \
	X(void, archive_entry_free, (struct archive_entry * e), (e))                               \
	X(void, archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))    \
	X(void, archive_entry_set_gid, (struct archive_entry * e, la_int64_t g), (e, g))           \
	X(void, archive_entry_set_mtime, (struct archive_entry * e, time_t s, long ns),            \
	  (e, s, ns))                                                                              \
	X(void, archive_entry_set_pathname, (struct archive_entry * e, const char *p), (e, p))     \
	X(void, archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T m), (e, m))         \
	X(void, archive_entry_set_size, (struct archive_entry * e, la_int64_t s), (e, s))          \
	X(void, archive_entry_set_symlink, (struct archive_entry * e, const char *p), (e, p))      \
	X(void, archive_entry_set_uid, (struct archive_entry * e, la_int64_t u), (e, u))

/* the others */
#define OCI_ARCHIVE_FUNCTIONS(X)                                                                   \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))                    \
	X(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))                   \
	X(struct archive_entry *, archive_entry_new, (void), ())                                   \
	X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                   \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))                        \
	X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                         \
	X(const char *, archive_entry_symlink, (struct archive_entry * e), (e))                    \
	X(const char *, archive_error_string, (struct archive * a), (a))                           \
	X(int, archive_read_data_block,                                                            \
	  (struct archive * a, const void **b, size_t *n, la_int64_t *off), (a, b, n, off))        \
	X(int, archive_read_free, (struct archive * a), (a))                                       \
	X(struct archive *, archive_read_new, (void), ())                                          \
	X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e))  \
	X(int, archive_read_open,                                                                  \
	  (struct archive * a, void *d, archive_open_callback *o, archive_read_callback *r,        \
	   archive_close_callback *c),                                                             \
	  (a, d, o, r, c))                                                                         \
	X(int, archive_read_open_memory, (struct archive * a, const void *b, size_t n), (a, b, n)) \
	X(int, archive_read_support_filter_gzip, (struct archive * a), (a))                        \
	X(int, archive_read_support_filter_zstd, (struct archive * a), (a))                        \
	X(int, archive_read_support_format_tar, (struct archive * a), (a))                         \
	X(int, archive_write_add_filter_gzip, (struct archive * a), (a))                           \
	X(int, archive_write_close, (struct archive * a), (a))                                     \
	X(la_ssize_t, archive_write_data, (struct archive * a, const void *b, size_t n),           \
	  (a, b, n))                                                                               \
	X(int, archive_write_free, (struct archive * a), (a))                                      \
	X(int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e))       \
	X(struct archive *, archive_write_new, (void), ())                                         \
	X(int, archive_write_open2,                                                                \
	  (struct archive * a, void *d, archive_open_callback *o, archive_write_callback *w,       \
	   archive_close_callback *c, archive_free_callback *f),                                   \
	  (a, d, o, w, c, f))                                                                      \
	X(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))         \
	X(int, archive_write_set_filter_option,                                                    \
	  (struct archive * a, const char *m, const char *o, const char *v), (a, m, o, v))         \
	X(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))

#define FIELD(ret, name, params, args) ret(*name) params;
static struct {
	OCI_ARCHIVE_VOID(FIELD)
	OCI_ARCHIVE_FUNCTIONS(FIELD)
	void (*archive_set_error)(struct archive *, int, const char *, ...);
} lib;
#undef FIELD

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256] = "not loaded"; /* emptied once every symbol was found */

static void load(void)
{
	void *h = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
#define RESOLVE(ret, name, params, args)                                                           \
	if (!(*(void **)&lib.name = dlsym(h, #name))) {                                            \
		snprintf(load_error, sizeof(load_error), "%s has no %s", LIBARCHIVE_SONAME,        \
			 #name);                                                                   \
		return;                                                                            \
	}
	OCI_ARCHIVE_VOID(RESOLVE)
	OCI_ARCHIVE_FUNCTIONS(RESOLVE)
	RESOLVE(void, archive_set_error, (), ())
#undef RESOLVE
	load_error[0] = '\0';
}

int oci_archive_load(void)
{
	pthread_once(&load_once, load);
	if (load_error[0])
		return decc_error_set(DECC_ENOTFOUND,
				      "images need libarchive (%s), which cannot be loaded: %s "
				      "(install Debian's libarchive13, or run scripts/setup.sh)",
				      LIBARCHIVE_SONAME, load_error);
	return 0;
}

/* A function of the library, loaded if no entry point did it yet (test programs calling libarchive
 * directly); abort() if it cannot be: the layer's entry points call oci_archive_load() first and
 * report its error, so that happens only in a program that skipped the check. */
#define resolved(fn)                                                                               \
	do {                                                                                       \
		pthread_once(&load_once, load);                                                    \
		if (!(fn))                                                                         \
			abort();                                                                   \
	} while (0)

#define FORWARD(ret, name, params, args)                                                           \
	ret name params                                                                            \
	{                                                                                          \
		resolved(lib.name);                                                                \
		return lib.name args;                                                              \
	}
OCI_ARCHIVE_FUNCTIONS(FORWARD)
#undef FORWARD

#define FORWARD_VOID(ret, name, params, args)                                                      \
	void name params                                                                           \
	{                                                                                          \
		resolved(lib.name);                                                                \
		lib.name args;                                                                     \
	}
OCI_ARCHIVE_VOID(FORWARD_VOID)
#undef FORWARD_VOID

void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resolved(lib.archive_set_error);
	lib.archive_set_error(a, err, "%s", msg);
}
