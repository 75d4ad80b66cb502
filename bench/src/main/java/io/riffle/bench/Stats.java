package io.riffle.bench;

import java.util.Arrays;

/** The median and range of a few figures; {@code count} 0 when there are none (then the others are NaN). */
public record Stats(int count, double median, double min, double max) {
    static final Stats NONE = new Stats(0, Double.NaN, Double.NaN, Double.NaN);

    static Stats of(double[] values) {
        if (values.length == 0) {
            return NONE;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(n, median, sorted[0], sorted[n - 1]);
    }
}
