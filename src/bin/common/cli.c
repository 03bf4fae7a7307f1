/*
 * cli.c
 *		Helpers shared by jobstream's command-line tools; see cli.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "jobstream";
static const char *help_option = "--help";

/* Name the program and its help option; see cli.h. */
void
cli_init(const char *name, const char *help)
{
	progname = name;
	help_option = help;
}

/* The program name given to cli_init. */
const char *
cli_progname(void)
{
	return progname;
}

/* Report a usage error and exit with status 2; see cli.h. */
void
cli_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry \"%s %s\" for more information.\n", progname,
			help_option);
	exit(2);
}

/* The usage error of getopt's ':' or '?' for the option shown. */
void
cli_bad_option(int c, const char *shown)
{
	if (c == ':')
		cli_bad_usage("option \"%s\" requires an argument", shown);
	cli_bad_usage("unrecognized option \"%s\"", shown);
}

/* A usage error for an argument left after the options. */
void
cli_no_more_arguments(int argc, char **argv)
{
	if (optind < argc)
		cli_bad_usage("unexpected argument \"%s\"", argv[optind]);
}

/* Parse a whole decimal long long; see cli.h. */
bool
cli_parse_ll(const char *s, long long *out)
{
	char	   *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

/* An integer option value in [min, max], or a usage error; see cli.h. */
long
cli_parse_long(const char *optname, const char *arg, long min, long max)
{
	long long	v;

	if (!cli_parse_ll(arg, &v) || v < min || v > max)
	{
		fprintf(stderr, "%s: invalid value \"%s\" for %s: expected an integer "
				"from %ld to %ld\n", progname, arg, optname, min, max);
		fprintf(stderr, "Try \"%s %s\" for more information.\n", progname,
				help_option);
		exit(2);
	}
	return (long) v;
}

/* Check and keep a -X PROPERTY=VALUE option; see cli.h. */
void
cli_add_property(const char **props, int *nprops, int max, const char *arg)
{
	char		maxstr[16];

	if (strchr(arg, '=') == NULL || arg[0] == '=')
		cli_bad_usage("invalid -X value \"%s\": expected PROPERTY=VALUE", arg);
	if (*nprops >= max)
	{
		snprintf(maxstr, sizeof(maxstr), "%d", max);
		cli_bad_usage("too many -X options (at most %s)", maxstr);
	}
	props[(*nprops)++] = arg;
}

/* Split PROPERTY=VALUE into a name buffer and the value; see cli.h. */
bool
cli_split_property(const char *prop, char *name, size_t namelen,
				   const char **value)
{
	const char *eq = strchr(prop, '=');
	size_t		len = (size_t) (eq - prop);

	if (len >= namelen)
		return false;
	memcpy(name, prop, len);
	name[len] = '\0';
	*value = eq + 1;
	return true;
}

/* Install the stop-signal handler and ignore SIGPIPE; see cli.h. */
void
cli_on_stop_signals(void (*handler) (int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
