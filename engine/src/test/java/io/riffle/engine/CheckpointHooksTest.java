package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.internal.connector.CollectSink;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What connectors are told around checkpoints: a rewindable source the positions of each complete checkpoint
 * (a Kafka source commits them to its consumer group), a two-phase-commit sink the checkpoint interval when the
 * job starts and the end of the job, once, after every restart.
 */
@Timeout(120)
class CheckpointHooksTest {
    private static final long RECORDS = 4_000;

    @TempDir
    Path dir;

    /** The generator, recording the checkpoints it is told of: "id:positions". */
    private static final class ToldSource implements Source {
        final List<String> told = Collections.synchronizedList(new ArrayList<>());
        private final GeneratorSource generator = new GeneratorSource(RECORDS, 13);

        @Override
        public String name() {
            return generator.name();
        }

        @Override
        public BatchSchema schema() {
            return generator.schema();
        }

        @Override
        public SourceReader createReader(TaskContext context) throws Exception {
            return generator.createReader(context);
        }

        @Override
        public boolean isRewindable() {
            return true;
        }

        @Override
        public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
            return generator.restoreReader(context, positions);
        }

        @Override
        public void checkpointComplete(long checkpointId, List<byte[]> positions) {
            told.add(checkpointId + ":" + positions.size());
        }
    }

    /** A collecting sink recording the interval it was asked about and how often it was told the job ended. */
    private static final class ToldSink implements TwoPhaseCommitSink {
        final List<String> told = Collections.synchronizedList(new ArrayList<>());
        private final CollectSink sink = new CollectSink(Collections.synchronizedList(new ArrayList<>()));

        @Override
        public String name() {
            return "told";
        }

        @Override
        public SinkWriter createWriter(BatchSchema schema, TaskContext context) throws Exception {
            return sink.createWriter(schema, context);
        }

        @Override
        public void commit(List<byte[]> committables) {
            sink.commit(committables);
        }

        @Override
        public void abortUncommitted() {
            sink.abortUncommitted();
        }

        @Override
        public void checkCheckpointInterval(Duration interval) {
            told.add("interval " + interval.toMillis());
        }

        @Override
        public void jobEnded() {
            told.add("ended");
        }
    }

    @Test
    void sourcesHearOfEachCompleteCheckpointAndSinksOfTheIntervalAndOfTheJobsEndOnce() throws Exception {
        RecoveryScript script = RecoveryScript.random(5, 2, RECORDS / 2, "keyBy(key).sum(value)");
        ToldSource source = new ToldSource();
        ToldSink sink = new ToldSink();
        Environment env = script.configure(Environment.streaming().setParallelism(2).setBatchSize(64)
                .setChannelCapacity(8), dir);
        env.fromSource(script.source(source)).keyBy("key").sum("value").addSink(sink);
        JobResult result = script.run(env, "hooks");
        List<String> expected = new ArrayList<>();
        for (long id = 1; id <= result.checkpoints(); id++) {
            expected.add(id + ":2");
        }
        assertEquals(expected, source.told, script.toString());
        assertEquals(List.of("interval 0", "ended"), sink.told);
    }
}
