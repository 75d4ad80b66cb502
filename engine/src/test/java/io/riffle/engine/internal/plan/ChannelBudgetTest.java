package io.riffle.engine.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;

/** The planner's checks run on the logical graph alone: no operator is made, no channel built. */
class ChannelBudgetTest {
    private static final int SLOTS = 8;
    /** {@link ChannelBudget#CHANNEL_BYTES} plus 8 slots of {@link ChannelBudget#SLOT_BYTES}. */
    private static final long BYTES_PER_CHANNEL = 1800 + SLOTS * 160;

    private static Transformation source(int parallelism) {
        return Transformation.source(0, new GeneratorSource(10, 10), parallelism);
    }

    private static Transformation operator(int id, String name, Transformation input, Partitioning partitioning,
                                           int parallelism) {
        return Transformation.operator(id, name, List.of(input), partitioning, 0, input.schema(), () -> {
            throw new AssertionError("planning makes no operator");
        }, parallelism);
    }

    @Test
    void aHashEdgeHasAChannelPerPairOfSubtasksAndTheBudgetIsAQuarterOfTheHeap() {
        PhysicalPlan plan = Planner.plan(List.of(operator(1, "sum", source(0), Partitioning.HASH, 0)), 64, 128);
        long bytes = 64 * 64 * BYTES_PER_CHANNEL;
        ChannelBudget.check(plan, SLOTS, 4 * bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChannelBudget.check(plan, SLOTS, 4 * bytes - 4));
        assertEquals("the job would need 4096 channels of 8 slots, about 13 MiB of heap before any record flows, more"
                + " than a quarter of the JVM's max heap (49 MiB); 4096 of them go from 'generate(10 records, 10 keys)'"
                + " [64] to 'sum' [64]: lower the parallelism or the channel capacity", e.getMessage());
    }

    @Test
    void aForwardEdgeHasAChannelPerSubtaskAndARebalanceOnePerPair() {
        Transformation source = source(4);
        Transformation same = operator(1, "same", source, Partitioning.FORWARD, 4);
        Transformation other = operator(2, "other", source, Partitioning.FORWARD, 3);
        PhysicalPlan plan = Planner.plan(List.of(same, other), 4, 128);
        assertEquals(List.of(4L, 12L), plan.vertices().stream().skip(1)
                .map(v -> ChannelBudget.channelsOf(v.inputs().get(0))).toList());
        long bytes = 16 * BYTES_PER_CHANNEL;
        ChannelBudget.check(plan, SLOTS, 4 * bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChannelBudget.check(plan, SLOTS, 4 * bytes - 4));
        assertEquals("the job would need 16 channels of 8 slots, about 1 MiB of heap before any record flows, more"
                + " than a quarter of the JVM's max heap (1 MiB); 12 of them go from 'generate(10 records, 10 keys)'"
                + " [4] to 'other' [3]: lower the parallelism or the channel capacity", e.getMessage());
    }

    @Test
    void aParallelismAboveTheMaxParallelismFailsNamingTheTransformation() {
        Transformation sum = operator(1, "sum", source(0), Partitioning.HASH, 200);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Planner.plan(List.of(sum), 4, 128));
        assertEquals("'sum' would run at parallelism 200, but parallelism must be between 1 and the max parallelism"
                + " (128): lower the parallelism or raise setMaxParallelism", e.getMessage());
        assertEquals(200, Planner.plan(List.of(sum), 4, 200).vertices().get(1).parallelism());
    }
}
