package io.riffle.baselines.differential;

import org.apache.flink.api.java.tuple.Tuple4;

/** An event on Flink's side: {@code (k, v, x, ts)}, the key an Integer, Long or String (the trial's key type). */
public final class FlinkEvent extends Tuple4<Object, Long, Double, Long> {
    public FlinkEvent() {
    }

    public FlinkEvent(Object key, long value, double price, long ts) {
        super(key, value, price, ts);
    }
}
