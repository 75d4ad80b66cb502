package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Operators of two inputs: each batch comes with its input, equal keys meet in one subtask, each input ends once. */
@Timeout(60)
class TwoInputTest {
    private static final BatchSchema LABELS = BatchSchema.of(Column.of("label", ColumnType.UTF8),
            Column.of("id", ColumnType.INT64));

    /** Per subtask, in order: "0:<key>" / "1:<key>" per record, "end0" / "end1" per input end, "end" at the end. */
    static final class Recorder extends Operator {
        private final Map<Integer, List<String>> seen;
        private List<String> mine;

        Recorder(Map<Integer, List<String>> seen) {
            this.seen = seen;
        }

        @Override
        public void open(SubtaskContext context) {
            mine = seen.computeIfAbsent(context.subtask(), s -> new ArrayList<>());
        }

        @Override
        public void process(RecordBatch batch, Output out) {
            throw new AssertionError("a two-input operator is told the input");
        }

        @Override
        public void process(int input, RecordBatch batch, Output out) {
            int key = input == 0 ? 0 : 1;
            for (int r = 0; r < batch.rowCount(); r++) {
                mine.add(input + ":" + batch.value(r, key));
            }
        }

        @Override
        public void endOfInput(int input, Output out) {
            mine.add("end" + input);
        }

        @Override
        public void endInput(Output out) {
            mine.add("end");
        }
    }

    @Test
    void batchesArriveTaggedByInputAndEqualKeysMeet() {
        for (int round = 0; round < 12; round++) {
            int p = 1 + round % 3;
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + round * 7).setChannelCapacity(4);
            List<Tuple> labels = new ArrayList<>();
            for (long id = 0; id < 60; id++) {
                labels.add(Tuple.of("label-" + id, id));
            }
            Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
            DataStream left = env.generate(3_000, 50);
            left.twoInput("recorder", env.fromCollection(labels, LABELS), 0, 1, LABELS, () -> new Recorder(seen))
                    .collect(new ArrayList<>());
            env.execute("two-input");
            Map<String, Integer> subtaskOfKey = new ConcurrentHashMap<>();
            int leftRecords = 0;
            int rightRecords = 0;
            for (Map.Entry<Integer, List<String>> e : seen.entrySet()) {
                List<String> events = e.getValue();
                assertEquals("end", events.get(events.size() - 1), "round " + round);
                for (int input = 0; input < 2; input++) {
                    int end = events.indexOf("end" + input);
                    assertTrue(end >= 0 && end == events.lastIndexOf("end" + input), "round " + round + ": " + input);
                    for (int i = end + 1; i < events.size(); i++) {
                        assertTrue(!events.get(i).startsWith(input + ":"), "round " + round + ": input " + input
                                + " after its end");
                    }
                }
                for (String event : events) {
                    if (event.contains(":")) {
                        String key = event.substring(2);
                        Integer other = subtaskOfKey.putIfAbsent(key, e.getKey());
                        assertTrue(other == null || other.equals(e.getKey()), "round " + round + ": key " + key
                                + " in subtasks " + other + " and " + e.getKey());
                        if (event.startsWith("0:")) {
                            leftRecords++;
                        } else {
                            rightRecords++;
                        }
                    }
                }
            }
            assertEquals(3_000, leftRecords, "round " + round);
            assertEquals(60, rightRecords, "round " + round);
        }
    }
}
