/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the commands: reporting, option parsing, JSON output, passwords, wallets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "decc/error.h"
#include "decc/file.h"
#include "decc/keystore.h"
#include "cli/cli.h"

#define PASSWORD_MAX 4096 /* bytes of a password file we read */

const struct opt *cli_global_opts(struct cli *cli)
{
	static struct opt opts[7];

	/* built at run time: the destinations live in the caller's struct */
	opts[0] = (struct opt)OPT_FLAG("json", &cli->json);
	opts[1] = (struct opt)OPT_STRING("rpc", &cli->rpc);
	opts[2] = (struct opt)OPT_STRING("hub", &cli->hub);
	opts[3] = (struct opt)OPT_STRING("wallet", &cli->wallet);
	opts[4] = (struct opt)OPT_STRING("password-file", &cli->password_file);
	opts[5] = (struct opt)OPT_STRING("config", &cli->config);
	opts[6] = (struct opt)OPT_END;
	return opts;
}

__attribute__((format(printf, 1, 0))) static void vreport(const char *fmt, va_list ap,
							  const char *why)
{
	char line[1024];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (why)
		snprintf(line + n, sizeof(line) - n, ": %s", why);
	/* one line, whatever the message contains */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "decc: %s\n", line);
}

int cli_fail(const char *fmt, ...)
{
	/* copy: formatting the context must not clobber the message being reported */
	char why[600];
	va_list ap;

	snprintf(why, sizeof(why), "%s", decc_error_last());
	va_start(ap, fmt);
	vreport(fmt, ap, why);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

int cli_failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, NULL);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *page, const char *cmd, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (page)
		fprintf(stderr, "decc: %s: %s (see 'decc help %s')\n", cmd, msg, page);
	else
		fprintf(stderr, "decc: %s: %s (see 'decc --help')\n", cmd, msg);
	return CLI_EXIT_USAGE;
}

int cli_parse(struct cli *cli, const char *page, const char *cmd, const struct opt *opts, int argc,
	      char **argv, struct opt_args *args, char **pos, int max_pos, bool *done)
{
	const struct opt *tables[3] = { opts, cli_global_opts(cli), NULL };
	const char *text;
	int r;

	*done = false;
	r = opt_parse(tables, argc, argv, args, pos, max_pos);
	if (r == OPT_USAGE) {
		*done = true;
		return cli_usage_error(page, cmd, "%s", decc_error_last());
	}
	if (r == OPT_HELP) {
		*done = true;
		text = cli_help_text(page);
		if (text)
			fputs(text, stdout);
		else
			cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	return CLI_EXIT_OK;
}

int cli_json_text(struct decc_buf *out, json_t *obj, bool compact)
{
	size_t flags = JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT : JSON_INDENT(2));
	char *s = json_dumps(obj, flags);
	int r;

	if (!s)
		return decc_error_set(DECC_ENOMEM, "cannot render JSON");
	r = decc_buf_append_str(out, s);
	if (r == 0)
		r = decc_buf_append_byte(out, '\n');
	free(s);
	return r;
}

int cli_print_json(const struct cli *cli, json_t *obj)
{
	struct decc_buf b = DECC_BUF_INIT;

	if (cli_json_text(&b, obj, cli->json) < 0)
		return cli_fail("cannot print the result");
	fwrite(b.data, 1, b.len, stdout);
	decc_buf_release(&b);
	return CLI_EXIT_OK;
}

static void strip_eol(struct decc_buf *b)
{
	while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = 0;
}

/* Read one line from the terminal without echo. */
static int prompt_line(struct decc_buf *out, const char *prompt)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	int r = 0;
	char c;

	if (fd < 0)
		return decc_error_set(DECC_ERROR, "cannot open the terminal: %s", strerror(errno));
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return decc_error_set(DECC_ERROR, "cannot read the terminal settings: %s",
				      strerror(errno));
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		close(fd);
		return decc_error_set(DECC_ERROR, "cannot prompt for a password: %s",
				      strerror(errno));
	}
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		if (decc_buf_append_byte(out, (uint8_t)c) < 0) {
			r = decc_error_set(DECC_ELIMIT, "password too long");
			break;
		}
	}
	c = 0;
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* nothing to do: the prompt is cosmetic */
	}
	close(fd);
	return r;
}

