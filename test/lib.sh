# Shell functions shared by make test, make demo and make bench: installing
# what the project needs, building, and running throwaway PostgreSQL
# clusters and Kafka brokers on loopback (jobstream-devbroker, or Apache
# Kafka itself: test/lib_kafka.sh).  Source it; it sets no options of its
# own.

JS_PG_MAJOR=${JS_PG_MAJOR:-15}
JS_PACKAGES="postgresql-$JS_PG_MAJOR postgresql-server-dev-$JS_PG_MAJOR librdkafka-dev
	postgresql-$JS_PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl
	build-essential clang libclang-rt-14-dev docker-compose
	libzstd-dev python3 python3-venv openjdk-17-jdk-headless maven"

js_log() { printf '== %s\n' "$*" >&2; }
js_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages that are missing.
js_ensure_packages() {
	local missing=() p
	for p in $JS_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		js_die "missing packages: ${missing[*]}; install them with apt-get (as root) and run again"
	js_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds and installs the extension and its tools.  With
# JOBSTREAM_PRIVATE_INSTALL=1 the install goes into a private copy of the
# PostgreSQL tree under $1, so parallel development copies do not overwrite
# each other's installed extension; otherwise into the system.  Sets
# JS_PGBIN to the server binaries to use.
js_build_install() {
	local root=$1 pgbin pgshare
	pgbin=$(pg_config --bindir)
	pgshare=$(pg_config --sharedir)
	make -s -j2 >/dev/null || js_die "build failed (run make to see why)"
	if [ "${JOBSTREAM_PRIVATE_INSTALL:-0}" = 1 ]; then
		mkdir -p "$root$(dirname "$pgbin")/.." "$root$(dirname "$pgshare")"
		cp -a "$(dirname "$pgbin")" "$root$(dirname "$(dirname "$pgbin")")/"
		cp -a "$pgshare" "$root$(dirname "$pgshare")/"
		make -s install DESTDIR="$root" >/dev/null || js_die "make install failed"
		JS_PGBIN=$root$pgbin
	else
		make -s install >/dev/null || js_die "make install failed (run as root?)"
		JS_PGBIN=$pgbin
	fi
	export JS_PGBIN PATH="$JS_PGBIN:$PATH"
}

# Prints a TCP port on 127.0.0.1 that nothing listens on.
js_free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 200); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	js_die "no free port found on 127.0.0.1"
}

