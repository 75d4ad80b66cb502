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
 * @param name     what the case runs, unique; {@code -Ddifferential.case=name} runs it alone
 * @param inputs   the inputs both programs get
 * @param riffle   the program on Riffle
 * @param flink    the same program on Flink
 */
record DifferentialCase(String name, Inputs inputs, RiffleProgram riffle, FlinkProgram flink) {
    /** A streaming case over one input that may hold late records (its watermark comes from one source). */
    static DifferentialCase stream(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.ONE_STREAM_WITH_LATE_RECORDS, riffle, flink);
    }

    /**
     * A streaming case over two inputs, none of whose records are late: with two inputs the order in which an
     * operator sees one input's records and the other's watermarks varies from run to run (on both engines),
     * so only records that are on time under every interleaving give one right answer.
     */
    static DifferentialCase twoStreams(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.TWO_STREAMS_ON_TIME, riffle, flink);
    }

    /** A batch case over two bounded data sets (Riffle's batch environment, Flink's BATCH runtime mode). */
    static DifferentialCase batch(String name, RiffleProgram riffle, FlinkProgram flink) {
        return new DifferentialCase(name, Inputs.TWO_DATA_SETS, riffle, flink);
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
