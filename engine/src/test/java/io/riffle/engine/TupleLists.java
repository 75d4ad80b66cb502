package io.riffle.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Results compared as multisets: jobs at parallelism above 1 emit rows in an order that varies. */
final class TupleLists {
    private TupleLists() {
    }

    /** A copy of {@code rows} sorted by their text. */
    static List<Tuple> sorted(List<Tuple> rows) {
        List<Tuple> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(Tuple::toString));
        return copy;
    }
}
