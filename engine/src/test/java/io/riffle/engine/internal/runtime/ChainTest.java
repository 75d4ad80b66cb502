package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A chain built from its members: wired in order to its end, counting, and naming the operator that failed. */
class ChainTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("value", ColumnType.INT64));
    private final RootAllocator allocator = new RootAllocator();
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void allocatorEndsEmpty() {
        allocator.close();
    }

    /** Writes down each batch and watermark as {@code name:rows} and {@code name:w<value>}, and passes it on. */
    private final class Step extends Operator {
        private final String name;
        private final RuntimeException failure;

        Step(String name, RuntimeException failure) {
            this.name = name;
            this.failure = failure;
        }

        @Override
        public void process(RecordBatch batch, Output out) throws Exception {
            if (failure != null) {
                throw failure;
            }
            seen.add(name + ":" + batch.rowCount());
            out.emit(batch);
        }

        @Override
        public void processWatermark(long watermark, Output out) throws Exception {
            seen.add(name + ":w" + watermark);
            out.emitWatermark(watermark);
        }
    }

    private final Output end = new Output() {
        @Override
        public void emit(RecordBatch batch) {
            seen.add("end:" + batch.rowCount());
        }

        @Override
        public void emitWatermark(long watermark) {
            seen.add("end:w" + watermark);
        }
    };

    private static Chain.Member member(Operator operator, String name, int uid, OperatorMetrics metrics) {
        return new Chain.Member(operator, name, uid, metrics);
    }

    private RecordBatch rows(int n) {
        RecordBatch batch = RecordBatch.allocate(SCHEMA, allocator, n);
        batch.setRowCount(n);
        return batch;
    }

    @Test
    void eachLinkFeedsTheNextAndTheLastTheEndCountingRecordsPerOperator() {
        OperatorMetrics first = new OperatorMetrics("first", 2, false);
        OperatorMetrics second = new OperatorMetrics("second", 2, false);
        Chain chain = Chain.of(List.of(member(new Step("first", null), "first", 1, first),
                member(new Step("second", null), "second", 2, second)), end, "source", 1, 2, null);
        try (RecordBatch batch = rows(3)) {
            chain.emit(batch);
            chain.emit(1, 0, batch);
        }
        chain.emitWatermark(42);
        assertEquals(List.of("first:3", "second:3", "end:3", "second:3", "end:3", "first:w42", "second:w42",
                "end:w42"), seen);
        assertEquals(3, first.recordsIn());
        assertEquals(6, second.recordsIn());
        assertEquals(6, second.recordsOut());
    }

    @Test
    void aFailureNamesTheOperatorItCameFromOnce() {
        IllegalStateException boom = new IllegalStateException("boom");
        Chain chain = Chain.of(List.of(
                member(new Step("first", null), "first", 1, new OperatorMetrics("first", 2, false)),
                member(new Step("second", boom), "second", 2, new OperatorMetrics("second", 2, false))),
                end, "source", 1, 2, null);
        OperatorFailedException e;
        try (RecordBatch batch = rows(1)) {
            e = assertThrows(OperatorFailedException.class, () -> chain.emit(batch));
        }
        assertEquals("operator 'second' (subtask 2 of 2) failed: boom", e.getMessage());
        assertSame(boom, e.getCause());
    }

    @Test
    void aFailureAtTheEndOfAChainWithoutOperatorsNamesWhatFeedsIt() {
        Output failing = new Output() {
            @Override
            public void emit(RecordBatch batch) throws Exception {
                throw new java.io.IOException("disk gone");
            }

            @Override
            public void emitWatermark(long watermark) {
            }
        };
        Chain chain = Chain.of(List.of(), failing, "numbers", 0, 1, null);
        OperatorFailedException e;
        try (RecordBatch batch = rows(1)) {
            e = assertThrows(OperatorFailedException.class, () -> chain.emit(batch));
        }
        assertEquals("operator 'numbers' (subtask 1 of 1) failed: disk gone", e.getMessage());
        assertInstanceOf(java.io.IOException.class, e.getCause());
    }
}
