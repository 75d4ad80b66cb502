package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.hash.ReferenceState.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mapped file's pages go when its owner closes it, not when a garbage collection finds it. */
class MappedFileTest extends ArrowTest {
    private static final long BUDGET = 1L << 30;
    private static final Path MAPS = Path.of("/proc/self/maps");

    @TempDir
    Path dir;

    /**
     * Many snapshots written, restored and deleted, as a job with frequent checkpoints does: afterwards the
     * process maps none of their files. (A mapping left to the garbage collector keeps a deleted file's
     * pages, and its disk space, until a collection runs, which an off-heap engine rarely causes.)
     */
    @Test
    void writtenAndRestoredSnapshotsLeaveNoMappingOfTheirDeletedFiles() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path checkpoints = Files.createDirectory(dir.resolve("mapped-file-test-checkpoints"));
        for (Keys keys : new Keys[] {Keys.DENSE_INT64, Keys.UTF8}) {
            ReferenceState model = new ReferenceState(keys);
            try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET)) {
                Random random = new Random(5);
                for (int checkpoint = 0; checkpoint < 20; checkpoint++) {
                    model.feed(table, allocator, random, 1, 2000, 0, 20_000);
                    Path file = checkpoints.resolve(keys + "-chk-" + checkpoint + ".state");
                    try (TableSnapshot snapshot = table.snapshot()) {
                        snapshot.writeTo(file, 128);
                    }
                    try (OffHeapHashTable restored = OffHeapHashTable.restore(keys.spec(), allocator, BUDGET,
                            List.of(file), KeyGroupRange.all(128))) {
                        ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(restored, allocator),
                                keys + ", checkpoint " + checkpoint);
                    }
                    Files.delete(file);
                }
            }
        }
        assertEquals(List.of(), mappingsOf(checkpoints), "mappings of the deleted snapshot files");
    }

    /** The lines of /proc/self/maps that name a file under {@code dir}. */
    private static List<String> mappingsOf(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(MAPS)) {
            if (line.contains(dir.toString())) {
                found.add(line);
            }
        }
        return found;
    }
}
