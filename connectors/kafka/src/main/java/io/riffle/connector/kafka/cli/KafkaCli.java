package io.riffle.connector.kafka.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.kafka.broker.KafkaBrokerProcess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The Kafka commands of {@code bin/riffle}: the built-in streaming jobs from and to Kafka topics, a local broker,
 * and a demo that shows exactly-once from topic to topic.
 *
 * <pre>{@code
 * bin/riffle kafka-broker --dir /tmp/kafka --port 9092
 * bin/riffle run keyed-sum --bootstrap localhost:9092 --kafka-in numbers --kafka-out sums --checkpoint-dir /tmp/chk
 * bin/riffle kafka-demo
 * }</pre>
 */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0",
        description = "Runs Riffle jobs on Kafka topics in this process.",
        subcommands = {KafkaCli.Run.class, KafkaCli.Demo.class, KafkaCli.Broker.class})
public final class KafkaCli implements Callable<Integer> {
    /** The environment variable that makes errors print their stack traces. */
    static final String DEBUG_VARIABLE = "RIFFLE_DEBUG";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final PrintStream out;
    final PrintStream err;

    private KafkaCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line; returns 0 done, 1 the job failed, 2 bad usage. Errors are one line on {@code err}. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        boolean debug = "1".equals(System.getenv(DEBUG_VARIABLE));
        CommandLine cli = new CommandLine(new KafkaCli(out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            String message = e.getMessage();
            err.println(command + ": " + Character.toLowerCase(message.charAt(0)) + message.substring(1)
                    + " (see " + command + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            boolean explained = e.getMessage() != null && (e instanceof JobFailedException
                    || e instanceof IllegalArgumentException || e instanceof IllegalStateException);
            err.println("riffle: " + (explained ? e.getMessage() : "internal error: " + e
                    + (debug ? "" : " (" + DEBUG_VARIABLE + "=1 prints its stack trace)")));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "run", description = "Runs keyed-sum, window-sum or wordcount from and to Kafka topics.")
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        KafkaCli parent;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(index = "0", paramLabel = "JOB", description = "keyed-sum, window-sum or wordcount")
        String job;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true,
                description = "the Kafka brokers to connect to")
        String bootstrap;

        @Option(names = "--kafka-in", paramLabel = "TOPIC",
                description = "read the input from TOPIC (default: generated records, --records and --keys)")
        String in;

        @Option(names = "--kafka-out", paramLabel = "TOPIC", description = "write the results to TOPIC (default: print them)")
        String out;

        @Option(names = "--format", paramLabel = "F",
                description = "the records on both topics: csv, json or binary (little-endian fields) (default: ${DEFAULT-VALUE})")
        String format = "csv";

        @Option(names = "--bounded", description = "stop at the end of the input topic as it is when the job starts")
        boolean bounded;

        @Option(names = "--group-id", paramLabel = "ID",
                description = "the consumer group the job's offsets are committed to after each checkpoint")
        String groupId;

        @Option(names = "--parallelism", paramLabel = "P", description = "subtasks per operator (default: ${DEFAULT-VALUE})")
        int parallelism = 2;

        @Option(names = "--batch-size", paramLabel = "B", description = "rows per batch (default: ${DEFAULT-VALUE})")
        int batchSize = 4096;

        @Option(names = "--checkpoint-dir", paramLabel = "DIR",
                description = "take checkpoints into DIR: the input offsets with them, and exactly-once output")
        Path checkpointDir;

        @Option(names = "--checkpoint-interval", paramLabel = "MS",
                description = "milliseconds between checkpoints (default: ${DEFAULT-VALUE})")
        long checkpointInterval = 1000;

        @Option(names = "--from", paramLabel = "DIR", description = "restore the newest checkpoint in DIR")
        Path from;

        @Option(names = "--guarantee", paramLabel = "G",
                description = "exactly-once, at-least-once or none (default: exactly-once with --checkpoint-dir, else at-least-once)")
        String guarantee;

        @Option(names = "--records", paramLabel = "N", description = "generated records without --kafka-in (default: ${DEFAULT-VALUE})")
        long records = 1_000_000;

        @Option(names = "--keys", paramLabel = "K", description = "generated keys without --kafka-in (default: ${DEFAULT-VALUE})")
        int keys = 1000;

        @Option(names = "--window-ms", paramLabel = "MS", description = "window-sum: tumbling window size (default: ${DEFAULT-VALUE})")
        long windowMs = 1000;

        @Option(names = "--out-of-order-ms", paramLabel = "MS",
                description = "window-sum: how far behind a partition's newest event a record is still on time (default: ${DEFAULT-VALUE})")
        long outOfOrderMs;

        @Option(names = "--idle-ms", paramLabel = "MS",
                description = "window-sum: a partition without records this long stops holding back event time (default: never)")
        long idleMs;

        @Override
        public Integer call() {
            String problem = problem();
            if (problem != null) {
                parent.err.println(problem);
                return 2;
            }
            KafkaJob.Settings settings = new KafkaJob.Settings(job, bootstrap, in, out, KafkaJob.Format.named(format),
                    bounded, groupId, parallelism, batchSize, checkpointDir, checkpointInterval, from,
                    KafkaJob.guarantee(guarantee, checkpointDir), records, keys, windowMs, outOfOrderMs, idleMs);
            KafkaJob.Outcome outcome = KafkaJob.run(settings, parent.out);
            parent.out.println(outcome.toJson());
            parent.out.flush();
            return 0;
        }

        private String problem() {
            if (!KafkaJob.JOBS.contains(job)) {
                return "unknown job '" + job + "'; the Kafka jobs are " + String.join(", ", KafkaJob.JOBS);
            }
            if (KafkaJob.Format.named(format) == null) {
                return "--format must be csv, json or binary: " + format;
            }
            if (job.equals("wordcount") && in != null && format.equals("binary")) {
                return "wordcount reads lines of text: --format binary is for keyed-sum and window-sum";
            }
            if (in == null && out == null) {
                return "name a topic to read (--kafka-in) or to write (--kafka-out), or both";
            }
            if (guarantee != null && KafkaJob.guarantee(guarantee, checkpointDir) == null) {
                return "--guarantee must be exactly-once, at-least-once or none: " + guarantee;
            }
            if (parallelism < 1 || parallelism > Environment.DEFAULT_MAX_PARALLELISM) {
                return "--parallelism must be between 1 and " + Environment.DEFAULT_MAX_PARALLELISM + ": " + parallelism;
            }
            if (batchSize < 1) {
                return "--batch-size must be at least 1: " + batchSize;
            }
            if (checkpointInterval < 0) {
                return "--checkpoint-interval must not be negative: " + checkpointInterval;
            }
            if (records < 0 || keys < 1 || windowMs < 1 || outOfOrderMs < 0 || idleMs < 0) {
                return "--records and --out-of-order-ms and --idle-ms must not be negative, --keys and --window-ms at"
                        + " least 1";
            }
            return null;
        }
    }

