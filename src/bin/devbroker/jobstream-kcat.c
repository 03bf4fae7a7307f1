/*-------------------------------------------------------------------------
 *
 * jobstream-kcat.c
 *		A minimal kcat-like Kafka producer and consumer for shell-driven
 *		tests.
 *
 * The integration tests need to put exact bytes on a topic (valid JSON,
 * truncated JSON, invalid UTF-8, empty and keyed messages) and to read a
 * topic back, from a shell script, against jobstream-devbroker or a real
 * Kafka.  kcat is not always installed, so this is the small subset the
 * tests use, with the same option letters:
 *
 *	-P	produce: each stdin line (without its newline) becomes one message;
 *		with -K the line is split at the first delimiter into key and value;
 *		with -x each part is hex and decoded first, so any bytes (including
 *		newlines and invalid UTF-8) can be sent; with -R message i goes to
 *		partition i mod the partition count, whatever its key.  Exits
 *		non-zero unless every message was acknowledged by the broker.
 *	-C	consume: assign the topic's partitions (no group join, no offset
 *		commits) from -o and print one message per line: the value, or with
 *		-K key DELIM value; with -x hex-encoded.  With -e it exits once every
 *		partition has been read to its end; with -c after that many.
 *
 * Transient broker errors (connection refused, all brokers down) are
 * reported on stderr and retried by librdkafka; a missing topic or
 * partition, a fatal client error or a failed delivery exit with status 1.
 * Usage errors exit with status 2.
 *
 * Copyright (c) jobstream contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "cli.h"

#define PROGNAME "jobstream-kcat"

/* Metadata lookups give up after this long. */
#define METADATA_TIMEOUT_MS 10000

/* At most this many -X options. */
#define MAX_PROPS 64

/* Settings from the command line. */
typedef struct KcatOptions
{
	char		mode;			/* 'P' or 'C' */
	const char *brokers;
	const char *topic;
	int32_t		partition;		/* RD_KAFKA_PARTITION_UA if not given */
	const char *key_delim;		/* NULL if not given */
	int			hex;
	int			null_empty;		/* -Z: empty value is sent as NULL */
	int			round_robin;	/* -R: message i to partition i mod count */
	int64_t		start_offset;
	long		count;			/* 0: unlimited */
	int			exit_at_end;
} KcatOptions;

/* Set by SIGINT/SIGTERM; the main loops check it between polls. */
static volatile sig_atomic_t stop_requested = 0;

/* Producer delivery accounting, updated from the delivery report callback. */
static long delivered = 0;
static long failed = 0;

/*
 * usage
 *		Print the help text on the given stream.
 */
static void
usage(FILE *out)
{
	fprintf(out,
			"%s is a minimal kcat-like Kafka client for jobstream's tests.\n"
			"\n"
			"Usage:\n"
			"  %s -b BROKERS -t TOPIC -P [-p PARTITION | -R] [-K DELIM] [-x] [-Z] [-c N]\n"
			"  %s -b BROKERS -t TOPIC -C [-p PARTITION] [-K DELIM] [-x] [-o OFFSET]\n"
			"                 [-c N] [-e]\n"
			"\n"
			"Options:\n"
			"  -b BROKERS   bootstrap servers (host:port[,host:port...])\n"
			"  -t TOPIC     topic\n"
			"  -P           produce one message per stdin line (newline removed;\n"
			"               an empty line is an empty message); unkeyed messages\n"
			"               are spread evenly (sticky.partitioning.linger.ms=0)\n"
			"  -C           consume and print one message per line\n"
			"  -p N         partition: -P writes only to it (default: librdkafka's\n"
			"               partitioner, by key hash when keyed); -C reads only it\n"
			"               (default: all partitions)\n"
			"  -K DELIM     key delimiter: -P splits each line at the first DELIM into\n"
			"               key and value (no DELIM: no key); -C prints key DELIM value\n"
			"  -x           hex mode: -P decodes each line (key and value separately\n"
			"               with -K) from hex, so any bytes can be sent; -C prints hex\n"
			"  -Z           -P: send an empty value as NULL (a tombstone)\n"
			"  -R           -P: send message i to partition i mod the partition count,\n"
			"               keyed or not: an exact spread, for large messages on\n"
			"               jobstream-devbroker's bounded partitions\n"
			"  -o OFFSET    -C start: beginning (default), end, an offset N >= 0, or\n"
			"               -N for the last N messages of each partition\n"
			"  -c N         stop after N messages\n"
			"  -e           -C: exit once every partition has been read to its end\n"
			"  -X PROP=VAL  set a librdkafka property (repeatable)\n"
			"  -h           show this help and exit\n"
			"\n"
			"Exit status: 0 on success, 1 on a failure (undelivered message, missing\n"
			"topic, bad hex input, fatal client error), 2 on a usage error.\n",
			PROGNAME, PROGNAME, PROGNAME);
}

