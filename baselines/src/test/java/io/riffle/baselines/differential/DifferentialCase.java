package io.riffle.baselines.differential;

import io.riffle.baselines.differential.Events.Disorder;

/**
 * One program written twice, on Riffle's API and on Flink's DataStream API, over the same generated input;
 * {@link DifferentialTest} runs both and compares their outputs as multisets. Both programs read their inputs
 * from their side ({@link RiffleSide#events()}, {@link FlinkSide#events()}: timestamps and watermarks already
 * assigned in streaming cases) and hand each output to {@code emit} as canonical rows ({@link Rows}).
 *
 * <p>Adding an operator is adding a case to {@link Cases}: pick the inputs (one stream that may hold late
 * records, or streams whose records are never late, or bounded data sets), write the two programs so that
 * they print the same columns, and give the case a name that says what it runs.
 *
 * <p>Watermarks ({@link Watermarks}) are the same on both sides: by default Riffle's per-batch rule, which Flink's
 * generator copies by counting the trial's batch size; a case whose output depends on how many watermarks
 * fall between late records (allowed lateness fires once per late batch in Riffle's per-batch mode, once per
 * late record in Flink) asks for {@link #perRecord()} or {@link #punctuated()} watermarks instead, which do not
 * depend on the batch size on either side.
 *
 * @param name        what the case runs, unique; {@code -Ddifferential.case=name} runs it alone
 * @param inputs      the inputs both programs get
 * @param watermarks  when the streaming inputs' watermarks are emitted, on both sides
 * @param batchSize   the only Riffle batch size the case runs at (its trials run every seed at every
 *                    parallelism at that size), or -1 for the usual spread over 1, 3 and the default
 * @param riffle      the program on Riffle
 * @param flink       the same program on Flink
 */
record DifferentialCase(String name, Inputs inputs, Watermarks watermarks, int batchSize, RiffleProgram riffle,
                        FlinkProgram flink) {
    /** Every batch size (see {@link #batchSize}). */
    static final int ANY_BATCH_SIZE = -1;

    /** A streaming case over one input that may hold late records (its watermark comes from one source). */
    static DifferentialCase stream(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.ONE_STREAM_WITH_LATE_RECORDS, Watermarks.PER_BATCH, ANY_BATCH_SIZE,
                riffle, flink);
    }

    /**
     * A streaming case over two inputs, none of whose records are late: with two inputs the order in which an
     * operator sees one input's records and the other's watermarks varies from run to run (on both engines),
     * so only records that are on time under every interleaving give one right answer.
     */
    static DifferentialCase twoStreams(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.TWO_STREAMS_ON_TIME, Watermarks.PER_BATCH, ANY_BATCH_SIZE, riffle,
                flink);
    }

    /** A batch case over two bounded data sets (Riffle's batch environment, Flink's BATCH runtime mode). */
    static DifferentialCase batch(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.TWO_DATA_SETS, Watermarks.PER_BATCH, ANY_BATCH_SIZE, riffle, flink);
    }

    /**
     * This case with a watermark after every record that raises it: Riffle's {@code perRecord()} strategy, and on
     * Flink's side the generator emitting after every record (its output drops a watermark that does not rise,
     * as Riffle emits only one that does). Both follow each record with {@code highest - BOUND_MS - 1}, whatever
     * the batch size, so the same records are late on both and each late record meets the window alone: the
     * outputs agree at every batch size even where Riffle's per-batch mode coalesces late firings.
     */
    DifferentialCase perRecord() {
        return new DifferentialCase(name, inputs, Watermarks.PER_RECORD, batchSize, riffle, flink);
    }

    /**
     * This case with watermarks only after the records {@link Watermarks#isMarker marked}: Riffle's
     * {@code punctuatedBy(...)}, and on Flink's side a punctuated generator that tracks the highest time and
     * emits {@code highest - BOUND_MS - 1} from {@code onEvent} for a marked record only.
     */
    DifferentialCase punctuated() {
        return new DifferentialCase(name, inputs, Watermarks.PUNCTUATED, batchSize, riffle, flink);
    }

    /**
     * This case with watermarks carried in a field: Riffle's {@code punctuated("ts", "watermark")} over the input
     * with a nullable {@code watermark} field holding {@code ts - BOUND_MS - 1} on the {@link Watermarks#isMarker
     * marked} records (null on the others; the field is dropped again after the assigner), and on Flink's side a
     * punctuated generator that emits that value from {@code onEvent} for a marked record. The values go down as
     * well as up (the records are out of order): Riffle takes only one above the last watermark, Flink's output
     * drops one that does not rise.
     */
    DifferentialCase carried() {
        return new DifferentialCase(name, inputs, Watermarks.CARRIED, batchSize, riffle, flink);
    }

    /** This case under another name (a variant of it). */
    DifferentialCase named(String newName) {
        return new DifferentialCase(newName, inputs, watermarks, batchSize, riffle, flink);
    }

    /** This case run only at Riffle batch size {@code size} (every seed at every parallelism). */
    DifferentialCase onlyAtBatchSize(int size) {
        return new DifferentialCase(name, inputs, watermarks, size, riffle, flink);
    }

    /** When the streaming inputs' watermarks are emitted. */
    enum Watermarks {
        /** Riffle's default: after each batch; Flink's generator after every batch-size records and the last. */
        PER_BATCH,
        /** After every record that raises it, on both sides. */
        PER_RECORD,
        /** After the marked records only, on both sides. */
        PUNCTUATED,
        /** The marked records' own time less the bound and 1 ms, carried in a field (Riffle) or emitted (Flink). */
        CARRIED;

        /** The value that marks a record for a punctuated watermark: {@code v % 2 == 0} (Java's %). */
        static final long MARKER_MODULUS = 2;

        static boolean isMarker(long value) {
            return value % MARKER_MODULUS == 0;
        }
    }

    /** What a case reads. */
    enum Inputs {
        ONE_STREAM_WITH_LATE_RECORDS(true, 1, Disorder.LATE),
        TWO_STREAMS_ON_TIME(true, 2, Disorder.BOUNDED),
        TWO_DATA_SETS(false, 2, Disorder.LATE);

        final boolean streaming;
        final int count;
        final Disorder disorder;

        Inputs(boolean streaming, int count, Disorder disorder) {
            this.streaming = streaming;
            this.count = count;
            this.disorder = disorder;
        }
    }

    /** The program on Riffle. */
    @FunctionalInterface
    interface RiffleProgram {
        void build(RiffleSide side);
    }

    /** The program on Flink. */
    @FunctionalInterface
    interface FlinkProgram {
        void build(FlinkSide side);
    }
}
