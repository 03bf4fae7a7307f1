/*
 * KafkaTool.java
 *		The few Kafka admin and group operations jobstream's tests need
 *		against Apache Kafka, which jobstream-kcat (librdkafka, no admin API
 *		in the subset it implements) does not do.
 *
 * test/lib_kafka.sh compiles it once against the Kafka jars it fetched and
 * runs it with java -cp.  Subcommands (BOOTSTRAP is host:port):
 *
 *	create BOOTSTRAP NAME:PARTITIONS[:KEY=VALUE[,KEY=VALUE...]] ...
 *		creates the topics (replication factor 1) with the given topic
 *		configs, e.g. orders:8:cleanup.policy=compact,segment.ms=100, and
 *		waits until the broker serves their metadata.  An existing topic is
 *		an error: each test uses names of its own.
 *	member BOOTSTRAP TOPIC GROUP SECONDS
 *		joins consumer GROUP on TOPIC as a plain Java consumer (not a
 *		jobstream worker), polls and commits its offsets to Kafka for
 *		SECONDS, then leaves the group.  Prints how many partitions it was
 *		given and how many records it read.  Tests use it as "a second
 *		consumer in the same group".
 *	ends BOOTSTRAP TOPIC
 *		prints the sum over the topic's partitions of the end offsets (the
 *		next offset to be written), and of the log start offsets.
 *
 * Exits 1 with a message on stderr on any failure, 2 on a usage error.
 */

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class KafkaTool
{
	private KafkaTool()
	{
	}

	/* Prints the usage and exits with status 2. */
	private static void usage()
	{
		System.err.println("usage: KafkaTool create BOOTSTRAP NAME:PARTITIONS[:KEY=VALUE,...] ...\n"
						   + "       KafkaTool member BOOTSTRAP TOPIC GROUP SECONDS\n"
						   + "       KafkaTool ends BOOTSTRAP TOPIC");
		System.exit(2);
	}

	/* Admin client settings for BOOTSTRAP. */
	private static Properties adminProps(String bootstrap)
	{
		Properties p = new Properties();

		p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
		return p;
	}

	/* create: the topics named by the specs, then waits for their metadata. */
	private static void create(String bootstrap, List<String> specs) throws Exception
	{
		List<NewTopic> topics = new ArrayList<>();

		for (String spec : specs)
		{
			String[] parts = spec.split(":", 3);

			if (parts.length < 2)
				usage();
			NewTopic t = new NewTopic(parts[0], Integer.parseInt(parts[1]), (short) 1);
			if (parts.length == 3 && !parts[2].isEmpty())
			{
				Map<String, String> configs = new HashMap<>();

				for (String kv : parts[2].split(","))
				{
					String[] pair = kv.split("=", 2);

					if (pair.length != 2)
						usage();
					configs.put(pair[0], pair[1]);
				}
				t.configs(configs);
			}
			topics.add(t);
		}
		try (Admin admin = Admin.create(adminProps(bootstrap)))
		{
			admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
			Set<String> names = new HashSet<>();

			for (NewTopic t : topics)
				names.add(t.name());
			/* Metadata reaches the broker shortly after the controller. */
			for (int i = 0; i < 300; i++)
			{
				try
				{
					admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
					return;
				}
				catch (Exception e)
				{
					Thread.sleep(100);
				}
			}
			throw new IllegalStateException("topics created but their metadata never appeared: " + names);
		}
	}

	/* member: a plain consumer in GROUP on TOPIC for SECONDS. */
	private static void member(String bootstrap, String topic, String group, int seconds)
	{
		Properties p = new Properties();
		Set<TopicPartition> owned = new HashSet<>();
		long records = 0;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);

		p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
		p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
		p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
		p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
		/* "range" is the assignor jobstream's librdkafka workers share. */
		p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
			  "org.apache.kafka.clients.consumer.RangeAssignor");
		try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p))
		{
			c.subscribe(List.of(topic), new ConsumerRebalanceListener()
			{
				@Override
				public void onPartitionsRevoked(Collection<TopicPartition> parts)
				{
				}

				@Override
				public void onPartitionsAssigned(Collection<TopicPartition> parts)
				{
					owned.addAll(parts);
				}
			});
			while (System.nanoTime() < deadline)
			{
				records += c.poll(Duration.ofMillis(200)).count();
				if (!c.assignment().isEmpty())
					c.commitSync();
			}
		}
		System.out.println("partitions " + owned.size() + " records " + records);
	}

	/* ends: sums of end offsets and of log start offsets of TOPIC. */
	private static void ends(String bootstrap, String topic)
	{
		Properties p = new Properties();

		p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
		p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
		try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p))
		{
			List<TopicPartition> parts = new ArrayList<>();

			for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(30)))
				parts.add(new TopicPartition(topic, i.partition()));
			long end = 0, start = 0;

			for (long v : c.endOffsets(parts, Duration.ofSeconds(30)).values())
				end += v;
			for (long v : c.beginningOffsets(parts, Duration.ofSeconds(30)).values())
				start += v;
			System.out.println(end + " " + start);
		}
	}

	public static void main(String[] args)
	{
		if (args.length < 2)
			usage();
		try
		{
			switch (args[0])
			{
				case "create":
					create(args[1], List.of(args).subList(2, args.length));
					break;
				case "member":
					if (args.length != 5)
						usage();
					member(args[1], args[2], args[3], Integer.parseInt(args[4]));
					break;
				case "ends":
					if (args.length != 3)
						usage();
					ends(args[1], args[2]);
					break;
				default:
					usage();
			}
		}
		catch (Exception e)
		{
			System.err.println("KafkaTool " + args[0] + ": " + e);
			System.exit(1);
		}
		System.exit(0);
	}
}