/*
 * on_signal
 *		SIGINT/SIGTERM handler: ask the main loop to stop.
 */
static void
on_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

/*
 * hex_value
 *		Value of one hex digit, or -1 if c is not one.
 */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * hex_decode_inplace
 *		Decode len hex digits at buf into bytes at buf.  Returns the decoded
 *		length, or -1 if the text is not an even number of hex digits.
 */
static ssize_t
hex_decode_inplace(char *buf, size_t len)
{
	size_t		i;

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2)
	{
		int			hi = hex_value(buf[i]);
		int			lo = hex_value(buf[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[i / 2] = (char) (hi * 16 + lo);
	}
	return (ssize_t) (len / 2);
}

/*
 * write_bytes
 *		Write len bytes to stdout, hex-encoded when hex is set.
 */
static void
write_bytes(const void *data, size_t len, int hex)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t		i;

	if (!hex)
	{
		if (len > 0)
			fwrite(data, 1, len, stdout);
		return;
	}
	for (i = 0; i < len; i++)
	{
		putc(digits[p[i] >> 4], stdout);
		putc(digits[p[i] & 0x0f], stdout);
	}
}

/*
 * log_cb
 *		librdkafka log callback: forward to stderr with our prefix.
 */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void) rk;
	fprintf(stderr, "%s: librdkafka %d %s: %s\n", PROGNAME, level, fac, buf);
}

/*
 * error_cb
 *		librdkafka error callback: report client-level errors on stderr.
 *		Transient ones are retried by librdkafka; fatal ones stop us.
 */
static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void) opaque;
	if (err == RD_KAFKA_RESP_ERR__FATAL)
	{
		char		buf[512];

		rd_kafka_fatal_error(rk, buf, sizeof(buf));
		fprintf(stderr, "%s: fatal error: %s\n", PROGNAME, buf);
		stop_requested = 1;
		return;
	}
	fprintf(stderr, "%s: %s: %s\n", PROGNAME,
			rd_kafka_err2name((rd_kafka_resp_err_t) err), reason);
}

/*
 * dr_msg_cb
 *		Delivery report callback: count acknowledged and failed messages,
 *		reporting the first few failures.
 */
static void
dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	(void) rk;
	(void) opaque;
	if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
	{
		delivered++;
		return;
	}
	if (failed < 10)
		fprintf(stderr, "%s: message not delivered to %s [%d]: %s\n",
				PROGNAME, rd_kafka_topic_name(msg->rkt), (int) msg->partition,
				rd_kafka_err2str(msg->err));
	failed++;
}

/*
 * topic_metadata
 *		The metadata of the -t topic, which has at least one partition; NULL
 *		after printing an error.  Free it with rd_kafka_metadata_destroy.
 */
static const struct rd_kafka_metadata *
topic_metadata(rd_kafka_t *rk, const KcatOptions *opt)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt;
	rd_kafka_resp_err_t err;

	rkt = rd_kafka_topic_new(rk, opt->topic, NULL);
	if (rkt == NULL)
	{
		fprintf(stderr, "%s: invalid topic \"%s\": %s\n", PROGNAME, opt->topic,
				rd_kafka_err2str(rd_kafka_last_error()));
		return NULL;
	}
	err = rd_kafka_metadata(rk, 0, rkt, &md, METADATA_TIMEOUT_MS);
	rd_kafka_topic_destroy(rkt);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
	{
		fprintf(stderr, "%s: could not get metadata for topic \"%s\" from %s: %s\n",
				PROGNAME, opt->topic, opt->brokers, rd_kafka_err2str(err));
		return NULL;
	}
	if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
		md->topics[0].partition_cnt == 0)
	{
		fprintf(stderr, "%s: topic \"%s\" is not available: %s\n",
				PROGNAME, opt->topic,
				md->topic_cnt == 1 && md->topics[0].err ?
				rd_kafka_err2str(md->topics[0].err) : "no partitions");
		rd_kafka_metadata_destroy(md);
		return NULL;
	}
	return md;
}

/*
 * produce
 *		-P mode: send each stdin line as a message, then wait until every
 *		message is acknowledged or has failed.  Returns the exit status.
 */
