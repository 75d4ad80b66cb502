package io.riffle.engine.internal.operator.harness;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Watermark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The harness drives an operator as the runtime does, collects exactly what it emits, and checks its memory. */
class OperatorHarnessTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("name", ColumnType.UTF8), Column.of("time", ColumnType.TIMESTAMP_MS));

    @TempDir
    Path dir;

    /**
     * Logs every call the harness makes, emits its input as it is, and snapshots what it was told: a file
     * holding the log, or the log inline, or a committable.
     */
    private static final class Recorder extends Operator {
        final List<String> calls;
        final String snapshotKind;
        boolean processingTime;
        ArrowBuf leaked;
        private SubtaskContext context;

        Recorder(List<String> calls, String snapshotKind) {
            this.calls = calls;
            this.snapshotKind = snapshotKind;
        }

        @Override
        public void open(SubtaskContext context) {
            this.context = context;
            calls.add("open " + context.operatorName() + " " + context.subtask() + "/" + context.parallelism()
                    + " groups " + context.keyGroups() + " batch " + context.batchSize() + " uid " + context.uid());
        }

        @Override
        public void restoreState(StateRestore restore) throws Exception {
            List<String> files = new ArrayList<>();
            for (Path file : restore.files()) {
                files.add(Files.readString(file));
            }
            List<String> inline = new ArrayList<>();
            for (byte[] bytes : restore.operatorStates()) {
                inline.add(new String(bytes, StandardCharsets.UTF_8));
            }
            calls.add("restore " + restore.checkpointId() + " files " + files + " inline " + inline + " groups "
                    + restore.keyGroups());
        }

        @Override
        public void start(Output out) {
            calls.add("start");
        }

        @Override
        public void process(RecordBatch batch, Output out) throws Exception {
            throw new AssertionError("the harness calls process(input, batch, out), as the runtime does");
        }

        @Override
        public void process(int input, RecordBatch batch, Output out) throws Exception {
            calls.add("process " + input + ": " + batch.rowCount() + " rows");
            out.emit(batch);
            if (batch.value(0, 1).equals("late")) {
                out.emitSide(context.uid(), 2, batch);
            }
        }

        @Override
        public void processWatermark(long watermark, Output out) throws Exception {
            calls.add("watermark " + watermark);
            out.emitWatermark(watermark);
        }

        @Override
        public boolean usesProcessingTime() {
            return processingTime;
        }

        @Override
        public void onProcessingTime(long nanoTime, Output out) {
            calls.add("processing time " + nanoTime);
        }

        @Override
        public void endOfInput(int input, Output out) {
            calls.add("end of input " + input);
        }

        @Override
        public void endInput(Output out) {
            calls.add("end input");
        }

        @Override
        public OperatorSnapshot snapshotState(long checkpointId) {
            String state = context.subtask() + ":" + calls.size();
            calls.add("snapshot " + checkpointId);
            return switch (snapshotKind) {
                case "none" -> null;
                case "inline" -> OperatorSnapshot.inline(state.getBytes(StandardCharsets.UTF_8), false);
                case "committable" -> OperatorSnapshot.inline(state.getBytes(StandardCharsets.UTF_8), true);
                default -> new OperatorSnapshot() {
                    @Override
                    public long writeTo(Path file) throws Exception {
                        calls.add("write " + checkpointId + " to " + file.getParent().getFileName() + "/" + file.getFileName());
                        Files.writeString(file, state);
                        return state.length();
                    }

                    @Override
                    public void close() {
                        calls.add("snapshot " + checkpointId + " closed");
                    }
                };
            };
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    private OneInputOperatorHarness.Builder recording(List<String> calls, String snapshotKind) {
        return OneInputOperatorHarness.builder(() -> new Recorder(calls, snapshotKind), EVENTS).name("recorder")
                .maxParallelism(8).batchSize(2).uid(7).stateDirectory(dir);
    }

    @Test
    void rowsGoInBatchesOfTheBatchSizeAndTheInputEndsAfterTheFinalWatermark() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "none").subtask(1, 2).open()) {
            h.process(row(1L, "a", 10L), row(2L, "b", Instant.ofEpochMilli(20)), row(3L, "c", 30L));
            h.processWatermark(25);
            h.endInput();
            assertEquals(List.of("(1,a,10)", "(2,b,20)",
                    "(3,c,30)"), h.output().rowStrings());
            assertEquals(List.of(List.of(3L, "c", Instant.ofEpochMilli(30))), h.output().rows().subList(2, 3));
            assertEquals(List.of(25L, Watermark.MAX), h.output().watermarks());
            assertEquals(List.of("(1,a,10)", "(2,b,20)",
                    "(3,c,30)", "watermark 25", "watermark MAX"), h.output().events());
            assertThrows(IllegalStateException.class, h::endInput);
        }
        assertEquals(List.of("open recorder 1/2 groups " + KeyGroupRange.ofPartition(1, 8, 2) + " batch 2 uid 7", "start",
                "process 0: 2 rows", "process 0: 1 rows", "watermark 25", "watermark " + Watermark.MAX, "end of input 0",
                "end input", "close"), calls);
    }

    /** A keyed harness passes on the rows whose key group its subtask owns, as the runtime's keyed edge routes them. */
    @Test
    void aKeyedHarnessPassesOnOnlyTheRowsOfItsKeyGroups() throws Exception {
        List<String> calls = new ArrayList<>();
        Object[][] rows = new Object[40][];
        for (int k = 0; k < rows.length; k++) {
            rows[k] = row((long) k, "k" + k, 0L);
        }
        for (int s = 0; s < 3; s++) {
            try (OneInputOperatorHarness h = recording(calls, "none").batchSize(100).keyedBy(0).subtask(s, 3).open()) {
                h.process(rows);
                List<Long> expected = new ArrayList<>();
                for (long k = 0; k < rows.length; k++) {
                    if (KeyGroups.partitionOf(KeyGroups.keyGroup(HashKernel.hashLong(k), 8), 8, 3) == s) {
                        expected.add(k);
                    }
                }
                List<Long> keys = new ArrayList<>();
                for (List<Object> r : h.output().rows()) {
                    keys.add((Long) r.get(0));
                }
                assertEquals(expected, keys);
            }
        }
    }

    @Test
    void aFinalWatermarkThatCameAlreadyIsNotSentAgain() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "none").open()) {
            h.processWatermark(Watermark.MAX);
            h.endInput();
            assertEquals(List.of(Watermark.MAX), h.output().watermarks());
        }
        assertEquals(List.of("watermark " + Watermark.MAX, "end of input 0", "end input", "close"), calls.subList(2, 6));
    }

    @Test
    void twoInputsEndOneByOneAndTheLastEndsTheChain() throws Exception {
        List<String> calls = new ArrayList<>();
        try (TwoInputOperatorHarness h = TwoInputOperatorHarness.builder(() -> new Recorder(calls, "none"), EVENTS,
                EVENTS).open()) {
            h.processRight(row(1L, "r", 5L));
            h.processLeft(row(2L, "l", 6L));
            h.endInput(1);
            assertEquals(List.of(), h.output().watermarks());
            h.endInput();
            assertEquals(List.of("(1,r,5)", "(2,l,6)"), h.output().rowStrings());
        }
        assertEquals(List.of("process 1: 1 rows", "process 0: 1 rows", "end of input 1", "watermark " + Watermark.MAX,
                "end of input 0", "end input", "close"), calls.subList(2, 9));
    }

    @Test
    void processingTimeReachesOnlyAnOperatorThatUsesItAndGoesForward() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "none").open()) {
            h.advanceProcessingTime(100);
            ((Recorder) h.operator()).processingTime = true;
            h.advanceProcessingTime(200);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.advanceProcessingTime(150));
            assertEquals("processing time goes forward: 150 is before 200", e.getMessage());
        }
        assertEquals(List.of("processing time 200", "close"), calls.subList(2, 4));
    }

    @Test
    void sideOutputsAreCollectedByIndexAndOnlyUnderTheOperatorsId() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "none").open()) {
            h.process(row(1L, "late", 10L));
            assertEquals(List.of(List.of(1L, "late", Instant.ofEpochMilli(10))), h.output().sideRows(2));
            assertEquals(List.of(), h.output().sideRows(0));
            assertEquals(List.of("(1,late,10)", "side 2 (1,late,10)"),
                    h.output().events());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.output().emitSide(3, 0, null));
            assertEquals("side output 0 was emitted under operator id 3, not the id 7 the operator was opened with",
                    e.getMessage());
            h.output().clear();
            assertEquals(List.of(), h.output().events());
        }
    }

    /**
     * Snapshots at parallelism 2 restore at 3: every new subtask reads every old subtask's file, in the old
     * subtasks' order, with its own key groups; the file is written where and as the runtime names it.
     */
    @Test
    void aRestoreReadsEveryOldSubtasksStateWithItsOwnKeyGroups() throws Exception {
        List<String> calls = new ArrayList<>();
        List<StateHandle> handles = new ArrayList<>();
        for (int s = 1; s >= 0; s--) {
            calls.clear();
            try (OneInputOperatorHarness h = recording(calls, "file").subtask(s, 2).open()) {
                handles.add(h.snapshot(4));
            }
        }
        assertEquals(List.of(dir.resolve("chk-4/7-1.state")), handles.get(0).stateFiles());
        assertEquals(List.of("snapshot 4", "write 4 to chk-4/7-0.state", "snapshot 4 closed", "close"), calls.subList(2, 6));
        OneInputOperatorHarness.Builder builder = recording(calls, "file");
        for (int s = 0; s < 3; s++) {
            calls.clear();
            try (OneInputOperatorHarness h = builder.subtask(s, 3).restore(handles)) {
                assertEquals(3, h.settings().parallelism());
            }
            assertEquals("restore 4 files [0:2, 1:2] inline [] groups " + KeyGroupRange.ofPartition(s, 8, 3), calls.get(1));
            assertEquals("start", calls.get(2));
        }
        try (OneInputOperatorHarness h = builder.subtask(0, 1).open();
             OneInputOperatorHarness restored = h.restore(handles, 0, 1)) {
            assertEquals(1, restored.settings().parallelism());
        }
    }

    @Test
    void inlineStateIsReadAtTheBarrierAndCommittablesAreNotRestored() throws Exception {
        List<String> calls = new ArrayList<>();
        List<StateHandle> inline = new ArrayList<>();
        StateHandle committable;
        try (OneInputOperatorHarness h = recording(calls, "inline").open()) {
            OperatorHarness.PendingSnapshot pending = h.beginSnapshot(1);
            h.process(row(1L, "a", 10L));
            inline.add(pending.write());
        }
        assertArrayEquals("0:2".getBytes(StandardCharsets.UTF_8), inline.get(0).operatorStates().get(0));
        assertEquals(List.of(), inline.get(0).stateFiles());
        try (OneInputOperatorHarness h = recording(calls, "committable").open()) {
            committable = h.snapshot(1);
        }
        assertEquals(List.of(), committable.operatorStates());
        assertEquals(1, committable.committables().size());
        calls.clear();
        try (OneInputOperatorHarness h = recording(calls, "inline").restore(inline)) {
            assertEquals("restore 1 files [] inline [0:2] groups " + KeyGroupRange.all(8), calls.get(1));
        }
    }

    @Test
    void aRestoreNeedsEveryOldSubtaskOfOneCheckpointOnce() throws Exception {
        List<String> calls = new ArrayList<>();
        StateHandle zero;
        StateHandle one;
        StateHandle later;
        try (OneInputOperatorHarness h0 = recording(calls, "none").subtask(0, 2).open();
             OneInputOperatorHarness h1 = recording(calls, "none").subtask(1, 2).open()) {
            zero = h0.snapshot(1);
            one = h1.snapshot(1);
            later = h1.snapshot(2);
        }
        OneInputOperatorHarness.Builder builder = recording(calls, "none");
        assertEquals("subtask 1 of 2's state is missing: a restore reads every old subtask's state",
                assertThrows(IllegalArgumentException.class, () -> builder.restore(List.of(zero))).getMessage());
        assertEquals("subtask 0's state is given twice",
                assertThrows(IllegalArgumentException.class, () -> builder.restore(List.of(zero, zero))).getMessage());
        assertEquals("the handles are of different checkpoints or parallelisms: checkpoint 1 at parallelism 2 and "
                + "checkpoint 2 at parallelism 2",
                assertThrows(IllegalArgumentException.class, () -> builder.restore(List.of(zero, later))).getMessage());
        builder.restore(List.of(one, zero)).close();
    }

    @Test
    void aStateFileNeedsAStateDirectoryAndIsNotWrittenTwice() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = OneInputOperatorHarness.builder(() -> new Recorder(calls, "file"), EVENTS)
                .name("recorder").open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.snapshot(1));
            assertEquals("recorder writes a state file: give the harness a state directory (stateDirectory(dir), "
                    + "a JUnit @TempDir)", e.getMessage());
        }
        assertEquals("snapshot 1 closed", calls.get(3));
        try (OneInputOperatorHarness h = recording(calls, "file").open()) {
            h.snapshot(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.snapshot(1));
            assertEquals(dir.resolve("chk-1/7-0.state") + " exists: subtask 0 wrote checkpoint 1 before (give each run "
                    + "its own checkpoint ids or state directory)", e.getMessage());
        }
    }

    @Test
    void closingAbortsASnapshotNotWritten() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "file").open()) {
            h.beginSnapshot(3);
        }
        assertEquals(List.of("snapshot 3", "snapshot 3 closed", "close"), calls.subList(2, 5));
        assertEquals(List.of(), Files.list(dir).toList());
    }

    @Test
    void aCheckpointIsWrittenOnceAndNotAfterItWasAborted() throws Exception {
        List<String> calls = new ArrayList<>();
        try (OneInputOperatorHarness h = recording(calls, "file").open()) {
            OperatorHarness.PendingSnapshot written = h.beginSnapshot(1);
            written.write();
            assertEquals("checkpoint 1 was written or aborted already",
                    assertThrows(IllegalStateException.class, written::write).getMessage());
            OperatorHarness.PendingSnapshot aborted = h.beginSnapshot(2);
            aborted.close();
            assertEquals("checkpoint 2 was written or aborted already",
                    assertThrows(IllegalStateException.class, aborted::write).getMessage());
        }
        assertEquals(List.of("snapshot 1", "write 1 to chk-1/7-0.state", "snapshot 1 closed", "snapshot 2",
                "snapshot 2 closed", "close"), calls.subList(2, 8));
    }

    /** An operator that keeps memory past its close fails the test, naming the bytes and the operator. */
    @Test
    void closingFailsWhenTheOperatorLeftMemoryBehind() throws Exception {
        List<String> calls = new ArrayList<>();
        OneInputOperatorHarness h = recording(calls, "none").open();
        Recorder leaking = (Recorder) h.operator();
        leaking.leaked = h.allocator().buffer(64);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, h::close);
        assertEquals("off-heap bytes outstanding after closing recorder ==> expected: <0> but was: <64>", e.getMessage());
        leaking.leaked.close();
        h.allocator().close();
    }

    /** A restore that fails closes the operator it opened before the failure goes on. */
    @Test
    void aFailedRestoreClosesTheOperator() throws Exception {
        List<String> calls = new ArrayList<>();
        StateHandle handle;
        try (OneInputOperatorHarness h = recording(calls, "file").open()) {
            handle = h.snapshot(1);
        }
        Files.delete(handle.stateFiles().get(0));
        calls.clear();
        assertThrows(java.nio.file.NoSuchFileException.class, () -> recording(calls, "file").restore(List.of(handle)));
        assertEquals(List.of("open recorder 0/1 groups " + KeyGroupRange.all(8) + " batch 2 uid 7", "close"), calls);
    }
}
