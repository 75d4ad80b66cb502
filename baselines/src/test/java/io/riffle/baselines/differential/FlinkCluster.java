package io.riffle.baselines.differential;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One Flink mini cluster for the whole suite: starting one per job (what {@code createLocalEnvironment} does)
 * costs about a second, a job on a running one a fraction of that. Environments from {@link #environment()}
 * submit their jobs to it and wait for them; {@link #sink(String)} collects a job's rows in this JVM.
 */
final class FlinkCluster implements AutoCloseable, PipelineExecutorServiceLoader, PipelineExecutorFactory,
        PipelineExecutor {
    private static final String TARGET = "riffle-differential";
    /** Rows of the jobs in progress, by run id (the sinks run in this JVM). */
    private static final ConcurrentHashMap<String, Queue<String>> RESULTS = new ConcurrentHashMap<>();

    private final MiniCluster cluster;

    FlinkCluster(int slots) throws Exception {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(configuration)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
    }

    /** An environment whose {@code execute} runs the job on this cluster and returns when it has finished. */
    StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        configuration.set(DeploymentOptions.TARGET, TARGET);
        configuration.set(DeploymentOptions.ATTACHED, true);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return new StreamExecutionEnvironment(this, configuration, getClass().getClassLoader());
    }

    /** A sink adding each row to the run {@code runId}'s rows (read them with {@link #take}). */
    static Sink<String> sink(String runId) {
        RESULTS.putIfAbsent(runId, new ConcurrentLinkedQueue<>());
        return new CollectingSink(runId);
    }

    /** The rows the run's sinks received; forgets them. */
    static Queue<String> take(String runId) {
        Queue<String> rows = RESULTS.remove(runId);
        return rows == null ? new ConcurrentLinkedQueue<>() : rows;
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
        return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
        return Stream.of(TARGET);
    }

    @Override
    public String getName() {
        return TARGET;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
        return TARGET.equals(configuration.get(DeploymentOptions.TARGET));
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
        return this;
    }

    @Override
    public CompletableFuture<JobClient> execute(Pipeline pipeline, Configuration configuration,
                                                ClassLoader classLoader) throws Exception {
        StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
        return cluster.submitJob(graph).thenApply(submitted -> new MiniClusterJobClient(submitted.getJobID(), cluster,
                classLoader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    private static final class CollectingSink implements Sink<String> {
        private final String runId;

        CollectingSink(String runId) {
            this.runId = runId;
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            Queue<String> rows = RESULTS.get(runId);
            return new SinkWriter<>() {
                @Override
                public void write(String row, Context context) {
                    rows.add(row);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
