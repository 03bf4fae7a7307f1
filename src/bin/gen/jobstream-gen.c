/*-------------------------------------------------------------------------
 *
 * jobstream-gen.c
 *		Streams synthetic job-market records to Kafka (or stdout) as JSON
 *		messages of the data contract, or writes them to files (CSV or JSON
 *		lines), one per topic.
 *
 * What.  The records come from the same generator code as the SQL
 * functions jobstream.generate_* (src/generate.c), drawn from the
 * reference data that the extension installs as CSV files, and are
 * encoded by src/jsonw.c.  Each message goes to its topic (job_posts,
 * candidate_info, job_applications, tracking_events) with the record's key
 * (post_id, candidate_id, application_id, event_id) as the message key.
 *
 * Which topic comes next.  A smooth weighted round robin over the --mix
 * weights, so that any prefix of the stream has the mix's proportions
 * (±1 message per topic) and --count gives exact counts.  An application
 * needs a candidate and a post produced before it, and a tracking event
 * a post (when job_posts is produced at all): one that comes up before
 * those exist is deferred and sent as soon as it can be.
 *
 * Consistency.  Posts and candidates produced are kept in rings (the last
 * 4,096 posts and 16,384 candidates, with what scoring needs); an
 * application links a candidate and a post of the rings, is scored by
 * score.c and gets its status from the score as in the SQL generator;
 * a candidate applies to a post at most once (it keeps the posts it
 * applied to, and stops applying after 16).  Tracking events name posts of
 * the ring.  Timestamps are the wall clock (applied_at, ts) and today
 * (posted_date), or with --start a virtual clock that advances by
 * 1/rate per message (1 ms when the rate is unlimited), which makes the
 * whole stream a function of the options.
 *
 * Files.  With --output-dir each topic goes to its own file, with the
 * names of the source systems' exports: job_posts, candidate_profiles,
 * job_applications, tracking_events (.csv with --format csv: a header of
 * the contract's field names, records that COPY ... (FORMAT csv, HEADER)
 * loads into the tables; .jsonl with --format json).  A file is written
 * under a hidden temporary name and renamed when complete.
 *
 * Delivery.  librdkafka's delivery reports count delivered and failed
 * messages; failures are reported on stderr (the first ones in full).  On
 * SIGINT or SIGTERM, or when --count or --duration is reached, production
 * stops, the queue is flushed (up to 30 s; a second signal cuts that
 * short), a summary is printed and the exit status is 0, or 1 if any
 * message was not delivered.  Bad options: a message, "Try --help", exit 2.
 *
 * Copyright (c) jobstream contributors
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "contract.h"
#include "csv.h"
#include "cli.h"
#include "decode.h"
#include "generate.h"
#include "jsonw.h"
#include "score.h"

#define PROGNAME			"jobstream-gen"

#ifndef JS_DATA_DIR
#define JS_DATA_DIR			"/usr/share/postgresql/15/extension/jobstream"
#endif
#ifndef JS_DATA_DIR_REL
#define JS_DATA_DIR_REL		""
#endif

#define POST_RING			4096
#define CAND_RING			16384
#define MAX_SKILLS			32
#define MAX_APPLIED			16
#define MAX_PROPS			64
#define VIRTUAL_POSTS		1000
#define STDOUT_CHUNK		(1 << 20)
#define FLUSH_TIMEOUT_MS	30000

/* Settings from the command line. */
typedef struct GenSettings
{
	const char *brokers;
	double		rate;			/* messages/s; 0 = unlimited */
	int64_t		count;			/* -1 = no limit */
	double		duration;		/* seconds; < 0 = no limit */
	uint64_t	seed;
	bool		seed_given;
	bool		enabled[JS_NUM_TOPICS];
	uint32_t	weight[JS_NUM_TOPICS];
	bool		to_stdout;
	bool		csv;			/* --format csv */
	const char *output_dir;
	const char *data_dir;
	const char *topic_prefix;	/* --topic-prefix, or NULL */
	const char *props[MAX_PROPS];
	int			nprops;
	int64_t		start_usec;		/* virtual clock start; -1 = wall clock */
	const char *tracking_key;	/* the field tracking events are keyed by */
	bool		quiet;
} GenSettings;

/* File names of the topics with --output-dir (without extension). */
static const char *const topic_file[JS_NUM_TOPICS] = {
	"job_posts", "candidate_profiles", "job_applications", "tracking_events"
};

/* The default --mix. */
static const uint32_t default_weight[JS_NUM_TOPICS] = {1, 5, 10, 84};

/* Everything the production loop keeps. */
typedef struct GenState
{
	const JsRefData *ref;
	JsGenOptions opt;

	/* rings of produced posts and candidates */
	JsGenOpening *posts;
	JsGenTrackPost *track_posts;
	uint64_t   *post_hashes;	/* POST_RING x MAX_SKILLS */
	int			nposts;
	int			next_post;
	JsGenApplicant *cands;
	uint64_t   *cand_hashes;	/* CAND_RING x MAX_SKILLS */
	uint64_t   *applied;		/* CAND_RING x MAX_APPLIED post fingerprints */
	uint8_t    *napplied;
	int			ncands;
	int			next_cand;
	JsGenPool	pool;
	JsGenTrackPost *virtual_posts;

	/* schedule */
	int64_t		swrr[JS_NUM_TOPICS];
	int64_t		pending[JS_NUM_TOPICS];
	uint64_t	row[JS_NUM_TOPICS]; /* next row number per topic */
	uint64_t	sent[JS_NUM_TOPICS];
	uint64_t	total;
	uint64_t	apps_wait_for;	/* applications wait until this many
								 * candidates have been sent */
} GenState;

