/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying a layer tar onto a rootfs directory. libarchive only reads the tar; every write is
 * ours, relative to a directory descriptor of the rootfs, with the parent directory of each
 * entry resolved by openat2(RESOLVE_IN_ROOT): the kernel treats the rootfs as "/" for that
 * lookup, so neither "../" in a symlink nor an absolute symlink target can lead outside. The
 * last component is then handled with *at() calls that never follow it.
 *
 * A layer is read twice: first its whiteouts are applied (they only delete what lower layers
 * made, so doing them first is exact even for an opaque directory whose new content is in the
 * same layer), then its other entries are extracted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "decc/crypto.h"
#include "decc/error.h"
#include "decc/hex.h"
#include "oci/internal.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

int oci_open_in_root(int dirfd, const char *rel, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.resolve =
				    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };

	if (!*rel)
		rel = ".";
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

static int remove_children(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (oci_remove_at(dirfd(d), e->d_name) < 0)
			r = -1;
	}
	closedir(d);
	return r;
}

int oci_remove_at(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fchmod(fd, st.st_mode | S_IRWXU); /* read-only directories of an image */
	if (remove_children(fd) < 0)
		return -1;
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

/*
 * Normalise an entry name into out ("a/b/c"): "." and empty components dropped; an absolute
 * name or a ".." component is refused. Returns 1 for the root itself.
 */
static int clean_name(char *out, size_t cap, const char *name)
{
	size_t o = 0;

	if (!name)
		return decc_error_set(DECC_EINVAL, "layer: an entry has no name");
	if (name[0] == '/')
		return decc_error_set(DECC_EINVAL, "layer: absolute entry name '%.200s' refused",
				      name);
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return decc_error_set(
			    DECC_EINVAL, "layer: entry name '%.200s' has a '..' component", name);
		if (n && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > cap)
				return decc_error_set(DECC_ELIMIT, "layer: entry name too long");
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[o] = 0;
	return o == 0 ? 1 : 0;
}

/* Split "a/b/c" into parent "a/b" (in place) and base "c". */
static const char *split_base(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		memmove(path + 2, path, strlen(path) + 1);
		path[0] = '.';
		path[1] = 0;
		return path + 2;
	}
	*slash = 0;
	return slash + 1;
}

/* The directory parent (relative to root), created (0755) where missing. */
static int open_parent(int rootfd, const char *parent, bool create)
{
	char buf[PATH_MAX];
	size_t len;
	int fd = oci_open_in_root(rootfd, parent, O_PATH | O_DIRECTORY);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	/* create each missing component, each one resolved inside the root again */
	len = strlen(parent);
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, parent, len + 1);
	for (size_t i = 0; i <= len; i++) {
		int pfd;
		const char *base;
		char save;

		if (buf[i] != '/' && buf[i] != 0)
			continue;
		save = buf[i];
		buf[i] = 0;
		fd = oci_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			char tmp[PATH_MAX];

			memcpy(tmp, buf, i + 1);
			base = split_base(tmp);
			pfd = oci_open_in_root(rootfd, tmp, O_PATH | O_DIRECTORY);
			if (pfd < 0)
				return -1;
			if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST) {
				close(pfd);
				return -1;
			}
			close(pfd);
			fd = oci_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
		}
		buf[i] = save;
		if (fd < 0)
			return -1;
		if (save)
			close(fd);
	}
	return fd;
}

struct src {
	int fd;
	struct decc_sha256 *h;
	uint64_t read;
	uint8_t buf[65536];
	bool failed;
};

