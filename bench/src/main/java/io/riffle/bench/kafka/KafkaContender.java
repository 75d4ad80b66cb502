package io.riffle.bench.kafka;

/**
 * A system the K1 Kafka benchmark measures: the seam each contender implements. Implementations have a public
 * no-argument constructor and are found as {@link java.util.ServiceLoader} services (this module registers the
 * raw client loop and Kafka Streams; the {@code baselines} module registers Flink).
 */
public interface KafkaContender {
    /** The name in results and tables, e.g. {@code raw-loop}, {@code kafka-streams}, {@code flink}. */
    String name();

    /**
     * Starts {@code job} and returns without waiting for it: the runner's verifier watches the output topic
     * and closes the returned handle once every result is committed (or the run failed).
     */
    RunningJob start(KafkaJob job) throws Exception;

    /** A started job. */
    interface RunningJob extends AutoCloseable {
        /** Throws, saying why, when the job has failed by itself; the verifier calls it while it waits. */
        void checkAlive() throws Exception;

        /**
         * The share of the job's busy time spent inside the Kafka client (poll, send, commit), 0 to 1, or NaN
         * where the contender cannot measure it cheaply.
         */
        default double kafkaClientShare() {
            return Double.NaN;
        }

        /** Stops the job and releases everything it holds. */
        @Override
        void close() throws Exception;
    }
}