static int
produce(rd_kafka_t *rk, const KcatOptions *opt)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	long		lineno = 0;
	long		sent = 0;
	int			status = 0;
	int32_t    *rr = NULL;		/* -R: the partition ids */
	int			nrr = 0;

	if (opt->round_robin)
	{
		const struct rd_kafka_metadata *md = topic_metadata(rk, opt);

		if (md == NULL)
			return 1;
		nrr = md->topics[0].partition_cnt;
		rr = malloc(sizeof(int32_t) * nrr);
		if (rr == NULL)
		{
			fprintf(stderr, "%s: out of memory\n", PROGNAME);
			rd_kafka_metadata_destroy(md);
			return 1;
		}
		for (int i = 0; i < nrr; i++)
			rr[i] = md->topics[0].partitions[i].id;
		rd_kafka_metadata_destroy(md);
	}

	while (!stop_requested && (opt->count == 0 || sent < opt->count) &&
		   (len = getline(&line, &cap, stdin)) != -1)
	{
		char	   *key = NULL;
		size_t		keylen = 0;
		char	   *value = line;
		size_t		valuelen;
		rd_kafka_resp_err_t err;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		line[len] = '\0';
		valuelen = (size_t) len;

		if (opt->key_delim != NULL)
		{
			char	   *d = strstr(line, opt->key_delim);

			if (d != NULL)
			{
				key = line;
				keylen = (size_t) (d - line);
				value = d + strlen(opt->key_delim);
				valuelen = (size_t) len - keylen - strlen(opt->key_delim);
			}
		}

		if (opt->hex)
		{
			ssize_t		k = 0;
			ssize_t		v;

			if (key != NULL)
				k = hex_decode_inplace(key, keylen);
			v = hex_decode_inplace(value, valuelen);
			if (k < 0 || v < 0)
			{
				fprintf(stderr, "%s: line %ld of standard input is not valid "
						"hex: expected an even number of digits 0-9a-fA-F%s\n",
						PROGNAME, lineno,
						opt->key_delim ? " on each side of the key delimiter" : "");
				status = 1;
				break;
			}
			keylen = (size_t) k;
			valuelen = (size_t) v;
		}

		for (;;)
		{
			err = rd_kafka_producev(rk,
									RD_KAFKA_V_TOPIC(opt->topic),
									RD_KAFKA_V_PARTITION(rr ? rr[sent % nrr] : opt->partition),
									RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
									RD_KAFKA_V_KEY(key, keylen),
									/* parenthesised: the macro casts its argument */
									RD_KAFKA_V_VALUE(((valuelen == 0 && opt->null_empty) ? NULL : value),
													 valuelen),
									RD_KAFKA_V_END);
			if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || stop_requested)
				break;
			rd_kafka_poll(rk, 100);		/* wait for deliveries to make room */
		}
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		{
			fprintf(stderr, "%s: could not produce line %ld to topic \"%s\": %s\n",
					PROGNAME, lineno, opt->topic, rd_kafka_err2str(err));
			status = 1;
			break;
		}
		sent++;
		rd_kafka_poll(rk, 0);
	}
	if (ferror(stdin))
	{
		fprintf(stderr, "%s: could not read standard input: %s\n",
				PROGNAME, strerror(errno));
		status = 1;
	}
	free(line);
	free(rr);

	/*
	 * Every queued message ends with a delivery report, at the latest after
	 * message.timeout.ms, so this loop ends without a timeout of its own.
	 */
	while (rd_kafka_outq_len(rk) > 0 && !stop_requested)
		rd_kafka_flush(rk, 500);

	if (rd_kafka_outq_len(rk) > 0)
	{
		fprintf(stderr, "%s: interrupted with %d message(s) not yet delivered\n",
				PROGNAME, rd_kafka_outq_len(rk));
		status = 1;
	}
	if (failed > 0)
	{
		fprintf(stderr, "%s: %ld of %ld message(s) could not be delivered\n",
				PROGNAME, failed, sent);
		status = 1;
	}
	if (rd_kafka_fatal_error(rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR)
		status = 1;
	return status;
}

/*
 * assign_partitions
 *		Build the assignment for -C: the partition given with -p, or all
 *		partitions of the topic from metadata.  Returns NULL after printing
 *		an error.
 */