static la_ssize_t src_read(struct archive *a, void *opaque, const void **out)
{
	struct src *s = opaque;
	ssize_t n;

	do {
		n = read(s->fd, s->buf, sizeof(s->buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->failed = true;
		if (a)
			archive_set_error(a, errno, "read failed");
		return -1;
	}
	if (s->h && n > 0 && decc_sha256_update(s->h, s->buf, (size_t)n) < 0) {
		s->failed = true;
		if (a)
			archive_set_error(a, EIO, "hash failed");
		return -1;
	}
	s->read += (uint64_t)n;
	*out = s->buf;
	return n;
}

struct apply {
	int rootfd;
	const struct decc_oci_limits *lim;
	uint64_t *bytes, *entries;
	bool whiteouts; /* pass 1: whiteouts only; pass 2: everything else */
	uint64_t entries_here;
};

static int whiteout(struct apply *ap, char *path, const char *base)
{
	int dfd = open_parent(ap->rootfd, path, false), r = 0;

	if (dfd < 0)
		return 0; /* nothing below to hide */
	if (strcmp(base, WH_OPAQUE) == 0) {
		int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 || remove_children(fd) < 0)
			r = decc_error_set(DECC_ERROR, "layer: opaque whiteout of %s: %s", path,
					   strerror(errno));
	} else if (base[strlen(WH_PREFIX)] == 0 || strcmp(base + strlen(WH_PREFIX), ".") == 0 ||
		   strcmp(base + strlen(WH_PREFIX), "..") == 0) {
		r = decc_error_set(DECC_EINVAL, "layer: malformed whiteout '%s'", base);
	} else if (oci_remove_at(dfd, base + strlen(WH_PREFIX)) < 0) {
		r = decc_error_set(DECC_ERROR, "layer: whiteout of %s/%s: %s", path,
				   base + strlen(WH_PREFIX), strerror(errno));
	}
	close(dfd);
	return r;
}

static int write_file(struct apply *ap, struct archive *a, int dfd, const char *base, mode_t mode,
		      int64_t size)
{
	const void *blk;
	size_t n;
	la_int64_t off;
	int fd, r;

	/* the declared size counts, so sparse files cannot hide a huge length */
	if (size < 0 || (uint64_t)size > ap->lim->unpacked_bytes ||
	    *ap->bytes > ap->lim->unpacked_bytes - (uint64_t)size)
		return decc_error_set(DECC_ELIMIT,
				      "layer: the image unpacks to more than %llu bytes",
				      (unsigned long long)ap->lim->unpacked_bytes);
	*ap->bytes += (uint64_t)size;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return decc_error_set(DECC_ERROR, "layer: cannot create %s: %s", base,
				      strerror(errno));
	while ((r = archive_read_data_block(a, &blk, &n, &off)) == ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off > (uint64_t)size ||
		    n > (uint64_t)size - (uint64_t)off) {
			close(fd);
			return decc_error_set(DECC_EINVAL, "layer: %s has data beyond its size",
					      base);
		}
		if (pwrite(fd, blk, n, off) != (ssize_t)n) {
			close(fd);
			return decc_error_set(DECC_ERROR, "layer: cannot write %s: %s", base,
					      strerror(errno));
		}
	}
	if (r != ARCHIVE_EOF) {
		close(fd);
		return decc_error_set(DECC_EINVAL, "layer: reading %s: %s", base,
				      archive_error_string(a));
	}
	/* a sparse file may end with a hole */
	if (ftruncate(fd, size) < 0 || fchmod(fd, mode) < 0) {
		close(fd);
		return decc_error_set(DECC_ERROR, "layer: cannot finish %s: %s", base,
				      strerror(errno));
	}
	close(fd);
	return 0;
}