int cli_password(const struct cli *cli, struct decc_buf *out, bool confirm)
{
	struct decc_buf again;
	int r;

	if (cli->password_file) {
		size_t start = out->len;
		uint8_t *nl;

		r = decc_file_read(out, cli->password_file, PASSWORD_MAX);
		if (r < 0)
			return decc_error_wrap(r, "cannot read the password file");
		nl = memchr(out->data + start, '\n', out->len - start);
		if (nl) {
			decc_wipe(nl, (size_t)(out->data + out->len - nl));
			out->len = (size_t)(nl - out->data);
			out->data[out->len] = 0;
		}
		strip_eol(out);
		return 0;
	}
	if (!isatty(STDIN_FILENO))
		return decc_error_set(DECC_EINVAL,
				      "no password: pass --password-file FILE "
				      "(stdin is not a terminal, so decc cannot prompt)");
	r = prompt_line(out, "Password: ");
	if (r < 0 || !confirm)
		return r;
	decc_buf_init_secret(&again, PASSWORD_MAX);
	r = prompt_line(&again, "Repeat password: ");
	if (r == 0 && (again.len != out->len || memcmp(again.data, out->data, out->len) != 0))
		r = decc_error_set(DECC_EINVAL, "the two passwords differ");
	decc_buf_release(&again);
	return r;
}

int cli_default_keystore_dir(char **out)
{
	const char *home = getenv("HOME");
	char *p;

	if (!home || !*home)
		return decc_error_set(DECC_EINVAL, "HOME is not set; pass --keystore-dir DIR");
	if (asprintf(&p, "%s/.decc/wallets", home) < 0)
		return decc_error_set(DECC_ENOMEM, "out of memory");
	*out = p;
	return 0;
}

static bool is_keystore_name(const char *name)
{
	/* hidden files and temporary files of an interrupted atomic write are not wallets */
	return name[0] != '.' && !strstr(name, ".tmp-");
}

int cli_wallet_path(const struct cli *cli, const char *dir, char **out)
{
	char *defdir = NULL, *found = NULL, *p;
	struct dirent *e;
	int count = 0;
	DIR *d;
	int r = 0;

	if (cli->wallet) {
		p = strdup(cli->wallet);
		if (!p)
			return decc_error_set(DECC_ENOMEM, "out of memory");
		*out = p;
		return 0;
	}
	if (!dir) {
		DECC_TRY(cli_default_keystore_dir(&defdir));
		dir = defdir;
	}
	d = opendir(dir);
	if (!d) {
		r = decc_error_set(DECC_ENOTFOUND,
				   "no wallet selected and %s cannot be read (%s); create one with "
				   "'decc wallet create' or pass --wallet FILE",
				   dir, strerror(errno));
		free(defdir);
		return r;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!is_keystore_name(e->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			r = decc_error_set(DECC_ENOMEM, "out of memory");
			break;
		}
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		count++;
		free(found);
		found = p;
	}
	closedir(d);
	if (r == 0 && count == 0)
		r = decc_error_set(DECC_ENOTFOUND,
				   "no wallet in %s; create one with 'decc wallet create' or pass "
				   "--wallet FILE",
				   dir);
	else if (r == 0 && count > 1)
		r = decc_error_set(
		    DECC_EINVAL,
		    "%d wallets in %s; choose one with --wallet FILE (e.g. --wallet %s)", count,
		    dir, found);
	free(defdir);
	if (r < 0) {
		free(found);
		return r;
	}
	*out = found;
	return 0;
}

int cli_wallet_open(const struct cli *cli, const char *dir, uint8_t sk[32], decc_address *addr)
{
	struct decc_buf json = DECC_BUF_INIT, pass;
	uint8_t key[32];
	decc_address a;
	char *path = NULL;
	int r;

	DECC_TRY(cli_wallet_path(cli, dir, &path));
	r = decc_file_read(&json, path, DECC_KEYSTORE_MAX_JSON);
	if (r < 0) {
		r = decc_error_wrap(r, "cannot read the wallet");
		goto out;
	}
	decc_buf_init_secret(&pass, PASSWORD_MAX);
	r = cli_password(cli, &pass, false);
	if (r == 0) {
		r = decc_keystore_decrypt(key, &a, (const char *)json.data, json.len,
					  (const char *)pass.data, pass.len);
		if (r < 0)
			r = decc_error_wrap(r, "cannot open wallet %s", path);
	}
	decc_buf_release(&pass);
	if (r == 0) {
		memcpy(sk, key, 32);
		*addr = a;
	}
	decc_wipe(key, sizeof(key));
out:
	decc_buf_release(&json);
	free(path);
	return r;
}

int cli_parse_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (!s || !*s)
		return decc_error_set(DECC_EINVAL, "empty number");
	if (s[0] == '0' && s[1])
		return decc_error_set(DECC_EINVAL, "'%s' is not a decimal number (leading zero)",
				      s);
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return decc_error_set(DECC_EINVAL, "'%s' is not a decimal number", s);
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return decc_error_set(DECC_EINVAL, "'%s' is too large", s);
	}
	*out = v;
	return 0;
}