    @Command(name = "kafka-demo", description = "Starts a local Kafka broker, fills a topic and runs keyed-sum from it"
            + " to another topic exactly once, through an injected failure; shows what a read_committed consumer sees.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.ParentCommand
        KafkaCli parent;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--records", paramLabel = "N", description = "records written to the input topic (default: ${DEFAULT-VALUE})")
        int records = 200_000;

        @Option(names = "--keys", paramLabel = "K", description = "distinct keys (default: ${DEFAULT-VALUE})")
        int keys = 100;

        @Option(names = "--parallelism", paramLabel = "P", description = "subtasks per operator (default: ${DEFAULT-VALUE})")
        int parallelism = 2;

        @Option(names = "--no-failure", description = "run without the injected failure")
        boolean noFailure;

        @Override
        public Integer call() throws Exception {
            if (records < 1 || keys < 1 || parallelism < 1) {
                parent.err.println("--records, --keys and --parallelism must be at least 1");
                return 2;
            }
            return KafkaDemo.run(records, keys, parallelism, !noFailure, parent.out) ? 0 : 1;
        }
    }

    @Command(name = "kafka-broker", description = "Runs a single-node Kafka 4.x broker (KRaft) in this process until"
            + " stopped (Ctrl-C), its data in DIR (kept across restarts).")
    static final class Broker implements Callable<Integer> {
        @CommandLine.ParentCommand
        KafkaCli parent;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "the broker's data directory")
        Path dir;

        @Option(names = "--port", paramLabel = "PORT", description = "the port clients connect to (default: ${DEFAULT-VALUE})")
        int port = 9092;

        @Option(names = "--controller-port", paramLabel = "PORT", description = "the KRaft controller's port (default: ${DEFAULT-VALUE})")
        int controllerPort = 9093;

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(dir);
            parent.err.println("Kafka broker at localhost:" + port + ", data in " + dir + "; Ctrl-C stops it");
            KafkaBrokerProcess.main(new String[] {dir.toString(), Integer.toString(port),
                    Integer.toString(controllerPort)});
            return 0;
        }
    }
}
