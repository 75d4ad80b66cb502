package io.riffle.engine;

/**
 * Combines two records of the same key into one, for {@link KeyedStream#reduce}. The result must have
 * the input's schema; inputs are views valid only during the call.
 */
@FunctionalInterface
public interface ReduceFunction {
    Record reduce(Record accumulated, Record next) throws Exception;
}
