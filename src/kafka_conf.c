/*
 * kafka_conf.c
 *		What jobstream lets into a librdkafka configuration: properties it
 *		refuses, properties whose values are secrets, and secrets held
 *		outside the database.
 *
 * Refused.  A source's options are librdkafka properties, and a few of
 * them load code into the server or run commands as its operating-system
 * user: plugin.library.paths (shared libraries), sasl.kerberos.kinit.cmd
 * (a shell command), ssl.engine.location / ssl.engine.id and ssl.providers
 * (OpenSSL engines and providers are shared libraries), interceptors, and
 * the deprecated file offset store (writes files).  They are refused by
 * add_source/alter_source (jobstream.kafka_property_refused) and again by
 * the worker when it connects, so a row written into jobstream.sources by
 * other means does not get through either.
 *
 * Secrets.  A value may be a reference instead of the secret itself:
 * {"env": "NAME"} is the server's environment variable NAME, {"file":
 * "/absolute/path"} the contents of a file the server can read (one
 * trailing newline removed).  The worker resolves the reference when it
 * connects, so the secret never appears in SQL text, pg_stat_activity,
 * the server log or jobstream.sources.  Errors name the option and the
 * reference, never a value.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "fmgr.h"
#include "storage/fd.h"
#include "utils/builtins.h"

#include "jobstream.h"

PG_FUNCTION_INFO_V1(jobstream_kafka_property_refused);
PG_FUNCTION_INFO_V1(jobstream_kafka_property_secret);

/* Largest secret file read (a PEM key chain fits many times). */
#define JS_SECRET_FILE_MAX	(256 * 1024)

typedef struct JsRefusedProperty
{
	const char *name;
	const char *why;
} JsRefusedProperty;

static const JsRefusedProperty js_refused[] = {
	{"plugin.library.paths", "it loads shared libraries into the server"},
	{"sasl.kerberos.kinit.cmd", "it runs a shell command on the server"},
	{"ssl.engine.location", "it loads an OpenSSL engine library into the server"},
	{"ssl.engine.id", "it selects an OpenSSL engine library to load"},
	{"ssl.providers", "it loads OpenSSL provider libraries into the server"},
	{"interceptors", "it installs code hooks"},
	{"offset.store.path", "it writes files on the server"},
	{"offset.store.method", "it writes files on the server"},
};

/*
 * Properties whose values are secrets (librdkafka's CONFIGURATION.md):
 * passwords, private keys and their passphrases, OAuth client secrets and
 * configurations that carry tokens.  Certificates are public but long
 * and masked with the keys they come with.
 */
static const char *const js_secret_properties[] = {
	"sasl.password",
	"sasl.oauthbearer.config",
	"sasl.oauthbearer.client.secret",
	"sasl.oauthbearer.extensions",
	"sasl.oauthbearer.assertion.private.key.passphrase",
	"sasl.oauthbearer.assertion.private.key.pem",
	"sasl.oauthbearer.assertion.private.key.file",
	"ssl.key.password",
	"ssl.key.pem",
	"ssl_key",
	"ssl.keystore.password",
	"ssl.truststore.password",
	"ssl.certificate.pem",
	"ssl_certificate",
};

/*
 * js_kafka_property_refused
 *		Why jobstream refuses the librdkafka property name, or NULL when it
 *		does not.  Names are compared as librdkafka does, exactly.
 */
const char *
js_kafka_property_refused(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(js_refused); i++)
		if (strcmp(name, js_refused[i].name) == 0)
			return js_refused[i].why;
	return NULL;
}

/*
 * js_kafka_property_secret
 *		Whether the value of the librdkafka property name is a secret.
 */
static bool
js_kafka_property_secret(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(js_secret_properties); i++)
		if (strcmp(name, js_secret_properties[i]) == 0)
			return true;
	return false;
}

/*
 * js_read_secret_file
 *		The contents of a secret file, without one trailing newline (\n or
 *		\r\n).  name and source_id are for messages.
 */
static char *
js_read_secret_file(int32 source_id, const char *name, const char *path)
{
	FILE	   *f;
	char	   *buf;
	size_t		len;

	if (path[0] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of source %d names secret file \"%s\", which is not an absolute path",
						name, source_id, path),
				 errhint("Use {\"file\": \"/absolute/path\"}.")));
	f = AllocateFile(path, "r");
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open secret file \"%s\" of option \"%s\" of source %d: %m",
						path, name, source_id),
				 errhint("The file must be readable by the operating-system user the PostgreSQL server runs as.")));
	buf = palloc(JS_SECRET_FILE_MAX + 1);
	len = fread(buf, 1, JS_SECRET_FILE_MAX + 1, f);
	if (ferror(f))
	{
		FreeFile(f);
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read secret file \"%s\" of option \"%s\" of source %d: %m",
						path, name, source_id)));
	}
	FreeFile(f);
	if (len > JS_SECRET_FILE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("secret file \"%s\" of option \"%s\" of source %d is larger than %d bytes",
						path, name, source_id, JS_SECRET_FILE_MAX),
				 errhint("Point the option at the secret alone.")));
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (strlen(buf) != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("secret file \"%s\" of option \"%s\" of source %d contains a NUL byte",
						path, name, source_id)));
	return buf;
}

/*
 * js_kafka_option_value
 *		The value a worker gives librdkafka for option name of a source:
 *		value itself, or, when env or file is not NULL, the secret that
 *		reference names.  Raises an error for a refused property, an unset
 *		variable or an unreadable file; messages never contain the secret.
 */
char *
js_kafka_option_value(int32 source_id, const char *name, const char *value,
					  const char *env, const char *file)
{
	const char *why = js_kafka_property_refused(name);

	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("Kafka option \"%s\" of source %d is refused: %s", name, source_id, why),
				 errhint("Remove it with jobstream.alter_source().")));
	if (env != NULL)
	{
		const char *v = getenv(env);

		if (v == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("environment variable \"%s\" named by option \"%s\" of source %d is not set in the server",
							env, name, source_id),
					 errhint("Set it in the environment the PostgreSQL server is started with, and restart the server.")));
		return pstrdup(v);
	}
	if (file != NULL)
		return js_read_secret_file(source_id, name, file);
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of source %d has no value", name, source_id),
				 errhint("A value is a string, a number, a boolean, {\"env\": \"NAME\"} or {\"file\": \"/path\"}.")));
	return pstrdup(value);
}

/*
 * jobstream.kafka_property_refused(name text) returns text
 *		Why jobstream refuses a librdkafka property, NULL when it does not.
 */
Datum
jobstream_kafka_property_refused(PG_FUNCTION_ARGS)
{
	const char *why = js_kafka_property_refused(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	if (why == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(why));
}

/*
 * jobstream.kafka_property_secret(name text) returns boolean
 *		Whether the value of a librdkafka property is a secret that
 *		source_list masks.
 */
Datum
jobstream_kafka_property_secret(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(js_kafka_property_secret(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}
