package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every size a job is built from is checked before anything of the job is built. */
class EnvironmentLimitsTest {
    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void settingsOutOfRangeFailWhenSetNamingTheRange() {
        Environment env = Environment.streaming();
        assertEquals("parallelism must be between 1 and 32768, not 0", refusal(() -> env.setParallelism(0)));
        assertEquals("parallelism must be between 1 and 32768, not 40000", refusal(() -> env.setParallelism(40_000)));
        assertEquals("max parallelism must be between 1 and 32768, got 40000",
                refusal(() -> env.setMaxParallelism(40_000)));
        assertEquals("workers must be between 1 and 1024, not 0", refusal(() -> env.setWorkers(0)));
        assertEquals("workers must be between 1 and 1024, not 5000", refusal(() -> env.setWorkers(5000)));
        assertEquals("batch size must be between 1 and 1048576, not -1", refusal(() -> env.setBatchSize(-1)));
        assertEquals("batch size must be between 1 and 1048576, not 2097152",
                refusal(() -> env.setBatchSize(1 << 21)));
        assertEquals("channel capacity must be a power of two between 2 and 65536, not 3",
                refusal(() -> env.setChannelCapacity(3)));
        assertEquals("channel capacity must be a power of two between 2 and 65536, not 1073741824",
                refusal(() -> env.setChannelCapacity(1 << 30)));
    }

    /** {@code explain()} only plans: the check comes before any channel, subtask or thread of the job. */
    @Test
    void aParallelismAboveTheMaxParallelismFailsAtPlanTimeNamingTheOperator() {
        Environment env = Environment.streaming().setParallelism(1000);
        env.generate(10, 10).keyBy("key").sum("value").collect(new ArrayList<>());
        String message = "'generate(10 records, 10 keys)' would run at parallelism 1000, but parallelism must be"
                + " between 1 and the max parallelism (128): lower the parallelism or raise setMaxParallelism";
        assertEquals(message, refusal(env::explain));
        assertEquals(message, refusal(env::executeAsync));
    }

    /**
     * 32768 x 32768 channels of 8 slots: about 3 TiB of heap. The budget is checked on the plan, before the
     * job's first channel is made.
     */
    @Test
    void aPlanWhoseChannelsCannotFitTheHeapFailsAtPlanTime() {
        Environment env = Environment.streaming().setMaxParallelism(32768).setParallelism(32768);
        env.generate(10, 10).keyBy("key").sum("value").collect(new ArrayList<>());
        long heapMebibytes = (Runtime.getRuntime().maxMemory() + (1 << 20) - 1) >> 20;
        assertEquals("the job would need 1073741824 channels of 8 slots, about 3153920 MiB of heap before any record"
                + " flows, more than a quarter of the JVM's max heap (" + heapMebibytes + " MiB); 1073741824 of them"
                + " go from 'generate(10 records, 10 keys)' [32768] to 'keyBy(key).sum(value) -> collect' [32768]:"
                + " lower the parallelism or the channel capacity", refusal(env::executeAsync));
    }
}
