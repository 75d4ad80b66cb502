package io.riffle.engine.internal.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReducedRecordsTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.nullable("name", ColumnType.UTF8), Column.nullable("score", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL), Column.nullable("n", ColumnType.INT32),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));
    private static final int MAX_PARALLELISM = 8;

    @TempDir
    Path dir;

    private static Tuple record(long key, int version) {
        return Tuple.of(key, version % 3 == 0 ? null : "k" + key + "-v" + version, key * 0.5 + version,
                version % 2 == 0, version % 5 == 0 ? null : version, Instant.ofEpochMilli(key * 1000 + version));
    }

    /** A snapshot sees the records as they were, across 10 000 groups (3 pages) changed and added after it. */
    @Test
    void aSnapshotKeepsTheRecordsOfItsMomentWhileTheyChange() throws Exception {
        ReducedRecords records = new ReducedRecords();
        for (int g = 0; g < 10_000; g++) {
            records.add(record(g, 0), g % MAX_PARALLELISM);
        }
        ReducedRecords.Snapshot snapshot = records.snapshot();
        for (int g = 0; g < 10_000; g += 3) {
            records.set(g, record(g, 1));
        }
        records.add(record(10_000, 0), 1);
        ReducedRecords.Snapshot second = records.snapshot();
        records.set(4, record(4, 2));
        assertEquals(record(4, 2), records.get(4));
        assertEquals(record(3, 1), records.get(3));

        Path file = dir.resolve("first.state");
        snapshot.writeTo(file, SCHEMA, MAX_PARALLELISM);
        assertEquals(expected(0, 10_000, g -> 0, 0, MAX_PARALLELISM), readBack(file, 0, MAX_PARALLELISM));
        Path secondFile = dir.resolve("second.state");
        second.writeTo(secondFile, SCHEMA, MAX_PARALLELISM);
        assertEquals(expected(0, 10_001, g -> g % 3 == 0 && g < 10_000 ? 1 : 0, 2, 4), readBack(secondFile, 2, 4));
    }

    private interface Version {
        int of(int group);
    }

    /** The records of key groups {@code [first, last)}, by key group then group, as written. */
    private static List<Tuple> expected(int from, int to, Version version, int first, int last) {
        List<Tuple> out = new ArrayList<>();
        for (int kg = first; kg < last; kg++) {
            for (int g = from; g < to; g++) {
                int group = g == 10_000 ? 1 : g % MAX_PARALLELISM;
                if (group == kg) {
                    out.add(record(g, version.of(g)));
                }
            }
        }
        return out;
    }

    private static List<Tuple> readBack(Path file, int first, int last) throws Exception {
        List<Tuple> out = new ArrayList<>();
        ReducedRecords.read(file, SCHEMA, new KeyGroupRange(MAX_PARALLELISM, first, last),
                (record, keyGroup) -> out.add(record));
        return out;
    }

    /** Binary fields are written with their length and read back byte for byte; null and empty stay apart. */
    @Test
    void binaryFieldsRoundTripThroughTheStateFile() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.nullable("raw", ColumnType.BINARY));
        ReducedRecords records = new ReducedRecords();
        List<Tuple> written = List.of(Tuple.of(0L, new byte[] {0, (byte) 0xff, 7}), Tuple.of(1L, null),
                Tuple.of(2L, new byte[0]));
        for (Tuple t : written) {
            records.add(t, 0);
        }
        Path file = dir.resolve("raw.state");
        records.snapshot().writeTo(file, schema, MAX_PARALLELISM);
        List<Tuple> read = new ArrayList<>();
        ReducedRecords.read(file, schema, new KeyGroupRange(MAX_PARALLELISM, 0, MAX_PARALLELISM),
                (record, keyGroup) -> read.add(record));
        assertEquals(written, read);
    }

    @Test
    void aDamagedOrTruncatedFileIsNamed() throws Exception {
        ReducedRecords records = new ReducedRecords();
        for (int g = 0; g < 100; g++) {
            records.add(record(g, 0), g % MAX_PARALLELISM);
        }
        Path file = dir.resolve("r.state");
        records.snapshot().writeTo(file, SCHEMA, MAX_PARALLELISM);
        byte[] bytes = Files.readAllBytes(file);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 3] ^= 0x40;
        Files.write(file, flipped);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> readBack(file, 0, MAX_PARALLELISM));
        assertEquals(file + ": key group 7 fails its checksum", e.getMessage());
        assertEquals(88, readBack(file, 0, 7).size(), "the other key groups still read");
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        e = assertThrows(CorruptCheckpointException.class, () -> readBack(file, 0, MAX_PARALLELISM));
        assertEquals(file + ": key group 7 is truncated", e.getMessage());
        Files.delete(file);
        e = assertThrows(CorruptCheckpointException.class, () -> readBack(file, 0, MAX_PARALLELISM));
        assertTrue(e.getMessage().endsWith("the reduce state file is missing"), e.getMessage());
    }
}
