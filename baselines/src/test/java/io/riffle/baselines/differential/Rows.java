package io.riffle.baselines.differential;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Output rows in one canonical text form for both engines, and their comparison as multisets. Integers of any
 * width print alike (an int32 sum on one side and an int64 on the other is not what the suite looks for),
 * timestamps as epoch ms, -0.0 as 0.0, null as {@code null}; strings are quoted so that {@code ""} and a
 * field missing differ.
 */
final class Rows {
    private Rows() {
    }

    /** The canonical text of one row: {@code (f0, f1, ...)}. */
    static String of(Object... fields) {
        StringBuilder row = new StringBuilder("(");
        for (int i = 0; i < fields.length; i++) {
            row.append(i == 0 ? "" : ", ").append(field(fields[i]));
        }
        return row.append(')').toString();
    }

    /** The canonical text of a row of a side output: the output's name first. */
    static String tagged(String tag, String row) {
        return tag + ":" + row;
    }

    private static String field(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Instant instant) {
            return Long.toString(instant.toEpochMilli());
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.toString(d == 0.0 ? 0.0 : d);
        }
        if (value instanceof String s) {
            return '"' + s + '"';
        }
        return value.toString();
    }

    /** Each row with its number of occurrences, sorted. */
    static Map<String, Integer> multiset(Collection<String> rows) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String row : rows) {
            counts.merge(row, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Empty when both are the same multiset; otherwise the first {@code limit} rows whose counts differ, in
     * row order, each with both sides' counts, under a line of totals.
     */
    static String diff(Collection<String> flink, Collection<String> riffle, int limit) {
        Map<String, Integer> f = multiset(flink);
        Map<String, Integer> r = multiset(riffle);
        Map<String, Integer> all = new TreeMap<>(f);
        r.forEach((row, n) -> all.putIfAbsent(row, 0));
        List<String> lines = new ArrayList<>();
        int differing = 0;
        for (String row : all.keySet()) {
            int inFlink = f.getOrDefault(row, 0);
            int inRiffle = r.getOrDefault(row, 0);
            if (inFlink != inRiffle) {
                if (differing++ < limit) {
                    lines.add(String.format("  flink %d  riffle %d  %s", inFlink, inRiffle, row));
                }
            }
        }
        if (differing == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(String.format(
                "%d rows from Flink, %d from Riffle; %d distinct rows differ (first %d, in row order):%n",
                flink.size(), riffle.size(), differing, Math.min(limit, differing)));
        for (String line : lines) {
            text.append(line).append(System.lineSeparator());
        }
        return text.toString();
    }
}
