package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The reader of snapshot files ({@link SnapshotFileDescriptor}, which {@link TableSnapshot#writeTo} writes):
 * checks a file and reads one key group's section at a time by position into the restored table, for
 * {@link OffHeapHashTable#restore}. Restore never
 * maps a file: another process can shrink a file under its mapping (see {@link StateFileReader}).
 * Single-threaded.
 */
final class SnapshotFile {
    /** Sanity bound on the aggregate count read from a header, before its checksum is known to be good. */
    private static final int MAX_AGGREGATES = 1 << 16;

    private final StateFileReader in;
    /** Header, index, key group checksums and the metadata checksum, as read and checked. */
    private final SnapshotFileDescriptor metadata;
    private final boolean utf8;
    private final int columns;
    private final int maxParallelism;

    private SnapshotFile(StateFileReader in, SnapshotFileDescriptor metadata, GroupBySpec spec, int maxParallelism)
            throws IOException {
        this.in = in;
        this.metadata = metadata;
        this.utf8 = spec.keyType == ColumnType.UTF8;
        this.columns = spec.accumulatorColumnCount();
        this.maxParallelism = maxParallelism;
        check(spec);
    }

    // ---- reading -----------------------------------------------------------------------------------

    /**
     * Opens {@code path} and checks everything but the key groups' own checksums: magic, version, the
     * metadata checksum, length and trailer, that it was written for {@code spec} and {@code maxParallelism},
     * and that the index is consistent. Header and index are read into memory here; sections are read by
     * position when copied. Any failure is a {@link CorruptTableFileException} naming the file.
     */
    static SnapshotFile open(Path path, GroupBySpec spec, int maxParallelism, int readChunkBytes)
            throws IOException {
        StateFileReader in = StateFileReader.open(path, "snapshot file", readChunkBytes);
        try {
            return new SnapshotFile(in, readMetadata(in), spec, maxParallelism);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Header, index, key group checksums and metadata checksum, read and checked against that checksum. */
    private static SnapshotFileDescriptor readMetadata(StateFileReader in) throws IOException {
        long size = in.size();
        if (size < 8 || in.read(SnapshotFileDescriptor.MAGIC_OFFSET, 8).getLong(0) != SnapshotFileDescriptor.MAGIC) {
            throw in.corrupt("not a Riffle table snapshot (bad magic number)");
        }
        if (size < SnapshotFileDescriptor.HEADER_FIXED_BYTES) {
            throw in.corrupt("truncated: " + size + " bytes, shorter than a snapshot header");
        }
        SnapshotFileDescriptor header = SnapshotFileDescriptor.wrap(
                in.read(0, SnapshotFileDescriptor.HEADER_FIXED_BYTES));
        if (header.version() != SnapshotFileDescriptor.VERSION) {
            throw in.corrupt("snapshot format version " + header.version() + ", this build reads version "
                    + SnapshotFileDescriptor.VERSION);
        }
        int aggregates = header.aggregates();
        int fileMaxParallelism = header.maxParallelism();
        if (aggregates < 0 || aggregates > MAX_AGGREGATES || fileMaxParallelism < 1
                || fileMaxParallelism > KeyGroups.MAX_KEY_GROUPS) {
            throw in.corrupt("inconsistent header (" + aggregates + " aggregates, max parallelism "
                    + fileMaxParallelism + ")");
        }
        long metadataBytes = SnapshotFileDescriptor.metadataBytes(aggregates, fileMaxParallelism);
        if (size < metadataBytes) {
            throw in.corrupt("truncated: " + size + " bytes, shorter than its header and index");
        }
        SnapshotFileDescriptor metadata = SnapshotFileDescriptor.wrap(in.read(0, (int) metadataBytes));
        if (metadata.metadataChecksum() != metadata.computeMetadataChecksum()) {
            throw in.corrupt("header or index fails its checksum");
        }
        return metadata;
    }

    private void check(GroupBySpec spec) throws IOException {
        long size = in.size();
        long fileBytes = metadata.fileBytes();
        if (size != fileBytes) {
            throw in.corrupt((size < fileBytes ? "truncated: " : "too long: ") + size
                    + " bytes where the header promises " + fileBytes);
        }
        ByteBuffer trailer = in.read(size - SnapshotFileDescriptor.TRAILER_BYTES, SnapshotFileDescriptor.TRAILER_BYTES);
        if (trailer.getLong(8) != SnapshotFileDescriptor.TRAILER_MAGIC || trailer.getLong(0) != fileBytes) {
            throw in.corrupt("bad trailer");
        }
        expect("key type", metadata.keyType(), spec.keyType.ordinal());
        expect("key field", metadata.keyField(), spec.keyField);
        expect("aggregate count", metadata.aggregates(), spec.aggregateCount());
        expect("accumulator columns", metadata.accumulatorColumns(), spec.accumulatorColumnCount());
        AggregateDescriptor.checkAll(metadata.buffer(), SnapshotFileDescriptor.HEADER_FIXED_BYTES, spec, in);
        if (metadata.maxParallelism() != maxParallelism) {
            throw in.corrupt("written for max parallelism " + metadata.maxParallelism() + ", restored with "
                    + maxParallelism + "; key groups only carry over at the same max parallelism");
        }
        checkIndex(fileBytes, metadata.groupCount(), metadata.aggregates());
    }

    /**
     * Sections in order, back to back, each as long as its group count implies (an empty key group has an
     * empty section): what restore relies on.
     */
    private void checkIndex(long fileBytes, long groupCount, int aggregates) throws IOException {
        if (start(0) != SnapshotFileDescriptor.sectionsOffset(aggregates, maxParallelism) || groupsBefore(0) != 0
                || start(maxParallelism) != fileBytes - SnapshotFileDescriptor.TRAILER_BYTES || groupsBefore(maxParallelism) != groupCount) {
            throw in.corrupt("inconsistent index: it does not span the file's " + groupCount + " groups");
        }
        for (int k = 0; k < maxParallelism; k++) {
            long groups = groupsBefore(k + 1) - groupsBefore(k);
            long bytes = start(k + 1) - start(k);
            long fixed = SnapshotFileDescriptor.sectionBytes(utf8, columns, groups, 0);
            boolean fits = groups >= 0 && groups <= Integer.MAX_VALUE
                    && (utf8 && groups > 0 ? bytes >= fixed && (bytes & 7) == 0 : bytes == fixed);
            if (!fits) {
                throw in.corrupt("inconsistent index at key group " + k + " (" + groups + " groups in " + bytes
                        + " bytes)");
            }
        }
    }

    private void expect(String what, int found, int wanted) throws IOException {
        if (found != wanted) {
            throw in.corrupt("written with " + what + " " + found + ", the spec has " + wanted);
        }
    }

    Path path() {
        return in.path();
    }

    void close() throws IOException {
        in.close();
    }

    long start(int keyGroup) {
        return metadata.sectionStart(keyGroup);
    }

    private long groupsBefore(int keyGroup) {
        return metadata.groupsBefore(keyGroup);
    }

    /** The number of groups in key group {@code keyGroup}. */
    int groups(int keyGroup) {
        return (int) (groupsBefore(keyGroup + 1) - groupsBefore(keyGroup));
    }

    /** The bytes a utf8 section keeps for its keys: their total length rounded up to 8. */
    long keyBytes(int keyGroup) {
        return start(keyGroup + 1) - start(keyGroup) - SnapshotFileDescriptor.sectionBytes(true, columns, groups(keyGroup), 0);
    }

    /**
     * Smallest and largest integer key of key group {@code keyGroup}, folded into {@code range}: its key
     * column read through {@code scratch} ({@link StateFileReader#CHUNK_BYTES} bytes). The section is not
     * verified yet; a damaged one only changes how the table is laid out before {@link #copyInto} fails.
     */
    void foldKeyRange(int keyGroup, long[] range, long scratch) throws IOException {
        long n = groups(keyGroup);
        long keys = SnapshotFileDescriptor.keysAt(start(keyGroup), n);
        int chunkKeys = in.chunkBytes() >>> 3;
        for (long from = 0; from < n; from += chunkKeys) {
            int count = (int) Math.min(chunkKeys, n - from);
            in.read(keys + 8 * from, scratch, 8L * count, null);
            for (int r = 0; r < count; r++) {
                long key = MemoryUtil.getLong(scratch + 8L * r);
                range[0] = Math.min(range[0], key);
                range[1] = Math.max(range[1], key);
            }
        }
    }

    /**
     * Reads key group {@code keyGroup} into {@code table} as groups {@code firstGroup ..}, each column
     * straight into the table's memory (utf8: the key lengths through {@code scratch}, the key bytes into the
     * arena at {@code arenaUsed}), and checks the section's checksum over what was read. Returns the arena
     * bytes used after the keys. A damaged section leaves the groups half written: the caller drops the table.
     */
    long copyInto(OffHeapHashTable table, int keyGroup, int firstGroup, long arenaUsed, long scratch, CRC32C crc)
            throws IOException {
        int n = groups(keyGroup);
        long column = 8L * n;
        long at = start(keyGroup);
        crc.reset();
        in.read(at, table.hashesAddress() + 8L * firstGroup, column, crc);
        at += column;
        if (!utf8) {
            in.read(at, table.keysAddress() + 8L * firstGroup, column, crc);
            at += column;
        }
        for (int c = 0; c < columns; c++) {
            in.read(at, table.accumulatorAddress(c) + 8L * firstGroup, column, crc);
            at += column;
        }
        long used = arenaUsed;
        if (utf8) {
            used = copyUtf8Keys(table, keyGroup, firstGroup, arenaUsed, at, scratch, crc);
        }
        if ((int) crc.getValue() != metadata.sectionChecksum(keyGroup)) {
            throw in.corrupt("key group " + keyGroup + " fails its checksum");
        }
        return used;
    }

    /**
     * The utf8 keys of key group {@code keyGroup}, whose lengths start at file position {@code lengths}: each
     * key's arena offset and length into the table's key entries, the bytes (with the padding after them)
     * into the arena. Returns the arena bytes used after them.
     */
    private long copyUtf8Keys(OffHeapHashTable table, int keyGroup, int firstGroup, long arenaUsed, long lengths,
                              long scratch, CRC32C crc) throws IOException {
        int n = groups(keyGroup);
        long bytes = SnapshotFileDescriptor.keyBytesAt(lengths, n);
        long room = start(keyGroup + 1) - bytes;
        long entries = table.keysAddress() + (long) firstGroup * TableRegion.UTF8_KEY_BYTES;
        int chunkLengths = in.chunkBytes() >>> 2;
        long total = 0;
        for (int from = 0; from < n; from += chunkLengths) {
            int count = Math.min(chunkLengths, n - from);
            in.read(lengths + 4L * from, scratch, 4L * count, crc);
            for (int r = 0; r < count; r++) {
                int length = MemoryUtil.getInt(scratch + 4L * r);
                if (length < 0 || total + length > room) {
                    throw in.corrupt("key group " + keyGroup + " has key lengths beyond its section");
                }
                long entry = entries + (long) TableRegion.UTF8_KEY_BYTES * (from + r);
                MemoryUtil.putLong(entry, arenaUsed + total);
                MemoryUtil.putLong(entry + 8, length);
                total += length;
            }
        }
        long padding = bytes - lengths - 4L * n;
        in.read(lengths + 4L * n, scratch, padding, crc);
        in.read(bytes, table.arenaAddress() + arenaUsed, room, crc);
        return arenaUsed + total;
    }

    // ---- restore -----------------------------------------------------------------------------------

    /**
     * The groups of the key groups {@code keyGroups} of {@code files}, in one new table: every file is
     * opened and its header and index checked, the table is sized from the indexes (integer keys dense
     * enough for the direct index go into it), then filled section by section, each read by position into
     * the table's memory and verified against its checksum.
     */
    static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, List<Path> paths,
                                    KeyGroupRange keyGroups, int readChunkBytes) throws IOException {
        KeyGroups.check(keyGroups.maxParallelism(), 1);
        List<SnapshotFile> files = new ArrayList<>(paths.size());
        try {
            for (Path path : paths) {
                files.add(open(path, spec, keyGroups.maxParallelism(), readChunkBytes));
            }
            return restore(spec, allocator, budgetBytes, files, keyGroups.first(), keyGroups.endExclusive(),
                    readChunkBytes);
        } finally {
            for (SnapshotFile file : files) {
                file.close();
            }
        }
    }

    /** {@link #restore} of files already opened: tests change a file between its checks and its copy. */
    static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes,
                                    List<SnapshotFile> files, int first, int last, int readChunkBytes)
            throws IOException {
        boolean utf8 = spec.keyType == ColumnType.UTF8;
        long groups = 0;
        long keyBytes = 0;
        for (int k = first; k < last; k++) {
            SnapshotFile owner = null;
            for (SnapshotFile file : files) {
                if (file.groups(k) == 0) {
                    continue;
                }
                if (owner != null) {
                    throw new IllegalArgumentException("key group " + k + " has groups in both " + owner.path()
                            + " and " + file.path() + "; a key group's state is in one file of a checkpoint");
                }
                owner = file;
                groups += file.groups(k);
                if (utf8) {
                    keyBytes += file.keyBytes(k);
                }
            }
        }
        int most = OffHeapHashTable.maxGroupsFor(OffHeapHashTable.MAX_CAPACITY, OffHeapHashTable.DEFAULT_LOAD_FACTOR);
        if (groups > most) {
            throw new IllegalArgumentException(groups + " groups in key groups [" + first + ", " + last
                    + "): more than one table holds (" + most + "); restore a narrower range");
        }
        try (ArrowBuf scratch = allocator.buffer(readChunkBytes)) {
            long[] keyRange = {Long.MAX_VALUE, Long.MIN_VALUE};
            if (!utf8) {
                for (int k = first; k < last; k++) {
                    for (SnapshotFile file : files) {
                        file.foldKeyRange(k, keyRange, scratch.memoryAddress());
                    }
                }
            }
            long span = keyRange[1] - keyRange[0] + 1;
            boolean direct = !utf8 && (groups == 0 || span > 0 && span <= DirectIndex.spanLimit(groups));
            OffHeapHashTable table = OffHeapHashTable.forRestore(spec, allocator, budgetBytes, (int) groups, direct,
                    keyBytes);
            try {
                CRC32C crc = new CRC32C();
                int next = 0;
                long arenaUsed = 0;
                for (int k = first; k < last; k++) {
                    for (SnapshotFile file : files) {
                        if (file.groups(k) > 0) {
                            arenaUsed = file.copyInto(table, k, next, arenaUsed, scratch.memoryAddress(), crc);
                            next += file.groups(k);
                        }
                    }
                }
                table.completeRestore(next, arenaUsed, keyRange[0], groups == 0 ? 0 : span);
                return table;
            } catch (IOException | RuntimeException | Error e) {
                table.close();
                throw e;
            }
        }
    }
}
