package io.riffle.baselines.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.riffle.baselines.differential.Events.Disorder;
import io.riffle.baselines.differential.Events.Event;
import io.riffle.baselines.differential.Events.KeyType;
import org.junit.jupiter.api.Test;

/** The generator's promises, which the suite's determinism rests on. */
class EventsTest {
    private static final int SEEDS = 500;

    @Test
    void aSeedDrawsTheSameStreamEveryTime() {
        assertEquals(Events.generate(7, KeyType.UTF8, Disorder.LATE), Events.generate(7, KeyType.UTF8, Disorder.LATE));
    }

    /** Two-input cases rely on it: not late even under a watermark per record, the earliest any engine emits. */
    @Test
    void boundedStreamsHoldNoRecordAtOrBehindTheWatermark() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Event> events = Events.generate(seed, KeyType.of(seed), Disorder.BOUNDED);
            long highest = Long.MIN_VALUE;
            for (int i = 0; i < events.size(); i++) {
                long ts = events.get(i).ts();
                if (highest != Long.MIN_VALUE) {
                    long watermark = highest - Events.BOUND_MS - 1;
                    assertTrue(ts > watermark, "seed " + seed + ", record " + i + ": time " + ts
                            + " at or behind the watermark " + watermark);
                }
                highest = Math.max(highest, ts);
            }
        }
    }

    @Test
    void lateStreamsHoldLateRecordsAndRecordsExactlyOnTheWatermark() {
        int late = 0;
        int onWatermark = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            long highest = Long.MIN_VALUE;
            for (Event e : Events.generate(seed, KeyType.of(seed), Disorder.LATE)) {
                if (highest != Long.MIN_VALUE) {
                    long watermark = highest - Events.BOUND_MS - 1;
                    late += e.ts() < watermark ? 1 : 0;
                    onWatermark += e.ts() == watermark ? 1 : 0;
                }
                highest = Math.max(highest, e.ts());
            }
        }
        assertTrue(late > SEEDS, "late records in " + SEEDS + " streams: " + late);
        assertTrue(onWatermark > SEEDS / 10, "records exactly on the watermark in " + SEEDS + " streams: "
                + onWatermark);
    }

    @Test
    void keysComeInEveryTypeWithTheirEdgeValues() {
        assertEquals(List.of(KeyType.INT32, KeyType.INT64, KeyType.UTF8),
                List.of(KeyType.of(0), KeyType.of(1), KeyType.of(-1)));
        boolean intMin = false;
        boolean longMax = false;
        boolean emptyString = false;
        for (long seed = 0; seed < 60; seed++) {
            for (Event e : Events.generate(seed, KeyType.of(seed), Disorder.LATE)) {
                intMin |= Integer.valueOf(Integer.MIN_VALUE).equals(e.key());
                longMax |= Long.valueOf(Long.MAX_VALUE).equals(e.key());
                emptyString |= "".equals(e.key());
            }
        }
        assertTrue(intMin && longMax && emptyString, "int MIN_VALUE " + intMin + ", long MAX_VALUE " + longMax
                + ", empty string " + emptyString);
    }
}
