/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI images: layers made with libarchive in the test (hostile names, links, devices, setuid,
 * whiteouts, limits), images made with decc_oci_build (determinism, round trip through
 * decc_oci_open, tampered blobs, cache reuse), a legacy docker-save archive, config/manifest
 * parsing, run parameters and the iexec_args splitter.
 */
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include "decc/crypto.h"
#include "decc/oci.h"
#include "sandbox/busybox_rootfs.h"

/* ---- tar building ---- */

struct ent {
	const char *name;
	char type;	  /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c' char device */
	const char *data; /* content, or link target */
	unsigned mode;
};

static la_ssize_t mem_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	(void)a;
	return decc_buf_append(ctx, p, n) == 0 ? (la_ssize_t)n : -1;
}

static void make_tar(struct decc_buf *out, const struct ent *e, size_t n, bool gzip)
{
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open2(a, out, NULL, mem_write, NULL, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		size_t len = e[i].type == 'f' && e[i].data ? strlen(e[i].data) : 0;

		archive_entry_set_pathname(x, e[i].name);
		archive_entry_set_perm(x, e[i].mode ? e[i].mode : 0644);
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(x, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(x, AE_IFLNK);
			archive_entry_set_symlink(x, e[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_hardlink(x, e[i].data);
			break;
		case 'c':
			archive_entry_set_filetype(x, AE_IFCHR);
			archive_entry_set_rdev(x, 0x0103);
			break;
		default:
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_size(x, (la_int64_t)len);
		}
		assert_int_equal(archive_write_header(a, x), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(x);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static int apply(const char *root, const struct ent *e, size_t n, const struct decc_oci_limits *l)
{
	struct decc_buf b = DECC_BUF_INIT;
	uint64_t bytes = 0, entries = 0;
	int r;

	make_tar(&b, e, n, false);
	r = decc_oci_layer_apply(root, b.data, b.len, l, &bytes, &entries);
	decc_buf_release(&b);
	return r;
}

struct fx {
	char *dir;
	char root[4096], victim[4096], cache[4096];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = test_mkdtemp("ocitest");
	tpath(f->root, sizeof(f->root), "%s/root", f->dir);
	tpath(f->victim, sizeof(f->victim), "%s/victim", f->dir);
	tpath(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_int_equal(mkdir(f->victim, 0755), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static bool exists_in(const char *dir, const char *rel)
{
	char p[4096];
	struct stat st;

	tpath(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static void test_layer_basic_and_whiteouts(void **state)
{
	struct fx *f = *state;
	const struct ent l1[] = {
		{ "bin/", 'd', NULL, 0755 },	{ "bin/app", 'f', "#!/bin/sh\n", 04755 },
		{ "etc/", 'd', NULL, 0755 },	{ "etc/a", 'f', "a", 0 },
		{ "etc/b", 'f', "b", 0 },	{ "opq/", 'd', NULL, 0755 },
		{ "opq/old", 'f', "old", 0 },	{ "link", 'l', "etc/a", 0 },
		{ "hard", 'h', "etc/a", 0 },	{ "dev-null", 'c', NULL, 0666 },
		{ "./etc/c", 'f', "c", 02755 },
	};
	const struct ent l2[] = {
		{ "etc/.wh.a", 'f', "", 0 },
		{ "opq/.wh..wh..opq", 'f', "", 0 },
		{ "opq/new", 'f', "new", 0 },
	};
	char p[4096];
	struct stat st;

	assert_int_equal(apply(f->root, l1, DECC_ARRAY_SIZE(l1), NULL), 0);
	tpath(p, sizeof(p), "%s/bin/app", f->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* setuid cleared */
	tpath(p, sizeof(p), "%s/etc/c", f->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07000, 0);      /* setgid cleared */
	assert_false(exists_in(f->root, "dev-null")); /* device nodes never created */
	tpath(p, sizeof(p), "%s/link", f->root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	tpath(p, sizeof(p), "%s/hard", f->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_nlink, 2);

	assert_int_equal(apply(f->root, l2, DECC_ARRAY_SIZE(l2), NULL), 0);
	assert_false(exists_in(f->root, "etc/a"));
	assert_true(exists_in(f->root, "etc/b"));
	assert_false(exists_in(f->root, "opq/old"));
	assert_true(exists_in(f->root, "opq/new"));
	assert_false(exists_in(f->root, "etc/.wh.a"));
}

static void test_layer_hostile(void **state)
{
	struct fx *f = *state;
	char esc[4096];

	/* names with ".." or absolute */
	const struct ent dotdot[] = { { "../escape", 'f', "x", 0 } };
	const struct ent inner_dotdot[] = { { "a/../../escape", 'f', "x", 0 } };
	const struct ent abs[] = { { "/tmp/escape-abs", 'f', "x", 0 } };
	assert_true(apply(f->root, dotdot, 1, NULL) < 0);
	assert_true(apply(f->root, inner_dotdot, 1, NULL) < 0);
	assert_int_equal(apply(f->root, abs, 1, NULL), DECC_EINVAL);
	assert_true(access("/tmp/escape-abs", F_OK) != 0);
	tpath(esc, sizeof(esc), "%s/escape", f->dir);
	assert_true(access(esc, F_OK) != 0);

	/* a symlink to the host dir, then a file through it: stays inside the rootfs */
	const struct ent through[] = { { "out", 'l', f->victim, 0 }, { "out/pwned", 'f', "x", 0 } };
	(void)apply(f->root, through, 2, NULL);
	assert_false(exists_in(f->victim, "pwned"));
	const struct ent rel[] = { { "up", 'l', "../../../../../../..", 0 },
				   { "up/tmp/pwned-rel", 'f', "x", 0 } };
	(void)apply(f->root, rel, 2, NULL);
	assert_true(access("/tmp/pwned-rel", F_OK) != 0);
	/* a symlink entry replaced by a file must not write through the link */
	const struct ent over[] = { { "victimlink", 'l', f->victim, 0 } };
	assert_int_equal(apply(f->root, over, 1, NULL), 0);
	const struct ent over2[] = { { "victimlink", 'f', "x", 0 } };
	assert_int_equal(apply(f->root, over2, 1, NULL), 0);
	assert_false(exists_in(f->victim, "x"));

	/* hard links out of the root or to nothing */
	char host[4096];
	tpath(host, sizeof(host), "%s/hostfile", f->victim);
	test_write_file(host, "secret", 0644);
	const struct ent hl_abs[] = { { "h1", 'h', host, 0 } };
	const struct ent hl_up[] = { { "h2", 'h', "../victim/hostfile", 0 } };
	const struct ent hl_via_link[] = { { "vl", 'l', f->victim, 0 },
					   { "h3", 'h', "vl/hostfile", 0 } };
	assert_true(apply(f->root, hl_abs, 1, NULL) < 0);
	assert_false(exists_in(f->root, "h1"));
	assert_true(apply(f->root, hl_up, 1, NULL) < 0);
	assert_true(apply(f->root, hl_via_link, 2, NULL) < 0);
	struct stat st;
	assert_int_equal(stat(host, &st), 0);
	assert_int_equal(st.st_nlink, 1);
}

static void test_layer_limits(void **state)
{
	struct fx *f = *state;
	struct decc_oci_limits l = DECC_OCI_LIMITS_DEFAULT;
	const struct ent many[] = { { "a", 'f', "1", 0 },
				    { "b", 'f', "2", 0 },
				    { "c", 'f', "3", 0 } };
	const struct ent big[] = { { "big", 'f', "0123456789abcdef", 0 } };

	l.entries = 2;
	assert_int_equal(apply(f->root, many, 3, &l), DECC_ELIMIT);
	l = DECC_OCI_LIMITS_DEFAULT;
	l.unpacked_bytes = 10;
	assert_int_equal(apply(f->root, big, 1, &l), DECC_ELIMIT);
	/* garbage is refused */
	uint64_t b = 0, e = 0;
	assert_true(decc_oci_layer_apply(f->root, "not a tar at all, no", 20, NULL, &b, &e) < 0);
}

/* ---- images ---- */

static void make_app_dir(const char *dir)
{
	char p[4096];

	assert_int_equal(mkdir(dir, 0755), 0);
	tpath(p, sizeof(p), "%s/app.sh", dir);
	test_write_file(p, "#!/bin/sh\necho hi\n", 0755);
	tpath(p, sizeof(p), "%s/etc", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	tpath(p, sizeof(p), "%s/etc/passwd", dir);
	test_write_file(p, "app:x:1234:4321::/:/bin/sh\n", 0644);
	tpath(p, sizeof(p), "%s/sh", dir);
	assert_int_equal(symlink("app.sh", p), 0);
	tpath(p, sizeof(p), "%s/empty", dir); /* an empty directory (no names to sort) */
	assert_int_equal(mkdir(p, 0700), 0);
}

static const char *const ep[] = { "/bin/sh", "/app.sh", NULL };
static const char *const cmd[] = { "default", "args", NULL };
static const char *const env[] = { "A=1", "PATH=/usr/bin", NULL };

static void test_build_roundtrip(void **state)
{
	struct fx *f = *state;
	char app[4096], o1[4096], o2[4096], d1[72], d2[72], d3[72];
	struct decc_oci_build_spec spec = {
		.entrypoint = ep, .cmd = cmd, .env = env, .workdir = "/w", .user = "app"
	};
	struct decc_oci_image *img;
	const struct decc_oci_config *c;
	size_t n1, n2;
	char *b1, *b2, *rootfs, *rootfs2;
	bool cached;

	tpath(app, sizeof(app), "%s/app", f->dir);
	tpath(o1, sizeof(o1), "%s/one.tar", f->dir);
	tpath(o2, sizeof(o2), "%s/two.tar", f->dir);
	make_app_dir(app);
	assert_int_equal(decc_oci_build(d1, app, o1, &spec), 0);
	/* a touched mtime does not change anything */
	char p[4096];
	tpath(p, sizeof(p), "%s/app.sh", app);
	struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	assert_int_equal(decc_oci_build(d2, app, o2, &spec), 0);
	assert_string_equal(d1, d2);
	b1 = test_slurp(o1, &n1);
	b2 = test_slurp(o2, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	free(b1);
	free(b2);
	/* content or config changes change the digest */
	spec.gzip = true;
	assert_int_equal(decc_oci_build(d3, app, o2, &spec), 0);
	assert_string_not_equal(d1, d3);
	assert_int_equal(decc_oci_build(d2, app, o2, &spec), 0);
	assert_string_equal(d2, d3); /* gzip carries no time stamp or name */
	spec.gzip = false;

	assert_int_equal(decc_oci_open(&img, o1, f->cache, NULL), 0);
	assert_string_equal(decc_oci_digest(img), d1);
	assert_int_equal(decc_oci_digest_kind(img), DECC_OCI_DIGEST_MANIFEST);
	c = decc_oci_image_config(img);
	assert_string_equal(c->entrypoint[0], "/bin/sh");
	assert_string_equal(c->cmd[1], "args");
	assert_string_equal(c->env[0], "A=1");
	assert_string_equal(c->workdir, "/w");
	assert_string_equal(c->user, "app");
	assert_int_equal(decc_oci_rootfs(&rootfs, &cached, img), 0);
	assert_false(cached);
	assert_true(exists_in(rootfs, "app.sh"));
	assert_true(exists_in(rootfs, "empty"));
	assert_true(exists_in(rootfs, "iexec_in"));
	assert_true(exists_in(rootfs, "iexec_out"));
	assert_true(exists_in(rootfs, "proc"));

	/* run params: user name from the image's /etc/passwd, args override Cmd */
	struct decc_oci_run run;
	const char *const extra[] = { "IEXEC_IN=/iexec_in", "A=2", NULL };
	assert_int_equal(decc_oci_run_params(&run, c, rootfs, "x 'y z'", extra), 0);
	assert_string_equal(run.argv[0], "/bin/sh");
	assert_string_equal(run.argv[1], "/app.sh");
	assert_string_equal(run.argv[2], "x");
	assert_string_equal(run.argv[3], "y z");
	assert_null(run.argv[4]);
	assert_int_equal(run.uid, 1234);
	assert_int_equal(run.gid, 4321);
	assert_string_equal(run.cwd, "/w");
	bool a2 = false, in = false, a1 = false;
	for (size_t i = 0; run.env[i]; i++) {
		a2 |= strcmp(run.env[i], "A=2") == 0;
		a1 |= strcmp(run.env[i], "A=1") == 0;
		in |= strcmp(run.env[i], "IEXEC_IN=/iexec_in") == 0;
	}
	assert_true(a2 && in && !a1);
	decc_oci_run_release(&run);
	assert_int_equal(decc_oci_run_params(&run, c, rootfs, "", NULL), 0);
	assert_string_equal(run.argv[2], "default");
	decc_oci_run_release(&run);
	decc_oci_free(img);

	/* image limits: layers, blob size */
	struct decc_oci_limits lim = DECC_OCI_LIMITS_DEFAULT;
	lim.layers = 0;
	assert_int_equal(decc_oci_open(&img, o1, f->cache, &lim), DECC_ELIMIT);
	lim = DECC_OCI_LIMITS_DEFAULT;
	lim.blob_bytes = 100; /* the layer is larger */
	assert_int_equal(decc_oci_open(&img, o1, f->cache, &lim), DECC_ELIMIT);
	lim = DECC_OCI_LIMITS_DEFAULT;
	lim.unpacked_bytes = 1000; /* the staged archive alone is larger */
	assert_int_equal(decc_oci_open(&img, o1, f->cache, &lim), DECC_ELIMIT);

	/* cache reuse */
	assert_int_equal(decc_oci_open(&img, o1, f->cache, NULL), 0);
	assert_int_equal(decc_oci_rootfs(&rootfs2, &cached, img), 0);
	assert_true(cached);
	assert_string_equal(rootfs, rootfs2);
	free(rootfs);
	free(rootfs2);
	decc_oci_free(img);

	/* the same image as a layout directory */
	char lay[4096], cmdline[9000];
	tpath(lay, sizeof(lay), "%s/layout", f->dir);
	assert_int_equal(mkdir(lay, 0755), 0);
	tpath(cmdline, sizeof(cmdline), "tar -C %s -xf %s", lay, o1);
	assert_int_equal(system(cmdline), 0);
	assert_int_equal(decc_oci_open(&img, lay, f->cache, NULL), 0);
	assert_string_equal(decc_oci_digest(img), d1);
	decc_oci_free(img);

	/* tampering: one byte of a blob, found through the manifest */
	tpath(cmdline, sizeof(cmdline),
	      "cd %s && for b in blobs/sha256/*; do cp -r . ../t-$(basename $b); "
	      "printf 'X' | dd of=../t-$(basename $b)/$b bs=1 seek=20 conv=notrunc "
	      "status=none; done",
	      lay);
	assert_int_equal(system(cmdline), 0);
	DIR *d = opendir(f->dir);
	struct dirent *de;
	int tampered = 0;
	while ((de = readdir(d))) {
		char t[4096];
		char *rf = NULL;
		int r;

		if (strncmp(de->d_name, "t-", 2) != 0)
			continue;
		tpath(t, sizeof(t), "%s/%s", f->dir, de->d_name);
		r = decc_oci_open(&img, t, f->cache, NULL);
		if (r == 0) {
			/* manifest and config are checked at open; a layer when unpacked. The
			 * unpacked rootfs of the good image is cached, so use a fresh cache. */
			char c2[4096];
			tpath(c2, sizeof(c2), "%s/cache-%s", f->dir, de->d_name);
			decc_oci_free(img);
			assert_int_equal(decc_oci_open(&img, t, c2, NULL), 0);
			r = decc_oci_rootfs(&rf, NULL, img);
			free(rf);
			decc_oci_free(img);
		}
		assert_int_equal(r, DECC_EAUTH);
		tampered++;
	}
	closedir(d);
	assert_int_equal(tampered, 3);

	/* building refuses what cannot go in an image */
	char fifo[4096];
	tpath(fifo, sizeof(fifo), "%s/fifo", app);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(decc_oci_build(d3, app, o2, &spec), DECC_EINVAL);
	unlink(fifo);
	const char *const badenv[] = { "NOEQ", NULL };
	spec.env = badenv;
	assert_int_equal(decc_oci_build(d3, app, o2, &spec), DECC_EINVAL);
}

static void test_legacy_docker_save(void **state)
{
	struct fx *f = *state;
	const struct ent layer[] = { { "hello.txt", 'f', "hello", 0 } };
	struct decc_buf lt = DECC_BUF_INIT;
	uint8_t md[32];
	char diff[65], cfgname[80], cfg[512], man[512], hex[65], dir[4096], p[4096];
	struct decc_oci_image *img;
	char *rootfs;

	make_tar(&lt, layer, 1, false);
	decc_sha256(md, lt.data, lt.len);
	decc_hex_encode(diff, md, 32, false);
	snprintf(cfg, sizeof(cfg),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"cat\","
		 "\"/hello.txt\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}",
		 diff);
	decc_sha256(md, cfg, strlen(cfg));
	decc_hex_encode(hex, md, 32, false);
	snprintf(cfgname, sizeof(cfgname), "%s.json", hex);
	snprintf(man, sizeof(man),
		 "[{\"Config\":\"%s\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"abc/layer.tar\"]}]",
		 cfgname);
	tpath(dir, sizeof(dir), "%s/legacy", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	tpath(p, sizeof(p), "%s/abc", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	tpath(p, sizeof(p), "%s/abc/layer.tar", dir);
	FILE *fp = fopen(p, "wb");
	fwrite(lt.data, 1, lt.len, fp);
	fclose(fp);
	tpath(p, sizeof(p), "%s/%s", dir, cfgname);
	test_write_file(p, cfg, 0644);
	tpath(p, sizeof(p), "%s/manifest.json", dir);
	test_write_file(p, man, 0644);
	char tarp[4096], cmdline[9000];
	tpath(tarp, sizeof(tarp), "%s/legacy.tar", f->dir);
	tpath(cmdline, sizeof(cmdline), "tar -C %s -cf %s .", dir, tarp);
	assert_int_equal(system(cmdline), 0);

	assert_int_equal(decc_oci_open(&img, tarp, f->cache, NULL), 0);
	assert_int_equal(decc_oci_digest_kind(img), DECC_OCI_DIGEST_CONFIG);
	assert_string_equal(decc_oci_digest(img) + 7, hex);
	assert_int_equal(decc_oci_rootfs(&rootfs, NULL, img), 0);
	tpath(p, sizeof(p), "%s/hello.txt", rootfs);
	char *txt = test_slurp(p, NULL);
	assert_string_equal(txt, "hello");
	free(txt);
	free(rootfs);
	decc_oci_free(img);

	/* a layer that is not the one of the diff_ids */
	tpath(p, sizeof(p), "%s/abc/layer.tar", dir);
	const struct ent other[] = { { "hello.txt", 'f', "HELLO", 0 } };
	decc_buf_reset(&lt);
	make_tar(&lt, other, 1, false);
	fp = fopen(p, "wb");
	fwrite(lt.data, 1, lt.len, fp);
	fclose(fp);
	char c2[4096];
	tpath(c2, sizeof(c2), "%s/cache2", f->dir);
	assert_int_equal(decc_oci_open(&img, dir, c2, NULL), 0);
	assert_int_equal(decc_oci_rootfs(&rootfs, NULL, img), DECC_EAUTH);
	decc_oci_free(img);
	decc_buf_release(&lt);
}

static void test_config_and_manifest_parse(void **state)
{
	(void)state;
	struct decc_oci_config c;
	struct decc_oci_manifest m;
	const char *good =
	    "{\"config\":{\"Entrypoint\":[\"a\"],\"Env\":[\"X=1\"],\"User\":\"1:2\"},"
	    "\"rootfs\":{\"diff_ids\":[]},\"os\":\"linux\"}";

	assert_int_equal(decc_oci_config_parse(&c, good, strlen(good)), 0);
	assert_string_equal(c.entrypoint[0], "a");
	assert_null(c.cmd);
	assert_string_equal(c.user, "1:2");
	struct decc_oci_run run;
	assert_int_equal(decc_oci_run_params(&run, &c, NULL, NULL, NULL), 0);
	assert_int_equal(run.uid, 1);
	assert_int_equal(run.gid, 2);
	bool path = false;
	for (size_t i = 0; run.env[i]; i++)
		path |= strncmp(run.env[i], "PATH=", 5) == 0;
	assert_true(path);
	decc_oci_run_release(&run);
	decc_oci_config_release(&c);
	/* root never runs */
	const char *root = "{\"config\":{\"Cmd\":[\"a\"],\"User\":\"root\"}}";
	assert_int_equal(decc_oci_config_parse(&c, root, strlen(root)), 0);
	assert_int_equal(decc_oci_run_params(&run, &c, NULL, NULL, NULL), 0);
	assert_int_equal(run.uid, 65534);
	decc_oci_run_release(&run);
	decc_oci_config_release(&c);

	const char *bad[] = { "", "[]", "{\"config\":{\"Cmd\":\"notarray\"}}",
			      "{\"config\":{\"Env\":[1]}}", "{" };
	for (size_t i = 0; i < DECC_ARRAY_SIZE(bad); i++)
		assert_true(decc_oci_config_parse(&c, bad[i], strlen(bad[i])) < 0);

	char mgood[600];
	snprintf(mgood, sizeof(mgood),
		 "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
		 "vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%064d\",\"size\":3},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
		 "\"digest\":\"sha256:%064d\",\"size\":5}]}",
		 1, 2);
	if (decc_oci_manifest_parse(&m, mgood, strlen(mgood)) != 0)
		fail_msg("manifest: %s", decc_error_last());
	assert_int_equal(m.nlayers, 1);
	assert_int_equal(m.layers[0].size, 5);
	decc_oci_manifest_release(&m);
	const char *mbad[] = {
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:00\",\"size\":1},\"layers\":[]}",
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:../../"
		"etc\","
		"\"size\":1},\"layers\":[]}",
		"{\"schemaVersion\":2}",
	};
	for (size_t i = 0; i < DECC_ARRAY_SIZE(mbad); i++)
		assert_true(decc_oci_manifest_parse(&m, mbad[i], strlen(mbad[i])) < 0);
}

static void check_split(const char *s, const char *const *want)
{
	char **v;
	size_t n, i;

	if (decc_oci_split_args(&v, &n, s) != 0)
		fail_msg("split '%s': %s", s, decc_error_last());
	for (i = 0; want[i]; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[i]);
	assert_int_equal(n, i);
	decc_oci_strv_free(v);
}

static void test_split_args(void **state)
{
	(void)state;
	char **v;
	size_t n;

	check_split("", (const char *const[]){ NULL });
	check_split("  a  b\tc\n", (const char *const[]){ "a", "b", "c", NULL });
	check_split("'a b' \"c d\"", (const char *const[]){ "a b", "c d", NULL });
	check_split("'' \"\"", (const char *const[]){ "", "", NULL });
	check_split("a\\ b", (const char *const[]){ "a b", NULL });
	check_split("\"a\\\"b\\\\c\\$d\\x\"", (const char *const[]){ "a\"b\\c$d\\x", NULL });
	check_split("'a\\b'", (const char *const[]){ "a\\b", NULL });
	check_split("x'y'\"z\"", (const char *const[]){ "xyz", NULL });
	check_split("$HOME `id` *", (const char *const[]){ "$HOME", "`id`", "*", NULL });
	assert_int_equal(decc_oci_split_args(&v, &n, "'open"), DECC_EINVAL);
	assert_int_equal(decc_oci_split_args(&v, &n, "\"open"), DECC_EINVAL);
	assert_int_equal(decc_oci_split_args(&v, &n, "trail\\"), DECC_EINVAL);
	char *many = malloc(4097 * 2 + 1);
	for (int i = 0; i < 4097; i++)
		memcpy(many + 2 * i, "a ", 2);
	many[4097 * 2] = 0;
	assert_int_equal(decc_oci_split_args(&v, &n, many), DECC_ELIMIT);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layer_basic_and_whiteouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_docker_save, setup, teardown),
		cmocka_unit_test(test_config_and_manifest_parse),
		cmocka_unit_test(test_split_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
