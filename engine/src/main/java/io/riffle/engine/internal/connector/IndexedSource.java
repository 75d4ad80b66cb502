package io.riffle.engine.internal.connector;

import java.util.List;

import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * A rewindable source whose record {@code i} of {@code 0 .. recordCount() - 1} is a function of {@code i} (the
 * generators): which indexes a subtask reads ({@link IndexRanges#share}: every p-th, so subtasks move through
 * the sequence together) and where a restored reader resumes (the ranges its old readers had left) are decided
 * here once; a subclass makes the {@link IndexRangeReader} that writes the records.
 */
abstract class IndexedSource implements Source {
    /** How many records the source has over all subtasks. */
    abstract long recordCount();

    /** A reader of the indexes {@code left}. */
    abstract SourceReader reader(TaskContext context, IndexRanges left);

    @Override
    public final SourceReader createReader(TaskContext context) {
        return reader(context, IndexRanges.share(recordCount(), context.subtask(), context.parallelism()));
    }

    @Override
    public final boolean isRewindable() {
        return true;
    }

    @Override
    public final SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        return reader(context, IndexRanges.decode(positions, name()));
    }
}
