package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Reads back a file written by {@link OffHeapHashTable#writeTo}: checks the header against the spec and
 * the length and CRC32C of the whole file, then reads the region and the arena into memory as they are, by
 * position ({@link StateFileReader}).
 */
final class TableFile {
    private TableFile() {
    }

    static OffHeapHashTable read(Path file, GroupBySpec spec, BufferAllocator allocator, long budgetBytes)
            throws IOException {
        try (StateFileReader in = StateFileReader.open(file, "hash table file")) {
            long size = in.size();
            int headerBytes = (int) OffHeapHashTable.align64(OffHeapHashTable.HEADER_FIXED_BYTES
                    + (long) OffHeapHashTable.DESCRIPTOR_BYTES * spec.aggregateCount());
            if (size < headerBytes + OffHeapHashTable.TRAILER_BYTES) {
                throw in.corrupt("truncated: " + size + " bytes, shorter than a header and a trailer");
            }
            ByteBuffer header = in.read(0, headerBytes);
            if (header.getLong(OffHeapHashTable.H_MAGIC) != OffHeapHashTable.MAGIC) {
                throw in.corrupt("not a Riffle hash table (bad magic number)");
            }
            int version = header.getInt(OffHeapHashTable.H_VERSION);
            if (version != OffHeapHashTable.LAYOUT_VERSION) {
                throw in.corrupt("layout version " + version + ", this build reads version "
                        + OffHeapHashTable.LAYOUT_VERSION);
            }
            expect(in, "key type", header.getInt(OffHeapHashTable.H_KEY_TYPE), spec.keyType.ordinal());
            expect(in, "key field", header.getInt(OffHeapHashTable.H_KEY_FIELD), spec.keyField);
            expect(in, "aggregate count", header.getInt(OffHeapHashTable.H_AGGREGATES), spec.aggregateCount());
            expect(in, "accumulator columns", header.getInt(OffHeapHashTable.H_ACC_COLUMNS),
                    spec.accumulatorColumnCount());
            for (int a = 0; a < spec.aggregateCount(); a++) {
                long found = header.getLong(OffHeapHashTable.HEADER_FIXED_BYTES + a * OffHeapHashTable.DESCRIPTOR_BYTES);
                if (found != OffHeapHashTable.descriptor(spec, a)) {
                    throw in.corrupt("aggregate " + a + " (" + spec.outputSchema().column(a + 1).name()
                            + ") was written for another aggregate or input field");
                }
            }
            double loadFactor = Double.longBitsToDouble(header.getLong(OffHeapHashTable.H_LOAD_FACTOR));
            int capacity = header.getInt(OffHeapHashTable.H_CAPACITY);
            int maxGroups = header.getInt(OffHeapHashTable.H_MAX_GROUPS);
            int groups = header.getInt(OffHeapHashTable.H_GROUP_COUNT);
            long arenaUsed = header.getLong(OffHeapHashTable.H_ARENA_USED);
            long arenaCapacity = header.getLong(OffHeapHashTable.H_ARENA_CAPACITY);
            boolean direct = header.getInt(OffHeapHashTable.H_DIRECT) == 1;
            long indexBase = header.getLong(OffHeapHashTable.H_DIRECT_BASE);
            long indexSpan = direct ? header.getLong(OffHeapHashTable.H_DIRECT_SPAN) : 0L;
            boolean layoutOk = direct
                    ? capacity == OffHeapHashTable.MIN_CAPACITY && maxGroups >= 1 && indexSpan >= 0 && indexSpan <= 1L << 28
                            && spec.keyType != io.riffle.columnar.batch.ColumnType.UTF8
                    : capacity >= OffHeapHashTable.MIN_CAPACITY && Integer.bitCount(capacity) == 1
                            && maxGroups == OffHeapHashTable.maxGroupsFor(capacity, loadFactor);
            if (!(loadFactor > 0 && loadFactor < 1) || !layoutOk || groups < 0 || groups > maxGroups
                    || arenaUsed < 0 || arenaUsed > arenaCapacity) {
                throw in.corrupt("inconsistent header (capacity " + capacity + ", groups " + groups + "/" + maxGroups
                        + ", load factor " + loadFactor + ", direct index " + indexSpan + ", arena " + arenaUsed + "/"
                        + arenaCapacity + ")");
            }
            OffHeapHashTable table = new OffHeapHashTable(spec, allocator, budgetBytes, 1, loadFactor);
            ArrowBuf region = null;
            ArrowBuf index = null;
            ArrowBuf arena = null;
            try {
                long regionBytes = table.regionBytesFor(capacity, maxGroups);
                long indexBytes = indexSpan << 2;
                long expected = regionBytes + indexBytes + arenaUsed + OffHeapHashTable.TRAILER_BYTES;
                if (size != expected) {
                    throw in.corrupt((size < expected ? "truncated: " : "too long: ") + size
                            + " bytes where the header promises " + expected);
                }
                region = table.allocateRegion(regionBytes, "restore", maxGroups);
                CRC32C crc = new CRC32C();
                in.read(0, region.memoryAddress(), regionBytes, crc);
                if (indexSpan > 0) {
                    table.checkBudget(table.memoryUsed() + regionBytes + indexBytes,
                            "restore its direct index of " + indexSpan + " keys");
                    index = table.allocate(indexBytes);
                    in.read(regionBytes, index.memoryAddress(), indexBytes, crc);
                }
                if (spec.keyType == io.riffle.columnar.batch.ColumnType.UTF8) {
                    table.checkBudget(table.memoryUsed() + regionBytes + arenaCapacity,
                            "restore its key arena of " + arenaCapacity + " bytes");
                    arena = table.allocate(arenaCapacity);
                    in.read(regionBytes, arena.memoryAddress(), arenaUsed, crc);
                }
                ByteBuffer trailer = in.read(regionBytes + indexBytes + arenaUsed, OffHeapHashTable.TRAILER_BYTES);
                if (trailer.getLong(8) != OffHeapHashTable.TRAILER_MAGIC) {
                    throw in.corrupt("bad trailer");
                }
                if (trailer.getLong(0) != crc.getValue()) {
                    throw in.corrupt("checksum mismatch: stored " + Long.toHexString(trailer.getLong(0))
                            + ", computed " + Long.toHexString(crc.getValue()));
                }
                table.adopt(region, capacity, maxGroups, groups, direct, index, indexBase, indexSpan, arena, arenaUsed);
                return table;
            } catch (IOException | RuntimeException e) {
                if (region != null) {
                    region.close();
                }
                if (index != null) {
                    index.close();
                }
                if (arena != null) {
                    arena.close();
                }
                table.close();
                throw e;
            }
        }
    }

    private static void expect(StateFileReader in, String what, int found, int wanted) throws IOException {
        if (found != wanted) {
            throw in.corrupt("written with " + what + " " + found + ", the spec has " + wanted);
        }
    }
}