static volatile sig_atomic_t stop_signal = 0;
static bool progress_line = false;	/* a progress line is on the terminal */
static uint64_t delivered = 0;
static uint64_t failed = 0;

/*
 * usage
 *		Prints the help text to out.
 */
static void
usage(FILE *out)
{
	fprintf(out,
			"%s streams synthetic job-market records as JSON to Kafka.\n\n"
			"Usage:\n"
			"  %s --brokers HOST:PORT[,...] [OPTION]...\n"
			"  %s --stdout [OPTION]...\n"
			"  %s --output-dir DIR [--format csv|json] [OPTION]...\n\n"
			"Options:\n"
			"  --brokers LIST       Kafka bootstrap servers\n"
			"  --stdout             write JSON lines to stdout instead of Kafka\n"
			"  --output-dir DIR     write one file per topic into DIR instead: job_posts,\n"
			"                       candidate_profiles, job_applications, tracking_events\n"
			"  --format csv|json    with --output-dir: CSV with a header of the field\n"
			"                       names (.csv), or JSON lines (.jsonl, the default)\n"
			"  --rate N|unlimited   messages per second (default unlimited)\n"
			"  --count N            stop after N messages in all\n"
			"  --duration T         stop after T seconds (suffix s, m or h allowed)\n"
			"  --seed N             seed of the generators (default: from the clock,\n"
			"                       printed on stderr)\n"
			"  --topics LIST        topics to produce, comma-separated (default all:\n"
			"                       job_posts,candidate_info,job_applications,tracking_events)\n"
			"  --topic-prefix P     prepend P to each Kafka topic name (P + job_posts ...)\n"
			"  --mix T=W,...        relative share of each topic (default job_posts=1,\n"
			"                       candidate_info=5,job_applications=10,tracking_events=84)\n"
			"  --start TIME         virtual clock start (YYYY-MM-DDTHH:MM:SSZ, or unix\n"
			"                       seconds): timestamps advance 1/rate per message, so\n"
			"                       the stream depends on the options alone\n"
			"  --tracking-key F     key tracking events by event_id (the default) or by\n"
			"                       post_id, which puts each campaign group's events in\n"
			"                       one partition (cheaper rollups with several workers)\n"
			"  --data-dir DIR       reference CSV files (default: the extension's,\n"
			"                       %s)\n"
			"  -X PROP=VALUE        set a librdkafka producer property (repeatable)\n"
			"  --quiet              no progress line and no summary\n"
			"  --help               show this help and exit\n\n"
			"Exit status: 0 when every message was delivered, 1 when some were not\n"
			"or on a runtime error, 2 on bad options.\n",
			PROGNAME, PROGNAME, PROGNAME, PROGNAME, JS_DATA_DIR);
}

/*
 * die
 *		Reports a runtime error and exits with status 1.
 */
static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", PROGNAME);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/*
 * parse_number
 *		A finite non-negative number, or a usage error naming the option.
 */
static double
parse_number(const char *opt, const char *s)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0)
	{
		char		msg[128];

		snprintf(msg, sizeof(msg), "invalid %s value \"%%s\": expected a number >= 0", opt);
		cli_bad_usage(msg, s);
	}
	return v;
}

/*
 * parse_duration
 *		Seconds from "10", "10s", "5m" or "2h".
 */
static double
parse_duration(const char *s)
{
	char	   *end;
	double		v;
	double		unit = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end != '\0' && end[1] == '\0')
	{
		if (*end == 's')
			unit = 1;
		else if (*end == 'm')
			unit = 60;
		else if (*end == 'h')
			unit = 3600;
		else
			unit = -1;
		end++;
	}
	if (errno != 0 || end == s || *end != '\0' || unit < 0 || !isfinite(v) || v <= 0)
		cli_bad_usage("invalid --duration value \"%s\": expected seconds > 0, e.g. 30, 30s, 5m or 1h", s);
	return v * unit;
}

/*
 * parse_start
 *		Microseconds since 1970 from "YYYY-MM-DDTHH:MM:SS[Z]" (UTC) or unix
 *		seconds.
 */