static rd_kafka_topic_partition_list_t *
assign_partitions(rd_kafka_t *rk, const KcatOptions *opt)
{
	rd_kafka_topic_partition_list_t *parts;
	const struct rd_kafka_metadata *md;
	int			i;

	if (opt->partition != RD_KAFKA_PARTITION_UA)
	{
		parts = rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_list_add(parts, opt->topic, opt->partition)->offset =
			opt->start_offset;
		return parts;
	}
	md = topic_metadata(rk, opt);
	if (md == NULL)
		return NULL;
	parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
	for (i = 0; i < md->topics[0].partition_cnt; i++)
		rd_kafka_topic_partition_list_add(parts, opt->topic,
										  md->topics[0].partitions[i].id)->offset =
			opt->start_offset;
	rd_kafka_metadata_destroy(md);
	return parts;
}

/*
 * consume
 *		-C mode: read the assigned partitions and print each message as a
 *		line until -c, -e, a signal or a permanent error.  Returns the exit
 *		status.
 */
static int
consume(rd_kafka_t *rk, const KcatOptions *opt)
{
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_resp_err_t err;
	int32_t		max_partition = 0;
	char	   *at_end;
	int			n_at_end = 0;
	long		received = 0;
	int			status = 0;
	int			i;

	parts = assign_partitions(rk, opt);
	if (parts == NULL)
		return 1;
	for (i = 0; i < parts->cnt; i++)
		if (parts->elems[i].partition > max_partition)
			max_partition = parts->elems[i].partition;
	at_end = calloc((size_t) max_partition + 1, 1);
	if (at_end == NULL)
	{
		fprintf(stderr, "%s: out of memory\n", PROGNAME);
		rd_kafka_topic_partition_list_destroy(parts);
		return 1;
	}

	err = rd_kafka_assign(rk, parts);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
	{
		fprintf(stderr, "%s: could not assign partitions of topic \"%s\": %s\n",
				PROGNAME, opt->topic, rd_kafka_err2str(err));
		rd_kafka_topic_partition_list_destroy(parts);
		free(at_end);
		return 1;
	}

	while (!stop_requested && (opt->count == 0 || received < opt->count))
	{
		rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 100);

		if (msg == NULL)
			continue;

		if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
		{
			if (msg->partition >= 0 && msg->partition <= max_partition &&
				!at_end[msg->partition])
			{
				at_end[msg->partition] = 1;
				n_at_end++;
			}
			rd_kafka_message_destroy(msg);
			if (opt->exit_at_end && n_at_end >= parts->cnt)
				break;
			continue;
		}
		if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
		{
			rd_kafka_resp_err_t merr = msg->err;

			fprintf(stderr, "%s: consume error on %s [%d]: %s\n", PROGNAME,
					msg->rkt ? rd_kafka_topic_name(msg->rkt) : opt->topic,
					(int) msg->partition, rd_kafka_message_errstr(msg));
			rd_kafka_message_destroy(msg);
			if (merr == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
				merr == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
				merr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
				merr == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
				merr == RD_KAFKA_RESP_ERR__FATAL)
			{
				status = 1;
				break;
			}
			continue;
		}

		if (msg->partition >= 0 && msg->partition <= max_partition &&
			at_end[msg->partition])
		{
			at_end[msg->partition] = 0;
			n_at_end--;
		}
		if (opt->key_delim != NULL)
		{
			write_bytes(msg->key, msg->key_len, opt->hex);
			fputs(opt->key_delim, stdout);
		}
		write_bytes(msg->payload, msg->len, opt->hex);
		putc('\n', stdout);
		received++;
		rd_kafka_message_destroy(msg);
		if (ferror(stdout))
			break;				/* reported below, e.g. a closed pipe */
	}

	if (fflush(stdout) != 0 || ferror(stdout))
	{
		fprintf(stderr, "%s: could not write standard output: %s\n",
				PROGNAME, strerror(errno));
		status = 1;
	}
	if (rd_kafka_fatal_error(rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR)
		status = 1;
	rd_kafka_topic_partition_list_destroy(parts);
	free(at_end);
	rd_kafka_consumer_close(rk);
	return status;
}

/*
 * set_conf
 *		Set one librdkafka property; exit 2 with librdkafka's message if it
 *		is refused.
 */
static void
set_conf(rd_kafka_conf_t *conf, const char *name, const char *value)
{
	char		errstr[512];

	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) !=
		RD_KAFKA_CONF_OK)
	{
		fprintf(stderr, "%s: invalid librdkafka property %s=%s: %s\n",
				PROGNAME, name, value, errstr);
		exit(2);
	}
}

/*
 * main
 *		Parse options, create the client and run -P or -C.
 */
