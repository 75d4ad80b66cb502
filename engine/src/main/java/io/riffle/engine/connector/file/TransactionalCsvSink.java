package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.connector.TwoPhaseCommitWriter;

/**
 * Exactly-once CSV files in a directory, by two-phase commit. Each subtask writes what comes between two
 * checkpoints into a new file; at the barrier of checkpoint {@code c} it syncs the file and renames it to
 * {@code part-<subtask>-<writer>-<n>-c<c>.csv.pending} (the writer named by its start time and a random
 * suffix, {@code n} counting its files); when a checkpoint is complete the pending files it names are
 * renamed to {@code part-<subtask>-<writer>-<n>-c<c>.csv}. After a failure the restored checkpoint's
 * files are committed and every other pending or temporary file is deleted; if recovery had to fall back
 * to an older checkpoint {@code r} because a newer one is damaged, the committed files sealed after
 * {@code r} ({@code c > r}) are deleted too, since the restored job writes their records again. So the
 * committed files hold exactly the output of a run without failures. Each file starts with a header line
 * when the format has one. Runs at its input's parallelism.
 *
 * <pre>{@code
 * env.enableCheckpointing(Duration.ofSeconds(1), Path.of("checkpoints"));
 * counts.addSink(new TransactionalCsvSink(Path.of("out")));
 * }</pre>
 */
public final class TransactionalCsvSink implements TwoPhaseCommitSink {
    private static final String PENDING = ".pending";
    /** A sealed file: subtask, writer (start time, random suffix), file number, sealing checkpoint. */
    private static final String PART = "part-\\d{1,9}-\\d{1,19}-[0-9a-f]{1,8}-\\d{1,19}-c(\\d{1,18})\\.csv";
    private static final Pattern SEALED = Pattern.compile(PART + Pattern.quote(PENDING));
    private static final Pattern COMMITTED = Pattern.compile(PART);

    private final Path directory;
    private final CsvFormat format;

    public TransactionalCsvSink(Path directory) {
        this(directory, CsvFormat.DEFAULT);
    }

    public TransactionalCsvSink(Path directory, CsvFormat format) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.format = Objects.requireNonNull(format, "format");
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + " is a file; a transactional sink writes part files into"
                    + " a directory");
        }
    }

    @Override
    public String name() {
        return "csv-exactly-once(" + directory.getFileName() + ")";
    }

    @Override
    public TwoPhaseCommitWriter createWriter(BatchSchema schema, TaskContext context) throws IOException {
        Files.createDirectories(directory);
        return new Writer(schema, context.subtask());
    }

    /** Checks every name first, so that a forged committable renames nothing at all. */
    @Override
    public void commit(List<byte[]> committables) throws IOException {
        List<String> names = new ArrayList<>();
        for (byte[] c : committables) {
            for (String name : new String(c, StandardCharsets.UTF_8).split("\n")) {
                if (!SEALED.matcher(name).matches() || !directory.resolve(name).getParent().equals(directory)) {
                    throw new IOException("committable names '" + name + "', which is not a file this sink writes"
                            + " (part-<subtask>-<writer>-<n>-c<checkpoint>.csv.pending in " + directory + ")");
                }
                names.add(name);
            }
        }
        for (String name : names) {
            Path pending = directory.resolve(name);
            if (Files.exists(pending)) {
                Path committed = directory.resolve(name.substring(0, name.length() - PENDING.length()));
                Files.move(pending, committed, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** Deletes pending files no complete checkpoint covers, and temporary files of writers that died. */
    @Override
    public void abortUncommitted() throws IOException {
        SinkDirectory.delete(directory, name -> name.startsWith("part-") && name.endsWith(PENDING)
                || name.startsWith(".part-") && name.endsWith(".tmp"));
    }

    @Override
    public boolean canRetract() {
        return true;
    }

    /** Deletes the committed files sealed by a checkpoint after {@code checkpointId}. */
    @Override
    public void retractCommittedAfter(long checkpointId) throws IOException {
        SinkDirectory.delete(directory, name -> {
            Matcher m = COMMITTED.matcher(name);
            return m.matches() && Long.parseLong(m.group(1)) > checkpointId;
        });
    }

    private final class Writer implements TwoPhaseCommitWriter {
        private final BatchSchema schema;
        private final int subtask;
        private final String writerId = String.format("%013d-%04x", System.currentTimeMillis(),
                ThreadLocalRandom.current().nextInt(1 << 16));
        /** Pending files of this writer not known to be committed. */
        private final List<String> open = new ArrayList<>();
        private CsvSinkWriter current;
        /** The current file's name without its checkpoint: {@code part-<subtask>-<writer>-<n>}. */
        private String currentName;
        private int files;

        Writer(BatchSchema schema, int subtask) {
            this.schema = schema;
            this.subtask = subtask;
        }

        @Override
        public void write(RecordBatch batch) throws IOException {
            if (batch.selectedRowCount() == 0) {
                return;
            }
            if (current == null) {
                currentName = String.format("part-%d-%s-%06d", subtask, writerId, files++);
                current = CsvSinkWriter.open(directory.resolve(currentName + ".csv"), schema, format);
            }
            current.write(batch);
        }

        /**
         * Seals the current file as pending under checkpoint {@code checkpointId} and names every pending
         * file of this writer not committed yet.
         */
        @Override
        public byte[] prepareCommit(long checkpointId) throws IOException {
            if (current != null) {
                String sealed = currentName + "-c" + checkpointId + ".csv" + PENDING;
                current.finishAs(directory.resolve(sealed));
                current.close();
                current = null;
                open.add(sealed);
            }
            open.removeIf(name -> !Files.exists(directory.resolve(name)));
            return open.isEmpty() ? null : String.join("\n", open).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void finish() {
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
