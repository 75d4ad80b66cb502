package io.riffle.engine;

import java.util.Objects;

/**
 * Names a side output: a second stream an operator emits beside its results, such as the records a window
 * dropped as late. Equal when the names are.
 *
 * <pre>{@code
 * OutputTag late = new OutputTag("late");
 * DataStream sums = events.keyBy("user").window(Windows.tumbling(Duration.ofMinutes(1)))
 *         .sideOutputLateData(late).sum("amount");
 * DataStream tooLate = sums.getSideOutput(late);
 * }</pre>
 */
public final class OutputTag {
    private final String name;

    public OutputTag(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an output tag needs a name");
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputTag t && t.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