static int64_t
parse_start(const char *s)
{
	int			y,
				mo,
				d,
				h = 0,
				mi = 0,
				sec = 0,
				n = 0;
	char	   *end;
	long long	secs;

	errno = 0;
	secs = strtoll(s, &end, 10);
	if (errno == 0 && end != s && *end == '\0')
	{
		if (secs < 0 || secs > INT64_C(253402300799))
			cli_bad_usage("invalid --start value \"%s\": out of range", s);
		return (int64_t) secs * 1000000;
	}
	if ((sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && s[n] == '\0') ||
		(sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
		 (s[n] == '\0' || (s[n] == 'Z' && s[n + 1] == '\0'))))
	{
		if (y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
			h < 24 && mi < 60 && sec < 60)
			return (js_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
				INT64_C(1000000);
	}
	cli_bad_usage("invalid --start value \"%s\": expected YYYY-MM-DDTHH:MM:SSZ or unix seconds", s);
	return 0;
}

/*
 * topic_index
 *		The topic called name (Kafka topic or table name), or a usage error.
 */
static int
topic_index(const char *name, size_t len, const char *opt)
{
	char		buf[64];
	const JsTopicDef *def;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	def = js_topic_by_name(buf);
	if (def == NULL)
	{
		char		msg[200];

		snprintf(msg, sizeof(msg), "unknown topic \"%%s\" in %s: expected job_posts, "
				 "candidate_info, job_applications or tracking_events", opt);
		cli_bad_usage(msg, buf);
	}
	return (int) (def - js_topics);
}

/*
 * parse_topics
 *		--topics: which topics to produce.
 */
static void
parse_topics(GenSettings *s, const char *arg)
{
	const char *p = arg;

	memset(s->enabled, 0, sizeof(s->enabled));
	while (*p)
	{
		size_t		len = strcspn(p, ",");

		if (len == 0)
			cli_bad_usage("invalid --topics value \"%s\": empty topic name", arg);
		s->enabled[topic_index(p, len, "--topics")] = true;
		p += len;
		if (*p == ',')
			p++;
	}
}

/*
 * parse_mix
 *		--mix: topic=weight pairs; topics not named keep their weight.
 */
static void
parse_mix(GenSettings *s, const char *arg)
{
	const char *p = arg;

	while (*p)
	{
		size_t		len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		char		num[32];
		double		w;
		int			t;

		if (eq == NULL || eq == p || (size_t) (p + len - eq - 1) >= sizeof(num) || eq + 1 == p + len)
			cli_bad_usage("invalid --mix value \"%s\": expected TOPIC=WEIGHT,... such as "
					  "job_posts=1,candidate_info=5,job_applications=10,tracking_events=84", arg);
		t = topic_index(p, eq - p, "--mix");
		memcpy(num, eq + 1, p + len - eq - 1);
		num[p + len - eq - 1] = '\0';
		w = parse_number("--mix weight", num);
		if (w > 1e6)
			cli_bad_usage("invalid --mix weight \"%s\": at most 1000000", num);
		s->weight[t] = (uint32_t) llround(w * 1000);
		p += len;
		if (*p == ',')
			p++;
	}
}

/*
 * parse_args
 *		Fills s from the command line; usage errors exit with status 2.
 */
static void
parse_args(GenSettings *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"brokers", required_argument, NULL, 'b'},
		{"stdout", no_argument, NULL, 'o'},
		{"output-dir", required_argument, NULL, 'O'},
		{"format", required_argument, NULL, 'F'},
		{"rate", required_argument, NULL, 'r'},
		{"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"topics", required_argument, NULL, 't'},
		{"topic-prefix", required_argument, NULL, 'P'},
		{"mix", required_argument, NULL, 'm'},
		{"start", required_argument, NULL, 'S'},
		{"data-dir", required_argument, NULL, 'D'},
		{"tracking-key", required_argument, NULL, 'k'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			c;
	bool		format_given = false;

	memset(s, 0, sizeof(*s));
	s->count = -1;
	s->duration = -1;
	s->start_usec = -1;
	s->tracking_key = "event_id";
	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		s->enabled[t] = true;
		s->weight[t] = default_weight[t] * 1000;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":X:h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'b':
				s->brokers = optarg;
				break;
			case 'o':
				s->to_stdout = true;
				break;
			case 'O':
				s->output_dir = optarg;
				break;
			case 'F':
				if (strcmp(optarg, "csv") == 0)
					s->csv = true;
				else if (strcmp(optarg, "json") == 0)
					s->csv = false;
				else
					cli_bad_usage("invalid --format value \"%s\": expected csv or json", optarg);
				format_given = true;
				break;
			case 'r':
				if (strcmp(optarg, "unlimited") == 0)
					s->rate = 0;
				else
				{
					s->rate = parse_number("--rate", optarg);
					if (s->rate <= 0)
						cli_bad_usage("invalid --rate value \"%s\": expected messages per second > 0 or \"unlimited\"", optarg);
				}
				break;
			case 'c':
				{
					long long	v;

					if (!cli_parse_ll(optarg, &v) || v < 0)
						cli_bad_usage("invalid --count value \"%s\": expected an integer >= 0", optarg);
					s->count = v;
				}
				break;
			case 'd':
				s->duration = parse_duration(optarg);
				break;
			case 's':
				{
					long long	v;

					if (!cli_parse_ll(optarg, &v))
						cli_bad_usage("invalid --seed value \"%s\": expected an integer", optarg);
					s->seed = (uint64_t) v;
					s->seed_given = true;
				}
				break;
			case 't':
				parse_topics(s, optarg);
				break;
			case 'm':
				parse_mix(s, optarg);
				break;
			case 'P':
				if (strlen(optarg) > 200 || optarg[strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] != '\0')
					cli_bad_usage("invalid --topic-prefix value \"%s\": Kafka topic names take letters, digits, '.', '_' and '-' (up to 249 in all)", optarg);
				s->topic_prefix = optarg;
				break;
			case 'S':
				s->start_usec = parse_start(optarg);
				break;
			case 'D':
				s->data_dir = optarg;
				break;
			case 'X':
				cli_add_property(s->props, &s->nprops, MAX_PROPS, optarg);
				break;
			case 'k':
				if (strcmp(optarg, "event_id") != 0 && strcmp(optarg, "post_id") != 0)
					cli_bad_usage("invalid --tracking-key value \"%s\": expected event_id or post_id", optarg);
				s->tracking_key = optarg;
				break;
			case 'q':
				s->quiet = true;
				break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				cli_bad_option(c, argv[optind - 1]);
		}
	}
	cli_no_more_arguments(argc, argv);
	if ((s->brokers != NULL) + s->to_stdout + (s->output_dir != NULL) == 0)
		cli_bad_usage("%s", "give --brokers, --stdout to write JSON lines, or --output-dir to write files");
	if ((s->brokers != NULL) + s->to_stdout + (s->output_dir != NULL) > 1)
		cli_bad_usage("%s", "--brokers, --stdout and --output-dir exclude each other");
	if (format_given && s->output_dir == NULL)
		cli_bad_usage("%s", "--format applies to --output-dir");
	{
		bool		any = false;

		for (int t = 0; t < JS_NUM_TOPICS; t++)
		{
			if (s->weight[t] == 0)
				s->enabled[t] = false;
			any |= s->enabled[t];
		}
		if (!any)
			cli_bad_usage("%s", "no topic to produce: --topics and --mix leave none with a weight above 0");
	}
	if (s->enabled[JS_TOPIC_APPLICATIONS] &&
		(!s->enabled[JS_TOPIC_JOB_POSTS] || !s->enabled[JS_TOPIC_CANDIDATES]))
		cli_bad_usage("%s", "job_applications link the posts and candidates produced: "
				  "produce job_posts and candidate_info too");
}