static int extract(struct apply *ap, struct archive *a, struct archive_entry *e, char *path,
		   const char *base)
{
	mode_t type = archive_entry_filetype(e);
	mode_t perm = archive_entry_perm(e) & 07777;
	const char *hl = archive_entry_hardlink(e);
	struct stat st;
	int dfd, r = 0;

	if (!hl && type != AE_IFDIR && type != AE_IFREG && type != AE_IFLNK)
		return 0; /* device nodes, fifos, sockets: never created */
	perm &= ~(mode_t)(S_ISUID | S_ISGID);
	dfd = open_parent(ap->rootfd, path, true);
	if (dfd < 0)
		return decc_error_set(DECC_ERROR, "layer: cannot open the directory of %s/%s: %s",
				      path, base, strerror(errno));
	if (type == AE_IFDIR && !hl) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
		    oci_remove_at(dfd, base) < 0)
			r = decc_error_set(DECC_ERROR, "layer: cannot replace %s", base);
		if (r == 0 && mkdirat(dfd, base, 0700) < 0 && errno != EEXIST)
			r = decc_error_set(DECC_ERROR, "layer: mkdir %s: %s", base,
					   strerror(errno));
		if (r == 0) {
			int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			/* we keep write access for later layers */
			if (fd < 0 || fchmod(fd, perm | S_IRWXU) < 0)
				r = decc_error_set(DECC_ERROR, "layer: chmod %s: %s", base,
						   strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		close(dfd);
		return r;
	}
	if (oci_remove_at(dfd, base) < 0) {
		close(dfd);
		return decc_error_set(DECC_ERROR, "layer: cannot replace %s: %s", base,
				      strerror(errno));
	}
	if (hl) {
		char tpath[PATH_MAX];
		const char *tbase;
		int tfd;

		r = clean_name(tpath, sizeof(tpath) - 2, hl);
		if (r == 1)
			r = decc_error_set(DECC_EINVAL, "layer: hard link to the root");
		if (r == 0) {
			tbase = split_base(tpath);
			tfd = open_parent(ap->rootfd, tpath, false);
			if (tfd < 0 || fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode))
				r = decc_error_set(
				    DECC_EINVAL,
				    "layer: hard link %s to '%.200s', which is not a "
				    "regular file of the image",
				    base, hl);
			else if (linkat(tfd, tbase, dfd, base, 0) < 0)
				r = decc_error_set(DECC_ERROR, "layer: link %s: %s", base,
						   strerror(errno));
			if (tfd >= 0)
				close(tfd);
		}
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);

		if (!target || symlinkat(target, dfd, base) < 0)
			r = decc_error_set(DECC_ERROR, "layer: symlink %s: %s", base,
					   target ? strerror(errno) : "no target");
	} else {
		r = write_file(ap, a, dfd, base, perm, archive_entry_size(e));
	}
	close(dfd);
	return r;
}

static int one_entry(struct apply *ap, struct archive *a, struct archive_entry *e)
{
	char path[PATH_MAX];
	const char *base;
	bool is_wh;
	int r;

	r = clean_name(path, sizeof(path) - 2, archive_entry_pathname(e));
	if (r == 1)
		return 0; /* "./": the root itself */
	DECC_TRY(r);
	base = split_base(path);
	is_wh = strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0;
	if (ap->whiteouts)
		return is_wh ? whiteout(ap, path, base) : 0;
	if (is_wh)
		return 0;
	if (*ap->entries >= ap->lim->entries)
		return decc_error_set(DECC_ELIMIT, "layer: the image has more than %llu entries",
				      (unsigned long long)ap->lim->entries);
	(*ap->entries)++;
	return extract(ap, a, e, path, base);
}

static struct archive *reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	return a;
}

/* One pass over the archive a (already opened). */
static int pass(struct apply *ap, struct archive *a)
{
	struct archive_entry *e;
	int r;

	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return decc_error_set(DECC_EINVAL, "layer: not a valid tar: %s",
					      archive_error_string(a));
		DECC_TRY(one_entry(ap, a, e));
	}
}

static int check_limits(const struct decc_oci_limits **lim, uint64_t *tb, uint64_t *te)
{
	static const struct decc_oci_limits def = DECC_OCI_LIMITS_DEFAULT;

	if (!*lim)
		*lim = &def;
	DECC_ENSURE(tb && te, DECC_EINVAL, "layer: running totals are required");
	return 0;
}

int decc_oci_layer_apply(const char *rootfs, const void *data, size_t n,
			 const struct decc_oci_limits *limits, uint64_t *total_bytes,
			 uint64_t *total_entries)
{
	struct apply ap;
	int rootfd, r = 0;

	DECC_TRY(check_limits(&limits, total_bytes, total_entries));
	DECC_TRY(oci_archive_load());
	DECC_ENSURE(n <= limits->blob_bytes, DECC_ELIMIT, "layer: larger than %llu bytes",
		    (unsigned long long)limits->blob_bytes);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return decc_error_set(DECC_ERROR, "layer: cannot open %s: %s", rootfs,
				      strerror(errno));
	ap = (struct apply){
		.rootfd = rootfd, .lim = limits, .bytes = total_bytes, .entries = total_entries
	};
	for (int p = 0; p < 2 && r == 0; p++) {
		struct archive *a = reader();

		ap.whiteouts = p == 0;
		if (!a || archive_read_open_memory(a, data, n) != ARCHIVE_OK)
			r = decc_error_set(DECC_EINVAL, "layer: cannot read: %s",
					   a ? archive_error_string(a) : "out of memory");
		else
			r = pass(&ap, a);
		if (a)
			archive_read_free(a);
	}
	close(rootfd);
	return r;
}

