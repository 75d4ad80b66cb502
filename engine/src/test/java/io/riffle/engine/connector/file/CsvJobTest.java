package io.riffle.engine.connector.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CSV input through a whole job: every type, quoting, nulls, batch splits, and each malformed-line error. */
class CsvJobTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("name", ColumnType.UTF8),
            Column.nullable("n", ColumnType.INT32), Column.of("big", ColumnType.INT64),
            Column.nullable("price", ColumnType.FLOAT64), Column.of("ok", ColumnType.BOOL),
            Column.of("at", ColumnType.TIMESTAMP_MS));

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("orders.csv");
        Files.writeString(file, text);
        return file;
    }

    private List<Tuple> read(Path file, int batchSize) {
        Environment env = Environment.batch().setParallelism(1).setBatchSize(batchSize);
        return env.readCsv(file, SCHEMA).executeAndCollect();
    }

    @Test
    void everyTypeQuotingAndNullsAreRead() throws IOException {
        Path file = write("name,n,big,price,ok,at\n"
                + "plain,1,9000000000,1.5,true,0\n"
                + "\"with, comma\",,-1,,FALSE,2026-01-02T03:04:05Z\n"
                + "\"say \"\"hi\"\"\",3,2,-0.25,true,1700000000000\n"
                + "\"two\nlines\",4,3,1e3,false,5\n"
                + "\n"
                + "日本語,5,4,0.0,true,6\n"
                + "\"\",6,5,7.0,true,7\n\n");
        List<Tuple> rows = read(file, 2);
        assertEquals(List.of(
                Tuple.of("plain", 1, 9_000_000_000L, 1.5, true, Instant.ofEpochMilli(0)),
                Tuple.of("with, comma", null, -1L, null, false, Instant.parse("2026-01-02T03:04:05Z")),
                Tuple.of("say \"hi\"", 3, 2L, -0.25, true, Instant.ofEpochMilli(1_700_000_000_000L)),
                Tuple.of("two\nlines", 4, 3L, 1000.0, false, Instant.ofEpochMilli(5)),
                Tuple.of("日本語", 5, 4L, 0.0, true, Instant.ofEpochMilli(6)),
                Tuple.of("", 6, 5L, 7.0, true, Instant.ofEpochMilli(7))), rows);
    }

    @Test
    void batchesSplitAtTheBatchSizeAndAllRowsArrive() throws IOException {
        StringBuilder text = new StringBuilder("name,n,big,price,ok,at\n");
        for (int i = 0; i < 1000; i++) {
            text.append("r").append(i).append(',').append(i).append(',').append(i * 10L).append(",0.5,true,")
                    .append(i).append('\n');
        }
        Path file = write(text.toString());
        List<Tuple> rows = read(file, 64);
        assertEquals(1000, rows.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(Tuple.of("r" + i, i, i * 10L, 0.5, true, Instant.ofEpochMilli(i)), rows.get(i));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a,1,x,1.0,true,0|orders.csv:3: field 2 ('big', int64): cannot parse 'x'",
        "a,1,2,1.0,maybe,0|orders.csv:3: field 4 ('ok', bool): cannot parse 'maybe'; expected true or false",
        "a,1,2,1.0,true|orders.csv:3: 5 fields, expected 6: field 5 ('at', timestamp[ms]) is missing",
        "a,1,,1.0,true,0|orders.csv:3: field 2 ('big', int64): empty, but the field is not nullable: declare it Column.nullable to read an empty field as null",
        "a,1,2,1.0,true,yesterday|orders.csv:3: field 5 ('at', timestamp[ms]): cannot parse 'yesterday'; expected epoch milliseconds or an ISO-8601 instant such as 2026-01-02T03:04:05Z",
        "\"a,1,2,1.0,true,0|orders.csv:3: field 0 ('name', utf8): no closing quote for '\"a,1,2,1.0,true,0...'"})
    void aMalformedLineFailsTheJobWithFileLineAndField(String badLine, String message) throws IOException {
        Path file = write("name,n,big,price,ok,at\ngood,1,2,3.0,true,4\n" + badLine + "\ngood,1,2,3.0,true,4\n");
        JobFailedException e = assertThrows(JobFailedException.class, () -> read(file, 16));
        assertEquals("csv(orders.csv)", e.operator());
        assertEquals(file + message.substring("orders.csv".length()), e.getCause().getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Environment env = Environment.batch();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> env.readCsv(dir.resolve("missing.csv"), SCHEMA));
        assertEquals(dir.resolve("missing.csv") + ": no such file", e.getMessage());
    }

    @Test
    void anotherDelimiterWithoutAHeader() throws IOException {
        Path file = write("a;1;2;;true;3\n");
        Environment env = Environment.batch().setParallelism(1);
        List<Tuple> rows = env.readCsv(file, SCHEMA, CsvFormat.DEFAULT.withDelimiter(';').withHeader(false))
                .executeAndCollect();
        assertEquals(Arrays.asList(Tuple.of("a", 1, 2L, null, true, Instant.ofEpochMilli(3))), rows);
    }
}