/*
 * signal_handler
 *		First SIGINT/SIGTERM: stop producing and flush; second: stop
 *		waiting for the flush.
 */
static void
signal_handler(int sig)
{
	(void) sig;
	stop_signal++;
}

/*
 * delivery_report
 *		librdkafka delivery callback: counts, and reports failures (the
 *		first 10, then one in 10,000).
 */
static void
delivery_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void) rk;
	(void) opaque;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
	{
		delivered++;
		return;
	}
	failed++;
	if (failed <= 10 || failed % 10000 == 0)
		fprintf(stderr, "%s%s: delivery to %s failed: %s%s\n", progress_line ? "\n" : "", PROGNAME,
				rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err),
				failed == 10 ? " (further failures are counted, one in 10,000 shown)" : "");
}

/*
 * error_report
 *		librdkafka error callback: broker and client errors, at most one a
 *		second unless fatal.
 */
static void
error_report(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	static time_t last = 0;
	time_t		now = time(NULL);

	(void) opaque;
	if (err == RD_KAFKA_RESP_ERR__FATAL)
	{
		char		buf[512];

		rd_kafka_fatal_error(rk, buf, sizeof(buf));
		fprintf(stderr, "%s%s: fatal Kafka error: %s\n", progress_line ? "\n" : "", PROGNAME, buf);
		stop_signal = 2;
		return;
	}
	if (now != last)
	{
		fprintf(stderr, "%s%s: Kafka: %s\n", progress_line ? "\n" : "", PROGNAME, reason);
		last = now;
	}
}

/*
 * quiet_log
 *		librdkafka log callback: silent, since error_report already says what
 *		matters once a second.
 */
static void
quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void) rk;
	(void) level;
	(void) fac;
	(void) buf;
}

/* Seconds on the monotonic clock. */
static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Microseconds since 1970 on the wall clock. */
static int64_t
wall_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * default_data_dir
 *		The installed CSV files: relative to this executable when the build
 *		knew the relative path (so that a DESTDIR or relocated install works),
 *		else the configured absolute directory.
 */
static const char *
default_data_dir(void)
{
	static char path[2 * PATH_MAX];
	char		exe[PATH_MAX];
	ssize_t		n;
	char	   *slash;

	if (JS_DATA_DIR_REL[0] != '\0' &&
		(n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0)
	{
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL)
		{
			char		probe[2 * PATH_MAX + 32];

			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", exe, JS_DATA_DIR_REL);
			snprintf(probe, sizeof(probe), "%s/job_titles.csv", path);
			if (access(probe, R_OK) == 0)
				return path;
		}
	}
	return JS_DATA_DIR;
}

/* pair_used callback: has candidate slot c applied to post slot p? */
static bool
ring_pair_used(void *arg, int c, int p)
{
	GenState   *st = arg;
	uint64_t	fp;
	const uint64_t *list = &st->applied[(size_t) c * MAX_APPLIED];

	if (st->napplied[c] >= MAX_APPLIED)
		return true;
	memcpy(&fp, st->posts[p].id, 8);
	for (int k = 0; k < st->napplied[c]; k++)
		if (list[k] == fp)
			return true;
	return false;
}

/* pair_mark callback: candidate slot c applied to post slot p. */
static void
ring_pair_mark(void *arg, int c, int p)
{
	GenState   *st = arg;

	memcpy(&st->applied[(size_t) c * MAX_APPLIED + st->napplied[c]], st->posts[p].id, 8);
	st->napplied[c]++;
}

/* The prepared skill set of a text array value, into hashes. */
static JsSkillSet
skill_set(const JsValue *v, uint64_t *hashes)
{
	JsSkillSet	set;
	int			n = 0;

	for (int k = 0; k < v->v.arr.n && n < MAX_SKILLS; k++)
		if (js_skill_hash(v->v.arr.items[k].ptr, v->v.arr.items[k].len, &hashes[n]))
			n++;
	set.hashes = hashes;
	set.n = js_skillset_finish(hashes, n);
	return set;
}

/* The seniority rank of an experience_level value, or JS_SENIORITY_NONE. */
static int
row_level(const JsValue *v)
{
	return v->isnull ? JS_SENIORITY_NONE :
		js_seniority_parse(v->v.str.ptr, v->v.str.len);
}

