package io.riffle.engine.internal.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.PriorityQueue;
import java.util.Random;

import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;

/** Against a PriorityQueue: ends mostly in order (the ring) with some out of order (the heap), through growth. */
class SessionEndsTest extends AllocatorTest {
    @Test
    void takesEntriesLowestEndFirst() {
        for (int seed = 0; seed < 50; seed++) {
            Random random = new Random(seed);
            PriorityQueue<long[]> reference = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            try (SessionEnds ends = new SessionEnds(allocator)) {
                long clock = 0;
                int disorder = random.nextInt(4);
                for (int step = 0; step < 20_000; step++) {
                    if (random.nextInt(3) > 0 || reference.isEmpty()) {
                        clock += random.nextInt(5);
                        long end = clock - (random.nextInt(4) < disorder ? random.nextInt(50) : 0);
                        int session = random.nextInt(1 << 20);
                        ends.push(end, session, step);
                        reference.add(new long[] {end, session, step});
                    } else {
                        long[] lowest = reference.poll();
                        String context = "seed " + seed + ", step " + step;
                        assertEquals(lowest[0], ends.peekEnd(), context);
                        if (ends.peekSession() != lowest[1]) {
                            // Equal ends may come out in either order; the end is what matters.
                            reference.add(lowest);
                            long[] other = reference.stream().filter(e -> e[1] == ends.peekSession()
                                    && e[0] == lowest[0]).findFirst().orElseThrow(() -> new AssertionError(context));
                            reference.remove(other);
                            assertEquals(other[2], ends.peekGeneration(), context);
                        } else {
                            assertEquals(lowest[2], ends.peekGeneration(), context);
                        }
                        ends.pop();
                    }
                    assertEquals(reference.size(), ends.size());
                }
            }
        }
    }
}
