/*-------------------------------------------------------------------------
 *
 * jobstream-devbroker.c
 *		A throwaway Kafka broker for jobstream's tests and demo.
 *
 * What this is.  A single process that runs librdkafka's built-in mock
 * cluster (rdkafka_mock.h): one or more in-memory "brokers" that speak the
 * real Kafka wire protocol over TCP on 127.0.0.1.  Any Kafka client
 * (librdkafka, the jobstream workers, jobstream-kcat, jobstream-gen) can
 * produce to it and consume from it, including consumer groups with offset
 * commits and the idempotent producer.  At start it creates the jobstream
 * topics with the requested partition count and replication factor 1, prints
 * the bootstrap address on stdout, and then waits for signals.
 *
 * Why the mock cluster.  A real Kafka (a JVM, KRaft, seconds to start, a few
 * hundred MB of RAM) is the right thing for the docker demo but a heavy
 * dependency for "make test".  The mock cluster ships inside librdkafka,
 * which the extension links anyway, starts in milliseconds and needs no
 * configuration, so every test can have a private broker on an ephemeral
 * port.
 *
 * What it does not do.
 *	- No persistence.  Everything lives in this process's memory; stopping
 *	  or restarting it loses every message, committed offset and group.  A
 *	  "broker restart" test must therefore NOT restart this process; use the
 *	  outage simulation below instead.
 *	- Bounded retention.  Each mock partition keeps only its most recent
 *	  ~5 MiB or 100,000 message sets (librdkafka's hard-coded max_size and
 *	  max_cnt per partition; older sets are dropped and the log start offset
 *	  moves forward).  A backlog of N MiB that must stay readable therefore
 *	  needs more than N/5 partitions, and the messages must be spread
 *	  evenly: keyed messages are; unkeyed ones from librdkafka's sticky
 *	  partitioner arrive in per-partition bursts (several MiB at high rates)
 *	  unless the producer sets sticky.partitioning.linger.ms=0.
 *	- No choice of listening port.  librdkafka 2.0's mock API has no call or
 *	  property to pick a broker's listener: each mock broker binds
 *	  127.0.0.1:0 and the kernel picks the port.  --port is therefore
 *	  refused; use --bootstrap-file or stdout to learn the address.
 *	- Automatically created topics get the mock's fixed defaults: 4
 *	  partitions, replication factor min(3, brokers).  Any metadata request
 *	  naming an unknown topic creates it, even a consumer's.  The
 *	  CreateTopics admin API is not supported.
 *	- No TLS, SASL, ACLs, quotas or log compaction; it listens on loopback
 *	  only and is for tests and the demo.
 *
 * Outage simulation (for "the broker went away" tests).  SIGUSR1 calls
 * rd_kafka_mock_broker_set_down() on every broker: all client connections
 * are closed at once, and each broker's listening socket is closed and
 * re-bound to the same port without listen(), so new connections are
 * refused (ECONNREFUSED) while the port stays reserved.  SIGUSR2 calls
 * rd_kafka_mock_broker_set_up(): the brokers listen again on the same
 * ports.  Partition logs, committed offsets, consumer groups and producer
 * ids are untouched in between, because the cluster object stays alive:
 * clients see transport errors ("Connection refused", "all brokers down")
 * during the outage, then reconnect and resume where they were, with
 * nothing lost.  Details a test must know:
 *	- Each change takes effect within milliseconds, but librdkafka 2.0's
 *	  mock control queue can miss a wake-up and delay one by up to a second;
 *	  the stderr line "SIGUSR1: all brokers down" (or "SIGUSR2: all brokers
 *	  up again") is printed only once the change is in effect.
 *	- Clients reconnect on their own schedule: librdkafka backs off up to
 *	  reconnect.backoff.max.ms (default 10 s) between attempts, so recovery
 *	  after SIGUSR2 can take that long unless the client lowers it.
 *	- Repeating SIGUSR1 (or SIGUSR2) is harmless; signals sent in quick
 *	  succession may be merged by the kernel.
 *	- A producer without enable.idempotence may write a batch twice if the
 *	  outage cuts a connection between the append and the acknowledgement,
 *	  as with a real broker.
 *
 * Shutdown.  SIGTERM or SIGINT remove the pid and bootstrap files this
 * process wrote, destroy the mock cluster (closing all connections and
 * listeners) and exit 0, normally within milliseconds and at most about
 * 0.3 s later (see shutdown_cluster for a librdkafka 2.0 quirk that would
 * otherwise add a second).  Signals
 * are taken synchronously with sigwait(); there is no polling loop.  Other
 * signals keep their default action; stdin is not read.
 *
 * Copyright (c) jobstream contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cli.h"

#define PROGNAME "jobstream-devbroker"

#define DEFAULT_TOPICS "job_posts,candidate_info,job_applications,tracking_events"
#define DEFAULT_PARTITIONS 8
#define DEFAULT_BROKERS 1
#define MAX_BROKERS 64
#define MAX_PARTITIONS 100000

/* Files written at start and removed at exit (NULL when not requested). */
static const char *bootstrap_file = NULL;
static const char *pid_file = NULL;

