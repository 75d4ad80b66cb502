package io.riffle.engine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.riffle.engine.internal.checkpoint.CheckpointRequests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code riffle} command line:
 * {@code riffle run <job> [--records N] [--keys K] [--parallelism P] [--input FILE] [--output DIR] [--batch-size B]}.
 * Every run ends with one JSON line on stdout ({@code job}, {@code records}, {@code seconds},
 * {@code records_per_s}, {@code parallelism}, ...); progress goes to stderr.
 * {@code riffle checkpoint DIR [--savepoint]} asks the job running with {@code --checkpoint-dir DIR} (in
 * another process) for a checkpoint now and prints its directory.
 *
 * <pre>{@code
 * bin/riffle run keyed-sum --records 20000000 --keys 10000 --parallelism 2
 * }</pre>
 */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0",
        description = "Runs Riffle jobs in this process.",
        subcommands = {RiffleCli.Run.class, RiffleCli.Checkpoint.class})
public final class RiffleCli implements Callable<Integer> {
    /** The built-in jobs by name; a new job is one more entry. */
    static final Map<String, Job> JOBS = new TreeMap<>(Map.of(
            "seed-batch", EngineJobs::seedBatch,
            "seed-stream", EngineJobs::seedStream,
            "keyed-sum", EngineJobs::keyedSum,
            "group-sum", EngineJobs::groupSum,
            "wordcount", EngineJobs::wordCount,
            "window-sum", EngineJobs::windowSum,
            "join", EngineJobs::join,
            "columnar-demo", ColumnarDemoJob::run));

