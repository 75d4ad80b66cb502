package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.SourceSideOutput;
import io.riffle.engine.connector.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A source's side output: records its readers set aside reach {@code getSideOutput}, the rest the stream. */
@Timeout(60)
class SourceSideOutputTest {
    private static final BatchSchema NUMBERS = BatchSchema.of(Column.of("n", ColumnType.INT64));
    private static final BatchSchema REJECTS = BatchSchema.of(Column.of("why", ColumnType.UTF8));

    /** Reads 1..count per subtask (subtask s adds s * 1000), setting the multiples of 7 aside as "n is 7k". */
    private record SettingAside(int count) implements Source {
        @Override
        public String name() {
            return "numbers";
        }

        @Override
        public BatchSchema schema() {
            return NUMBERS;
        }

        @Override
        public List<SourceSideOutput> sideOutputs() {
            return List.of(new SourceSideOutput("rejects", REJECTS));
        }

        @Override
        public SourceReader createReader(TaskContext context) {
            long base = context.subtask() * 1000L;
            return new SourceReader() {
                private int next = 1;
                private RecordBatch batch;
                private RecordBatch aside;

                @Override
                public RecordBatch next() {
                    close();
                    if (next > count) {
                        return null;
                    }
                    List<Object[]> kept = new ArrayList<>();
                    List<Object[]> rejected = new ArrayList<>();
                    for (int i = 0; i < 10 && next <= count; i++, next++) {
                        if (next % 7 == 0) {
                            rejected.add(new Object[] {(base + next) + " is 7k"});
                        } else {
                            kept.add(new Object[] {base + next});
                        }
                    }
                    aside = RecordBatchBuilder.fromRows(REJECTS, context.allocator(), rejected.toArray(new Object[0][]));
                    batch = RecordBatchBuilder.fromRows(NUMBERS, context.allocator(), kept.toArray(new Object[0][]));
                    return batch;
                }

                @Override
                public RecordBatch sideBatch(int index) {
                    return aside;
                }

                @Override
                public boolean isFinished() {
                    return next > count;
                }

                @Override
                public void close() {
                    if (batch != null) {
                        batch.close();
                        aside.close();
                        batch = null;
                        aside = null;
                    }
                }
            };
        }
    }

    @Test
    void recordsASourceSetsAsideReachItsSideOutputAndTheRestItsStream() {
        Environment env = Environment.streaming().setParallelism(2);
        DataStream numbers = env.fromSource(new SettingAside(30));
        List<Tuple> kept = Collections.synchronizedList(new ArrayList<>());
        List<Tuple> rejected = Collections.synchronizedList(new ArrayList<>());
        numbers.collect(kept);
        numbers.getSideOutput(new OutputTag("rejects")).collect(rejected);
        env.execute("side");
        List<Tuple> expectedKept = new ArrayList<>();
        List<Tuple> expectedRejected = new ArrayList<>();
        for (long base : new long[] {0, 1000}) {
            for (long n = 1; n <= 30; n++) {
                if (n % 7 == 0) {
                    expectedRejected.add(Tuple.of((base + n) + " is 7k"));
                } else {
                    expectedKept.add(Tuple.of(base + n));
                }
            }
        }
        assertEquals(expectedKept, sorted(kept));
        assertEquals(expectedRejected, sorted(rejected));
    }

    private static List<Tuple> sorted(List<Tuple> tuples) {
        List<Tuple> copy = new ArrayList<>(tuples);
        copy.sort(Comparator.comparing(Tuple::toString, Comparator.comparing((String s) -> s.length())
                .thenComparing(Comparator.naturalOrder())));
        return copy;
    }
}
