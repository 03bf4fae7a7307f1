# Apache Kafka for the tests and benchmarks: fetched from Maven Central
# with Maven, cached between runs, started as one KRaft node (broker and
# controller in one JVM) on loopback in a directory of the caller's, and
# stopped.  test/lib.sh sources this file; it sets no options of its own.
#
#	js_kafka_fetch			resolve the jars (test/kafka/pom.xml) into the
#							cache and compile test/kafka/KafkaTool.java;
#							(JS_KAFKA_CP is the class path)
#	js_kafka_start DIR		format storage (first time) and start the node;
#							waits until a message can be produced; exports
#							JS_KAFKA_DIR and JS_KAFKA_BROKERS
#	js_kafka_stop [DIR]		SIGTERM (a clean shutdown), SIGKILL after 30 s
#	js_kafka_kill [DIR]		SIGKILL, for traps
#	js_kafka_tool ARGS		test/kafka/KafkaTool.java (create topics, join
#							a group, end offsets)
#
# A restart with js_kafka_start on the same DIR keeps the ports, the
# cluster id and every topic, message and committed offset.  The JVM heap
# is small (JS_KAFKA_HEAP, default 512m) and one node starts in about ten
# seconds on two cores.

JS_KAFKA_VERSION=${JS_KAFKA_VERSION:-4.1.1}
JS_KAFKA_HEAP=${JS_KAFKA_HEAP:-512m}
JS_KAFKA_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/kafka" && pwd)
JS_KAFKA_CACHE=${JS_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jobstream/kafka-$JS_KAFKA_VERSION}
JS_KAFKA_CP="$JS_KAFKA_CACHE/libs/*:$JS_KAFKA_CACHE/classes"
JS_KAFKA_JVM=(-Xms32m -XX:+UseSerialGC -Dlog4j2.configurationFile="$JS_KAFKA_SRC/log4j2.properties"
	-cp "$JS_KAFKA_CP")

