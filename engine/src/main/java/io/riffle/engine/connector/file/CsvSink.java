package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.connector.TwoPhaseCommitWriter;

/**
 * Writes a job's rows as UTF-8 CSV that {@link CsvSource} reads back with the same schema and format: a
 * header line of field names (unless the format says otherwise), one line per row ending in LF, a field
 * quoted only when it holds the delimiter, the quote, CR or LF, nulls as empty fields and the empty string
 * as {@code ""}, floats as {@link Double#toString}, timestamps as ISO-8601 instants. A null in a utf8 column
 * reads back as null only with {@link CsvFormat#withEmptyStringAsNull withEmptyStringAsNull(true)} (by default an
 * empty field of a utf8 column is the empty string, as in Flink).
 *
 * <p>Paths: {@code new CsvSink(file)} runs at parallelism 1 and writes the file {@code file};
 * {@code CsvSink.partitioned(directory)} runs at its input's parallelism and subtask {@code i} writes
 * {@code directory/part-<i>.csv}. Each file is written under a hidden temporary name in the same directory
 * ({@code .<name>.<hex>.tmp}) and renamed into place, replacing any file there, once every subtask of the
 * job has finished (or by the first checkpoint to complete after that); a job that fails for good before
 * then leaves an existing file as it was.
 *
 * <p>Exactly once under checkpoints: at each checkpoint barrier a subtask syncs its temporary file and
 * the checkpoint records the file's name and length. A job restored from that checkpoint (after a failure,
 * or restarted from a checkpoint directory) cuts the file back to that length and appends to it, so the
 * file ends up byte for byte as a run without failures writes it, header once. Temporary files that the
 * restored checkpoint does not name are deleted. A restore must keep a partitioned sink's parallelism.
 *
 * <pre>{@code
 * Sink totals = new CsvSink(Path.of("totals.csv"));
 * Sink parts = CsvSink.partitioned(Path.of("out"), CsvFormat.DEFAULT.withDelimiter(';'));
 * }</pre>
 */
public final class CsvSink implements TwoPhaseCommitSink {
    /** A committable: {@code open|done <subtask> <checkpoint> <length> <temporary file name>}. */
    private static final Pattern COMMITTABLE = Pattern.compile("(open|done) (\\d{1,9}) (\\d{1,18}) (\\d{1,18}) (\\S+)");

    private final SinkPath path;
    private final CsvFormat format;
    /** By subtask: its file as the newest committed checkpoint recorded it, for a writer restored from that one. */
    private final Map<Integer, Staged> resumable = new HashMap<>();
    /** By subtask: the finished file renamed onto its target, and the checkpoint id it was staged with. */
    private final Map<Integer, Staged> renamed = new HashMap<>();