/* Remember a produced post in the ring. */
static void
remember_post(GenState *st, const JsValue *row)
{
	int			p = st->next_post;
	JsGenOpening *o = &st->posts[p];
	bool		replacing = p < st->nposts;

	if (replacing)
		js_gen_pool_unindex(&st->pool, p);
	memset(o, 0, sizeof(*o));
	memcpy(o->id, row[JS_JP_POST_ID].v.uuid, 16);
	o->side.has_category = true;
	o->side.category = js_category_hash(row[JS_JP_JOB_CATEGORY].v.str.ptr,
										row[JS_JP_JOB_CATEGORY].v.str.len);
	o->side.has_skills = true;
	o->side.skills = skill_set(&row[JS_JP_REQUIRED_SKILLS], &st->post_hashes[(size_t) p * MAX_SKILLS]);
	o->side.has_min_years = !row[JS_JP_MIN_YEARS_EXPERIENCE].isnull;
	o->side.min_years = row[JS_JP_MIN_YEARS_EXPERIENCE].v.i32;
	o->side.level = row_level(&row[JS_JP_EXPERIENCE_LEVEL]);
	o->side.has_salary_max = !row[JS_JP_SALARY_MAX].isnull;
	o->side.salary_max = row[JS_JP_SALARY_MAX].v.i32;
	o->has_dates = true;
	o->posted_date = row[JS_JP_POSTED_DATE].v.date;
	o->deadline_date = row[JS_JP_DEADLINE_DATE].v.date;
	memcpy(st->track_posts[p].post_id, o->id, 16);
	st->track_posts[p].company_id = js_ref_company_id(st->ref, row[JS_JP_COMPANY].v.str.ptr,
													  row[JS_JP_COMPANY].v.str.len);
	if (!replacing)
		st->nposts++;
	st->pool.nposts = st->nposts;
	js_gen_pool_index(&st->pool, p);
	st->next_post = (p + 1) % POST_RING;
}

/* Remember a produced candidate in the ring. */
static void
remember_candidate(GenState *st, const JsValue *row)
{
	int			c = st->next_cand;
	JsGenApplicant *a = &st->cands[c];

	memset(a, 0, sizeof(*a));
	memcpy(a->id, row[JS_CA_CANDIDATE_ID].v.uuid, 16);
	a->side.has_category = !row[JS_CA_JOB_CATEGORY].isnull;
	if (a->side.has_category)
		a->side.category = js_category_hash(row[JS_CA_JOB_CATEGORY].v.str.ptr,
											row[JS_CA_JOB_CATEGORY].v.str.len);
	a->side.has_skills = true;
	a->side.skills = skill_set(&row[JS_CA_SKILLS], &st->cand_hashes[(size_t) c * MAX_SKILLS]);
	a->side.has_years = !row[JS_CA_YEARS_EXPERIENCE].isnull;
	a->side.years = row[JS_CA_YEARS_EXPERIENCE].v.i32;
	a->side.level = row_level(&row[JS_CA_EXPERIENCE_LEVEL]);
	a->side.has_salary = !row[JS_CA_EXPECTED_SALARY].isnull;
	a->side.expected_salary = row[JS_CA_EXPECTED_SALARY].v.i32;
	st->napplied[c] = 0;
	if (st->ncands < CAND_RING)
		st->ncands++;
	st->pool.ncands = st->ncands;
	st->next_cand = (c + 1) % CAND_RING;
}

/* Whether a message of topic t can be made now. */
static bool
topic_ready(const GenState *st, const GenSettings *s, int t)
{
	if (t == JS_TOPIC_APPLICATIONS)
		return st->nposts > 0 && st->ncands > 0 &&
			st->sent[JS_TOPIC_CANDIDATES] >= st->apps_wait_for;
	if (t == JS_TOPIC_TRACKING_EVENTS && s->enabled[JS_TOPIC_JOB_POSTS])
		return st->nposts > 0;
	return true;
}

/*
 * next_topic
 *		The topic of the next message: a deferred one that has become
 *		possible, else the next of the smooth weighted round robin (deferring
 *		it if it is not possible yet).
 */
static int
next_topic(GenState *st, const GenSettings *s)
{
	for (;;)
	{
		int64_t		total = 0;
		int			best = -1;

		for (int t = 0; t < JS_NUM_TOPICS; t++)
			if (st->pending[t] > 0 && topic_ready(st, s, t))
			{
				st->pending[t]--;
				return t;
			}
		for (int t = 0; t < JS_NUM_TOPICS; t++)
		{
			if (!s->enabled[t])
				continue;
			st->swrr[t] += s->weight[t];
			total += s->weight[t];
			if (best < 0 || st->swrr[t] > st->swrr[best])
				best = t;
		}
		st->swrr[best] -= total;
		if (topic_ready(st, s, best))
			return best;
		st->pending[best]++;
	}
}

/*
 * make_row
 *		Generates the next row of topic t into row; false when an
 *		application found no free pair (it is then deferred).
 */
