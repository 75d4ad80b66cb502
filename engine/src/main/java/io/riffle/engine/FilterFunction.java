package io.riffle.engine;

/** A row-level predicate for {@link DataStream#filter}: keeps the records it returns true for. */
@FunctionalInterface
public interface FilterFunction {
    boolean filter(Record in) throws Exception;
}