# Runs a command as the postgres user when we are root (initdb refuses root).
js_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# js_cluster_start DIR PORT [extra postgresql.conf lines]
# Creates (if needed) and starts a cluster in DIR/data listening on
# 127.0.0.1:PORT and a socket in DIR, with jobstream preloaded.  Exports
# PGHOST, PGPORT and PGUSER for the clients that follow.
js_cluster_start() {
	local dir=$1 port=$2 extra=${3:-}
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		js_as_pg "$JS_PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
			js_die "initdb failed, see $dir/initdb.log"
		cat >>"$dir/data/postgresql.conf" <<-CONF
			listen_addresses = '127.0.0.1'
			port = $port
			unix_socket_directories = '$dir'
			shared_preload_libraries = 'jobstream'
			max_worker_processes = 32
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			log_min_messages = warning
			log_line_prefix = '%m [%p] %b '
			$extra
		CONF
	fi
	# the port the cluster was given last (a restart keeps it)
	port=$(sed -n 's/^[[:space:]]*port = \([0-9]*\).*/\1/p' "$dir/data/postgresql.conf" | tail -1)
	local try
	for try in 1 2 3; do
		js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null && break
		# another process took the port meanwhile: take another one
		grep -q 'could not bind\|already in use' "$dir/postgres.log" && [ $try -lt 3 ] ||
			js_die "PostgreSQL did not start, see $dir/postgres.log"
		port=$(js_free_port)
		echo "port = $port" >>"$dir/data/postgresql.conf"
		js_log "port taken, starting $dir on port $port"
	done
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

# js_cluster_stop DIR [mode]
js_cluster_stop() {
	local dir=$1 mode=${2:-fast}
	[ -f "$dir/data/postmaster.pid" ] || return 0
	js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

# Which broker js_broker_start gives the integration scripts:
# "devbroker" (jobstream-devbroker, librdkafka's mock cluster: private to the
# script, starts in milliseconds) or "kafka" (Apache Kafka, one KRaft node:
# the one test/run.sh started for all scripts, JS_KAFKA_DIR, or else one of
# the script's own).  The scripts name their topics with js_topic, so that
# scripts sharing one Apache Kafka never share a topic.
JS_BROKER_KIND=${JS_BROKER_KIND:-devbroker}

# js_topic NAME: the topic this script uses for NAME: NAME itself on a
# private devbroker, NAME prefixed with the script's name on Apache Kafka.
js_topic() {
	if [ "$JS_BROKER_KIND" = kafka ]; then
		printf '%s.%s\n' "$(basename "$0" .sh)" "$1"
	else
		printf '%s\n' "$1"
	fi
}

# js_group NAME: the consumer group this script uses for NAME's source:
# jobstream_NAME (add_source's default) on a private devbroker, the script's
# own on Apache Kafka, where a group left with stale members by a script
# before (killed workers stay members until their session times out) would
# hold up the next script's rebalances.
js_group() {
	if [ "$JS_BROKER_KIND" = kafka ]; then
		printf '%s.jobstream_%s\n' "$(basename "$0" .sh)" "$1"
	else
		printf 'jobstream_%s\n' "$1"
	fi
}

# js_broker_start DIR [partitions] [topics]: starts (devbroker) or joins
# (kafka) a broker and exports JS_BROKERS (bootstrap address); on the
# devbroker also JS_BROKER_PID.  topics (comma-separated, js_topic names)
# are created with that many partitions; the devbroker's default is the four
# jobstream topics, Apache Kafka creates none by default (a topic used
# without being created gets 4 partitions).
js_broker_start() {
	local dir=$1 partitions=${2:-8} topics=${3:-} i t specs=()
	if [ "$JS_BROKER_KIND" = kafka ]; then
		if [ -z "${JS_KAFKA_DIR:-}" ]; then
			js_kafka_start "$dir"
			JS_KAFKA_OWN=1
		elif ! kill -0 "$(cat "$JS_KAFKA_DIR/pid" 2>/dev/null)" 2>/dev/null; then
			js_kafka_start "$JS_KAFKA_DIR"	# a script before left it down
		fi
		JS_BROKERS=$JS_KAFKA_BROKERS
		export JS_BROKERS
		for t in ${topics//,/ }; do specs+=("$(js_topic "$t"):$partitions"); done
		[ ${#specs[@]} -eq 0 ] || js_kafka_tool create "$JS_BROKERS" "${specs[@]}" ||
			js_die "creating topics ${specs[*]} on Apache Kafka failed"
		return 0
	fi
	mkdir -p "$dir"
	rm -f "$dir/bootstrap"
	"$JS_PGBIN/jobstream-devbroker" --partitions "$partitions" ${topics:+--topics "$topics"} \
		--bootstrap-file "$dir/bootstrap" >"$dir/broker.log" 2>&1 &
	JS_BROKER_PID=$!
	for i in $(seq 100); do
		[ -s "$dir/bootstrap" ] && break
		sleep 0.1
	done
	[ -s "$dir/bootstrap" ] || js_die "development broker did not start, see $dir/broker.log"
	JS_BROKERS=$(cat "$dir/bootstrap")
	export JS_BROKERS JS_BROKER_PID
}

# js_broker_stop: stops the broker started by js_broker_start (an Apache
# Kafka shared with other scripts stays up).
js_broker_stop() {
	if [ "${JS_KAFKA_OWN:-0}" = 1 ]; then
		js_kafka_stop
		JS_KAFKA_OWN=0
	fi
	[ -n "${JS_BROKER_PID:-}" ] || return 0
	kill -TERM "$JS_BROKER_PID" 2>/dev/null || true
	wait "$JS_BROKER_PID" 2>/dev/null || true
	JS_BROKER_PID=
}

# js_broker_down / js_broker_up: the broker goes away mid-stream and comes
# back with every message, offset and group.  The devbroker closes and
# re-opens its listeners (SIGUSR1, SIGUSR2); Apache Kafka is stopped (clean
# shutdown) and started again on the same ports and storage.
js_broker_down() {
	if [ "$JS_BROKER_KIND" = kafka ]; then
		js_kafka_stop
	else
		kill -USR1 "$JS_BROKER_PID"
	fi
}
js_broker_up() {
	if [ "$JS_BROKER_KIND" = kafka ]; then
		js_kafka_start "$JS_KAFKA_DIR"
	else
		kill -USR2 "$JS_BROKER_PID"
	fi
}

. "$(dirname "${BASH_SOURCE[0]}")/lib_kafka.sh"
