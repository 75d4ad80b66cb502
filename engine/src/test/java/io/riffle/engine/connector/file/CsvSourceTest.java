package io.riffle.engine.connector.file;

import static io.riffle.engine.connector.file.Connectors.readBatches;
import static io.riffle.engine.connector.file.Connectors.readRows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvSourceTest extends AllocatorTest {
    static final BatchSchema EVERY_TYPE = BatchSchema.of(
            Column.of("id", ColumnType.INT32),
            Column.nullable("big", ColumnType.INT64),
            Column.nullable("price", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL),
            Column.nullable("name", ColumnType.UTF8),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));
    static final BatchSchema ORDERS = BatchSchema.of(
            Column.of("id", ColumnType.INT64),
            Column.of("name", ColumnType.UTF8),
            Column.nullable("amount", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));
    static final BatchSchema ID_TEXT = BatchSchema.of(
            Column.of("id", ColumnType.INT32), Column.nullable("text", ColumnType.UTF8));

    @TempDir
    Path dir;
    Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    List<List<Object>> read(Path file, BatchSchema schema, CsvFormat format) throws Exception {
        return readRows(new CsvSource(file, schema, format), TestTaskContext.single(allocator, 1024));
    }

    static List<Object> row(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    /** As Flink's CSV format reads a STRING column when no {@code csv.null-literal} is set. */
    @Test
    void anEmptyStringFieldIsTheEmptyStringByDefaultQuotedOrNot() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.of("name", ColumnType.UTF8),
                Column.nullable("note", ColumnType.UTF8));
        Path file = file("names.csv", "id,name,note\n1,,\n2,\"\",\"\"\n3,ann,x\n");
        assertEquals(List.of(row(1, "", ""), row(2, "", ""), row(3, "ann", "x")),
                read(file, schema, CsvFormat.DEFAULT));
    }

    @Test
    void withEmptyStringAsNullAnEmptyUnquotedStringIsNullAndAQuotedOneEmpty() throws Exception {
        Path file = file("notes.csv", "id,text\n1,\n2,\"\"\n3,x\n");
        assertEquals(List.of(row(1, null), row(2, ""), row(3, "x")),
                read(file, ID_TEXT, CsvFormat.DEFAULT.withEmptyStringAsNull(true)));
    }

    @Test
    void withEmptyStringAsNullAnEmptyStringInANonNullableFieldFailsNamingTheOption() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.of("name", ColumnType.UTF8));
        Path file = file("names.csv", "id,name\n1,\"\"\n2,\n");
        IOException e = assertThrows(IOException.class,
                () -> read(file, schema, CsvFormat.DEFAULT.withEmptyStringAsNull(true)));
        assertEquals(file + ":3: field 1 ('name', utf8): empty, read as null by CsvFormat.withEmptyStringAsNull(true),"
                + " but the field is not nullable: read it as the empty string with withEmptyStringAsNull(false), or"
                + " declare the field Column.nullable", e.getMessage());
    }

    @Test
    void readsEveryTypeAndEmptyFieldsAsNullsButAnEmptyString() throws Exception {
        Path file = file("every.csv", """
                id,big,price,ok,name,at
                1,9000000000,1.5,true,apple,2026-01-02T03:04:05Z
                2,,,,,
                3,-5,-0.25,FALSE,"",1767323045123
                4,0,1e3,True,"a,b ""q""\",2026-01-02T03:04:05.678Z
                """);
        assertEquals(List.of(
                row(1, 9_000_000_000L, 1.5, true, "apple", Instant.parse("2026-01-02T03:04:05Z")),
                row(2, null, null, null, "", null),
                row(3, -5L, -0.25, false, "", Instant.ofEpochMilli(1_767_323_045_123L)),
                row(4, 0L, 1000.0, true, "a,b \"q\"", Instant.parse("2026-01-02T03:04:05.678Z"))),
                read(file, EVERY_TYPE, CsvFormat.DEFAULT));
    }

    @Test
    void readsQuotedDelimitersQuotesLineBreaksAndUnicode() throws Exception {
        Path file = file("quoted.csv", "id,text\r\n"
                + "1,\"line1\nline2\"\r\n"
                + "2,\"crlf\r\ninside\"\r\n"
                + "3,\"日本語, ✓ 😀\"\r\n"
                + "4,plain ünïcødé\r\n"
                + "5,\"\"\"\"\r\n"
                + "6,a\"b\n"
                + "7,\"\"\n"
                + "8,");
        assertEquals(List.of(
                row(1, "line1\nline2"),
                row(2, "crlf\r\ninside"),
                row(3, "日本語, ✓ 😀"),
                row(4, "plain ünïcødé"),
                row(5, "\""),
                row(6, "a\"b"),
                row(7, ""),
                row(8, "")),
                read(file, ID_TEXT, CsvFormat.DEFAULT));
    }

    @Test
    void readsWithoutAHeaderWithAnotherDelimiterAndQuote() throws Exception {
        Path file = file("raw.csv", "1;'a;b'\n2;'it''s'\n3;plain\n");
        assertEquals(List.of(row(1, "a;b"), row(2, "it's"), row(3, "plain")),
                read(file, ID_TEXT, CsvFormat.DEFAULT.withDelimiter(';').withQuote('\'').withHeader(false)));
    }

    @Test
    void headerLineIsSkippedOnlyWhenTheFormatHasOne() throws Exception {
        BatchSchema names = BatchSchema.of(Column.of("name", ColumnType.UTF8));
        Path file = file("names.csv", "name\nann\nbob\n");
        assertEquals(List.of(row("ann"), row("bob")), read(file, names, CsvFormat.DEFAULT));
        assertEquals(List.of(row("name"), row("ann"), row("bob")),
                read(file, names, CsvFormat.DEFAULT.withHeader(false)));
    }

    @Test
    void anEmptyLineIsAnEmptyFieldInASingleColumnFile() throws Exception {
        BatchSchema names = BatchSchema.of(Column.nullable("name", ColumnType.UTF8));
        Path file = file("names.csv", "ann\n\n\"\"\nbob");
        assertEquals(List.of(row("ann"), row(""), row(""), row("bob")),
                read(file, names, CsvFormat.DEFAULT.withHeader(false)));
        assertEquals(List.of(row("ann"), row((Object) null), row(""), row("bob")),
                read(file, names, CsvFormat.DEFAULT.withHeader(false).withEmptyStringAsNull(true)));
    }

    @Test
    void skipsAByteOrderMark() throws Exception {
        BatchSchema ids = BatchSchema.of(Column.of("id", ColumnType.INT32));
        Path file = file("bom.csv", "\uFEFF7\n8\n");
        assertEquals(List.of(row(7), row(8)), read(file, ids, CsvFormat.DEFAULT.withHeader(false)));
    }

    @Test
    void aFileWithOnlyAHeaderOrNothingHasNoRows() throws Exception {
        assertEquals(List.of(), read(file("header.csv", "id,text\n"), ID_TEXT, CsvFormat.DEFAULT));
        assertEquals(List.of(), read(file("empty.csv", ""), ID_TEXT, CsvFormat.DEFAULT));
        assertEquals(List.of(), read(file("empty.csv", ""), ID_TEXT, CsvFormat.DEFAULT.withHeader(false)));
    }

    @Test
    void splitsBatchesAtTheBatchSize() throws Exception {
        StringBuilder csv = new StringBuilder("id,text\n");
        for (int i = 0; i < 10; i++) {
            csv.append(i).append(",t").append(i).append('\n');
        }
        Path file = file("ten.csv", csv.toString());
        CsvSource source = new CsvSource(file, ID_TEXT);
        List<List<List<Object>>> batches = readBatches(source, TestTaskContext.single(allocator, 4));
        assertEquals(List.of(4, 4, 2), batches.stream().map(List::size).toList());
        assertEquals(row(9, "t9"), batches.get(2).get(1));

        List<List<List<Object>>> exact = readBatches(source, TestTaskContext.single(allocator, 5));
        assertEquals(List.of(5, 5), exact.stream().map(List::size).toList());
    }

    @Test
    void reusesOneBatchAcrossCalls() throws Exception {
        Path file = file("three.csv", "id,text\n1,a\n2,\n3,c\n");
        try (SourceReader reader = new CsvSource(file, ID_TEXT).createReader(TestTaskContext.single(allocator, 2))) {
            RecordBatch first = reader.next();
            assertEquals(List.of(row(1, "a"), row(2, "")), Connectors.rows(first));
            assertFalse(reader.isFinished());
            RecordBatch second = reader.next();
            assertSame(first, second);
            assertEquals(List.of(row(3, "c")), Connectors.rows(second));
            assertTrue(reader.isFinished());
            assertNull(reader.next());
        }
    }

    @Test
    void readsTimestampsAsInstantParseDoes() throws Exception {
        long seed = 20260102L;
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(List.of("2024-02-29T23:59:59.999Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z", "2026-01-02T03:04:05.1Z",
                "2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05+01:00", "+10000-01-01T00:00:00Z", "-5", "+7"));
        for (int i = 0; i < 2000; i++) {
            long millis = random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L);
            texts.add(Instant.ofEpochMilli(i % 2 == 0 ? millis : millis - Math.floorMod(millis, 1000)).toString());
        }
        BatchSchema schema = BatchSchema.of(Column.of("at", ColumnType.TIMESTAMP_MS));
        Path file = file("instants.csv", String.join("\n", texts));
        List<List<Object>> rows = read(file, schema, CsvFormat.DEFAULT.withHeader(false));
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            Instant expected = text.matches("[+-]?\\d+") ? Instant.ofEpochMilli(Long.parseLong(text))
                    : Instant.ofEpochMilli(Instant.parse(text).toEpochMilli());
            assertEquals(row(expected), rows.get(i), text + " (seed " + seed + ")");
        }
    }

    @Test
    void anImpossibleDateIsMalformed() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("at", ColumnType.TIMESTAMP_MS));
        Path file = file("dates.csv", "at\n2023-02-29T00:00:00Z\n");
        IOException e = assertThrows(IOException.class, () -> read(file, schema, CsvFormat.DEFAULT));
        assertEquals(file + ":2: field 0 ('at', timestamp[ms]): cannot parse '2023-02-29T00:00:00Z'; expected epoch"
                + " milliseconds or an ISO-8601 instant such as 2026-01-02T03:04:05Z", e.getMessage());
    }

    @Test
    void readsBinaryAsPaddedBase64AndAQuotedEmptyFieldAsNoBytes() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.nullable("raw", ColumnType.BINARY));
        Path file = file("raw.csv", "id,raw\n1,Zg==\n2,Zm8=\n3,Zm9v\n4,\"+/+/\"\n5,\n6,\"\"\n");
        List<List<Object>> rows = read(file, schema, CsvFormat.DEFAULT);
        assertEquals(6, rows.size());
        assertArrayEquals("f".getBytes(StandardCharsets.US_ASCII), (byte[]) rows.get(0).get(1));
        assertArrayEquals("fo".getBytes(StandardCharsets.US_ASCII), (byte[]) rows.get(1).get(1));
        assertArrayEquals("foo".getBytes(StandardCharsets.US_ASCII), (byte[]) rows.get(2).get(1));
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xbf}, (byte[]) rows.get(3).get(1));
        assertNull(rows.get(4).get(1));
        assertArrayEquals(new byte[0], (byte[]) rows.get(5).get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "=Zm9"})
    void textThatIsNotPaddedBase64FailsInABinaryField(String text) throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("raw", ColumnType.BINARY));
        Path file = file("raw.csv", "raw\nZm9v\n" + text + "\n");
        IOException e = assertThrows(IOException.class, () -> read(file, schema, CsvFormat.DEFAULT));
        assertEquals(file + ":3: field 0 ('raw', binary): cannot parse '" + text
                + "'; expected base64 (RFC 4648, padded with '=')", e.getMessage());
    }

    @Test
    void countsTheHeaderAndLineBreaksInsideQuotesInLineNumbers() throws Exception {
        Path file = file("lines.csv", "id,text\n1,\"a\nb\nc\"\n2,\"d\r\ne\"\nx,bad\n");
        IOException e = assertThrows(IOException.class, () -> read(file, ID_TEXT, CsvFormat.DEFAULT));
        assertEquals(file + ":7: field 0 ('id', int32): cannot parse 'x'", e.getMessage());
    }

    static Stream<Arguments> malformedLines() {
        String schema = "(id: int64, name: utf8, amount: float64, ok: bool, at: timestamp[ms])";
        return Stream.of(
                Arguments.of("2,pear,abc,true,0", "field 2 ('amount', float64): cannot parse 'abc'"),
                Arguments.of("x2,pear,1.5,true,0", "field 0 ('id', int64): cannot parse 'x2'"),
                Arguments.of("99999999999999999999,pear,,,",
                        "field 0 ('id', int64): cannot parse '99999999999999999999'"),
                Arguments.of("2,pear,1.5,yes,0", "field 3 ('ok', bool): cannot parse 'yes'; expected true or false"),
                Arguments.of("2,pear,1.5,true,yesterday", "field 4 ('at', timestamp[ms]): cannot parse 'yesterday';"
                        + " expected epoch milliseconds or an ISO-8601 instant such as 2026-01-02T03:04:05Z"),
                Arguments.of("2,pear,1.5,true,0,extra", "extra field 'extra': the schema has 5 fields " + schema),
                Arguments.of("2,pear,1.5", "3 fields, expected 5: field 3 ('ok', bool) is missing"),
                Arguments.of("2", "1 field, expected 5: field 1 ('name', utf8) is missing"),
                Arguments.of(",pear,1.5,true,0", "field 0 ('id', int64): empty, but the field is not nullable:"
                        + " declare it Column.nullable to read an empty field as null"),
                Arguments.of("\"\",pear,1.5,true,0", "field 0 ('id', int64): empty, but the field is not nullable:"
                        + " declare it Column.nullable to read an empty field as null"),
                Arguments.of("2,\"pear,1.5,true,0",
                        "field 1 ('name', utf8): no closing quote for '\"pear,1.5,true,0...'"),
                Arguments.of("2,\"pear\"s,1.5,true,0",
                        "field 1 ('name', utf8): unexpected 's' after the closing quote of '\"pear\"'"),
                Arguments.of("2,pear,1.5," + "t".repeat(50) + ",0",
                        "field 3 ('ok', bool): cannot parse '" + "t".repeat(40) + "...'; expected true or false"));
    }

    @ParameterizedTest
    @MethodSource("malformedLines")
    void aMalformedLineFailsNamingTheFileLineFieldAndText(String line, String message) throws Exception {
        Path file = file("orders.csv", "id,name,amount,ok,at\n1,apple,1.5,true,0\n" + line + "\n4,fig,,,\n");
        IOException e = assertThrows(IOException.class, () -> read(file, ORDERS, CsvFormat.DEFAULT));
        assertEquals(file + ":3: " + message, e.getMessage());
    }

    static Stream<Arguments> bytesThatAreNotUtf8() {
        return Stream.of(
                Arguments.of("id,t", "xt\n1,a\n", "1: not valid UTF-8 (byte 0xE9 at column 5, byte offset 4)"),
                Arguments.of("id,text\n1,caf", "\n2,b\n", "2: not valid UTF-8 (byte 0xE9 at column 6, byte offset 13)"),
                Arguments.of("id,text\n1,\"two\nlines\"\n2,", "\n",
                        "4: not valid UTF-8 (byte 0xE9 at column 3, byte offset 24)"),
                Arguments.of("id,text\n1,a\n2,", "", "3: not valid UTF-8 (byte 0xE9 at column 3, byte offset 14)"));
    }

    /** A latin-1 é (0xE9) on the header, a middle line, after a quoted line break, and at the very end. */
    @ParameterizedTest
    @MethodSource("bytesThatAreNotUtf8")
    void bytesThatAreNotUtf8FailNamingTheLineAndColumn(String before, String after, String message) throws Exception {
        Path file = dir.resolve("latin1.csv");
        byte[] head = before.getBytes(StandardCharsets.UTF_8);
        byte[] tail = after.getBytes(StandardCharsets.UTF_8);
        byte[] content = Arrays.copyOf(head, head.length + 1 + tail.length);
        content[head.length] = (byte) 0xE9;
        System.arraycopy(tail, 0, content, head.length + 1, tail.length);
        Files.write(file, content);
        IOException e = assertThrows(IOException.class, () -> read(file, ID_TEXT, CsvFormat.DEFAULT));
        assertEquals(file + ":" + message, e.getMessage());
    }

    /** The reader decodes the file 64 KiB at a time: a character cut by that boundary is read whole. */
    @Test
    void aCharacterSplitAcrossTwoReadsOfTheFileIsNoError() throws Exception {
        String text = "x".repeat((1 << 16) - "id,text\n1,".length() - 1) + "😀";
        Path file = file("split.csv", "id,text\n1," + text + "\n2,b\n");
        assertEquals(List.of(row(1, text), row(2, "b")), read(file, ID_TEXT, CsvFormat.DEFAULT));
    }

    @Test
    void aMissingFileFailsWhenTheSourceIsCreated() {
        Path missing = dir.resolve("missing.csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CsvSource(missing, ID_TEXT));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void readsWithOneReader() throws Exception {
        CsvSource source = new CsvSource(file("one.csv", "id,text\n"), ID_TEXT);
        assertEquals(1, source.maxParallelism());
        assertEquals("csv(one.csv)", source.name());
        assertSame(ID_TEXT, source.schema());
    }

    @Test
    void formatRejectsAmbiguousCharacters() {
        assertEquals("the CSV delimiter and quote must differ; both are '\"'",
                assertThrows(IllegalArgumentException.class, () -> CsvFormat.DEFAULT.withDelimiter('"'))
                        .getMessage());
        assertEquals("the CSV delimiter must be an ASCII character other than CR and LF, not U+000A",
                assertThrows(IllegalArgumentException.class, () -> CsvFormat.DEFAULT.withDelimiter('\n'))
                        .getMessage());
        assertEquals("the CSV quote must be an ASCII character other than CR and LF, not U+00AB",
                assertThrows(IllegalArgumentException.class, () -> CsvFormat.DEFAULT.withQuote('«')).getMessage());
    }
}
