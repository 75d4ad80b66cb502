package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.internal.checkpoint.CheckpointConfig;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.CheckpointIds;
import io.riffle.engine.internal.checkpoint.CheckpointParticipants;
import io.riffle.engine.internal.checkpoint.CheckpointStats;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.scheduler.Tasklet;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A subtask built from its parts and driven duty cycle by duty cycle, without a scheduler. */
class SubtaskTaskletTest {
    private static final int SOURCE_ID = 1;
    private static final int JOIN_ID = 2;

    @TempDir
    Path dir;
    private final List<Channel> channels = new ArrayList<>();
    private CheckpointCoordinator coordinator;

    @AfterEach
    void close() {
        if (coordinator != null) {
            coordinator.close();
        }
        for (Channel c : channels) {
            c.close();
        }
    }

    /** A join chained onto a source: takes the source's records once its build side (input 1) has ended. */
    private static final class BuildThenProbe extends Operator {
        final List<String> calls = new ArrayList<>();
        boolean buildEnded;

        @Override
        public void process(RecordBatch batch, Output out) {
        }

        @Override
        public boolean acceptsInput(int input) {
            return input != 0 || buildEnded;
        }

        @Override
        public void endOfInput(int input, Output out) {
            calls.add("endOfInput " + input);
            buildEnded |= input == 1;
        }

        @Override
        public void endInput(Output out) {
            calls.add("endInput");
        }
    }

    /** A source with nothing to read. */
    private static final class EmptySource implements SourceReader {
        int reads;

        @Override
        public RecordBatch next() {
            reads++;
            return null;
        }

        @Override
        public boolean isFinished() {
            return true;
        }

        @Override
        public byte[] position() {
            return new byte[0];
        }

        @Override
        public void close() {
        }
    }

    private static final Output DISCARD = new Output() {
        @Override
        public void emit(RecordBatch batch) {
        }

        @Override
        public void emitWatermark(long watermark) {
        }
    };

    private Channel channel(String name) {
        Channel c = new Channel(name, 16);
        channels.add(c);
        return c;
    }

    /**
     * A source subtask's build side has two channels; one delivers barrier 1 and is held back, the other ends
     * without it (its subtask finished before the checkpoint reached it). The alignment is complete then: the
     * checkpoint is taken, the held channel goes on, its end reaches the join, and the source is read. It hung:
     * a source subtask never asked whether its alignment had completed after a channel ended.
     */
    @Test
    void aSourceSubtaskCompletesItsAlignmentWhenABuildSideChannelEndsWithoutTheBarrier() throws Exception {
        Channel early = channel("build[0] -> probe[0]");
        Channel late = channel("build[1] -> probe[0]");
        coordinator = new CheckpointCoordinator("join", new CheckpointConfig(new CheckpointStorage(dir, 1),
                Duration.ZERO, Duration.ofMinutes(1)), new CheckpointIds(1), "", 128, 3, CheckpointParticipants.NONE,
                new CheckpointStats(), failure -> { });
        SubtaskCheckpointer checkpointer = new SubtaskCheckpointer(coordinator, AttemptSpec.plain(), "probe [1/1]",
                0, 0, 1, new int[] {SOURCE_ID, JOIN_ID});
        BuildThenProbe join = new BuildThenProbe();
        EmptySource reader = new EmptySource();
        SubtaskTasklet subtask = SubtaskTasklet.builder("probe [1/1]", "probe", 0, 1)
                .source(new SubtaskTasklet.Source(reader, "probe-source", SOURCE_ID, 0,
                        new OperatorMetrics("probe-source", 1, true)))
                .inputs(new SubtaskInputs(new InputGate(early, late), new int[] {0, 0}, new int[] {1, 1}))
                .chain(Chain.of(List.of(new Chain.Member(join, "join", JOIN_ID, new OperatorMetrics("join", 1, false))),
                        DISCARD, "probe-source", 0, 1, null))
                .checkpointer(checkpointer)
                .build();

        assertTrue(late.offerBarrier(1));
        assertTrue(late.offerEndOfInput());
        assertEquals(1, subtask.doWork(), "the barrier");
        assertEquals(0, checkpointer.lastId, "channel 'early' has neither delivered barrier 1 nor ended");

        assertTrue(early.offerEndOfInput());
        int cycles = 0;
        while (subtask.doWork() != Tasklet.DONE) {
            assertTrue(++cycles < 10, "the subtask does not finish: " + join.calls);
        }
        assertEquals(1, checkpointer.lastId, "checkpoint 1 taken once 'early' ended");
        assertEquals(List.of("endOfInput 1", "endInput"), join.calls);
        assertEquals(1, reader.reads, "the source is read once its join takes input");
    }
}