/*
 * usage
 *		Print the help text on the given stream.
 */
static void
usage(FILE *out)
{
	fprintf(out,
			"%s runs an in-memory Kafka cluster (librdkafka's mock cluster) on\n"
			"127.0.0.1 for jobstream's tests and demo.\n"
			"\n"
			"Usage:\n"
			"  %s [OPTION]...\n"
			"\n"
			"Options:\n"
			"  --brokers N            number of mock brokers (default %d)\n"
			"  --partitions N         partitions of each created topic (default %d)\n"
			"  --topics A,B,...       topics to create at start, replication factor 1\n"
			"                         (default %s)\n"
			"  --port P               not supported: librdkafka %s's mock cluster\n"
			"                         cannot choose its listening port; each broker\n"
			"                         gets an ephemeral port. Giving it is an error.\n"
			"  --bootstrap-file PATH  write the bootstrap address and a newline to\n"
			"                         PATH (atomically, via PATH.tmp and rename)\n"
			"  --pid-file PATH        write the process id to PATH\n"
			"  --help                 show this help and exit\n"
			"\n"
			"The first line on stdout is the bootstrap address list\n"
			"(\"127.0.0.1:PORT[,127.0.0.1:PORT...]\"); it is printed once the topics exist.\n"
			"\n"
			"Signals:\n"
			"  SIGTERM, SIGINT  destroy the cluster, remove the pid and bootstrap\n"
			"                   files, exit 0\n"
			"  SIGUSR1          outage: close every client connection and refuse new\n"
			"                   ones (the ports stay reserved); all data is kept\n"
			"  SIGUSR2          end of outage: accept connections again on the same\n"
			"                   ports; clients resume without loss\n"
			"\n"
			"Caveats:\n"
			"  - Nothing is persisted: stopping this process loses all messages,\n"
			"    offsets and groups. Simulate broker restarts with SIGUSR1/SIGUSR2.\n"
			"  - Each partition keeps only its last ~5 MiB or 100000 message sets;\n"
			"    older data is dropped. A backlog of N MiB needs more than N/5\n"
			"    partitions and an even spread (keyed messages, or producers with\n"
			"    sticky.partitioning.linger.ms=0).\n"
			"  - Unknown topics are created on first use (by producers and consumers\n"
			"    alike) with 4 partitions.\n"
			"  - SIGUSR1/SIGUSR2 take effect within milliseconds (rarely up to 1 s);\n"
			"    a line on stderr confirms each. Clients reconnect after their own\n"
			"    backoff (librdkafka: up to reconnect.backoff.max.ms, default 10 s).\n",
			PROGNAME, PROGNAME, DEFAULT_BROKERS, DEFAULT_PARTITIONS,
			DEFAULT_TOPICS, rd_kafka_version_str());
}

