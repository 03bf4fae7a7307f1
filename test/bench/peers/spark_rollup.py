"""The source systems' pipeline, for test/bench/peers.sh: Spark Structured
Streaming reads the tracking-event topic from Kafka, computes the hourly
campaign rollup of each micro-batch (job x date x hour x publisher x
campaign x group: events, clicks, spend, conversions, qualified,
unqualified) and appends it to PostgreSQL over JDBC in foreachBatch; the
view peers.spark_campaign_performance sums the batches and gives bid_set
(spend per click), as jobstream.campaign_performance does.

    spark_rollup.py BROKERS TOPIC JDBC_URL CHECKPOINT_DIR READY_FILE

Runs Spark in local mode on 2 cores (the machine's), with the Kafka source
and the PostgreSQL driver jars named in SPARK_PEER_JARS (comma-separated).
READY_FILE is written once the query has run its first micro-batch: the
producer may start then.  Stops on SIGTERM.
"""

import os
import signal
import sys
import time

from pyspark.sql import SparkSession, functions as F, types as T


def main(argv):
    brokers, topic, jdbc_url, checkpoint, ready_file = argv[1:6]
    spark = (SparkSession.builder.master("local[2]").appName("tracking-campaign-rollup")
             .config("spark.jars", os.environ["SPARK_PEER_JARS"])
             .config("spark.driver.memory", "1g")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    schema = T.StructType([
        T.StructField("event_id", T.StringType()),
        T.StructField("ts", T.StringType()),
        T.StructField("post_id", T.StringType()),
        T.StructField("company_id", T.IntegerType()),
        T.StructField("campaign_id", T.IntegerType()),
        T.StructField("group_id", T.IntegerType()),
        T.StructField("publisher_id", T.IntegerType()),
        T.StructField("custom_track", T.StringType()),
        T.StructField("bid", T.DecimalType(12, 4)),
    ])
    events = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", brokers)
              .option("subscribe", topic)
              .option("startingOffsets", "earliest")
              .load()
              .select(F.from_json(F.col("value").cast("string"), schema).alias("e"))
              .select("e.*")
              .withColumn("ts", F.to_timestamp("ts")))

    def track(kind):
        return F.sum(F.when(F.col("custom_track") == kind, 1).otherwise(0)).cast("long")

    def write_batch(batch, batch_id):
        rollup = (batch
                  .groupBy(F.col("post_id"), F.to_date("ts").alias("event_date"),
                           F.hour("ts").alias("event_hour"), "publisher_id", "campaign_id", "group_id")
                  .agg(F.count(F.lit(1)).alias("events"),
                       track("click").alias("clicks"),
                       F.sum(F.when(F.col("custom_track") == "click", F.col("bid"))
                             .otherwise(F.lit(0))).alias("spend"),
                       track("conversion").alias("conversions"),
                       track("qualified").alias("qualified"),
                       track("unqualified").alias("unqualified"))
                  .withColumn("batch_id", F.lit(batch_id)))
        (rollup.write.format("jdbc").mode("append")
         .option("url", jdbc_url)
         .option("driver", "org.postgresql.Driver")
         .option("dbtable", "peers.spark_campaign_batches")
         .option("batchsize", "5000")
         .save())

    query = (events.writeStream.foreachBatch(write_batch)
             .option("checkpointLocation", checkpoint)
             .start())
    signal.signal(signal.SIGTERM, lambda *_: query.stop())
    while query.lastProgress is None and query.isActive:
        time.sleep(0.1)
    with open(ready_file, "w") as f:
        f.write("ready\n")
    query.awaitTermination()
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