    /** The jobs that can checkpoint. */
    static final List<String> STREAMING_JOBS = List.of("keyed-sum", "seed-stream");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private RiffleCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // The engine logs through System.Logger (java.util.logging here): one line per message on stderr,
        // e.g. "WARNING: job 'keyed-sum': checkpoint 7 is damaged (...); restored checkpoint 6 ... instead".
        if (System.getProperty(LOG_FORMAT) == null) {
            System.setProperty(LOG_FORMAT, "%4$s: %5$s%6$s%n");
        }
        System.exit(execute(args, System.out, System.err));
    }

    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    /** Runs the command line and returns its exit code: 0 done, 1 the job failed, 2 bad usage. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new RiffleCli(out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("riffle: " + e);
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "run", description = "Runs a built-in job: ${COMPLETION-CANDIDATES}.")
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        RiffleCli parent;

        @Parameters(index = "0", paramLabel = "JOB",
                description = "seed-batch, seed-stream, keyed-sum (W1), group-sum (W2), window-sum (W3), wordcount (W4), join (W5), columnar-demo")
        String job;

        @Option(names = "--records", paramLabel = "N", description = "records to generate (default: ${DEFAULT-VALUE})")
        long records = 10_000_000;

        @Option(names = "--keys", paramLabel = "K", description = "distinct keys, key = i mod K (default: ${DEFAULT-VALUE})")
        int keys = 1000;

        @Option(names = "--batch-size", paramLabel = "B", description = "rows per batch (default: ${DEFAULT-VALUE})")
        int batchSize = 4096;

        @Option(names = "--parallelism", paramLabel = "P", description = "subtasks per operator (default: the number of cores)")
        int parallelism = Runtime.getRuntime().availableProcessors();

        @Option(names = "--input", paramLabel = "FILE", description = "input text file (wordcount); default: generated text")
        Path input;

        @Option(names = "--output", paramLabel = "DIR", description = "directory for the results: the job writes DIR/<job>.csv (created if need be)")
        Path output;

        @Option(names = "--checkpoint-dir", paramLabel = "DIR",
                description = "take exactly-once checkpoints into DIR (streaming jobs); --output then commits part files per checkpoint")
        Path checkpointDir;

        @Option(names = "--checkpoint-interval", paramLabel = "MS", description = "milliseconds between checkpoints (default: ${DEFAULT-VALUE})")
        long checkpointInterval = 1000;

        @Option(names = "--fail-after", paramLabel = "N", description = "make the keyed operator throw once after N records (a recovery demo)")
        long failAfter;

        @Option(names = "--from", paramLabel = "DIR",
                description = "restore from a checkpoint, or the newest complete one in DIR (none yet: start from the beginning)")
        Path from;

        @Option(names = "--allow-duplicates-on-fallback",
                description = "if recovery passes over a damaged checkpoint and a sink cannot take back what it committed, go on and repeat that output (default: fail)")
        boolean allowDuplicatesOnFallback;

        @Option(names = "--rate", paramLabel = "R", description = "pace the generator to R records per second (default: unpaced)")
        long rate;

        @Option(names = "--window-ms", paramLabel = "MS", description = "window-sum: window size in event-time ms (default: ${DEFAULT-VALUE})")
        long windowMs = 100_000;

        @Option(names = "--slide-ms", paramLabel = "MS", description = "window-sum: slide for sliding windows (default: tumbling)")
        long slideMs;

        @Option(names = "--session-gap-ms", paramLabel = "MS", description = "window-sum: session windows of this gap instead")
        long sessionGapMs;

        @Override
        public Integer call() {
            PrintStream err = parent.err;
            Job selected = JOBS.get(job);
            if (selected == null) {
                err.println("unknown job '" + job + "'; jobs: " + String.join(", ", JOBS.keySet()));
                return 2;
            }
            String problem = records < 0 ? "--records must not be negative: " + records
                    : keys < 1 ? "--keys must be at least 1: " + keys
                    : batchSize < 1 ? "--batch-size must be at least 1: " + batchSize
                    : parallelism < 1 ? "--parallelism must be at least 1: " + parallelism
                    : output != null && job.equals("columnar-demo") ? "columnar-demo writes no files; --output is for the engine jobs"
                    : checkpointInterval < 0 ? "--checkpoint-interval must not be negative: " + checkpointInterval
                    : failAfter < 0 ? "--fail-after must not be negative: " + failAfter
                    : rate < 0 ? "--rate must not be negative: " + rate
                    : windowMs < 1 ? "--window-ms must be at least 1: " + windowMs
                    : slideMs < 0 || slideMs > windowMs ? "--slide-ms must be between 1 and --window-ms (" + windowMs
                            + "), or 0 for tumbling windows: " + slideMs
                    : sessionGapMs < 0 ? "--session-gap-ms must not be negative: " + sessionGapMs
                    : sessionGapMs > 0 && slideMs > 0 ? "--session-gap-ms and --slide-ms do not go together: sessions have no slide"
                    : (checkpointDir != null || from != null) && !STREAMING_JOBS.contains(job)
                            ? job + " is a batch job: checkpoints are for the streaming jobs (" + String.join(", ", STREAMING_JOBS)
                            + "); a batch job restarts from the start of its input"
                    : output != null && Files.exists(output) && !Files.isDirectory(output)
                            ? "--output must be a directory, but " + output + " is a file" : null;
            if (problem != null) {
                err.println(problem);
                return 2;
            }
            if (output != null) {
                try {
                    Files.createDirectories(output);
                } catch (IOException e) {
                    err.println("--output: cannot create directory " + output + ": " + e);
                    return 2;
                }
            }
            JobSummary summary = selected.run(new JobOptions(records, keys, batchSize, parallelism, input, output,
                    checkpointDir, checkpointInterval, failAfter, from, allowDuplicatesOnFallback, rate, windowMs, slideMs,
                    sessionGapMs), parent.out, err);
            parent.out.println(summary.toJson());
            parent.out.flush();
            return 0;
        }
    }

    @Command(name = "checkpoint", description = "Asks the job running with --checkpoint-dir DIR for a checkpoint now and prints its directory.")
    static final class Checkpoint implements Callable<Integer> {
        @CommandLine.ParentCommand
        RiffleCli parent;

        @Parameters(index = "0", paramLabel = "DIR", description = "the running job's --checkpoint-dir")
        Path directory;

        @Option(names = "--savepoint", description = "take a savepoint: kept until deleted, for --from after a stop or a rescale")
        boolean savepoint;

        @Option(names = "--timeout", paramLabel = "S", description = "seconds to wait for it (default: ${DEFAULT-VALUE})")
        long timeoutSeconds = 120;

        @Override
        public Integer call() throws IOException {
            if (timeoutSeconds < 1) {
                parent.err.println("--timeout must be at least 1 second: " + timeoutSeconds);
                return 2;
            }
            try {
                Path taken = CheckpointRequests.request(directory, savepoint, Duration.ofSeconds(timeoutSeconds));
                parent.out.println(taken);
                return 0;
            } catch (IllegalArgumentException | IllegalStateException e) {
                parent.err.println((savepoint ? "savepoint" : "checkpoint") + " failed: " + e.getMessage());
                return 1;
            }
        }
    }
}
