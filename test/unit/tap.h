/*
 * tap.h
 *		The TAP reporting every C unit test shares: ok() prints one result,
 *		tap_done() the plan and the exit status.  Include it once, from the
 *		test's single source file.
 */
#ifndef JS_TEST_TAP_H
#define JS_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int	ntests;
static int	nfailed;

/*
 * Report one TAP test result; returns cond.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

/*
 * Print the plan (at the end, as TAP allows) and return the exit status.
 */
static int
tap_done(void)
{
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

#endif							/* JS_TEST_TAP_H */