static bool
make_row(GenState *st, int t, int64_t now, int64_t ev_from, int64_t ev_to,
		 JsValue *row, JsArena *arena)
{
	bool		ok = true;

	switch (t)
	{
		case JS_TOPIC_JOB_POSTS:
			ok = js_gen_job_post(st->ref, &st->opt, st->row[t], row, arena);
			if (!ok)
				die("%s", "out of memory");
			remember_post(st, row);
			break;
		case JS_TOPIC_CANDIDATES:
			ok = js_gen_candidate(st->ref, &st->opt, st->row[t], row, arena);
			if (!ok)
				die("%s", "out of memory");
			remember_candidate(st, row);
			break;
		case JS_TOPIC_APPLICATIONS:
			ok = js_gen_application(&st->pool, &st->opt, st->row[t], now, row);
			break;
		case JS_TOPIC_TRACKING_EVENTS:
			if (st->nposts > 0)
				js_gen_tracking_event(st->ref, &st->opt, st->row[t], ev_from, ev_to,
									  st->track_posts, st->nposts, row);
			else
				js_gen_tracking_event(st->ref, &st->opt, st->row[t], ev_from, ev_to,
									  st->virtual_posts, VIRTUAL_POSTS, row);
			break;
	}
	st->row[t]++;
	return ok;
}

/* A topic's output file with --output-dir. */
typedef struct TopicFile
{
	FILE	   *fp;
	char	   *tmp;			/* hidden name while it is written */
	char	   *path;
	JsBuf		buf;
} TopicFile;

/*
 * open_topic_file
 *		Creates the temporary file of topic t in the output directory; with
 *		CSV, writes the header.
 */
static void
open_topic_file(TopicFile *f, const GenSettings *s, int t)
{
	const char *ext = s->csv ? "csv" : "jsonl";

	if (asprintf(&f->path, "%s/%s.%s", s->output_dir, topic_file[t], ext) < 0 ||
		asprintf(&f->tmp, "%s/.%s.%s.tmp", s->output_dir, topic_file[t], ext) < 0)
		die("%s", "out of memory");
	f->fp = fopen(f->tmp, "wb");
	if (f->fp == NULL)
	{
		fprintf(stderr, "%s: cannot create %s: %s\n", PROGNAME, f->tmp, strerror(errno));
		exit(1);
	}
	js_buf_init(&f->buf);
	if (s->csv && !js_csv_header(&js_topics[t], &f->buf))
		die("%s", "out of memory");
}

/*
 * flush_topic_file
 *		Writes what is buffered for a topic file.
 */
static void
flush_topic_file(TopicFile *f)
{
	if (f->buf.len > 0 && fwrite(f->buf.data, 1, f->buf.len, f->fp) != f->buf.len)
	{
		fprintf(stderr, "%s: cannot write %s: %s\n", PROGNAME, f->tmp, strerror(errno));
		exit(1);
	}
	js_buf_reset(&f->buf);
}

/*
 * close_topic_file
 *		Completes a topic file and gives it its name.
 */
static void
close_topic_file(TopicFile *f)
{
	flush_topic_file(f);
	if (fclose(f->fp) != 0 || rename(f->tmp, f->path) != 0)
	{
		fprintf(stderr, "%s: cannot complete %s: %s\n", PROGNAME, f->path, strerror(errno));
		exit(1);
	}
	f->fp = NULL;
	js_buf_free(&f->buf);
	free(f->tmp);
	free(f->path);
}

/* Prints the progress line (on a terminal) or the final summary. */
static void
report(const GenState *st, const GenSettings *s, double elapsed, bool final)
{
	double		rate = elapsed > 0 ? st->total / elapsed : 0;

	if (!final)
	{
		if (s->brokers == NULL)
			fprintf(stderr, "\r%s: %" PRIu64 " written, %.0f msg/s   ",
					PROGNAME, st->total, rate);
		else
			fprintf(stderr, "\r%s: %" PRIu64 " sent, %.0f msg/s, %" PRIu64 " delivered, %" PRIu64 " errors   ",
					PROGNAME, st->total, rate, delivered, failed);
		return;
	}
	fprintf(stderr, "%s: %" PRIu64 " messages in %.2f s (%.0f msg/s): job_posts %" PRIu64
			", candidate_info %" PRIu64 ", job_applications %" PRIu64 ", tracking_events %" PRIu64,
			PROGNAME, st->total, elapsed, rate, st->sent[0], st->sent[1], st->sent[2], st->sent[3]);
	if (s->brokers != NULL)
		fprintf(stderr, "; %" PRIu64 " delivered, %" PRIu64 " failed", delivered, failed);
	fputc('\n', stderr);
}

/*
 * main
 *		Parses options, loads the reference data, then produces until the
 *		count, the duration or a signal ends it.
 */
