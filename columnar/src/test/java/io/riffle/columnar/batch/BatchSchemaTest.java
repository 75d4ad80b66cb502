package io.riffle.columnar.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class BatchSchemaTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("count", ColumnType.INT64), Column.nullable("at", ColumnType.TIMESTAMP_MS));

    private static Row row(Object... fields) {
        return new Row() {
            @Override
            public int arity() {
                return fields.length;
            }

            @Override
            public Object field(int index) {
                return fields[index];
            }
        };
    }

    @Test
    void aRowThatFitsHasNoMisfit() {
        assertNull(SCHEMA.misfit(row("apple", 1L, Instant.EPOCH)));
        assertNull(SCHEMA.misfit(row("apple", 1, null)));
        assertNull(SCHEMA.misfit(row(new StringBuilder("apple"), (short) 1, 5L)));
    }

    @Test
    void aMisfitNamesTheArityOrTheFirstFieldThatIsWrong() {
        assertEquals("it has 1 field, not 3", SCHEMA.misfit(row("apple")));
        assertEquals("it has 4 fields, not 3", SCHEMA.misfit(row("apple", 1L, null, 2L)));
        assertEquals("field 1 ('count', int64): cannot store Double value '1.5'",
                SCHEMA.misfit(row("apple", 1.5, "not checked: the first wrong field is named")));
        assertEquals("field 0 ('word', utf8): null in a non-nullable field", SCHEMA.misfit(row(null, 1L, null)));
        assertEquals("cannot store String value '7'", SCHEMA.misfit(2, "7"));
    }

    @Test
    void aBinaryFieldHoldsByteArraysOnly() {
        BatchSchema schema = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.nullable("raw", ColumnType.BINARY));
        assertNull(schema.misfit(row("apple", new byte[] {1, 2})));
        assertNull(schema.misfit(row("apple", null)));
        assertEquals("field 1 ('raw', binary): cannot store String value '0a1b'", schema.misfit(row("apple", "0a1b")));
        assertEquals("field 0 ('word', utf8): cannot store byte[] value '0x0a1b'",
                schema.misfit(row(new byte[] {10, 27}, null)));
    }
}
