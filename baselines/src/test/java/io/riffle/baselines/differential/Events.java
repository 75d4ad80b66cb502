package io.riffle.baselines.differential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded, out-of-order event streams: {@code (k, v, x, ts)} with a key of the trial's {@link KeyType}, an int64
 * value, a float64 price and an int64 event time in ms. Everything is drawn from the seed alone, so a failing
 * trial is reproduced from its seed.
 *
 * <p>What the streams hold, on purpose: keys at the types' edges (negative, {@code MIN_VALUE}, {@code MAX_VALUE},
 * empty and non-ASCII strings); values up to ±2^52 (no sum of a stream overflows) and prices that are multiples
 * of 1/4 below 2^20 (so a float sum is exact in any order: a divergence is semantic, never rounding); event
 * times from a negative base; duplicate times; steps of exactly the window size and of exactly the session gap
 * (sessions that touch); times exactly on window boundaries. Arrival order departs from time order: most records
 * within the watermark bound, and in {@link Disorder#LATE} streams some beyond it (late), some exactly one ms
 * beyond it, which puts them right on the watermark.
 */
final class Events {
    /** The watermark bound every streaming case uses: watermark = highest time - BOUND_MS - 1. */
    static final long BOUND_MS = 4;
    /** The window size the generated times favour (boundaries, steps): the cases' tumbling size. */
    static final long WINDOW_MS = 10;
    /** The session gap the generated times favour (steps of exactly the gap make sessions touch). */
    static final long GAP_MS = 7;

    private static final int[] INT_KEYS = {0, 1, -1, 7, Integer.MIN_VALUE, Integer.MAX_VALUE, -1_000_000, 65_536};
    private static final long[] LONG_KEYS = {0L, 3L, -3L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40, -(1L << 33),
            4_294_967_296L};
    private static final String[] STRING_KEYS = {"", "a", "A", "apple", "Ünïcödé", "日本語", "a,b \"c\"",
            "a-key-longer-than-the-sixteen-bytes-of-an-inline-string-and-then-some"};

    /** An event: key (Integer, Long or String), value, price, event time. */
    record Event(Object key, long value, double price, long ts) {
    }

    /** The key column's type. */
    enum KeyType {
        INT32, INT64, UTF8;

        /** The key type a seed tests: every type comes up in three consecutive seeds. */
        static KeyType of(long seed) {
            return values()[(int) Math.floorMod(seed, 3L)];
        }

        Object key(int index) {
            return switch (this) {
                case INT32 -> INT_KEYS[index];
                case INT64 -> LONG_KEYS[index];
                case UTF8 -> STRING_KEYS[index];
            };
        }
    }

    /** How far arrival order departs from time order. */
    enum Disorder {
        /** Every record within the bound: none is late, whatever the interleaving of several inputs. */
        BOUNDED,
        /** Some records beyond the bound (late), some exactly on the watermark. */
        LATE
    }

    private Events() {
    }

    /** A stream of 20 to 119 events drawn from {@code seed}. */
    static List<Event> generate(long seed, KeyType keyType, Disorder disorder) {
        SplittableRandom random = new SplittableRandom(seed);
        int count = 20 + random.nextInt(100);
        int keys = 1 + random.nextInt(INT_KEYS.length);
        long time = -random.nextLong(200) - (random.nextBoolean() ? 0 : 1_000_000);
        long[] arrival = new long[count];
        List<Event> events = new ArrayList<>(count);
        int burstLeft = 0;
        Object burstKey = null;
        long burstDelay = 0;
        for (int i = 0; i < count; i++) {
            time += step(random, time);
            long value = random.nextInt(10) == 0 ? random.nextLong(-(1L << 52), 1L << 52) : random.nextLong(-50, 1000);
            double price = random.nextInt(-(1 << 20), 1 << 20) / 4.0;
            Object key = keyType.key(random.nextInt(keys));
            long delay = delay(random, disorder);
            if (burstLeft > 0) {
                burstLeft--;
                key = burstKey;
                delay = burstDelay;
            } else if (delay > BOUND_MS && random.nextBoolean()) {
                // A burst: the next records of this key come as late as this one, right after it, so several late
                // records reach one window between two watermarks (each is a late firing in Flink).
                burstLeft = 1 + random.nextInt(2);
                burstKey = key;
                burstDelay = delay;
            }
            events.add(new Event(key, value, price, time));
            arrival[i] = time + delay;
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        // Stable: records of equal arrival keep their time order.
        Arrays.sort(order, Comparator.comparingLong(i -> arrival[i]));
        List<Event> arrived = new ArrayList<>(count);
        for (int i : order) {
            arrived.add(events.get(i));
        }
        return arrived;
    }

    /**
     * The step from {@code time} to the next record's: duplicates, small steps, exactly the window size or the gap,
     * to the next window boundary, and jumps.
     */
    private static long step(SplittableRandom random, long time) {
        int kind = random.nextInt(20);
        if (kind < 4) {
            return 0;
        }
        if (kind < 12) {
            return 1 + random.nextInt(3);
        }
        if (kind < 14) {
            return WINDOW_MS;
        }
        if (kind < 16) {
            return GAP_MS;
        }
        if (kind < 17) {
            return 4 + random.nextInt(12);
        }
        if (kind < 18) {
            long toBoundary = Math.floorMod(-time, WINDOW_MS);
            return toBoundary == 0 ? WINDOW_MS : toBoundary;
        }
        return 20 + random.nextInt(30);
    }

    /**
     * How long after its time a record arrives. A record delayed by d <= BOUND_MS is never late: every record
     * before it arrived by time t + d, so the watermark is at most t + d - BOUND_MS - 1 < t.
     */
    private static long delay(SplittableRandom random, Disorder disorder) {
        int kind = random.nextInt(20);
        if (kind < 12) {
            return 0;
        }
        if (disorder == Disorder.BOUNDED || kind < 17) {
            return random.nextLong(BOUND_MS + 1);
        }
        if (kind == 17) {
            return BOUND_MS + 1;     // exactly on the watermark of a record arriving at its own time
        }
        return BOUND_MS + 1 + random.nextLong(3 * WINDOW_MS);
    }
}