# js_kafka_fetch: the jars and the compiled KafkaTool, from the cache when
# the pom, the tool and the version are those it was made from.
js_kafka_fetch() {
	local stamp want
	want=$(cat "$JS_KAFKA_SRC/pom.xml" "$JS_KAFKA_SRC/KafkaTool.java" | sha256sum | cut -c1-16)
	stamp=$JS_KAFKA_CACHE/.stamp
	[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
	command -v mvn >/dev/null && command -v javac >/dev/null ||
		js_die "Apache Kafka needs a JDK and Maven (default-jdk-headless, maven)"
	js_log "fetching Apache Kafka $JS_KAFKA_VERSION with Maven into $JS_KAFKA_CACHE"
	rm -rf "$JS_KAFKA_CACHE"
	mkdir -p "$JS_KAFKA_CACHE/classes"
	mvn -q -B -f "$JS_KAFKA_SRC/pom.xml" -Dkafka.version="$JS_KAFKA_VERSION" \
		dependency:copy-dependencies -DincludeScope=runtime \
		-DoutputDirectory="$JS_KAFKA_CACHE/libs" >"$JS_KAFKA_CACHE/mvn.log" 2>&1 ||
		js_die "Maven could not fetch Apache Kafka $JS_KAFKA_VERSION, see $JS_KAFKA_CACHE/mvn.log"
	javac -nowarn -d "$JS_KAFKA_CACHE/classes" -cp "$JS_KAFKA_CACHE/libs/*" \
		"$JS_KAFKA_SRC/KafkaTool.java" >>"$JS_KAFKA_CACHE/mvn.log" 2>&1 ||
		js_die "compiling KafkaTool.java failed, see $JS_KAFKA_CACHE/mvn.log"
	echo "$want" >"$stamp"
}

# js_kafka_java ARGS: a short-lived java with the Kafka class path.
js_kafka_java() {
	java "${JS_KAFKA_JVM[@]}" -XX:TieredStopAtLevel=1 "$@"
}

# js_kafka_tool ARGS: runs KafkaTool (see test/kafka/KafkaTool.java).
js_kafka_tool() {
	js_kafka_java -Xmx128m -Djobstream.kafka.log.level=warn \
		-Djobstream.kafka.log.target=SYSTEM_ERR KafkaTool "$@"
}

# js_kafka_start DIR: starts the node whose data and logs live in DIR.
js_kafka_start() {
	local dir=$1 bport cport id i pid kcat
	js_kafka_fetch
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ ! -f "$dir/server.properties" ]; then
		bport=$(js_free_port)
		cport=$(js_free_port)
		[ "$bport" != "$cport" ] || cport=$(js_free_port)
		cat >"$dir/server.properties" <<-CONF
			process.roles=broker,controller
			node.id=1
			controller.quorum.voters=1@127.0.0.1:$cport
			listeners=PLAINTEXT://127.0.0.1:$bport,CONTROLLER://127.0.0.1:$cport
			advertised.listeners=PLAINTEXT://127.0.0.1:$bport
			controller.listener.names=CONTROLLER
			inter.broker.listener.name=PLAINTEXT
			listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
			log.dirs=$dir/data
			num.partitions=4
			auto.create.topics.enable=true
			offsets.topic.replication.factor=1
			offsets.topic.num.partitions=4
			transaction.state.log.replication.factor=1
			transaction.state.log.min.isr=1
			transaction.state.log.num.partitions=4
			share.coordinator.state.topic.replication.factor=1
			share.coordinator.state.topic.min.isr=1
			group.initial.rebalance.delay.ms=0
			broker.heartbeat.interval.ms=500
			broker.session.timeout.ms=2000
			log.cleaner.backoff.ms=500
			log.cleaner.dedupe.buffer.size=8388608
			log.retention.check.interval.ms=5000
			num.network.threads=2
			num.io.threads=2
			background.threads=2
			num.recovery.threads.per.data.dir=1
		CONF
		# A cluster id is 16 random bytes in URL-safe base64.
		id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
		js_kafka_java -Xmx128m kafka.tools.StorageTool format -t "$id" \
			-c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
			js_die "formatting Kafka's storage failed, see $dir/format.log"
	fi
	bport=$(sed -n 's|^advertised.listeners=PLAINTEXT://||p' "$dir/server.properties")
	# java itself in the background (not a function: its pid is the JVM's)
	java "${JS_KAFKA_JVM[@]}" -Xmx"$JS_KAFKA_HEAP" \
		kafka.Kafka "$dir/server.properties" >>"$dir/kafka.log" 2>&1 &
	pid=$!
	disown "$pid" 2>/dev/null	# no job notice when a trap kills it
	echo "$pid" >"$dir/pid"
	JS_KAFKA_DIR=$dir
	JS_KAFKA_BROKERS=$bport
	export JS_KAFKA_DIR JS_KAFKA_BROKERS
	# Ready when a message can be produced and acknowledged.
	kcat=${JS_PGBIN:-$(pg_config --bindir)}/jobstream-kcat
	for i in $(seq 120); do
		kill -0 "$pid" 2>/dev/null || js_die "Apache Kafka exited while starting, see $dir/kafka.log"
		if (exec 3<>"/dev/tcp/${bport%:*}/${bport##*:}") 2>/dev/null &&
			echo ready | timeout 10 "$kcat" -b "$bport" -t jobstream_ready -P \
				-X message.timeout.ms=8000 >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.5
	done
	js_kafka_kill "$dir"
	js_die "Apache Kafka did not become ready within 60 s, see $dir/kafka.log"
}

# js_kafka_signal SIGNAL SECONDS [DIR]: sends SIGNAL to the node and waits
# up to SECONDS for it to exit; 1 if it is still running.
js_kafka_signal() {
	local sig=$1 secs=$2 dir=${3:-${JS_KAFKA_DIR:-}} pid i
	[ -n "$dir" ] && [ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -"$sig" "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
	for i in $(seq $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
		sleep 0.1
	done
	return 1
}

# js_kafka_stop [DIR]: a clean shutdown, SIGKILL if it takes over 30 s.
js_kafka_stop() {
	js_kafka_signal TERM 30 "$@" || js_kafka_kill "$@"
}

# js_kafka_kill [DIR]
js_kafka_kill() {
	js_kafka_signal KILL 10 "$@"
}