int
main(int argc, char **argv)
{
	GenSettings s;
	GenState	st;
	JsRefData	ref;
	char		err[512];
	const char *table;
	JsArena		arena;
	JsBuf		json;
	JsBuf		out;
	JsValue		row[JS_MAX_FIELDS];
	rd_kafka_t *rk = NULL;
	rd_kafka_topic_t *rkt[JS_NUM_TOPICS] = {NULL};
	int			keyidx[JS_NUM_TOPICS];
	double		t0,
				next_report;
	bool		progress;
	int64_t		step_usec;
	int64_t		start_usec;
	TopicFile	files[JS_NUM_TOPICS];

	memset(files, 0, sizeof(files));
	cli_init(PROGNAME, "--help");
	parse_args(&s, argc, argv);
	if (s.data_dir == NULL)
		s.data_dir = default_data_dir();
	if (!s.seed_given)
	{
		s.seed = (uint64_t) wall_usec() ^ ((uint64_t) getpid() << 32);
		if (!s.quiet)
			fprintf(stderr, "%s: seed %" PRId64 "\n", PROGNAME, (int64_t) s.seed);
	}

	/* reference data */
	js_ref_init(&ref);
	if (!js_ref_load_csv_dir(&ref, s.data_dir, err, sizeof(err)) ||
		!js_ref_finish(&ref, err, sizeof(err)))
	{
		fprintf(stderr, "%s: cannot load the reference data: %s\n"
				"Hint: pass --data-dir with the directory of jobstream's CSV files.\n",
				PROGNAME, err);
		return 1;
	}
	for (int t = 0; t < JS_NUM_TOPICS; t++)
		if (s.enabled[t] && !js_ref_check(&ref, t, &table, err, sizeof(err)))
		{
			fprintf(stderr, "%s: cannot generate %s: %s (table %s in %s)\n",
					PROGNAME, js_topics[t].name, err, table, s.data_dir);
			return 1;
		}

	/* state */
	memset(&st, 0, sizeof(st));
	st.ref = &ref;
	step_usec = s.rate > 0 ? (int64_t) llround(1e6 / s.rate) : 1000;
	if (step_usec < 1)
		step_usec = 1;
	start_usec = s.start_usec >= 0 ? s.start_usec : wall_usec();
	st.opt.seed = s.seed;
	st.opt.as_of = (int32_t) (start_usec / JS_USECS_PER_DAY);
	st.opt.posted_window = 1;
	st.posts = calloc(POST_RING, sizeof(JsGenOpening));
	st.track_posts = calloc(POST_RING, sizeof(JsGenTrackPost));
	st.post_hashes = calloc((size_t) POST_RING * MAX_SKILLS, sizeof(uint64_t));
	st.cands = calloc(CAND_RING, sizeof(JsGenApplicant));
	st.cand_hashes = calloc((size_t) CAND_RING * MAX_SKILLS, sizeof(uint64_t));
	st.applied = calloc((size_t) CAND_RING * MAX_APPLIED, sizeof(uint64_t));
	st.napplied = calloc(CAND_RING, 1);
	st.pool.by_category = calloc(POST_RING, sizeof(int));
	st.virtual_posts = calloc(VIRTUAL_POSTS, sizeof(JsGenTrackPost));
	if (!st.posts || !st.track_posts || !st.post_hashes || !st.cands || !st.cand_hashes ||
		!st.applied || !st.napplied || !st.pool.by_category || !st.virtual_posts)
		die("%s", "out of memory");
	st.pool.cands = st.cands;
	st.pool.posts = st.posts;
	st.pool.walk_limit = 100000;
	st.pool.pair_used = ring_pair_used;
	st.pool.pair_mark = ring_pair_mark;
	st.pool.pair_arg = &st;
	js_arena_init(&arena, 1 << 20);
	if (!s.enabled[JS_TOPIC_JOB_POSTS] && s.enabled[JS_TOPIC_TRACKING_EVENTS] &&
		!js_gen_virtual_posts(&ref, &st.opt, VIRTUAL_POSTS, st.virtual_posts, &arena))
		die("%s", "out of memory");
	for (int t = 0; t < JS_NUM_TOPICS; t++)
		keyidx[t] = js_field_index(&js_topics[t], t == JS_TOPIC_TRACKING_EVENTS ?
								   s.tracking_key : js_topics[t].key_field);
	js_buf_init(&json);
	js_buf_init(&out);

	/* files */
	if (s.output_dir)
		for (int t = 0; t < JS_NUM_TOPICS; t++)
			if (s.enabled[t])
				open_topic_file(&files[t], &s, t);

	/* Kafka */
	if (s.brokers)
	{
		rd_kafka_conf_t *conf = rd_kafka_conf_new();
		char		errstr[512];
		static const char *const defaults[][2] = {
			{"linger.ms", "20"},
			{"batch.num.messages", "10000"},
			{"queue.buffering.max.messages", "1000000"},
			{"queue.buffering.max.kbytes", "1048576"},
			{"compression.codec", "lz4"},
		};

		if (rd_kafka_conf_set(conf, "bootstrap.servers", s.brokers, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
			cli_bad_usage("invalid --brokers value: %s", errstr);
		for (size_t k = 0; k < sizeof(defaults) / sizeof(defaults[0]); k++)
			rd_kafka_conf_set(conf, defaults[k][0], defaults[k][1], errstr, sizeof(errstr));
		for (int k = 0; k < s.nprops; k++)
		{
			char		name[256];
			const char *value;

			if (!cli_split_property(s.props[k], name, sizeof(name), &value))
				cli_bad_usage("invalid -X property \"%s\": name too long", s.props[k]);
			if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
				cli_bad_usage("invalid -X option: %s", errstr);
		}
		rd_kafka_conf_set_dr_msg_cb(conf, delivery_report);
		rd_kafka_conf_set_error_cb(conf, error_report);
		rd_kafka_conf_set_log_cb(conf, quiet_log);
		rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
		if (rk == NULL)
			die("cannot create the Kafka producer: %s", errstr);
		for (int t = 0; t < JS_NUM_TOPICS; t++)
			if (s.enabled[t])
			{
				char		name[256];

				snprintf(name, sizeof(name), "%s%s",
						 s.topic_prefix ? s.topic_prefix : "", js_topics[t].name);
				rkt[t] = rd_kafka_topic_new(rk, name, NULL);
			}
	}

	cli_on_stop_signals(signal_handler);

	progress = !s.quiet && isatty(STDERR_FILENO);
	progress_line = progress;
	t0 = mono_now();
	next_report = t0 + 0.5;
	while (!stop_signal)
	{
		int			t;
		int64_t		now,
					ev_from,
					ev_to;
		char		key[36];

		if (s.count >= 0 && (int64_t) st.total >= s.count)
			break;
		if ((st.total & 255) == 0 || s.rate > 0)
		{
			double		m = mono_now();

			if (s.duration > 0 && m - t0 >= s.duration)
				break;
			if (s.rate > 0)
			{
				double		due = t0 + st.total / s.rate;

				if (due > m)
				{
					struct timespec ts;
					double		wait = due - m;

					ts.tv_sec = (time_t) wait;
					ts.tv_nsec = (long) ((wait - ts.tv_sec) * 1e9);
					nanosleep(&ts, NULL);
					m = due;
				}
			}
			if (rk)
				rd_kafka_poll(rk, 0);
			if (progress && m >= next_report)
			{
				report(&st, &s, m - t0, false);
				next_report = m + 0.5;
			}
		}

		t = next_topic(&st, &s);
		if (s.start_usec >= 0)
		{
			/* virtual clock: this message's slot is [now, now + step) */
			now = start_usec + (int64_t) st.total * step_usec;
			ev_from = now;
			ev_to = now + step_usec;
		}
		else
		{
			/* wall clock: events of the last millisecond */
			now = wall_usec();
			ev_from = now - 1000;
			ev_to = now;
		}
		if (!make_row(&st, t, now, ev_from, ev_to, row, &arena))
		{
			/* no free pair now: wait for the next candidate */
			st.pending[t]++;
			st.row[t]--;
			st.apps_wait_for = st.sent[JS_TOPIC_CANDIDATES] + 1;
			if (st.pending[t] > 1000000)
				die("%s", "applications cannot find (candidate, post) pairs; "
					"raise the candidate_info or job_posts share of --mix");
			continue;
		}
		js_buf_reset(&json);
		if (!(s.output_dir && s.csv ? js_csv_encode(&js_topics[t], row, &json)
			  : js_encode(&js_topics[t], row, &json)))
			die("%s", "out of memory");
		if ((st.total & 1023) == 1023)
			js_arena_reset(&arena);

		if (s.to_stdout)
		{
			if (!js_buf_append(&out, json.data, json.len) || !js_buf_append(&out, "\n", 1))
				die("%s", "out of memory");
			if (out.len >= STDOUT_CHUNK)
			{
				if (fwrite(out.data, 1, out.len, stdout) != out.len)
				{
					if (errno == EPIPE)
						break;
					die("cannot write to stdout: %s", strerror(errno));
				}
				js_buf_reset(&out);
			}
		}
		else if (s.output_dir)
		{
			TopicFile  *f = &files[t];

			if (!js_buf_append(&f->buf, json.data, json.len) ||
				(!s.csv && !js_buf_append(&f->buf, "\n", 1)))
				die("%s", "out of memory");
			if (f->buf.len >= STDOUT_CHUNK)
				flush_topic_file(f);
		}
		else
		{
			js_uuid_format(row[keyidx[t]].v.uuid, key);
			for (;;)
			{
				rd_kafka_resp_err_t e;

				e = rd_kafka_producev(rk,
									  RD_KAFKA_V_RKT(rkt[t]),
									  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
									  RD_KAFKA_V_KEY(key, sizeof(key)),
									  RD_KAFKA_V_VALUE(json.data, json.len),
									  RD_KAFKA_V_END);
				if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
					break;
				if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
				{
					failed++;
					if (failed <= 10)
						fprintf(stderr, "%s%s: cannot produce to %s: %s\n", progress_line ? "\n" : "", PROGNAME,
								js_topics[t].name, rd_kafka_err2str(e));
					break;
				}
				rd_kafka_poll(rk, 10);
				if (stop_signal > 1)
					break;
			}
		}
		st.sent[t]++;
		st.total++;
	}

	/* drain */
	if (s.to_stdout)
	{
		if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len && errno != EPIPE)
			die("cannot write to stdout: %s", strerror(errno));
		if (fflush(stdout) != 0 && errno != EPIPE)
			die("cannot write to stdout: %s", strerror(errno));
	}
	else if (s.output_dir)
	{
		for (int t = 0; t < JS_NUM_TOPICS; t++)
			if (files[t].fp)
				close_topic_file(&files[t]);
	}
	else
	{
		double		deadline = mono_now() + FLUSH_TIMEOUT_MS / 1000.0;

		while (rd_kafka_outq_len(rk) > 0 && stop_signal < 2 && mono_now() < deadline)
		{
			rd_kafka_flush(rk, 100);
			if (progress)
				report(&st, &s, mono_now() - t0, false);
		}
		if (rd_kafka_outq_len(rk) > 0)
		{
			int			left = rd_kafka_outq_len(rk);

			fprintf(stderr, "%s%s: %d messages not delivered before exit\n",
					progress_line ? "\n" : "", PROGNAME, left);
			rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
			rd_kafka_poll(rk, 0);
			if (delivered + failed < st.total)
				failed = st.total - delivered;
		}
	}
	if (progress)
		fputc('\n', stderr);
	if (!s.quiet)
		report(&st, &s, mono_now() - t0, true);

	if (rk)
	{
		for (int t = 0; t < JS_NUM_TOPICS; t++)
			if (rkt[t])
				rd_kafka_topic_destroy(rkt[t]);
		rd_kafka_destroy(rk);
	}
	js_buf_free(&json);
	js_buf_free(&out);
	js_arena_free(&arena);
	js_ref_free(&ref);
	return failed > 0 ? 1 : 0;
}
