package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.time.Duration;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.internal.operator.IntervalJoinOperator;
import io.riffle.engine.internal.operator.WindowJoinOperator;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream joins' lateness and clean-up, record by record and watermark by watermark, pinned to what Flink
 * 2.2 emits for the same sequence. Flink's {@code IntervalJoinOperator}: {@code isLate(t) = t < currentWatermark};
 * a record is added to its buffer and registers a clean-up timer at {@code t + max(upper, 0)} (left) or
 * {@code t + max(-lower, 0)} (right); a timer fires, removing its records, at the first watermark at or past
 * it that the operator processes after the timer was registered. Flink's window join is a coGroup on
 * windows: a record is late when every window it is in has {@code maxTimestamp <= watermark}; a window
 * fires when the watermark reaches its {@code maxTimestamp}.
 */
@Timeout(60)
class JoinLatenessTest {
    /** Both inputs: key, event time (int64 ms), and an id that names the record in the output. */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("t", ColumnType.INT64), Column.of("id", ColumnType.INT64));

    @TempDir
    Path dir;

    /** One join operator driven a batch and a watermark at a time, its output and drops recorded. */
    private static final class Driver implements AutoCloseable {
        final BufferAllocator allocator;
        final Operator join;
        final OperatorMetrics metrics = new OperatorMetrics("join", 1, false);
        /** Each output row as {@code "left id+right id"} (interval join) or {@code "left+right@window start"}. */
        final List<String> pairs = new ArrayList<>();
        private final Output out = new Output() {
            @Override
            public void emit(RecordBatch batch) {
                int columns = batch.columnCount();
                for (int r = 0; r < batch.rowCount(); r++) {
                    String pair = batch.value(r, 2) + "+" + batch.value(r, 4);
                    pairs.add(columns == 7 ? pair + "@" + ((java.time.Instant) batch.value(r, 5)).toEpochMilli() : pair);
                }
            }

            @Override
            public void emitWatermark(long watermark) {
            }
        };

        Driver(BufferAllocator allocator, Operator join) throws Exception {
            this.allocator = allocator;
            this.join = join;
            join.open(new SubtaskContext("join", 0, 1, allocator, 64, 1, null, 128, metrics));
        }

        /** Input {@code input}'s records {@code (k, t, id)}, in one batch. */
        Driver records(int input, long[]... records) throws Exception {
            Object[][] rows = new Object[records.length][];
            for (int i = 0; i < records.length; i++) {
                rows[i] = new Object[] {records[i][0], records[i][1], records[i][2]};
            }
            try (RecordBatch batch = RecordBatchBuilder.fromRows(EVENTS, allocator, rows)) {
                join.process(input, batch, out);
            }
            return this;
        }

        Driver left(long[]... records) throws Exception {
            return records(0, records);
        }

        Driver right(long[]... records) throws Exception {
            return records(1, records);
        }

        Driver watermark(long watermark) throws Exception {
            join.processWatermark(watermark, out);
            return this;
        }

        Path snapshot(Path file) throws Exception {
            try (OperatorSnapshot snapshot = join.snapshotState(1)) {
                snapshot.writeTo(file);
            }
            return file;
        }

        Driver restore(Path file) throws Exception {
            join.restoreState(new StateRestore(1, List.of(file), List.of(), 128, 0, 128));
            return this;
        }

        @Override
        public void close() throws Exception {
            join.close();
        }
    }

    private static long[] r(long key, long time, long id) {
        return new long[] {key, time, id};
    }

    /** Steps driven on a join. */
    private interface Steps {
        void run(Driver join) throws Exception;
    }

    /** The pairs, sorted, and the records dropped as late. */
    private record Outcome(List<String> pairs, long dropped) {
    }

    /**
     * Runs {@code before}, then {@code after} on the same operator or, with {@code restore}, on a new one
     * restored from a checkpoint taken in between; checks that no memory is left behind.
     */
    private Outcome run(Supplier<Operator> join, boolean restore, Steps before, Steps after) throws Exception {
        List<String> pairs = new ArrayList<>();
        long dropped = 0;
        try (BufferAllocator allocator = new RootAllocator()) {
            Path file = dir.resolve("join-" + System.nanoTime());
            try (Driver first = new Driver(allocator, join.get())) {
                before.run(first);
                first.snapshot(file);
                if (!restore) {
                    after.run(first);
                }
                pairs.addAll(first.pairs);
                dropped += first.metrics.recordsDropped();
            }
            if (restore) {
                try (Driver second = new Driver(allocator, join.get()).restore(file)) {
                    after.run(second);
                    pairs.addAll(second.pairs);
                    dropped += second.metrics.recordsDropped();
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
        pairs.sort(null);
        return new Outcome(pairs, dropped);
    }

    private static Supplier<Operator> intervalJoin(long lower, long upper) {
        return () -> new IntervalJoinOperator(EVENTS, EVENTS, 0, 0, 1, 1, lower, upper, 1 << 26);
    }

    /**
     * Interval [-2, 3]: a record at the watermark joins and one behind it is late; at watermark 13 the left
     * record at 10 is gone (Flink's timer at 10 + 3) though its segment, which holds a later record, is kept,
     * so a right record at 13, on the interval's bound, finds nothing; the right records at 13 stay until
     * watermark 15 (timers at 13 + 2), so a left record at 15 no longer finds them. A checkpoint taken between
     * and restored into a new operator changes nothing. Flink 2.2, the same sequence: the pairs below, and the
     * left record at 9 dropped.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anIntervalJoinJoinsRecordsAtTheWatermarkAndNotWhatFlinkCleanedUp(boolean restore) throws Exception {
        Outcome outcome = run(intervalJoin(-2, 3), restore, join -> join
                .watermark(10)
                .left(r(1, 10, 1), r(2, 20, 2))         // 1 at the watermark; 2 keeps their segment
                .left(r(1, 9, 3))                       // late
                .right(r(1, 10, 101))                   // pairs with 1 (d = 0)
                .right(r(1, 13, 102))                   // pairs with 1 (d = 3, the upper bound)
                .watermark(13)                          // 1 gone (timer 13), 101 gone (timer 12)
                .right(r(1, 13, 103)),                  // at the watermark, on 1's bound: 1 is gone
                join -> join
                .left(r(1, 13, 4))                      // pairs with 102 and 103
                .left(r(1, 15, 5))                      // pairs with 102 and 103 (their timers at 15 wait)
                .watermark(15)                          // 102 and 103 gone
                .right(r(1, 15, 104))                   // pairs with 4 and 5
                .left(r(1, 15, 6))                      // pairs with 104 only
                .watermark(Long.MAX_VALUE));
        assertEquals(List.of("1+101", "1+102", "4+102", "4+103", "4+104", "5+102", "5+103", "5+104", "6+104"),
                outcome.pairs());
        assertEquals(1, outcome.dropped(), "the left record at 9");
    }

    /**
     * Interval [0, 0] (Flink's between(-1, 1) with both bounds exclusive): the left record at 11 that was there
     * when the watermark reached 11 is gone (its timer at 11 fired), but one that arrives at the watermark
     * after that stays until the next watermark (its timer, registered at 11, fires only then), so right
     * records at 11 pair with it, also after a checkpoint taken between them is restored.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRecordAtTheWatermarkStaysUntilTheNextOneAsFlinksTimerDoes(boolean restore) throws Exception {
        JoinInterval interval = JoinInterval.between(Duration.ofMillis(-1), Duration.ofMillis(1)).lowerBoundExclusive()
                .upperBoundExclusive();
        Outcome outcome = run(intervalJoin(interval.firstMillis(), interval.lastMillis()), restore, join -> join
                .watermark(10)
                .left(r(1, 11, 1), r(2, 30, 2))         // 2 keeps their segment
                .watermark(11)                          // 1 gone (timer 11)
                .right(r(1, 11, 101))                   // 1 is gone
                .left(r(1, 11, 3)),                     // pairs with 101; its timer at 11 waits for the next watermark
                join -> join
                .right(r(1, 11, 102))                   // pairs with 3, not 1
                .watermark(12)                          // 3, 101, 102 gone
                .left(r(1, 11, 4))                      // late
                .left(r(1, 12, 5))
                .right(r(1, 12, 103))                   // pairs with 5
                .watermark(Long.MAX_VALUE));
        assertEquals(List.of("3+101", "3+102", "5+103"), outcome.pairs());
        assertEquals(1, outcome.dropped(), "the left record at 11 after watermark 12");
    }
}
