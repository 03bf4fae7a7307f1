# Shell functions shared by make test, make demo and make bench: installing
# what the project needs, building, and running throwaway PostgreSQL
# clusters and development Kafka brokers on loopback.  Source it; it sets
# no options of its own.

JS_PG_MAJOR=${JS_PG_MAJOR:-15}
JS_PACKAGES="postgresql-$JS_PG_MAJOR postgresql-server-dev-$JS_PG_MAJOR librdkafka-dev
	postgresql-$JS_PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl
	build-essential clang libclang-rt-14-dev docker-compose
	libzstd-dev python3 python3-venv"

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
	js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
		js_die "PostgreSQL did not start, see $dir/postgres.log"
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

# js_cluster_stop DIR [mode]
js_cluster_stop() {
	local dir=$1 mode=${2:-fast}
	[ -f "$dir/data/postmaster.pid" ] || return 0
	js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

# js_broker_start DIR [partitions] [topics]: starts jobstream-devbroker
# (topics: comma-separated, default the four jobstream topics), exports
# JS_BROKERS (bootstrap address) and JS_BROKER_PID.
js_broker_start() {
	local dir=$1 partitions=${2:-8} topics=${3:-} i
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

# js_broker_stop: stops the broker started by js_broker_start.
js_broker_stop() {
	[ -n "${JS_BROKER_PID:-}" ] || return 0
	kill -TERM "$JS_BROKER_PID" 2>/dev/null || true
	wait "$JS_BROKER_PID" 2>/dev/null || true
	JS_BROKER_PID=
}
