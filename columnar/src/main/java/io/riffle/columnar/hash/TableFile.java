package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.ColumnType;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The table file of {@link OffHeapHashTable#writeTo} and {@link OffHeapHashTable#readFrom}: the region as
 * it lies in memory (its header brought up to date through {@link TableFileDescriptor}), the direct index,
 * the used part of the arena, and a trailer with a CRC32C of them all. The reader checks the header against
 * the spec and the length and CRC32C of the whole file, then reads the parts into memory as they are, by
 * position ({@link StateFileReader}).
 */
final class TableFile {
    private TableFile() {
    }

    /**
     * Writes {@code regionBytes} at {@code region}, {@code indexBytes} at {@code index} and
     * {@code arenaBytes} at {@code arena} to {@code file}, then the trailer, and forces it to the device.
     */
    static void write(Path file, long region, long regionBytes, long index, long indexBytes, long arena,
                      long arenaBytes) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(ch, region, regionBytes, crc);
            writeAll(ch, index, indexBytes, crc);
            writeAll(ch, arena, arenaBytes, crc);
            ByteBuffer trailer = ByteBuffer.allocate(TableFileDescriptor.TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putLong(crc.getValue()).putLong(TableFileDescriptor.TRAILER_MAGIC).flip();
            while (trailer.hasRemaining()) {
                ch.write(trailer);
            }
            ch.force(true);
        }
    }

    private static void writeAll(FileChannel ch, long address, long length, CRC32C crc) throws IOException {
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(length - done, 1 << 30);
            ByteBuffer view = MemoryUtil.directBuffer(address + done, chunk);
            crc.update(view.duplicate());
            while (view.hasRemaining()) {
                ch.write(view);
            }
            done += chunk;
        }
    }

    static OffHeapHashTable read(Path file, GroupBySpec spec, BufferAllocator allocator, long budgetBytes)
            throws IOException {
        try (StateFileReader in = StateFileReader.open(file, "hash table file")) {
            long size = in.size();
            int headerBytes = TableFileDescriptor.headerBytes(spec.aggregateCount());
            if (size < headerBytes + TableFileDescriptor.TRAILER_BYTES) {
                throw in.corrupt("truncated: " + size + " bytes, shorter than a header and a trailer");
            }
            TableFileDescriptor header = TableFileDescriptor.wrap(in.read(0, headerBytes));
            header.checkSpec(spec, in);
            double loadFactor = header.loadFactor();
            int capacity = header.capacity();
            int maxGroups = header.maxGroups();
            int groups = header.groupCount();
            long arenaUsed = header.arenaUsed();
            long arenaCapacity = header.arenaCapacity();
            boolean direct = header.direct();
            long indexSpan = direct ? header.directSpan() : 0L;
            boolean layoutOk = direct
                    ? capacity == OffHeapHashTable.MIN_CAPACITY && maxGroups >= 1 && indexSpan >= 0
                            && indexSpan <= 1L << 28 && spec.keyType != ColumnType.UTF8
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
                long expected = regionBytes + indexBytes + arenaUsed + TableFileDescriptor.TRAILER_BYTES;
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
                if (spec.keyType == ColumnType.UTF8) {
                    table.checkBudget(table.memoryUsed() + regionBytes + arenaCapacity,
                            "restore its key arena of " + arenaCapacity + " bytes");
                    arena = table.allocate(arenaCapacity);
                    in.read(regionBytes, arena.memoryAddress(), arenaUsed, crc);
                }
                ByteBuffer trailer = in.read(regionBytes + indexBytes + arenaUsed, TableFileDescriptor.TRAILER_BYTES);
                if (trailer.getLong(8) != TableFileDescriptor.TRAILER_MAGIC) {
                    throw in.corrupt("bad trailer");
                }
                if (trailer.getLong(0) != crc.getValue()) {
                    throw in.corrupt("checksum mismatch: stored " + Long.toHexString(trailer.getLong(0))
                            + ", computed " + Long.toHexString(crc.getValue()));
                }
                table.adopt(header, region, index, arena);
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
}
