package io.riffle.columnar.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The layout of a snapshot file, which {@link TableSnapshot#writeTo} writes and {@link SnapshotFile} reads
 * ({@code docs/hash-table-layout.md}, "Snapshot files"), in one place: a header, the index (per key group
 * {@code k} and one past the last: where its section starts and how many groups come before it), each key
 * group's CRC32C, the CRC32C of all that metadata, then the key groups' sections back to back and a trailer
 * (the file's length and {@link #TRAILER_MAGIC}). The static methods say where each part lies; an instance
 * is a flyweight over a little-endian buffer holding the metadata, through which the writer puts and the
 * reader gets every field.
 *
 * <pre>{@code
 * SnapshotFileDescriptor metadata = SnapshotFileDescriptor.wrap(buffer);
 * long start = metadata.sectionStart(keyGroup);
 * int groups = (int) (metadata.groupsBefore(keyGroup + 1) - metadata.groupsBefore(keyGroup));
 * }</pre>
 */
final class SnapshotFileDescriptor {
    static final long MAGIC = 0x31304E53454C4652L; // "RFLESN01" read as a little-endian long
    static final long TRAILER_MAGIC = 0x444E4553454C4652L; // "RFLESEND"
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int KEY_TYPE_OFFSET = 12;
    static final int KEY_FIELD_OFFSET = 16;
    static final int AGGREGATES_OFFSET = 20;
    static final int ACCUMULATOR_COLUMNS_OFFSET = 24;
    static final int MAX_PARALLELISM_OFFSET = 28;
    static final int GROUP_COUNT_OFFSET = 32;
    static final int FILE_BYTES_OFFSET = 40;
    /** The fixed fields; the aggregates' descriptors follow. */
    static final int HEADER_FIXED_BYTES = 64;
    static final int INDEX_ENTRY_BYTES = 16;
    static final int TRAILER_BYTES = 16;

    private final ByteBuffer buffer;
    private final int index;
    private final int checksums;
    private final int metadataChecksum;

    private SnapshotFileDescriptor(ByteBuffer buffer, int aggregates, int maxParallelism) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.index = (int) indexOffset(aggregates);
        this.checksums = (int) checksumsOffset(aggregates, maxParallelism);
        this.metadataChecksum = (int) metadataChecksumOffset(aggregates, maxParallelism);
    }

    /**
     * A view of the metadata at the start of {@code buffer}, whose header already holds its aggregate count
     * and max parallelism (the index's place follows from them); made little-endian.
     */
    static SnapshotFileDescriptor wrap(ByteBuffer buffer) {
        ByteBuffer little = buffer.order(ByteOrder.LITTLE_ENDIAN);
        return new SnapshotFileDescriptor(little, little.getInt(AGGREGATES_OFFSET),
                little.getInt(MAX_PARALLELISM_OFFSET));
    }

    /** New metadata for {@code spec} and {@code maxParallelism} on the heap: header written, index empty. */
    static SnapshotFileDescriptor create(GroupBySpec spec, int maxParallelism) {
        int aggregates = spec.aggregateCount();
        ByteBuffer buffer = ByteBuffer.allocate((int) metadataBytes(aggregates, maxParallelism));
        SnapshotFileDescriptor metadata = new SnapshotFileDescriptor(buffer, aggregates, maxParallelism);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MAGIC_OFFSET, MAGIC);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(KEY_TYPE_OFFSET, spec.keyType.ordinal());
        buffer.putInt(KEY_FIELD_OFFSET, spec.keyField);
        buffer.putInt(AGGREGATES_OFFSET, aggregates);
        buffer.putInt(ACCUMULATOR_COLUMNS_OFFSET, spec.accumulatorColumnCount());
        buffer.putInt(MAX_PARALLELISM_OFFSET, maxParallelism);
        AggregateDescriptor.putAll(buffer, HEADER_FIXED_BYTES, spec);
        return metadata;
    }

    // ---- where each part lies ----------------------------------------------------------------------

    static long indexOffset(int aggregates) {
        return HEADER_FIXED_BYTES + (long) AggregateDescriptor.BYTES * aggregates;
    }

    static long checksumsOffset(int aggregates, int maxParallelism) {
        return indexOffset(aggregates) + (long) INDEX_ENTRY_BYTES * (maxParallelism + 1);
    }

    /** Where the CRC32C of everything before it (header, index, key group checksums) lies. */
    static long metadataChecksumOffset(int aggregates, int maxParallelism) {
        return align8(checksumsOffset(aggregates, maxParallelism) + 4L * maxParallelism);
    }

    /** Bytes of the metadata: everything before the first section. */
    static long metadataBytes(int aggregates, int maxParallelism) {
        return metadataChecksumOffset(aggregates, maxParallelism) + 8;
    }

    /** Where key group 0's section starts. */
    static long sectionsOffset(int aggregates, int maxParallelism) {
        return metadataBytes(aggregates, maxParallelism);
    }

    /**
     * Bytes of a key group's section of {@code groups} groups: hashes, keys (utf8: lengths and bytes, after
     * the accumulators), {@code columns} accumulator columns; every part 8-byte aligned.
     */
    static long sectionBytes(boolean utf8, int columns, long groups, long keyBytes) {
        return utf8 ? 8 * groups * (1 + columns) + align8(4 * groups) + align8(keyBytes)
                : 8 * groups * (2 + columns);
    }

    /** In a section of {@code groups} groups at {@code start}: where the integer keys lie (after the hashes). */
    static long keysAt(long start, long groups) {
        return start + 8 * groups;
    }

    /** In a section of {@code groups} groups at {@code start}: where accumulator column 0 lies. */
    static long accumulatorsAt(long start, long groups, boolean utf8) {
        return start + 8 * groups * (utf8 ? 1 : 2);
    }

    /** In a utf8 section of {@code groups} groups at {@code start}: where the int32 key lengths lie. */
    static long keyLengthsAt(long start, long groups, int columns) {
        return accumulatorsAt(start, groups, true) + 8 * groups * columns;
    }

    /** In a utf8 section whose key lengths lie at {@code keyLengths}: where the key bytes lie. */
    static long keyBytesAt(long keyLengths, long groups) {
        return keyLengths + align8(4 * groups);
    }

    static long align8(long bytes) {
        return (bytes + 7) & ~7L;
    }

    // ---- the metadata's fields ---------------------------------------------------------------------

    /** The buffer the metadata lies in: {@link #metadataBytes} of it. */
    ByteBuffer buffer() {
        return buffer;
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

    int maxParallelism() {
        return buffer.getInt(MAX_PARALLELISM_OFFSET);
    }

    long aggregateDescriptor(int a) {
        return buffer.getLong(HEADER_FIXED_BYTES + a * AggregateDescriptor.BYTES);
    }

    long groupCount() {
        return buffer.getLong(GROUP_COUNT_OFFSET);
    }

    /** The file's length, trailer included. */
    long fileBytes() {
        return buffer.getLong(FILE_BYTES_OFFSET);
    }

    SnapshotFileDescriptor putTotals(long groups, long fileBytes) {
        buffer.putLong(GROUP_COUNT_OFFSET, groups);
        buffer.putLong(FILE_BYTES_OFFSET, fileBytes);
        return this;
    }

    /** Where key group {@code keyGroup}'s section starts; for {@code maxParallelism}, where the trailer does. */
    long sectionStart(int keyGroup) {
        return buffer.getLong(index + keyGroup * INDEX_ENTRY_BYTES);
    }

    /** The groups of the key groups before {@code keyGroup}. */
    long groupsBefore(int keyGroup) {
        return buffer.getLong(index + keyGroup * INDEX_ENTRY_BYTES + 8);
    }

    SnapshotFileDescriptor putIndexEntry(int keyGroup, long sectionStart, long groupsBefore) {
        buffer.putLong(index + keyGroup * INDEX_ENTRY_BYTES, sectionStart);
        buffer.putLong(index + keyGroup * INDEX_ENTRY_BYTES + 8, groupsBefore);
        return this;
    }

    /** The CRC32C of key group {@code keyGroup}'s section. */
    int sectionChecksum(int keyGroup) {
        return buffer.getInt(checksums + 4 * keyGroup);
    }

    SnapshotFileDescriptor putSectionChecksum(int keyGroup, int crc) {
        buffer.putInt(checksums + 4 * keyGroup, crc);
        return this;
    }

    /** The CRC32C of the metadata before the stored one. */
    long computeMetadataChecksum() {
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, metadataChecksum);
        return crc.getValue();
    }

    long metadataChecksum() {
        return buffer.getLong(metadataChecksum);
    }

    /** Seals the metadata: stores its checksum, written last. */
    SnapshotFileDescriptor putMetadataChecksum() {
        buffer.putLong(metadataChecksum, computeMetadataChecksum());
        return this;
    }
}
