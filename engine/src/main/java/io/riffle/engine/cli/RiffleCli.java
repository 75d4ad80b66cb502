package io.riffle.engine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.internal.checkpoint.CheckpointRequests;
import io.riffle.engine.internal.runtime.RuntimeConfig;
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
    static final List<String> STREAMING_JOBS = List.of("keyed-sum", "seed-stream", "window-sum");
    /** The most words wordcount's generated text may draw from: its tables take 16 bytes a word (1 GiB). */
    static final int MAX_VOCABULARY = 1 << 26;
    /** The longest checkpoint interval: a year, in milliseconds. */
    static final long MAX_CHECKPOINT_INTERVAL_MS = 365L * 24 * 3600 * 1000;
    /** The environment variable that makes errors print their stack traces. */
    static final String DEBUG_VARIABLE = "RIFFLE_DEBUG";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private RiffleCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // The engine logs through SLF4J; bin/riffle binds it to slf4j-simple, one line per message on stderr,
        // e.g. "WARN job 'keyed-sum': checkpoint 7 is damaged (...); restored checkpoint 6 ... instead".
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs the command line and returns its exit code: 0 done, 1 the job failed, 2 bad usage. Errors are one
     * line on {@code err}; with {@code RIFFLE_DEBUG=1} in the environment their stack traces come first.
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        return execute(args, out, err, "1".equals(System.getenv(DEBUG_VARIABLE)));
    }

    /** Like {@link #execute(String[], PrintStream, PrintStream)}, printing stack traces when {@code debug}. */
    static int execute(String[] args, PrintStream out, PrintStream err, boolean debug) {
        CommandLine cli = new CommandLine(new RiffleCli(out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            err.println(usageError(e));
            return 2;
        });
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            err.println(failure(e, debug));
            return 1;
        });
        return cli.execute(args);
    }

    /** One line for a command line picocli could not parse, naming the command and where its help is. */
    private static String usageError(CommandLine.ParameterException e) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        String what;
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String argument = u.getUnmatched().get(0);
            what = argument.startsWith("-") ? "unknown option '" + argument + "'"
                    : e.getCommandLine().getSubcommands().isEmpty() ? "unexpected argument '" + argument + "'"
                    : "unknown command '" + argument + "'";
        } else {
            String message = e.getMessage();
            what = Character.toLowerCase(message.charAt(0)) + message.substring(1);
        }
        return command + ": " + what + " (see " + command + " --help)";
    }

    /**
     * One line for an exception out of a command: its message where it is one a user can act on (a bad
     * value, a file, a failed job, each naming what is wrong); otherwise an internal error, named by its
     * class, whose stack trace {@code RIFFLE_DEBUG=1} prints.
     */
    private static String failure(Exception e, boolean debug) {
        boolean explained = e.getMessage() != null && (e instanceof JobFailedException
                || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof IOException || e instanceof UncheckedIOException);
        if (explained) {
            return "riffle: " + (e instanceof IOException io ? describe(io) : e.getMessage());
        }
        return "riffle: internal error: " + e + (debug ? "" : " (" + DEBUG_VARIABLE + "=1 prints its stack trace)");
    }

    /**
     * What went wrong with a file, naming it: the file system exceptions that have no reason carry only the
     * path as their message.
     */
    static String describe(IOException e) {
        if (!(e instanceof FileSystemException f) || f.getFile() == null || f.getReason() != null) {
            return e.getMessage();
        }
        String what = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "a file is in the way"
                : e instanceof NotDirectoryException ? "not a directory"
                : e instanceof DirectoryNotEmptyException ? "the directory is not empty" : "cannot be used";
        return f.getFile() + ": " + what;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "run",
            description = "Runs a built-in job in this process; prints its results and a JSON summary.")
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        RiffleCli parent;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

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
            String problem = problem();
            if (problem != null) {
                err.println(problem);
                return 2;
            }
            if (output != null) {
                try {
                    Files.createDirectories(output);
                } catch (IOException e) {
                    err.println("--output: cannot create the directory: " + describe(e));
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

        /**
         * What is wrong with the options, in one line naming the option and its allowed values, or null. Every
         * value is checked here, before the job builds anything.
         */
        private String problem() {
            if (records < 0) {
                return "--records must not be negative: " + records;
            }
            if (keys < 1) {
                return "--keys must be at least 1: " + keys;
            }
            if (job.equals("wordcount") && input == null && keys > MAX_VOCABULARY) {
                return "--keys must be between 1 and " + MAX_VOCABULARY + " for wordcount's generated text (its"
                        + " vocabulary's tables take 16 bytes a word): " + keys;
            }
            if (batchSize < 1 || batchSize > RuntimeConfig.MAX_BATCH_SIZE) {
                return "--batch-size must be between 1 and " + RuntimeConfig.MAX_BATCH_SIZE + ": " + batchSize;
            }
            if (parallelism < 1 || parallelism > Environment.DEFAULT_MAX_PARALLELISM) {
                return "--parallelism must be between 1 and " + Environment.DEFAULT_MAX_PARALLELISM
                        + " (the max parallelism): " + parallelism;
            }
            if (output != null && job.equals("columnar-demo")) {
                return "columnar-demo writes no files; --output is for the engine jobs";
            }
            if (checkpointInterval < 0 || checkpointInterval > MAX_CHECKPOINT_INTERVAL_MS) {
                return "--checkpoint-interval must be between 0 (only on demand) and " + MAX_CHECKPOINT_INTERVAL_MS
                        + " (a year): " + checkpointInterval;
            }
            if (failAfter < 0) {
                return "--fail-after must not be negative: " + failAfter;
            }
            if (rate < 0) {
                return "--rate must not be negative: " + rate;
            }
            if (windowMs < 1) {
                return "--window-ms must be at least 1: " + windowMs;
            }
            if (slideMs < 0 || slideMs > windowMs) {
                return "--slide-ms must be between 1 and --window-ms (" + windowMs + "), or 0 for tumbling windows: "
                        + slideMs;
            }
            if (sessionGapMs < 0) {
                return "--session-gap-ms must not be negative: " + sessionGapMs;
            }
            if (sessionGapMs > 0 && slideMs > 0) {
                return "--session-gap-ms and --slide-ms do not go together: sessions have no slide";
            }
            if ((checkpointDir != null || from != null) && !STREAMING_JOBS.contains(job)) {
                String streaming = "the streaming jobs (" + String.join(", ", STREAMING_JOBS) + ")";
                return job.equals("columnar-demo") ? "columnar-demo takes no checkpoints: --checkpoint-dir and --from"
                        + " are for " + streaming
                        : job + " is a batch job: checkpoints are for " + streaming + "; a batch job restarts from"
                        + " the start of its input";
            }
            if (output != null && Files.exists(output) && !Files.isDirectory(output)) {
                return "--output must be a directory, but " + output + " is a file";
            }
            return null;
        }
    }

    @Command(name = "checkpoint", description = "Asks the job running with --checkpoint-dir DIR for a checkpoint now and prints its directory.")
    static final class Checkpoint implements Callable<Integer> {
        @CommandLine.ParentCommand
        RiffleCli parent;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(index = "0", paramLabel = "DIR", description = "the running job's --checkpoint-dir")
        Path directory;

        @Option(names = "--savepoint", description = "take a savepoint: kept until deleted, for --from after a stop or a rescale")
        boolean savepoint;

        @Option(names = "--timeout", paramLabel = "S", description = "seconds to wait for it (default: ${DEFAULT-VALUE})")
        long timeoutSeconds = 120;

        private static final long MAX_TIMEOUT_SECONDS = 24 * 3600;

        @Override
        public Integer call() throws IOException {
            if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
                parent.err.println("--timeout must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds (a day): "
                        + timeoutSeconds);
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
