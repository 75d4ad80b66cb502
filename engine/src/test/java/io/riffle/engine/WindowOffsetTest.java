package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Windows shifted from the epoch, as Flink's {@code TumblingEventTimeWindows.of(size, offset)} and
 * {@code SlidingEventTimeWindows.of(size, slide, offset)}. The expected windows are Flink 2.2's: its
 * {@code TimeWindow.getWindowStartWithOffset(t, 3000, 10000)} gives -7000 for t = -4500, -1, 0 and 2999, 3000
 * for 3000 and 12345, -17000 for -10001; with offset -3000 it gives -13000 for -4500 and -10001, -3000 for -1
 * to 3000, 7000 for 12345. {@code SlidingEventTimeWindows.of(10 s, 5 s, 2 s)} over these records gives the
 * windows [-18000, -8000) with value 1, [-13000, -3000) 1,2, [-8000, 2000) 2,4,8, [-3000, 7000) 4,8,16,32,
 * [2000, 12000) 16,32, [7000, 17000) 64 and [12000, 22000) 64.
 */
@Timeout(60)
class WindowOffsetTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final List<Tuple> RECORDS = List.of(event(1, -10001), event(2, -4500), event(4, -1),
            event(8, 0), event(16, 2999), event(32, 3000), event(64, 12345));

    private static Tuple event(long value, long time) {
        return Tuple.of(1L, value, Instant.ofEpochMilli(time));
    }

    private static Tuple window(long start, long end, long sum) {
        return Tuple.of(1L, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), sum);
    }

    private static List<Tuple> sums(Windows windows, int batchSize) {
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(batchSize);
        return env.fromCollection(RECORDS, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO))
                .keyBy("key").window(windows).sum("value").executeAndCollect();
    }

    @Test
    void tumblingWindowsStartAtTheOffsetAsInFlinkNegativeTimesIncluded() {
        for (int batchSize : new int[] {1, 3, 100}) {
            assertEquals(sorted(List.of(window(-17000, -7000, 1), window(-7000, 3000, 2 + 4 + 8 + 16),
                            window(3000, 13000, 32 + 64))),
                    sorted(sums(Windows.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(3)), batchSize)));
            assertEquals(sorted(List.of(window(-13000, -3000, 1 + 2), window(-3000, 7000, 4 + 8 + 16 + 32),
                            window(7000, 17000, 64))),
                    sorted(sums(Windows.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(-3)), batchSize)));
        }
    }

    @Test
    void slidingWindowsStartAtTheOffsetPlusMultiplesOfTheSlide() {
        // Windows of 10 s every 5 s from 2 s: -10001 is in [-18000, -8000) and [-13000, -3000), 12345 in [7000, 17000) and [12000, 22000).
        assertEquals(sorted(List.of(window(-18000, -8000, 1), window(-13000, -3000, 1 + 2), window(-8000, 2000, 2 + 4 + 8),
                        window(-3000, 7000, 4 + 8 + 16 + 32), window(2000, 12000, 16 + 32), window(7000, 17000, 64),
                        window(12000, 22000, 64))),
                sorted(sums(Windows.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2)), 2)));
    }

    @Test
    void userFunctionWindowsTakeTheOffsetToo() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(2);
        List<Tuple> out = env.fromCollection(RECORDS, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(3)))
                .reduce((a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), b.field(2)))
                .executeAndCollect();
        assertEquals(List.of(
                Tuple.of(1L, 1L, Instant.ofEpochMilli(-10001), Instant.ofEpochMilli(-17000), Instant.ofEpochMilli(-7000)),
                Tuple.of(1L, 30L, Instant.ofEpochMilli(2999), Instant.ofEpochMilli(-7000), Instant.ofEpochMilli(3000)),
                Tuple.of(1L, 96L, Instant.ofEpochMilli(12345), Instant.ofEpochMilli(3000), Instant.ofEpochMilli(13000))),
                out);
    }

    @Test
    void anOffsetNotShorterThanTheWindowIsRefusedAsInFlink() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Windows.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(-12)));
        assertEquals("a window offset of -12000 ms is not shorter than the window size (10000 ms): windows repeat"
                + " every 10000 ms, so use 8000 ms", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Windows.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(5)));
        assertEquals("sliding(10000 ms, 5000 ms, offset 2000 ms)",
                Windows.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2)).toString());
    }
}
