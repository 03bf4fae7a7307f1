#!/bin/bash
# 55_shutdown.sh against Apache Kafka: a fast shutdown of PostgreSQL is
# prompt while the Kafka node is down, and the rows survive.  Last of the
# scripts on Apache Kafka, since it stops the node they share (the next
# js_broker_start would start it again).
JS_BROKER_KIND=kafka exec bash "$(dirname "$0")/55_shutdown.sh"
