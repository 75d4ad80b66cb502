package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InputWatermarksTest {
    private static final long NONE = Watermark.NONE;
    private static final long IDLE = Watermark.IDLE;

    @Test
    void theSubtasksWatermarkIsTheMinimumOverItsChannelsAndOnlyGoesForward() {
        InputWatermarks w = new InputWatermarks(3);
        assertEquals(NONE, w.onWatermark(0, 100));
        assertEquals(NONE, w.onWatermark(1, 50));
        assertEquals(30, w.onWatermark(2, 30));
        assertEquals(NONE, w.onWatermark(2, 20), "a channel going back changes nothing");
        assertEquals(50, w.onWatermark(2, 70));
        assertEquals(70, w.onWatermark(1, 200));
        assertEquals(100, w.onWatermark(2, Watermark.MAX));
        assertEquals(200, w.onWatermark(0, Watermark.MAX));
        assertEquals(Watermark.MAX, w.onWatermark(1, Watermark.MAX));
        assertEquals(Watermark.MAX, w.current());
    }

    @Test
    void idleChannelsDoNotHoldTheWatermarkBackUntilTheyComeBack() {
        InputWatermarks w = new InputWatermarks(2);
        assertEquals(NONE, w.onWatermark(0, 10));
        assertEquals(NONE, w.onWatermark(0, 500), "channel 1 has said nothing yet");
        assertEquals(500, w.onWatermark(1, IDLE));
        assertEquals(600, w.onWatermark(0, 600));
        w.onRecords(1);
        assertEquals(NONE, w.onWatermark(0, 700), "channel 1 is active again and still at nothing");
        assertEquals(650, w.onWatermark(1, 650));
        assertEquals(NONE, w.onWatermark(1, 100), "a channel never takes the watermark back");
        assertEquals(700, w.onWatermark(1, 800));
    }

    @Test
    void whenEveryChannelIsIdleTheSubtaskSaysSoOnce() {
        InputWatermarks w = new InputWatermarks(2);
        assertEquals(NONE, w.onWatermark(0, IDLE));
        assertEquals(IDLE, w.onWatermark(1, IDLE));
        assertEquals(NONE, w.onWatermark(1, IDLE));
        assertEquals(40, w.onWatermark(0, 40));
        assertEquals(IDLE, w.onWatermark(0, IDLE), "channel 1 was still idle");
        w.onRecords(1);
        assertEquals(NONE, w.onWatermark(0, IDLE), "channel 1 is active, at nothing yet");
    }
}
