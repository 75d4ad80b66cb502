package io.riffle.engine;

import static io.riffle.engine.expr.Expr.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;

/** Binary (byte[]) fields: carried through jobs by content, printed as hex, and refused where they cannot serve. */
class BinaryFieldTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("id", ColumnType.INT32),
            Column.nullable("raw", ColumnType.BINARY));

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void tuplesCompareHashAndPrintBinaryFieldsByContent() {
        Tuple t = Tuple.of(1, bytes(0x0a, 0x1b));
        assertEquals(Tuple.of(1, bytes(0x0a, 0x1b)), t);
        assertEquals(Tuple.of(1, bytes(0x0a, 0x1b)).hashCode(), t.hashCode());
        assertNotEquals(Tuple.of(1, bytes(0x0a, 0x1c)), t);
        assertEquals("(1,0x0a1b)", t.toString());
        assertEquals("(2,0x,null)", Tuple.of(2, new byte[0], null).toString());
        assertArrayEquals(bytes(0x0a, 0x1b), t.getBytes(1));
    }

    @Test
    void binaryFieldsPassThroughFiltersMapsAndMinByUnchanged() {
        Environment env = Environment.batch();
        DataStream in = env.fromElements(Tuple.of(1, bytes(0xff, 0)), Tuple.of(2, bytes(1)), Tuple.of(1, bytes(0x7f)),
                Tuple.of(3, bytes()));
        assertEquals(ColumnType.BINARY, in.schema().column(1).type());
        DataStream kept = in.filter(r -> r.getInt(0) != 2)
                .map(r -> Tuple.of(r.getInt(0), r.getBytes(1)));
        List<Tuple> all = new ArrayList<>();
        List<Tuple> smallest = new ArrayList<>();
        kept.collect(all);
        // Unsigned comparison: 0x7f is smaller than 0xff00.
        in.keyBy(0).minBy(1).collect(smallest);
        env.execute();
        assertEquals(List.of(Tuple.of(1, bytes(0xff, 0)), Tuple.of(1, bytes(0x7f)), Tuple.of(3, bytes())), all);
        assertEquals(List.of(Tuple.of(1, bytes(0x7f)), Tuple.of(2, bytes(1)), Tuple.of(3, bytes())),
                TupleLists.sorted(smallest));
    }

    @Test
    void expressionsSelectAndFilterBesideBinaryFieldsButDoNotCompareThem() {
        Environment env = Environment.batch();
        DataStream s = env.fromCollection(List.of(Tuple.of(1, bytes(1, 2)), Tuple.of(2, null), Tuple.of(3, bytes())),
                SCHEMA);
        List<Tuple> out = s.where(col("id").ne(2L)).select(col("raw"), col("id")).executeAndCollect();
        assertEquals(List.of(Tuple.of(bytes(1, 2), 1), Tuple.of(bytes(), 3)), out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.where(col("raw").eq("x")));
        assertEquals("raw = 'x': cannot compare binary with utf8 (field 1 ('raw') with the literal 'x'); binary values"
                + " do not compare in expressions: test them with isNull(), or in a filter function", e.getMessage());
        assertEquals(List.of(Tuple.of(2, null)), s.where(col("raw").isNull()).executeAndCollect());
    }

    @Test
    void printShowsBinaryAsHex() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Environment env = Environment.batch().setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8));
        env.fromCollection(List.of(Tuple.of(1, bytes(0xde, 0xad)), Tuple.of(2, null)), SCHEMA).print();
        env.execute();
        assertEquals("(1,0xdead)\n(2,null)\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void binaryKeysSumsAndComparisonsFailWhenTheProgramIsBuilt() {
        Environment env = Environment.batch();
        DataStream s = env.fromCollection(List.of(Tuple.of(1, bytes(1))), SCHEMA);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.keyBy("raw"));
        assertEquals("keyBy(raw): key field 1 ('raw', binary) must be int32, int64, timestamp[ms] or utf8",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.groupBy("raw"));
        assertEquals("groupBy(raw): key field 1 ('raw', binary) must be int32, int64, timestamp[ms] or utf8",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.join(s, "raw", "raw"));
        assertEquals("join keys cannot be compared: 'raw' is binary, 'raw' is binary; keys join when both are utf8 or"
                + " both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch milliseconds)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.keyBy("id").sum("raw"));
        assertEquals("sum needs a numeric field (int32, int64 or float64), but field 1 ('raw') is binary",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.keyBy("id").max("raw"));
        assertEquals("max needs a numeric field (int32, int64 or float64), but field 1 ('raw') is binary",
                e.getMessage());
    }
}
