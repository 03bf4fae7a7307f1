#!/bin/bash
# 85_match_produce.sh against Apache Kafka: the matcher's idempotent
# producer delivers every application at least once across kill -9 and
# SIGTERM, and the round trip through the topic stores each exactly once.
JS_BROKER_KIND=kafka exec bash "$(dirname "$0")/85_match_produce.sh"
