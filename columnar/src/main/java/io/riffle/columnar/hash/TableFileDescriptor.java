package io.riffle.columnar.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of an {@link OffHeapHashTable}'s region, which {@link OffHeapHashTable#writeTo} writes and
 * {@link OffHeapHashTable#readFrom} reads back ({@code docs/hash-table-layout.md}, "Header"): the offsets
 * and the trailer in one place, and a flyweight over a little-endian buffer holding a header that both
 * {@link TableFile}'s writer and its reader go through. After the region come the direct index's entries
 * (int32 each, {@link #directSpan} of them), the used arena bytes, and the trailer: the CRC32C of everything
 * before it, then {@link #TRAILER_MAGIC}.
 *
 * <pre>{@code
 * TableFileDescriptor header = TableFileDescriptor.wrap(in.read(0, TableFileDescriptor.headerBytes(aggregates)));
 * header.checkSpec(spec, in);
 * int groups = header.groupCount();
 * }</pre>
 */
final class TableFileDescriptor {
    static final long MAGIC = 0x31305448454C4652L; // "RFLEHT01" read as a little-endian long
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int KEY_TYPE_OFFSET = 12;
    static final int CAPACITY_OFFSET = 16;
    static final int MAX_GROUPS_OFFSET = 20;
    static final int GROUP_COUNT_OFFSET = 24;
    static final int KEY_FIELD_OFFSET = 28;
    static final int AGGREGATES_OFFSET = 32;
    static final int ACCUMULATOR_COLUMNS_OFFSET = 36;
    static final int ARENA_USED_OFFSET = 40;
    static final int ARENA_CAPACITY_OFFSET = 48;
    static final int LOAD_FACTOR_OFFSET = 56;
    static final int DIRECT_OFFSET = 64;
    static final int DIRECT_BASE_OFFSET = 72;
    static final int DIRECT_SPAN_OFFSET = 80;
    /** The fixed fields; the aggregates' descriptors follow. */
    static final int FIXED_BYTES = 96;
    static final int TRAILER_BYTES = 16;
    static final long TRAILER_MAGIC = 0x444E454C42415448L;

    private final ByteBuffer buffer;

    private TableFileDescriptor(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A view of the header at the start of {@code buffer} ({@link #headerBytes} of it), made little-endian. */
    static TableFileDescriptor wrap(ByteBuffer buffer) {
        return new TableFileDescriptor(buffer);
    }

    /** Bytes of the header of a table of {@code aggregates} aggregates: the region's first section. */
    static int headerBytes(int aggregates) {
        return (int) TableRegion.align64(FIXED_BYTES + (long) AggregateDescriptor.BYTES * aggregates);
    }

    /** Writes magic, version and what the table was made for: key type and field, aggregates, columns. */
    TableFileDescriptor putSpec(GroupBySpec spec) {
        buffer.putLong(MAGIC_OFFSET, MAGIC);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(KEY_TYPE_OFFSET, spec.keyType.ordinal());
        buffer.putInt(KEY_FIELD_OFFSET, spec.keyField);
        buffer.putInt(AGGREGATES_OFFSET, spec.aggregateCount());
        buffer.putInt(ACCUMULATOR_COLUMNS_OFFSET, spec.accumulatorColumnCount());
        AggregateDescriptor.putAll(buffer, FIXED_BYTES, spec);
        return this;
    }

    /**
     * Checks magic, version and that the file was written for {@code spec}; a mismatch is an error of
     * {@code in} naming the field.
     */
    void checkSpec(GroupBySpec spec, StateFileReader in) throws CorruptTableFileException {
        if (magic() != MAGIC) {
            throw in.corrupt("not a Riffle hash table (bad magic number)");
        }
        if (version() != VERSION) {
            throw in.corrupt("layout version " + version() + ", this build reads version " + VERSION);
        }
        expect(in, "key type", buffer.getInt(KEY_TYPE_OFFSET), spec.keyType.ordinal());
        expect(in, "key field", buffer.getInt(KEY_FIELD_OFFSET), spec.keyField);
        expect(in, "aggregate count", buffer.getInt(AGGREGATES_OFFSET), spec.aggregateCount());
        expect(in, "accumulator columns", buffer.getInt(ACCUMULATOR_COLUMNS_OFFSET), spec.accumulatorColumnCount());
        AggregateDescriptor.checkAll(buffer, FIXED_BYTES, spec, in);
    }

    private static void expect(StateFileReader in, String what, int found, int wanted)
            throws CorruptTableFileException {
        if (found != wanted) {
            throw in.corrupt("written with " + what + " " + found + ", the spec has " + wanted);
        }
    }

    /** Writes the slot array's and the group columns' sizes. */
    TableFileDescriptor putShape(int capacity, int maxGroups, int groupCount, double loadFactor) {
        buffer.putInt(CAPACITY_OFFSET, capacity);
        buffer.putInt(MAX_GROUPS_OFFSET, maxGroups);
        buffer.putInt(GROUP_COUNT_OFFSET, groupCount);
        buffer.putLong(LOAD_FACTOR_OFFSET, Double.doubleToRawLongBits(loadFactor));
        return this;
    }

    TableFileDescriptor putArena(long used, long capacity) {
        buffer.putLong(ARENA_USED_OFFSET, used);
        buffer.putLong(ARENA_CAPACITY_OFFSET, capacity);
        return this;
    }

    TableFileDescriptor putDirectIndex(boolean direct, long lowest, long span) {
        buffer.putInt(DIRECT_OFFSET, direct ? 1 : 0);
        buffer.putLong(DIRECT_BASE_OFFSET, lowest);
        buffer.putLong(DIRECT_SPAN_OFFSET, span);
        return this;
    }

    long magic() {
        return buffer.getLong(MAGIC_OFFSET);
    }

    int version() {
        return buffer.getInt(VERSION_OFFSET);
    }

    int keyType() {
        return buffer.getInt(KEY_TYPE_OFFSET);
    }

    int keyField() {
        return buffer.getInt(KEY_FIELD_OFFSET);
    }

    int aggregates() {
        return buffer.getInt(AGGREGATES_OFFSET);
    }

    int accumulatorColumns() {
        return buffer.getInt(ACCUMULATOR_COLUMNS_OFFSET);
    }

    long aggregateDescriptor(int a) {
        return buffer.getLong(FIXED_BYTES + a * AggregateDescriptor.BYTES);
    }

    int capacity() {
        return buffer.getInt(CAPACITY_OFFSET);
    }

    int maxGroups() {
        return buffer.getInt(MAX_GROUPS_OFFSET);
    }

    int groupCount() {
        return buffer.getInt(GROUP_COUNT_OFFSET);
    }

    double loadFactor() {
        return Double.longBitsToDouble(buffer.getLong(LOAD_FACTOR_OFFSET));
    }

    long arenaUsed() {
        return buffer.getLong(ARENA_USED_OFFSET);
    }

    long arenaCapacity() {
        return buffer.getLong(ARENA_CAPACITY_OFFSET);
    }

    /** Whether keys went through the direct index. */
    boolean direct() {
        return buffer.getInt(DIRECT_OFFSET) == 1;
    }

    /** The key of the direct index's entry 0. */
    long directBase() {
        return buffer.getLong(DIRECT_BASE_OFFSET);
    }

    /** The direct index's number of entries, as written (meaningful only while {@link #direct}). */
    long directSpan() {
        return buffer.getLong(DIRECT_SPAN_OFFSET);
    }
}