    /** A subtask's temporary file at a checkpoint: its length then, and whether the subtask had finished. */
    private record Staged(boolean done, int subtask, long checkpointId, long length, String tempName) {
        byte[] bytes() {
            return ((done ? "done " : "open ") + subtask + " " + checkpointId + " " + length + " " + tempName)
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Writes the comma-separated file {@code file}, with a header line, from one subtask. */
    public CsvSink(Path file) {
        this(file, CsvFormat.DEFAULT);
    }

    /** Writes the file {@code file}, laid out as {@code format} says, from one subtask. */
    public CsvSink(Path file, CsvFormat format) {
        this(SinkPath.file(Objects.requireNonNull(file, "file"), ".csv"), format);
    }

    private CsvSink(SinkPath path, CsvFormat format) {
        this.path = path;
        this.format = Objects.requireNonNull(format, "format");
    }

    /** Writes {@code directory/part-<i>.csv} from each subtask {@code i}, at the input's parallelism. */
    public static CsvSink partitioned(Path directory) {
        return partitioned(directory, CsvFormat.DEFAULT);
    }

    /** Writes {@code directory/part-<i>.csv}, laid out as {@code format} says, from each subtask {@code i}. */
    public static CsvSink partitioned(Path directory, CsvFormat format) {
        return new CsvSink(SinkPath.directory(Objects.requireNonNull(directory, "directory"), ".csv"), format);
    }

    @Override
    public String name() {
        return path.name("csv");
    }

    @Override
    public int parallelism() {
        return path.parallelism();
    }

    @Override
    public TwoPhaseCommitWriter createWriter(BatchSchema schema, TaskContext context) {
        return new Writer(schema, context.subtask(), context.parallelism());
    }

    /**
     * Remembers each subtask's open file for a restore, and renames each finished one onto its target.
     * Checks every committable first, so that a forged one touches nothing.
     */
    @Override
    public synchronized void commit(List<byte[]> committables) throws IOException {
        List<Staged> all = new ArrayList<>();
        for (byte[] c : committables) {
            all.add(parse(new String(c, StandardCharsets.UTF_8)));
        }
        for (Staged s : all) {
            if (!s.done()) {
                resumable.put(s.subtask(), s);
                continue;
            }
            Path temp = path.directory().resolve(s.tempName());
            if (Files.exists(temp)) {
                Files.move(temp, path.fileOf(s.subtask()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            resumable.remove(s.subtask());
            renamed.put(s.subtask(), s);
        }
    }

    private Staged parse(String committable) throws IOException {
        Matcher m = COMMITTABLE.matcher(committable);
        if (m.matches()) {
            int subtask = Integer.parseInt(m.group(2));
            String temp = m.group(5);
            if (path.tempNames().matcher(temp).matches()
                    && temp.startsWith(StagedFile.tempPrefix(path.fileOf(subtask)))
                    && path.directory().resolve(temp).getParent().equals(path.directory())) {
                return new Staged(m.group(1).equals("done"), subtask, Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), temp);
            }
        }
        throw new IOException("committable '" + committable + "' does not name a file this sink writes ("
                + StagedFile.tempPrefix(path.fileOf(0)) + "<hex>.tmp in " + path.directory() + ")");
    }

    /** Deletes the temporary files of this sink that no writer resumes from the restored checkpoint. */
    @Override
    public synchronized void abortUncommitted() throws IOException {
        Set<String> kept = new HashSet<>();
        for (Staged s : resumable.values()) {
            kept.add(s.tempName());
        }
        Pattern temps = path.tempNames();
        SinkDirectory.delete(path.directory(), name -> temps.matcher(name).matches() && !kept.contains(name));
    }

    /**
     * Nothing this sink shows is taken back from outside the job: a file appears only once its subtask
     * has finished. A fallback to an older checkpoint forgets the newer checkpoints' file lengths and turns
     * a file that was renamed into place after {@code checkpointId} back into its temporary file, which
     * the restored writer cuts back and resumes.
     */
    @Override
    public boolean canRetract() {
        return true;
    }

    @Override
    public synchronized void retractCommittedAfter(long checkpointId) throws IOException {
        resumable.values().removeIf(s -> s.checkpointId() > checkpointId);
        List<Staged> undone = new ArrayList<>();
        for (Staged s : renamed.values()) {
            if (s.checkpointId() > checkpointId) {
                undone.add(s);
            }
        }
        for (Staged s : undone) {
            unrename(s, 0);
            renamed.remove(s.subtask());
        }
    }

    /**
     * Turns subtask {@code s.subtask()}'s target file back into its temporary file {@code s.tempName()}, if
     * the temporary file is gone and the target holds at least {@code atLeast} bytes. Within Riffle a staged
     * file named by a checkpoint disappears only by being renamed onto its target, by a later checkpoint or
     * by the job's final commit, so the target is that file.
     */
    private void unrename(Staged s, long atLeast) throws IOException {
        Path target = path.fileOf(s.subtask());
        Path temp = path.directory().resolve(s.tempName());
        if (Files.exists(target) && !Files.exists(temp) && Files.size(target) >= atLeast) {
            Files.move(target, temp, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The file subtask {@code subtask} resumes when restored from checkpoint {@code checkpointId}, or null. */
    private synchronized Staged resumableAt(int subtask, long checkpointId, int parallelism) throws IOException {
        for (Staged s : resumable.values()) {
            if (s.checkpointId() == checkpointId && s.subtask() >= parallelism) {
                throw new IOException("sink '" + name() + "' was checkpointed with subtask " + s.subtask()
                        + " but is restored at parallelism " + parallelism + "; restore it at the parallelism it"
                        + " was checkpointed at, or its files would lose rows");
            }
        }
        Staged s = resumable.get(subtask);
        return s != null && s.checkpointId() == checkpointId ? s : null;
    }

    private final class Writer implements TwoPhaseCommitWriter {
        private final BatchSchema schema;
        private final int subtask;
        private final int parallelism;
        private final Path target;
        /** Opened on first use, so that a restored writer resumes its file instead of starting one. */
        private CsvSinkWriter out;
        private boolean finished;

        Writer(BatchSchema schema, int subtask, int parallelism) {
            this.schema = schema;
            this.subtask = subtask;
            this.parallelism = parallelism;
            this.target = path.fileOf(subtask);
        }

        @Override
        public void restoredFrom(long checkpointId) throws IOException {
            Staged s = resumableAt(subtask, checkpointId, parallelism);
            if (s != null) {
                // A job restored from a checkpoint directory falls back with a sink that never saw the newer
                // checkpoints rename this file into place, so retractCommittedAfter could not take it back.
                unrename(s, s.length());
                StagedFile file = StagedFile.resume(target, s.tempName(), s.length());
                file.keep();
                out = CsvSinkWriter.resume(file, schema, format);
            }
        }

        private CsvSinkWriter out() throws IOException {
            if (out == null) {
                out = CsvSinkWriter.open(target, schema, format);
            }
            return out;
        }

        @Override
        public void write(RecordBatch batch) throws IOException {
            out().write(batch);
        }

        /** Syncs the file and names it with its length; once a checkpoint holds it, closing keeps it. */
        @Override
        public byte[] prepareCommit(long checkpointId) throws IOException {
            CsvSinkWriter w = out();
            long length = w.sync();
            w.file().keep();
            return new Staged(finished, subtask, checkpointId, length, w.file().tempName()).bytes();
        }

        /** The file is renamed into place when its last committable is committed. */
        @Override
        public void finish() throws IOException {
            out();
            finished = true;
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}
