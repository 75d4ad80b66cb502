package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The brief's two seed programs, printing exactly what the brief says, positional and named. */
class SeedProgramsTest {
    private static final Tuple[] FRUIT = {Tuple.of("apple", 1), Tuple.of("banana", 2), Tuple.of("apple", 3),
        Tuple.of("banana", 4), Tuple.of("apple", 5)};

    @Test
    void batchSeedPrintsOneFinalRowPerKey() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Environment env = Environment.batch().setParallelism(1).setPrintStream(new PrintStream(out, true));
        env.fromElements(FRUIT)
           .groupBy(0).sum(1)
           .print();
        env.execute();
        assertEquals("(apple,9)\n(banana,6)\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void streamingSeedPrintsARunningSumPerRecord() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Environment env = Environment.streaming().setParallelism(1).setPrintStream(new PrintStream(out, true));
        env.fromElements(FRUIT)
           .keyBy(0).sum(1)
           .print();
        env.execute();
        assertEquals("(apple,1)\n(banana,2)\n(apple,4)\n(banana,6)\n(apple,9)\n", out.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void batchSeedWithNamedFields(int parallelism) {
        Environment env = Environment.batch().setParallelism(parallelism);
        List<Tuple> result = env.fromCollection(List.of(FRUIT), "word", "count")
                .groupBy("word").sum("count")
                .executeAndCollect();
        result.sort(Comparator.comparing(Tuple::toString));
        assertEquals(List.of(Tuple.of("apple", 9L), Tuple.of("banana", 6L)), result);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void streamingSeedKeepsOrderPerKey(int parallelism) {
        Environment env = Environment.streaming().setParallelism(parallelism);
        List<Tuple> result = env.fromCollection(List.of(FRUIT), "word", "count")
                .keyBy("word").sum("count")
                .executeAndCollect();
        assertEquals(List.of(Tuple.of("apple", 1L), Tuple.of("apple", 4L), Tuple.of("apple", 9L)), only("apple", result));
        assertEquals(List.of(Tuple.of("banana", 2L), Tuple.of("banana", 6L)), only("banana", result));
        assertEquals(5, result.size());
    }

    private static List<Tuple> only(String key, List<Tuple> rows) {
        List<Tuple> out = new ArrayList<>();
        for (Tuple t : rows) {
            if (t.field(0).equals(key)) {
                out.add(t);
            }
        }
        return out;
    }
}
