package io.riffle.engine.internal.operator;

/**
 * Where an operator reads its input's event time: field {@code index} (timestamp[ms] or int64 epoch
 * milliseconds) plus {@code offsetMillis}. The offset is 0 for a field watermarks were assigned from, and -1 on
 * a window's output, whose event time is the window's last millisecond, {@code window_end - 1} (Flink's
 * {@code window.maxTimestamp()}): the window's columns stay as they are, and the millisecond is taken off where
 * the time is read, one addition in loops that read the column anyway.
 */
public record EventTimeField(int index, long offsetMillis) {
    /** The field's value is the event time. */
    public static EventTimeField of(int index) {
        return new EventTimeField(index, 0);
    }
}
