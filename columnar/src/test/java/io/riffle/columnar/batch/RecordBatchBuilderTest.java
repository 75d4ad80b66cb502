package io.riffle.columnar.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import io.riffle.columnar.ArrowTest;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class RecordBatchBuilderTest extends ArrowTest {
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64),
            Column.nullable("price", ColumnType.FLOAT64), Column.of("at", ColumnType.TIMESTAMP_MS),
            Column.nullable("ok", ColumnType.BOOL), Column.of("small", ColumnType.INT32));

    record Pair(String word, long count) implements Row {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Object field(int index) {
            return index == 0 ? word : count;
        }
    }

    @Test
    void binaryValuesAreStoredAsBytesAndPrintAsHex() {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.nullable("raw", ColumnType.BINARY));
        try (RecordBatchBuilder b = new RecordBatchBuilder(schema, allocator, 1)) {
            b.addRow(1, new byte[] {10, 27, (byte) 0xff});
            b.addRow(2, null);
            b.addRow(3, new byte[0]);
            try (RecordBatch batch = b.build()) {
                assertArrayEquals(new byte[] {10, 27, (byte) 0xff}, (byte[]) batch.value(0, 1));
                assertNull(batch.value(1, 1));
                assertArrayEquals(new byte[0], (byte[]) batch.value(2, 1));
                assertEquals(3, batch.binary(1).getValueCount());
                assertEquals("(1,0x0a1bff)\n(2,null)\n(3,0x)\n", batch.format(10));
                IllegalArgumentException notBinary = assertThrows(IllegalArgumentException.class, () -> batch.binary(0));
                assertEquals("field 0 ('id', int32) is int32, not binary", notBinary.getMessage());
            }
        }
    }

    @Test
    void aViewShowsAnotherBatchsColumnsAndFreesNothing() {
        try (RecordBatchBuilder b = new RecordBatchBuilder(SCHEMA, allocator, 2)) {
            b.addRow("apple", 1, 2.5, 1000L, true, 3);
            b.addRow("pear", 2, null, 2000L, null, 4);
            try (RecordBatch batch = b.build()) {
                BatchSchema two = BatchSchema.of(Column.of("count", ColumnType.INT64), Column.of("word", ColumnType.UTF8));
                RecordBatch view = RecordBatch.view(two);
                view.show(batch, new int[] {1, 0});
                assertEquals("(1,apple)\n(2,pear)\n", view.format(10));
                view.close();
                assertEquals("apple", batch.value(0, 0));

                IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                        () -> view.show(batch, new int[] {0, 1}));
                assertEquals("field 0 ('count', int64) cannot show field 0 ('word', utf8)", wrongType.getMessage());
                IllegalArgumentException wrongCount = assertThrows(IllegalArgumentException.class,
                        () -> view.show(batch, new int[] {1}));
                assertEquals("a view of " + two + " shows 2 columns, not 1", wrongCount.getMessage());
                IllegalStateException owner = assertThrows(IllegalStateException.class,
                        () -> batch.show(batch, new int[] {0, 1, 2, 3, 4, 5}));
                assertEquals("only a view shows another batch's columns; this batch owns its vectors", owner.getMessage());
            }
        }
    }

    /** A view mixes two batches: one batch's columns, then one column of another batch in place of one of them. */
    @Test
    void aViewShowsAColumnOfASecondBatch() {
        BatchSchema pairs = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
        try (RecordBatchBuilder a = new RecordBatchBuilder(pairs, allocator);
             RecordBatchBuilder b = new RecordBatchBuilder(SCHEMA, allocator, 2)) {
            a.addRow("apple", 1L).addRow("pear", 2L);
            b.addRow("fig", 7, 2.5, 1000L, true, 3);
            b.addRow("plum", 8, null, 2000L, null, 4);
            try (RecordBatch counts = a.build(); RecordBatch words = b.build()) {
                RecordBatch view = RecordBatch.view(pairs);
                view.show(counts, new int[] {0, 1});
                view.showColumn(0, words, 0);
                assertEquals("(fig,1)\n(plum,2)\n", view.format(10));
                view.close();
                assertEquals("apple", counts.value(0, 0));
                assertEquals("fig", words.value(0, 0));

                IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                        () -> view.showColumn(1, words, 0));
                assertEquals("field 1 ('count', int64) cannot show field 0 ('word', utf8)", wrongType.getMessage());
                IllegalStateException owner = assertThrows(IllegalStateException.class,
                        () -> counts.showColumn(0, words, 0));
                assertEquals("only a view shows another batch's columns; this batch owns its vectors", owner.getMessage());
            }
        }
    }

    @Test
    void buildsEveryTypeFromJavaValuesAndRows() {
        try (RecordBatchBuilder b = new RecordBatchBuilder(SCHEMA, allocator, 1)) {
            b.addRow("apple", 1, 2.5f, 1000L, true, (short) 3);
            b.addRow("日本", 2L, null, Instant.ofEpochMilli(2000), null, 4);
            try (RecordBatch batch = b.build()) {
                assertEquals("(apple,1,2.5,1970-01-01T00:00:01Z,true,3)\n(日本,2,null,1970-01-01T00:00:02Z,null,4)\n",
                        batch.format(10));
            }
            assertEquals(0, b.rowCount(), "the builder starts anew after build");
        }
        BatchSchema pairs = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
        try (RecordBatchBuilder b = new RecordBatchBuilder(pairs, allocator)) {
            b.addRow(new Pair("apple", 1)).addRow(new Pair("banana", 2));
            try (RecordBatch batch = b.build()) {
                assertEquals("(apple,1)\n(banana,2)\n", batch.format(10));
            }
        }
    }

    @Test
    void rejectsAWrongRowWholeAndStaysUsable() {
        try (RecordBatchBuilder b = new RecordBatchBuilder(SCHEMA, allocator)) {
            b.addRow("a", 1L, 1.0, 0L, true, 1);
            assertEquals("row 1, field 1 ('count', int64): cannot store String value 'x'",
                    assertThrows(IllegalArgumentException.class, () -> b.addRow("b", "x", 1.0, 0L, true, 1)).getMessage());
            assertEquals("row 1, field 0 ('word', utf8): null in a non-nullable field",
                    assertThrows(IllegalArgumentException.class, () -> b.addRow(null, 1L, 1.0, 0L, true, 1)).getMessage());
            assertEquals("row 1, field 5 ('small', int32): cannot store Long value '7'",
                    assertThrows(IllegalArgumentException.class, () -> b.addRow("b", 1L, 1.0, 0L, true, 7L)).getMessage());
            assertEquals("row 1, field 2 ('price', float64): cannot store Long value '3'",
                    assertThrows(IllegalArgumentException.class, () -> b.addRow("b", 1L, 3L, 0L, true, 1)).getMessage());
            assertEquals("row 1, field 4 ('ok', bool): cannot store Integer value '1'",
                    assertThrows(IllegalArgumentException.class, () -> b.addRow("b", 1L, 1.0, 0L, 1, 1)).getMessage());
            assertEquals("row 1 has 2 fields; the schema (word: utf8, count: int64, price: float64, at: timestamp[ms], "
                    + "ok: bool, small: int32) has 6", assertThrows(IllegalArgumentException.class,
                            () -> b.addRow("b", 1L)).getMessage());
            b.addRow("c", 3L, null, 5L, false, 2);
            try (RecordBatch batch = b.build()) {
                assertEquals("(a,1,1.0,1970-01-01T00:00:00Z,true,1)\n(c,3,null,1970-01-01T00:00:00.005Z,false,2)\n",
                        batch.format(10));
            }
        }
    }

    @Test
    void schemaLookupsNameWhatIsThere() {
        assertEquals("no field named 'cuont': the schema has (word: utf8, count: int64, price: float64, "
                + "at: timestamp[ms], ok: bool, small: int32)", assertThrows(IllegalArgumentException.class,
                        () -> SCHEMA.indexOf("cuont")).getMessage());
        assertEquals("field index -1 is out of range: the schema has 6 fields (word: utf8, count: int64, price: float64, "
                + "at: timestamp[ms], ok: bool, small: int32)", assertThrows(IllegalArgumentException.class,
                        () -> SCHEMA.column(-1)).getMessage());
        assertEquals("duplicate field name 'a' at positions 0 and 1", assertThrows(IllegalArgumentException.class,
                () -> BatchSchema.of(Column.of("a", ColumnType.INT64), Column.of("a", ColumnType.UTF8))).getMessage());
        Schema decimal = new Schema(java.util.List.of(new Field("d", FieldType.nullable(new ArrowType.Decimal(10, 2, 128)),
                null)));
        assertEquals("field 0 ('d'): unsupported Arrow type Decimal(10, 2, 128); Riffle columns are int32, int64, "
                + "float64, bool, utf8, binary and timestamp[ms] without time zone", assertThrows(IllegalArgumentException.class,
                        () -> BatchSchema.fromArrow(decimal)).getMessage());
        assertEquals(SCHEMA, BatchSchema.fromArrow(SCHEMA.toArrow()));
    }

    @Test
    void typedAccessorsNameTheFieldWhenTheTypeDiffers() {
        try (RecordBatch batch = RecordBatch.allocate(SCHEMA, allocator, 4)) {
            assertEquals("field 0 ('word', utf8) is utf8, not int64", assertThrows(IllegalArgumentException.class,
                    () -> batch.int64(0)).getMessage());
        }
    }
}
