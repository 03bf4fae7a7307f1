#!/bin/bash
# 50_ingest.sh against Apache Kafka (one KRaft node, shared by the scripts
# named *kafka*): volume, exactly once through kill -9 of a worker and an
# immediate restart of PostgreSQL, dead letters, tombstones, the broker
# stopped and started again mid-stream, pause and resume.
JS_BROKER_KIND=kafka exec bash "$(dirname "$0")/50_ingest.sh"