/* Read fd to its end into the hash; compare with digest and size. */
static int finish_hash(struct src *s, const char *digest, uint64_t size)
{
	uint8_t md[32];
	char hex[72];
	const void *dummy;

	while (src_read(NULL, s, &dummy) > 0) {
	}
	if (s->failed || decc_sha256_final(s->h, md) < 0)
		return decc_error_set(DECC_ERROR, "layer: hashing failed");
	memcpy(hex, "sha256:", 7);
	decc_hex_encode(hex + 7, md, 32, false);
	if (size != UINT64_MAX && s->read != size)
		return decc_error_set(DECC_EAUTH, "layer %s: %llu bytes, the manifest says %llu",
				      digest, (unsigned long long)s->read,
				      (unsigned long long)size);
	if (strcmp(hex, digest) != 0)
		return decc_error_set(DECC_EAUTH,
				      "layer %s: content digest is %s; the image is "
				      "corrupt or was tampered with",
				      digest, hex);
	return 0;
}

int oci_layer_apply_fd(int rootfd, int fd, const char *digest, uint64_t size,
		       const struct decc_oci_limits *limits, uint64_t *total_bytes,
		       uint64_t *total_entries)
{
	struct apply ap = {
		.rootfd = rootfd, .lim = limits, .bytes = total_bytes, .entries = total_entries
	};
	struct src *s;
	int r = 0;

	DECC_TRY(oci_archive_load());
	s = calloc(1, sizeof(*s));
	if (!s)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	for (int p = 0; p < 2 && r == 0; p++) {
		struct archive *a = reader();

		*s = (struct src){ .fd = fd };
		if (lseek(fd, 0, SEEK_SET) != 0) {
			r = decc_error_set(DECC_ERROR, "layer: seek: %s", strerror(errno));
			archive_read_free(a);
			break;
		}
		if (digest && decc_sha256_new(&s->h) < 0) {
			r = DECC_ERROR;
			archive_read_free(a);
			break;
		}
		ap.whiteouts = p == 0;
		if (!a || archive_read_open(a, s, NULL, src_read, NULL) != ARCHIVE_OK)
			r = decc_error_set(DECC_EINVAL, "layer: cannot read: %s",
					   a ? archive_error_string(a) : "out of memory");
		else
			r = pass(&ap, a);
		/* a layer that does not match its digest is refused even if it unpacked */
		if (digest && (r == 0 || r == DECC_EINVAL)) {
			int h = finish_hash(s, digest, size);

			if (h < 0)
				r = h;
		}
		decc_sha256_free(s->h);
		s->h = NULL;
		if (a)
			archive_read_free(a);
	}
	free(s);
	return r;
}

int decc_oci_layer_apply_file(const char *rootfs, const char *path,
			      const struct decc_oci_limits *limits, uint64_t *total_bytes,
			      uint64_t *total_entries)
{
	int rootfd, fd, r;
	struct stat st;

	DECC_TRY(check_limits(&limits, total_bytes, total_entries));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return decc_error_set(errno == ENOENT ? DECC_ENOTFOUND : DECC_ERROR,
				      "layer: cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > limits->blob_bytes) {
		close(fd);
		return decc_error_set(DECC_ELIMIT, "layer %s: larger than %llu bytes", path,
				      (unsigned long long)limits->blob_bytes);
	}
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		close(fd);
		return decc_error_set(DECC_ERROR, "layer: cannot open %s: %s", rootfs,
				      strerror(errno));
	}
	r = oci_layer_apply_fd(rootfd, fd, NULL, UINT64_MAX, limits, total_bytes, total_entries);
	close(rootfd);
	close(fd);
	return r;
}
