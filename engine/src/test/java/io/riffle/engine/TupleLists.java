package io.riffle.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Results compared as multisets: jobs at parallelism above 1 emit rows in an order that varies. */
final class TupleLists {
    private TupleLists() {
    }

    /** A copy of {@code rows} sorted by their text (each row's text made once: large results sort in time). */
    static List<Tuple> sorted(List<Tuple> rows) {
        List<Map.Entry<String, Tuple>> byText = new ArrayList<>(rows.size());
        for (Tuple t : rows) {
            byText.add(Map.entry(t.toString(), t));
        }
        byText.sort(Map.Entry.comparingByKey());
        List<Tuple> copy = new ArrayList<>(rows.size());
        for (Map.Entry<String, Tuple> e : byText) {
            copy.add(e.getValue());
        }
        return copy;
    }
}