int
main(int argc, char **argv)
{
	KcatOptions opt;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char		errstr[512];
	const char *props[MAX_PROPS];
	int			nprops = 0;
	int			i;
	int			status;
	int			c;

	cli_init(PROGNAME, "-h");
	memset(&opt, 0, sizeof(opt));
	opt.partition = RD_KAFKA_PARTITION_UA;
	opt.start_offset = RD_KAFKA_OFFSET_BEGINNING;

	opterr = 0;
	while ((c = getopt(argc, argv, ":b:t:PCp:K:xZRo:c:eX:h")) != -1)
	{
		switch (c)
		{
			case 'b':
				opt.brokers = optarg;
				break;
			case 't':
				opt.topic = optarg;
				break;
			case 'P':
			case 'C':
				if (opt.mode != 0 && opt.mode != c)
					cli_bad_usage("%s", "-P and -C cannot be combined");
				opt.mode = (char) c;
				break;
			case 'p':
				opt.partition = (int32_t) cli_parse_long("-p", optarg, 0, INT32_MAX);
				break;
			case 'K':
				if (optarg[0] == '\0')
					cli_bad_usage("%s", "the -K delimiter must not be empty");
				opt.key_delim = optarg;
				break;
			case 'x':
				opt.hex = 1;
				break;
			case 'Z':
				opt.null_empty = 1;
				break;
			case 'R':
				opt.round_robin = 1;
				break;
			case 'o':
				if (strcmp(optarg, "beginning") == 0)
					opt.start_offset = RD_KAFKA_OFFSET_BEGINNING;
				else if (strcmp(optarg, "end") == 0)
					opt.start_offset = RD_KAFKA_OFFSET_END;
				else if (optarg[0] == '-')
					opt.start_offset =
						RD_KAFKA_OFFSET_TAIL(cli_parse_long("-o", optarg + 1, 1, INT32_MAX));
				else
					opt.start_offset = cli_parse_long("-o", optarg, 0, LONG_MAX);
				break;
			case 'c':
				opt.count = cli_parse_long("-c", optarg, 1, LONG_MAX);
				break;
			case 'e':
				opt.exit_at_end = 1;
				break;
			case 'X':
				cli_add_property(props, &nprops, MAX_PROPS, optarg);
				break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				{
					char		o[3] = {'-', (char) optopt, '\0'};

					cli_bad_option(c, o);
				}
		}
	}
	cli_no_more_arguments(argc, argv);
	if (opt.mode == 0)
		cli_bad_usage("%s", "one of -P (produce) or -C (consume) is required");
	if (opt.brokers == NULL)
		cli_bad_usage("%s", "-b BROKERS is required");
	if (opt.topic == NULL)
		cli_bad_usage("%s", "-t TOPIC is required");
	if (opt.exit_at_end && opt.mode != 'C')
		cli_bad_usage("%s", "-e applies only to -C");
	if (opt.round_robin && (opt.mode != 'P' || opt.partition != RD_KAFKA_PARTITION_UA))
		cli_bad_usage("%s", "-R applies only to -P, without -p");

	/* Our defaults first, then -X, so that -X can override them. */
	conf = rd_kafka_conf_new();
	set_conf(conf, "bootstrap.servers", opt.brokers);
	if (opt.mode == 'P')
	{
		/*
		 * Spread unkeyed messages evenly instead of in sticky bursts: a
		 * burst of more than ~5 MiB to one partition of jobstream-devbroker
		 * would push its oldest messages out of the mock's bounded log.
		 */
		set_conf(conf, "sticky.partitioning.linger.ms", "0");
		rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
	}
	else
	{
		/*
		 * assign() needs a group id, but nothing is committed: offsets come
		 * from -o every time.
		 */
		set_conf(conf, "group.id", "jobstream-kcat");
		set_conf(conf, "enable.auto.commit", "false");
		set_conf(conf, "enable.auto.offset.store", "false");
		set_conf(conf, "enable.partition.eof", "true");
	}
	for (i = 0; i < nprops; i++)
	{
		char		name[256];
		const char *value;

		if (!cli_split_property(props[i], name, sizeof(name), &value))
			cli_bad_usage("invalid -X property \"%s\": name too long", props[i]);
		set_conf(conf, name, value);
	}
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);

	cli_on_stop_signals(on_signal);

	rk = rd_kafka_new(opt.mode == 'P' ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER,
					  conf, errstr, sizeof(errstr));
	if (rk == NULL)
	{
		fprintf(stderr, "%s: could not create Kafka client: %s\n", PROGNAME, errstr);
		return 1;
	}

	if (opt.mode == 'P')
		status = produce(rk, &opt);
	else
	{
		rd_kafka_poll_set_consumer(rk);
		status = consume(rk, &opt);
	}

	rd_kafka_destroy(rk);
	return status;
}
