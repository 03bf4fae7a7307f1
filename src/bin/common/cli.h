/*
 * cli.h
 *		What jobstream's command-line tools (jobstream-gen, jobstream-kcat,
 *		jobstream-devbroker) share: usage errors, option values, -X
 *		librdkafka properties and stop signals.
 *
 * Plain C and POSIX, no PostgreSQL and no librdkafka headers: cli.c is
 * compiled into each tool (src/bin/tool.mk).  Messages start with the
 * program name given to cli_init, as the tools' own messages do; usage
 * errors exit with status 2 after a "Try ... for more information." line.
 */
#ifndef JOBSTREAM_CLI_H
#define JOBSTREAM_CLI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Name the program in messages; help_option is how its help is asked for
 * ("--help" or "-h").  Call first in main.
 */
extern void cli_init(const char *progname, const char *help_option);

/* The program name given to cli_init. */
extern const char *cli_progname(void);

/*
 * Report a usage error (fmt has one %s, for arg) on stderr and exit with
 * status 2.
 */
extern void cli_bad_usage(const char *fmt, const char *arg)
#if defined(__GNUC__)
			__attribute__((noreturn))
#endif
			;

/*
 * For getopt's ':' (option without its argument) and '?' (unknown option)
 * returns c: a usage error naming the option as shown.
 */
extern void cli_bad_option(int c, const char *shown)
#if defined(__GNUC__)
			__attribute__((noreturn))
#endif
			;

/* A usage error if argv has arguments left after the options (at optind). */
extern void cli_no_more_arguments(int argc, char **argv);

/* Whether s is a whole decimal integer (of long long), stored in *out. */
extern bool cli_parse_ll(const char *s, long long *out);

/*
 * The value of option optname (as shown, "--brokers" or "-p"): a decimal
 * integer in [min, max], or a usage error.
 */
extern long cli_parse_long(const char *optname, const char *arg, long min,
						   long max);

/*
 * Check a -X PROPERTY=VALUE option and append it to props (nprops of at
 * most max so far); a usage error if malformed or one too many.
 */
extern void cli_add_property(const char **props, int *nprops, int max,
							 const char *arg);

/*
 * Split a property checked by cli_add_property into name (a buffer of
 * namelen bytes) and value; false if the name does not fit.
 */
extern bool cli_split_property(const char *prop, char *name, size_t namelen,
							   const char **value);

/*
 * Run handler on SIGINT and SIGTERM (restarting interrupted calls is not
 * asked for) and ignore SIGPIPE, so that a closed pipe is an EPIPE error.
 */
extern void cli_on_stop_signals(void (*handler) (int));

#endif							/* JOBSTREAM_CLI_H */