/*
 * write_file_atomically
 *		Write "text" to PATH.tmp, flush it to disk and rename it over PATH,
 *		so that a reader never sees a partial file.  Returns 0 on success;
 *		on failure prints an error and returns -1.
 */
static int
write_file_atomically(const char *path, const char *text)
{
	size_t		len = strlen(path) + sizeof(".tmp");
	char	   *tmp = malloc(len);
	FILE	   *f;

	if (tmp == NULL)
	{
		fprintf(stderr, "%s: out of memory\n", PROGNAME);
		return -1;
	}
	snprintf(tmp, len, "%s.tmp", path);

	f = fopen(tmp, "w");
	if (f == NULL)
	{
		fprintf(stderr, "%s: could not open file \"%s\" for writing: %s\n",
				PROGNAME, tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fputs(text, f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0)
	{
		fprintf(stderr, "%s: could not write file \"%s\": %s\n",
				PROGNAME, tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (fclose(f) != 0)
	{
		fprintf(stderr, "%s: could not close file \"%s\": %s\n",
				PROGNAME, tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0)
	{
		fprintf(stderr, "%s: could not rename file \"%s\" to \"%s\": %s\n",
				PROGNAME, tmp, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/*
 * remove_files
 *		Remove the pid and bootstrap files written at start, if any, so that
 *		a stale address is never mistaken for a running broker.
 */
static void
remove_files(void)
{
	if (bootstrap_file != NULL && unlink(bootstrap_file) != 0 && errno != ENOENT)
		fprintf(stderr, "%s: could not remove file \"%s\": %s\n",
				PROGNAME, bootstrap_file, strerror(errno));
	if (pid_file != NULL && unlink(pid_file) != 0 && errno != ENOENT)
		fprintf(stderr, "%s: could not remove file \"%s\": %s\n",
				PROGNAME, pid_file, strerror(errno));
}

/*
 * log_cb
 *		librdkafka log callback: forward to stderr with our prefix, but drop
 *		the warning that the cluster's host handle has no bootstrap.servers
 *		(it is never meant to connect anywhere).
 */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void) rk;
	if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "bootstrap.servers") != NULL)
		return;
	fprintf(stderr, "%s: librdkafka %d %s: %s\n", PROGNAME, level, fac, buf);
}

/*
 * create_topics
 *		Create each topic of the comma-separated list with the given
 *		partition count and replication factor 1.  Returns the number of
 *		topics created, or -1 after printing an error.
 */
static int
create_topics(rd_kafka_mock_cluster_t *mcluster, const char *list,
			  int partitions)
{
	char	   *copy = strdup(list);
	char	   *save = NULL;
	char	   *name;
	int			n = 0;

	if (copy == NULL)
	{
		fprintf(stderr, "%s: out of memory\n", PROGNAME);
		return -1;
	}
	for (name = strtok_r(copy, ",", &save); name != NULL;
		 name = strtok_r(NULL, ",", &save))
	{
		rd_kafka_resp_err_t err;

		err = rd_kafka_mock_topic_create(mcluster, name, partitions, 1);
		if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
			continue;			/* listed twice */
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		{
			fprintf(stderr, "%s: could not create topic \"%s\": %s\n",
					PROGNAME, name, rd_kafka_err2str(err));
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	return n;
}

/*
 * valid_topic_list
 *		Check a --topics value: comma-separated, non-empty names of at most
 *		249 characters from [A-Za-z0-9._-], as Kafka requires.
 */
static int
valid_topic_list(const char *list)
{
	const char *p;
	size_t		len = 0;

	for (p = list;; p++)
	{
		if (*p == ',' || *p == '\0')
		{
			if (len == 0 || len > 249)
				return 0;
			if (*p == '\0')
				return 1;
			len = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
		len++;
	}
}

/* State shared with the shutdown thread (see shutdown_cluster). */
static pthread_mutex_t shutdown_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shutdown_cond = PTHREAD_COND_INITIALIZER;
static int	shutdown_done = 0;

typedef struct DevbrokerHandles
{
	rd_kafka_mock_cluster_t *mcluster;
	rd_kafka_t *rk;
} DevbrokerHandles;

/*
 * shutdown_thread
 *		Destroy the mock cluster and its host handle, then tell the main
 *		thread.
 */
static void *
shutdown_thread(void *arg)
{
	DevbrokerHandles *h = arg;

	rd_kafka_mock_cluster_destroy(h->mcluster);
	rd_kafka_destroy(h->rk);

	pthread_mutex_lock(&shutdown_lock);
	shutdown_done = 1;
	pthread_cond_signal(&shutdown_cond);
	pthread_mutex_unlock(&shutdown_lock);
	return NULL;
}

/*
 * shutdown_cluster
 *		Destroy the mock cluster, waiting at most SHUTDOWN_WAIT_MS for it.
 *
 * rd_kafka_mock_cluster_destroy() first closes every client connection and
 * listener, which is all a client can observe, and then joins an internal
 * broker thread.  In librdkafka 2.0 that last join races with the thread's
 * queue wait and, about every other time, only completes when the wait
 * times out a second later.  So the destruction runs in a helper thread and
 * the process exits when it is done or after SHUTDOWN_WAIT_MS, whichever
 * comes first; by then the brokers are gone and only memory (which the exit
 * releases) is left.
 */
#define SHUTDOWN_WAIT_MS 300

static void
shutdown_cluster(rd_kafka_mock_cluster_t *mcluster, rd_kafka_t *rk)
{
	static DevbrokerHandles h;
	pthread_t	thread;
	struct timespec deadline;
	int			rc;

	h.mcluster = mcluster;
	h.rk = rk;
	rc = pthread_create(&thread, NULL, shutdown_thread, &h);
	if (rc != 0)
	{
		/* No thread: destroy synchronously, possibly taking a second. */
		shutdown_thread(&h);
		return;
	}

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += SHUTDOWN_WAIT_MS * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;

	pthread_mutex_lock(&shutdown_lock);
	while (!shutdown_done)
	{
		if (pthread_cond_timedwait(&shutdown_cond, &shutdown_lock,
								   &deadline) == ETIMEDOUT)
			break;
	}
	rc = shutdown_done;
	pthread_mutex_unlock(&shutdown_lock);

	if (rc)
		pthread_join(thread, NULL);
	else
	{
		/* Leave the helper thread behind: exit without running atexit code. */
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
}

/*
 * main
 *		Parse options, start the mock cluster, announce it and serve signals
 *		until SIGTERM or SIGINT.
 */
int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"brokers", required_argument, NULL, 'b'},
		{"partitions", required_argument, NULL, 'p'},
		{"topics", required_argument, NULL, 't'},
		{"port", required_argument, NULL, 'P'},
		{"bootstrap-file", required_argument, NULL, 'f'},
		{"pid-file", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			brokers = DEFAULT_BROKERS;
	int			partitions = DEFAULT_PARTITIONS;
	const char *topics = DEFAULT_TOPICS;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mcluster;
	const char *bootstraps;
	char		errstr[512];
	char	   *line;
	size_t		linelen;
	sigset_t	sigs;
	int			ntopics;
	int			c;

	cli_init(PROGNAME, "--help");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'b':
				brokers = (int) cli_parse_long("--brokers", optarg, 1, MAX_BROKERS);
				break;
			case 'p':
				partitions = (int) cli_parse_long("--partitions", optarg, 1, MAX_PARTITIONS);
				break;
			case 't':
				if (!valid_topic_list(optarg))
					cli_bad_usage("invalid --topics value \"%s\": expected a "
							  "comma-separated list of topic names made of "
							  "letters, digits, '.', '_' and '-'", optarg);
				topics = optarg;
				break;
			case 'P':
				cli_parse_long("--port", optarg, 1, 65535);
				fprintf(stderr, "%s: --port is not supported: librdkafka %s's "
						"mock cluster always binds its brokers to ephemeral "
						"ports\n"
						"Hint: omit --port and read the address from stdout "
						"or from --bootstrap-file.\n",
						PROGNAME, rd_kafka_version_str());
				exit(2);
			case 'f':
				bootstrap_file = optarg;
				break;
			case 'i':
				pid_file = optarg;
				break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				cli_bad_option(c, argv[optind - 1]);
		}
	}
	cli_no_more_arguments(argc, argv);

	/*
	 * Block the signals we serve before librdkafka starts its threads, so
	 * that they inherit the mask and every such signal reaches sigwait().
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	c = pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (c != 0)
	{
		fprintf(stderr, "%s: could not block signals: %s\n", PROGNAME,
				strerror(c));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The mock cluster needs a client handle for its bookkeeping; it is
	 * never used to talk to a broker.
	 */
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (rk == NULL)
	{
		fprintf(stderr, "%s: could not create librdkafka handle: %s\n",
				PROGNAME, errstr);
		return 1;
	}

	mcluster = rd_kafka_mock_cluster_new(rk, brokers);
	if (mcluster == NULL)
	{
		fprintf(stderr, "%s: could not create a mock cluster of %d broker(s) "
				"on 127.0.0.1\n", PROGNAME, brokers);
		rd_kafka_destroy(rk);
		return 1;
	}

	ntopics = create_topics(mcluster, topics, partitions);
	if (ntopics < 0)
	{
		rd_kafka_mock_cluster_destroy(mcluster);
		rd_kafka_destroy(rk);
		return 1;
	}

	bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
	linelen = strlen(bootstraps) + 2;
	line = malloc(linelen);
	if (line == NULL)
	{
		fprintf(stderr, "%s: out of memory\n", PROGNAME);
		return 1;
	}
	snprintf(line, linelen, "%s\n", bootstraps);

	/*
	 * Files first, stdout last: whoever sees the address on stdout can rely
	 * on both files existing.  The pid file before the bootstrap file, for
	 * the same reason.
	 */
	if (pid_file != NULL)
	{
		char		pidtext[32];

		snprintf(pidtext, sizeof(pidtext), "%ld\n", (long) getpid());
		if (write_file_atomically(pid_file, pidtext) != 0)
		{
			pid_file = NULL;
			rd_kafka_mock_cluster_destroy(mcluster);
			rd_kafka_destroy(rk);
			return 1;
		}
	}
	if (bootstrap_file != NULL &&
		write_file_atomically(bootstrap_file, line) != 0)
	{
		bootstrap_file = NULL;
		remove_files();
		rd_kafka_mock_cluster_destroy(mcluster);
		rd_kafka_destroy(rk);
		return 1;
	}

	fputs(line, stdout);
	fflush(stdout);
	fprintf(stderr, "%s: %d broker(s) at %s, %d topic(s) created with %d "
			"partition(s) each; SIGUSR1 = outage, SIGUSR2 = recover, "
			"SIGTERM = stop\n",
			PROGNAME, brokers, bootstraps, ntopics, partitions);

	for (;;)
	{
		int			sig;
		int			rc = sigwait(&sigs, &sig);

		if (rc != 0)
		{
			fprintf(stderr, "%s: sigwait failed: %s\n", PROGNAME, strerror(rc));
			break;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGUSR1)
		{
			rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(mcluster, -1);

			if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
				fprintf(stderr, "%s: could not take the brokers down: %s\n",
						PROGNAME, rd_kafka_err2str(err));
			else
				fprintf(stderr, "%s: SIGUSR1: all brokers down (connections "
						"closed and refused, data kept)\n", PROGNAME);
		}
		else if (sig == SIGUSR2)
		{
			rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(mcluster, -1);

			if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
				fprintf(stderr, "%s: could not bring the brokers up: %s\n",
						PROGNAME, rd_kafka_err2str(err));
			else
				fprintf(stderr, "%s: SIGUSR2: all brokers up again\n",
						PROGNAME);
		}
	}

	remove_files();
	free(line);
	shutdown_cluster(mcluster, rk);
	return 0;
}
