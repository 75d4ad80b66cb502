package io.riffle.columnar.hash;

import io.riffle.columnar.batch.Validity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Grouped aggregation in off-heap memory, a batch at a time: key hashes in, a group-id column out
 * ({@link #findOrInsert}), then every aggregate updated from its input column ({@link #accumulate}).
 *
 * <p>Open addressing with linear probing over one contiguous off-heap region that holds a header, the
 * slot array and, per group, its hash, key and accumulators in dense columns indexed by group id. An int64
 * key is also kept in its slot, so that a probe touches one cache line; a utf8 slot holds a hash tag
 * instead, compared before the key bytes. Integer keys that lie in a dense range (ids, {@code i mod K}) skip
 * hashing altogether while they stay dense: a direct index maps {@code key - base} to the group, so
 * neighbouring keys touch neighbouring memory. When a batch brings keys too sparse for that, the table
 * moves to hashing once, rebuilding its slots from the stored hashes. Group
 * ids are given out in order of first appearance and never change, so results come out in that order.
 * utf8 key bytes live in a second region, the arena. Both regions hold offsets, never addresses, so
 * they can be written to a file and mapped back as they are ({@code docs/hash-table-layout.md}).
 * The table grows by doubling and rehashing once the groups reach the load factor; growing past the
 * memory budget fails with {@link MemoryBudgetExceededException} and leaves the table as it was
 * before the batch.
 *
 * <p>Checkpoints: {@link #snapshot()} captures the groups in microseconds without copying them (pages
 * are copied on write while the snapshot is open), {@link TableSnapshot#writeTo} writes them by key group
 * on another thread, and {@link #restore} builds a table from any range of key groups of such files, so
 * that state moves between parallelisms. Single-threaded apart from that writer: owned by one task.
 *
 * <pre>{@code
 * GroupBySpec spec = GroupBySpec.of(schema, "key", Aggregate.sum("value"));
 * try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30)) {
 *     table.aggregate(batch);                    // hash, findOrInsert, accumulate
 *     try (RecordBatch result = table.emit(0, table.groupCount(), allocator)) { ... }
 * }
 * }</pre>
 */
public final class OffHeapHashTable implements AutoCloseable {
    static final long MAGIC = 0x31305448454C4652L; // "RFLEHT01" read as a little-endian long
    static final int LAYOUT_VERSION = 1;
    static final int HEADER_FIXED_BYTES = 96;
    static final int DESCRIPTOR_BYTES = 8;
    static final int H_MAGIC = 0;
    static final int H_VERSION = 8;
    static final int H_KEY_TYPE = 12;
    static final int H_CAPACITY = 16;
    static final int H_MAX_GROUPS = 20;
    static final int H_GROUP_COUNT = 24;
    static final int H_KEY_FIELD = 28;
    static final int H_AGGREGATES = 32;
    static final int H_ACC_COLUMNS = 36;
    static final int H_ARENA_USED = 40;
    static final int H_ARENA_CAPACITY = 48;
    static final int H_LOAD_FACTOR = 56;
    static final int H_DIRECT = 64;
    static final int H_DIRECT_BASE = 72;
    static final int H_DIRECT_SPAN = 80;
    static final int TRAILER_BYTES = 16;
    static final long TRAILER_MAGIC = 0x444E454C42415448L;

    /** The default fraction of slots in use at which the table doubles. */
    public static final double DEFAULT_LOAD_FACTOR = 0.75;
    static final int MIN_CAPACITY = 16;
    /** The direct index may always cover this many key values, however few the groups. */
    private static final long DIRECT_MIN_SPAN = 1 << 16;
    /** Beyond that, at most this many key values per group: keys sparser than 1 in 8 are hashed. */
    private static final long DIRECT_SPAN_PER_GROUP = 8;
    private static final long DIRECT_MAX_SPAN = 1L << 28;
    static final int MAX_CAPACITY = 1 << 30;
    private static final int UTF8_KEY_BYTES = 16;
    private static final int NO_MORE_ROWS = -1;

    private final GroupBySpec spec;
    private final BufferAllocator allocator;
    private final long budgetBytes;
    private final double loadFactor;
    private final boolean utf8Keys;
    private final int keyStride;
    /** log2 of a slot's bytes: 16-byte slots (key, group id) for integer keys, 8-byte (tag, group id) for utf8. */
    private final int slotShift;
    private final int headerBytes;

    private ArrowBuf region;
    private long base;
    private long regionBytes;
    private int capacity;
    private int shift;
    private int maxGroups;
    private int groupCount;
    private long slots;
    private long hashes;
    private long keys;
    private final long[] accumulators;

    /** True while integer keys are looked up through the direct index rather than the slots. */
    private boolean direct;
    private ArrowBuf directIndex;
    private long directAddr;
    private long directBase;
    private long directSpan;

    private ArrowBuf arena;
    private long arenaBase;
    private long arenaCapacity;
    private long arenaUsed;

    /**
     * Utf8 keys of up to 7 bytes packed in longs, in front of the slots; made at the first batch, dropped
     * for good when most keys miss it batch after batch or it would not fit the budget.
     */
    private ShortKeyIndex shortKeys;
    private boolean shortKeysDropped;
    /** Batches in a row that {@link #shortKeys} could not answer whole. */
    private int shortKeyFailures;
    /** Batches in a row in which {@link #shortKeys} missed most keys. */
    private int shortKeyPoorBatches;

    private final int[] keyColumns;
    /** Set by {@link #probeDirect} when it stopped at a key outside the direct index rather than for room. */
    private boolean keyOutsideIndex;
    private long[] hashScratch = new long[0];
    private int[] groupScratch = new int[0];

    /** The last snapshot taken; another may be taken once it is closed. */
    private TableSnapshot snapshot;
    /**
     * The open snapshot while it still reads pages of the live accumulator columns, which must then be
     * preserved before they change; null otherwise, so that without one the update loops pay nothing.
     */
    private TableSnapshot copyOnWrite;

    /** A table with room for 1024 groups before its first growth, at the default load factor. */
    public OffHeapHashTable(GroupBySpec spec, BufferAllocator allocator, long budgetBytes) {
        this(spec, allocator, budgetBytes, 1024, DEFAULT_LOAD_FACTOR);
    }

    /**
     * A table for {@code spec} whose memory comes from {@code allocator} and never exceeds
     * {@code budgetBytes}, sized for {@code expectedGroups} before its first growth.
     */
    public OffHeapHashTable(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, int expectedGroups,
                            double loadFactor) {
        this(spec, allocator, budgetBytes, expectedGroups, loadFactor, spec.keyType != ColumnType.UTF8, 0, 64L * 1024);
    }

    /**
     * The table {@link #restore} fills: in direct mode or hashed as it says, with the columns of groups
     * {@code 0 .. presetGroups - 1} left for the caller to write and an arena of {@code arenaBytes} (utf8).
     */
    private OffHeapHashTable(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, int expectedGroups,
                             double loadFactor, boolean direct, int presetGroups, long arenaBytes) {
        if (!(loadFactor > 0.0 && loadFactor < 1.0)) {
            throw new IllegalArgumentException("load factor must be in (0, 1): " + loadFactor);
        }
        if (expectedGroups < 0) {
            throw new IllegalArgumentException("expected groups must not be negative: " + expectedGroups);
        }
        this.spec = spec;
        this.allocator = allocator;
        this.budgetBytes = budgetBytes;
        this.loadFactor = loadFactor;
        this.utf8Keys = spec.keyType == ColumnType.UTF8;
        this.keyStride = utf8Keys ? UTF8_KEY_BYTES : 8;
        this.slotShift = utf8Keys ? 3 : 4;
        this.headerBytes = (int) align64(HEADER_FIXED_BYTES + DESCRIPTOR_BYTES * spec.aggregateCount());
        this.accumulators = new long[spec.accumulatorColumnCount()];
        this.keyColumns = new int[] {spec.keyField};
        this.direct = direct;
        int wanted = capacityFor(Math.max(expectedGroups, 1), loadFactor);
        int slotCount = direct ? MIN_CAPACITY : wanted;
        int groups = maxGroupsFor(wanted, loadFactor);
        ArrowBuf fresh = allocateRegion(regionBytesFor(slotCount, groups), "create", groups);
        install(fresh, slotCount, groups);
        initializeGroups(presetGroups);
        MemoryUtil.setMemory(slots, (long) capacity << slotShift, (byte) 0);
        if (utf8Keys) {
            try {
                checkBudget(memoryUsed() + arenaBytes, "allocate its key arena of " + arenaBytes + " bytes");
                arena = allocate(arenaBytes);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            arenaBase = arena.memoryAddress();
            arenaCapacity = arenaBytes;
        }
    }

    public GroupBySpec spec() {
        return spec;
    }

    /** Number of distinct keys seen. Group ids are {@code 0 .. groupCount() - 1}. */
    public int groupCount() {
        return groupCount;
    }

    /** Number of slots; a power of two. While integer keys use the direct index, a token 16. */
    public int capacity() {
        return capacity;
    }

    /** Off-heap bytes held: the region, the direct index, and for utf8 keys the arena. */
    public long memoryUsed() {
        return regionBytes + (directSpan << 2) + arenaCapacity + shortKeyIndexBytes();
    }

    /** The bytes of {@link #memoryUsed} that the short-key index holds: a cache, not written to files. */
    long shortKeyIndexBytes() {
        return shortKeys == null ? 0 : shortKeys.memoryUsed();
    }

    /** True while integer keys are looked up through the direct index (dense keys), false once hashed. */
    public boolean isDirect() {
        return direct;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /**
     * Hashes the key column, assigns group ids and updates every aggregate, for all rows of
     * {@code batch}. Scratch arrays are kept between calls, so steady state allocates nothing.
     */
    public void aggregate(RecordBatch batch) {
        int n = batch.rowCount();
        ensureScratch(n);
        checkBatch(batch, hashScratch, groupScratch);
        FieldVector keyVector = checkedKeys(batch);
        int groupsBefore = groupCount;
        long arenaBefore = arenaUsed;
        boolean found = foundShortKeys(keyVector, n, groupScratch);
        if (!found) {
            insert(batch, keyVector, hashesIfNeeded(batch), groupScratch, n);
        }
        if (copyOnWrite != null) {
            try {
                preserveForSnapshot(groupScratch, n);
            } catch (RuntimeException e) {
                removeGroupsFrom(groupsBefore);
                arenaUsed = arenaBefore;
                throw e;
            }
        }
        if (!found) {
            // Only now: the index must never hold a group that a failure takes out again.
            learnShortKeys(keyVector, n, groupScratch);
        }
        accumulateRows(batch, groupScratch, n);
    }

    /**
     * Like {@link #findOrInsert(RecordBatch, long[], int[])}, hashing the keys itself and only when it
     * needs to: on the direct index of small integer keys only the keys it inserts are hashed.
     */
    public void findOrInsert(RecordBatch batch, int[] groupIds) {
        int n = batch.rowCount();
        ensureScratch(n);
        checkBatch(batch, hashScratch, groupIds);
        FieldVector keyVector = checkedKeys(batch);
        if (!foundShortKeys(keyVector, n, groupIds)) {
            insert(batch, keyVector, hashesIfNeeded(batch), groupIds, n);
            learnShortKeys(keyVector, n, groupIds);
        }
    }

    /** Give up on the short-key index after this many batches in a row it missed most keys of... */
    private static final int SHORT_KEY_POOR_BATCHES = 16;
    /** ...or could not answer whole: new keys keep coming, and each such batch pays for both lookups. */
    private static final int SHORT_KEY_FAILURES = 1024;

    /** Whether the short-key index found every key of the batch (a utf8 table only), writing their groups. */
    private boolean foundShortKeys(FieldVector keyVector, int n, int[] groupIds) {
        if (!utf8Keys || shortKeysDropped) {
            return false;
        }
        if (shortKeys == null) {
            if (memoryUsed() + ShortKeyIndex.MIN_BYTES > budgetBytes) {
                shortKeysDropped = true;
                return false;
            }
            try {
                shortKeys = new ShortKeyIndex(allocator);
            } catch (OutOfMemoryException e) {
                shortKeysDropped = true;
                return false;
            }
        }
        int missing = shortKeys.find(keyVector, n, groupIds);
        if (missing == 0) {
            shortKeyFailures = 0;
            shortKeyPoorBatches = 0;
            return true;
        }
        shortKeyPoorBatches = missing > n >>> 1 ? shortKeyPoorBatches + 1 : 0;
        if (++shortKeyFailures >= SHORT_KEY_FAILURES || shortKeyPoorBatches >= SHORT_KEY_POOR_BATCHES) {
            dropShortKeys();
        }
        return false;
    }

    /** Teaches the short-key index the batch's short keys, which the table has just given groups. */
    private void learnShortKeys(FieldVector keyVector, int n, int[] groupIds) {
        if (shortKeys == null) {
            return;
        }
        long grown = shortKeys.memoryAfterAdding(n);
        if (memoryUsed() - shortKeys.memoryUsed() + grown > budgetBytes) {
            dropShortKeys();
            return;
        }
        try {
            shortKeys.learn(keyVector, n, groupIds);
        } catch (OutOfMemoryException e) {
            dropShortKeys();
        }
    }

    private void dropShortKeys() {
        if (shortKeys != null) {
            shortKeys.close();
            shortKeys = null;
        }
        shortKeysDropped = true;
    }

    private void ensureScratch(int n) {
        if (hashScratch.length < n) {
            hashScratch = new long[n];
            groupScratch = new int[n];
        }
    }

    /**
     * The keys' hashes in the scratch array, or null while the direct index serves (a group's hash is computed
     * when it is inserted, and the batch is hashed if its keys move the table to hashing halfway).
     */
    private long[] hashesIfNeeded(RecordBatch batch) {
        if (direct) {
            return null;
        }
        HashKernel.hash(batch, keyColumns, hashScratch);
        return hashScratch;
    }

    /**
     * Writes into {@code groupIds[i]} the group of row {@code i}'s key, inserting a group for every key not
     * seen before. {@code hashes[i]} must be the {@link HashKernel} hash of row {@code i}'s key (tests may
     * pass a worse one; equal keys must still hash equal). Null keys are rejected before anything changes.
     * If the table would exceed its budget, every group this call inserted is removed again and
     * {@link MemoryBudgetExceededException} is thrown.
     */
    public void findOrInsert(RecordBatch batch, long[] hashes, int[] groupIds) {
        checkBatch(batch, hashes, groupIds);
        insert(batch, checkedKeys(batch), hashes, groupIds, batch.rowCount());
    }

    /**
     * Looks up the first {@code n} keys of {@code keyVector} (a column of the table's key type, from any
     * batch: a join's probe side) without inserting: {@code groupIds[i]} is the group of key {@code i}, or
     * -1 when the table has no such key or the key is null. Integer keys of any width are compared by value
     * (an int32 key is widened to int64, so an int32 3 finds an int64 3 and an int64 key beyond the int32
     * range finds nothing in an int32 table): the probe column's width is chosen once per call.
     * {@code hashes[i]} must be the {@link HashKernel} hash of key {@code i} (which depends on the value
     * only, not the width); {@code hashes} may be null while the table {@link #isDirect}, which looks keys up
     * without them. Changes nothing.
     */
    public void find(FieldVector keyVector, int n, long[] hashes, int[] groupIds) {
        ArrowType arrow = keyVector.getField().getType();
        ColumnType probeType = arrow.equals(spec.keyType.arrowType()) ? spec.keyType : ColumnType.fromArrow(arrow);
        if (probeType != spec.keyType && !(probeType.isIntegral() && spec.keyType.isIntegral())) {
            throw new IllegalArgumentException("keys of type " + probeType + " cannot be looked up in a table keyed by "
                    + spec.keyType);
        }
        boolean int32Probe = probeType == ColumnType.INT32;
        if (hashes == null && !direct) {
            throw new IllegalArgumentException("a table that hashes its keys looks them up by their hashes; none were"
                    + " given");
        }
        int hashCount = hashes == null ? n : hashes.length;
        if (hashCount < n || groupIds.length < n || keyVector.getValueCount() < n) {
            throw new IllegalArgumentException("hashes (" + hashCount + "), group ids (" + groupIds.length
                    + ") and keys (" + keyVector.getValueCount() + ") need room for " + n + " rows");
        }
        if (utf8Keys) {
            findUtf8(keyVector, hashes, groupIds, n);
        } else if (direct) {
            findDirect(keyVector, int32Probe, groupIds, n);
        } else {
            findLong(keyVector, int32Probe, hashes, groupIds, n);
        }
        if (Validity.hasNulls(keyVector)) {
            for (int i = 0; i < n; i++) {
                if (keyVector.isNull(i)) {
                    groupIds[i] = -1;
                }
            }
        }
    }

    /** Keys are held as longs (an int32 key sign-extended), so a probe key of either width compares by value. */
    private void findLong(FieldVector keyVector, boolean int32, long[] hashIn, int[] groupIds, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long slotBase = slots;
        final int mask = capacity - 1;
        final int sh = shift;
        for (int i = 0; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            int pos = (int) (hashIn[i] >>> sh);
            int found = -1;
            while (true) {
                final long slot = slotBase + ((long) pos << 4);
                final long group = MemoryUtil.getLong(slot + 8);
                if (group == 0L) {
                    break;
                }
                if (MemoryUtil.getLong(slot) == key) {
                    found = (int) group - 1;
                    break;
                }
                pos = (pos + 1) & mask;
            }
            groupIds[i] = found;
        }
    }

    private void findDirect(FieldVector keyVector, boolean int32, int[] groupIds, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long index = directAddr;
        final long lowest = directBase;
        final long span = directSpan;
        for (int i = 0; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            final long offset = key - lowest;
            groupIds[i] = offset >= 0 && offset < span ? MemoryUtil.getInt(index + (offset << 2)) - 1 : -1;
        }
    }

    private void findUtf8(FieldVector keyVector, long[] hashIn, int[] groupIds, int n) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long keyData = keyVector.getDataBufferAddress();
        final long keyDataEnd = keyData + keyVector.getDataBuffer().capacity();
        final long slotBase = slots;
        final long keyBase = keys;
        final long arenaAddr = arenaBase;
        final long arenaEnd = arenaBase + arenaCapacity;
        final int mask = capacity - 1;
        final int sh = shift;
        for (int i = 0; i < n; i++) {
            final long h = hashIn[i];
            final int start = MemoryUtil.getInt(offsets + ((long) i << 2));
            final int length = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2)) - start;
            final int tag = (int) (h >>> 8);
            int pos = (int) (h >>> sh);
            int found = -1;
            while (true) {
                final long slot = MemoryUtil.getLong(slotBase + ((long) pos << 3));
                if (slot == 0L) {
                    break;
                }
                if ((int) (slot >>> 32) == tag) {
                    final int g = (int) slot - 1;
                    long entry = keyBase + (long) g * UTF8_KEY_BYTES;
                    if (MemoryUtil.getLong(entry + 8) == length
                            && bytesEqual(arenaAddr + MemoryUtil.getLong(entry), arenaEnd, keyData + start, keyDataEnd,
                                    length)) {
                        found = g;
                        break;
                    }
                }
                pos = (pos + 1) & mask;
            }
            groupIds[i] = found;
        }
    }

    /** The key vector, or an error naming the first null key: nothing has changed yet. */
    private FieldVector checkedKeys(RecordBatch batch) {
        FieldVector keyVector = batch.vector(spec.keyField);
        if (Validity.hasNulls(keyVector)) {
            throw new IllegalArgumentException("null key in group key " + spec.inputSchema.describe(spec.keyField)
                    + " at row " + firstNull(keyVector, batch.rowCount()) + "; keys must not be null");
        }
        return keyVector;
    }

    /**
     * Assigns group ids, inserting groups; {@code hashes} may be null in direct mode (then computed into the
     * scratch array if the batch's keys move the table to hashing). Rolls back on failure.
     */
    private void insert(RecordBatch batch, FieldVector keyVector, long[] hashes, int[] groupIds, int n) {
        int groupsBefore = groupCount;
        long arenaBefore = arenaUsed;
        int row = 0;
        while (true) {
            keyOutsideIndex = false;
            row = utf8Keys ? probeUtf8(keyVector, hashes, groupIds, row, n)
                    : direct ? probeDirect(keyVector, hashes, groupIds, row, n)
                    : probeLong(keyVector, hashes, groupIds, row, n);
            if (row == NO_MORE_ROWS) {
                return;
            }
            try {
                if (!keyOutsideIndex) {
                    makeRoomForGroup(keyVector, row);
                } else {
                    coverKeys(keyVector, row, n, groupsBefore + (long) n);
                    if (!direct && hashes == null) {
                        hashes = hashesIfNeeded(batch);
                    }
                }
            } catch (RuntimeException e) {
                removeGroupsFrom(groupsBefore);
                arenaUsed = arenaBefore;
                throw e;
            }
        }
    }

    /**
     * Updates every aggregate of row {@code i}'s group {@code groupIds[i]} from the batch's input columns.
     * Cannot fail once {@link #findOrInsert} succeeded for the same batch, except while a snapshot is open:
     * keeping a page for it may exceed the allocator's limit ({@link MemoryBudgetExceededException}, with
     * no accumulator changed).
     */
    public void accumulate(RecordBatch batch, int[] groupIds) {
        int n = batch.rowCount();
        if (groupIds.length < n) {
            throw new IllegalArgumentException("group ids have room for " + groupIds.length + " rows; the batch has "
                    + n);
        }
        if (copyOnWrite != null) {
            preserveForSnapshot(groupIds, n);
        }
        accumulateRows(batch, groupIds, n);
    }

    /**
     * Starts the groups {@code groupIds[0 .. n)} over: every aggregate back to its empty value, the keys kept
     * (a count window that fired). Like {@link #accumulate}, it keeps the pages an open snapshot reads.
     */
    public void reset(int[] groupIds, int n) {
        for (int i = 0; i < n; i++) {
            if (groupIds[i] < 0 || groupIds[i] >= groupCount) {
                throw new IllegalArgumentException("group " + groupIds[i] + " outside [0, " + groupCount + ")");
            }
        }
        if (copyOnWrite != null) {
            preserveForSnapshot(groupIds, n);
        }
        for (int c = 0; c < accumulators.length; c++) {
            long identity = spec.columnIdentity[c];
            long column = accumulators[c];
            for (int i = 0; i < n; i++) {
                MemoryUtil.putLong(column + ((long) groupIds[i] << 3), identity);
            }
        }
    }

    /**
     * Owner thread, before accumulators change while a snapshot still reads live pages: has the pages of
     * {@code groupIds[0 .. n)} preserved, a pass over the group ids rather than a check in every update loop.
     */
    private void preserveForSnapshot(int[] groupIds, int n) {
        if (!copyOnWrite.preserve(groupIds, n)) {
            copyOnWrite = null;
        }
    }

    private void accumulateRows(RecordBatch batch, int[] groupIds, int n) {
        for (int a = 0; a < spec.aggregateCount(); a++) {
            long value = accumulators[spec.valueColumn[a]];
            long count = spec.countColumn[a] < 0 ? 0L : accumulators[spec.countColumn[a]];
            int field = spec.inputFields[a];
            if (field < 0) {
                Accumulate.countRows(value, groupIds, n);
                continue;
            }
            FieldVector in = batch.vector(field);
            long data = in.getDataBufferAddress();
            long validity = Validity.hasNulls(in) ? in.getValidityBufferAddress() : 0L;
            int width = spec.inputTypes[a] == ColumnType.INT32 ? 4 : 8;
            switch (spec.kinds[a]) {
                case COUNT:
                    Accumulate.countValues(value, validity, groupIds, n);
                    break;
                case SUM:
                case AVG:
                    if (spec.inputTypes[a] == ColumnType.FLOAT64) {
                        Accumulate.sumDouble(value, count, data, validity, groupIds, n);
                    } else if (width == 8) {
                        Accumulate.sumLong(value, count, data, validity, groupIds, n);
                    } else {
                        Accumulate.sumInt(value, count, data, validity, groupIds, n);
                    }
                    break;
                case MIN:
                case MAX:
                    boolean min = spec.kinds[a] == AggregateKind.MIN;
                    if (spec.inputTypes[a] == ColumnType.FLOAT64) {
                        Accumulate.extremeDouble(min, value, count, data, validity, groupIds, n);
                    } else {
                        Accumulate.extremeLong(min, value, count, data, width, validity, groupIds, n);
                    }
                    break;
                default:
                    throw new IllegalStateException("unknown aggregate " + spec.kinds[a]);
            }
        }
    }

    /**
     * Like {@link #accumulate}, but row by row, writing each row's result right after its own update into
     * {@code outs[a]} (a vector of aggregate {@code a}'s output type): the running values a
     * streaming keyed aggregation emits per record, correct when a key repeats within the batch. Fails
     * only as {@link #accumulate} does.
     */
    public void accumulateRunning(RecordBatch batch, int[] groupIds, FieldVector[] outs) {
        accumulateRunning(batch, groupIds, outs, null, null);
    }

    /**
     * Like {@link #accumulateRunning(RecordBatch, int[], FieldVector[])}, and besides writes each row's group's
     * value of {@code byGroup} (a column the caller keeps per group: group g's value at row g, such as a field
     * of the group's first record) into {@code beside}, in the update's own pass over the group ids instead of
     * a gather of its own. {@code byGroup} must be int64, float64 or timestamp and hold a value for every group,
     * none of them null (not checked: that would cost a pass over all groups); {@code beside} is of its type.
     */
    public void accumulateRunning(RecordBatch batch, int[] groupIds, FieldVector[] outs, FieldVector byGroup,
                                  FieldVector beside) {
        int n = batch.rowCount();
        if (byGroup != null) {
            checkByGroup(byGroup, beside, n);
        }
        if (groupIds.length < n) {
            throw new IllegalArgumentException("group ids have room for " + groupIds.length + " rows; the batch has "
                    + n);
        }
        if (outs.length != spec.aggregateCount()) {
            throw new IllegalArgumentException(spec.aggregateCount() + " aggregates but " + outs.length
                    + " output vectors");
        }
        for (int a = 0; a < spec.aggregateCount(); a++) {
            FieldVector out = outs[a];
            ColumnType type = spec.outputSchema().column(a + 1).type();
            if (ColumnType.fromArrow(out.getField().getType()) != type) {
                throw new IllegalArgumentException("aggregate " + spec.outputSchema().column(a + 1).name()
                        + " is " + type + "; the output vector is " + out.getField().getType());
            }
            if (out.getValueCapacity() < n) {
                out.clear();
                out.setInitialCapacity(n);
                out.allocateNew();
            }
        }
        if (copyOnWrite != null) {
            preserveForSnapshot(groupIds, n);
        }
        for (int a = 0; a < spec.aggregateCount(); a++) {
            long value = accumulators[spec.valueColumn[a]];
            long count = spec.countColumn[a] < 0 ? 0L : accumulators[spec.countColumn[a]];
            int field = spec.inputFields[a];
            FieldVector in = field < 0 ? null : batch.vector(field);
            FieldVector out = outs[a];
            // The column beside rides along with the first aggregate's pass.
            boolean withBeside = byGroup != null && a == 0;
            Running.accumulate(spec, a, value, count, in, groupIds, n, out,
                    withBeside ? byGroup.getDataBufferAddress() : 0L, withBeside ? beside.getDataBufferAddress() : 0L);
            out.setValueCount(n);
        }
        if (byGroup != null) {
            MemoryUtil.setMemory(beside.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
            beside.setValueCount(n);
        }
    }

    /** {@code byGroup} and {@code beside} as {@link #accumulateRunning(RecordBatch, int[], FieldVector[], FieldVector, FieldVector)} needs them; makes room in {@code beside}. */
    private void checkByGroup(FieldVector byGroup, FieldVector beside, int n) {
        ColumnType type = ColumnType.fromArrow(byGroup.getField().getType());
        if (type.byteWidth() != 8 || ColumnType.fromArrow(beside.getField().getType()) != type) {
            throw new IllegalArgumentException("a column by group is int64, float64 or timestamp, and the column "
                    + "beside the results of its type: got " + byGroup.getField().getType() + " and "
                    + beside.getField().getType());
        }
        // Its nulls are the caller's to know: looking for them would cost a pass over every group per batch.
        if (byGroup.getValueCount() < groupCount) {
            throw new IllegalArgumentException("the column by group holds " + byGroup.getValueCount() + " values for "
                    + groupCount + " groups; it needs one per group");
        }
        if (beside.getValueCapacity() < n) {
            beside.clear();
            beside.setInitialCapacity(n);
            beside.allocateNew();
        }
    }

    /**
     * Writes the current result of aggregate {@code aggregate} for each row's group into {@code out}
     * (a vector of the aggregate's output type), rows {@code 0 .. n - 1}: the running value a streaming
     * keyed aggregation emits per input record.
     */
    public void currentValues(int aggregate, int[] groupIds, int n, FieldVector out) {
        ColumnType type = spec.outputSchema().column(aggregate + 1).type();
        if (ColumnType.fromArrow(out.getField().getType()) != type) {
            throw new IllegalArgumentException("aggregate " + spec.outputSchema().column(aggregate + 1).name()
                    + " is " + type + "; the output vector is " + out.getField().getType());
        }
        if (out.getValueCapacity() < n) {
            out.clear();
            out.setInitialCapacity(n);
            out.allocateNew();
        }
        long value = accumulators[spec.valueColumn[aggregate]];
        long count = spec.countColumn[aggregate] < 0 ? 0L : accumulators[spec.countColumn[aggregate]];
        Results.write(spec, aggregate, value, count, groupIds, 0, n, out);
        out.setValueCount(n);
    }

    /**
     * Writes the keys of groups {@code groupIds[0 .. n)} into {@code out}, a vector of the key type, rows
     * {@code 0 .. n - 1}: a window operator emitting the keys of the windows it fires.
     */
    public void keys(int[] groupIds, int n, FieldVector out) {
        ColumnType type = ColumnType.fromArrow(out.getField().getType());
        if (type != spec.keyType) {
            throw new IllegalArgumentException("keys are " + spec.keyType + "; the output vector is " + type);
        }
        for (int i = 0; i < n; i++) {
            if (groupIds[i] < 0 || groupIds[i] >= groupCount) {
                throw new IllegalArgumentException("group " + groupIds[i] + " outside [0, " + groupCount + ")");
            }
        }
        if (utf8Keys) {
            Results.writeUtf8Keys(keys, arenaBase, groupIds, n, (BaseVariableWidthVector) out);
        } else {
            if (out.getValueCapacity() < n) {
                out.clear();
                out.setInitialCapacity(n);
                out.allocateNew();
            }
            Results.writeLongKeys(keys, spec.keyType, groupIds, n, out);
        }
        out.setValueCount(n);
    }

    /**
     * The groups {@code fromGroup .. fromGroup + maxRows - 1} (fewer at the end) as a batch of the spec's
     * output schema, in group-id order; the caller owns it.
     */
    public RecordBatch emit(int fromGroup, int maxRows, BufferAllocator target) {
        if (fromGroup < 0 || fromGroup > groupCount) {
            throw new IllegalArgumentException("first group " + fromGroup + " outside [0, " + groupCount + "]");
        }
        int n = Math.min(maxRows, groupCount - fromGroup);
        BatchSchema out = spec.outputSchema();
        RecordBatch result = RecordBatch.allocate(out, target, n);
        try {
            if (utf8Keys) {
                Results.writeUtf8Keys(keys, arenaBase, fromGroup, n, (BaseVariableWidthVector) result.vector(0));
            } else {
                Results.writeLongKeys(keys, spec.keyType, fromGroup, n, result.vector(0));
            }
            for (int a = 0; a < spec.aggregateCount(); a++) {
                long value = accumulators[spec.valueColumn[a]];
                long count = spec.countColumn[a] < 0 ? 0L : accumulators[spec.countColumn[a]];
                Results.write(spec, a, value, count, null, fromGroup, n, result.vector(a + 1));
            }
            result.setRowCount(n);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    /**
     * Writes the table to {@code file} as it lies in memory: the region, the used part of the arena, and
     * a trailer with a CRC32C of both. {@link #readFrom} brings it back without decoding any entry.
     */
    public void writeTo(Path file) throws IOException {
        syncHeader();
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(ch, base, regionBytes, crc);
            writeAll(ch, directAddr, directSpan << 2, crc);
            writeAll(ch, arenaBase, arenaUsed, crc);
            ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            trailer.putLong(crc.getValue()).putLong(TRAILER_MAGIC).flip();
            while (trailer.hasRemaining()) {
                ch.write(trailer);
            }
            ch.force(true);
        }
    }

    /**
     * A table read back from a file that {@link #writeTo} wrote for the same spec. A file that is not such
     * a table, was written for another spec, is truncated or fails its checksum is an error naming the
     * file and what is wrong; nothing is left allocated then.
     */
    public static OffHeapHashTable readFrom(Path file, GroupBySpec spec, BufferAllocator allocator, long budgetBytes)
            throws IOException {
        return TableFile.read(file, spec, allocator, budgetBytes);
    }

    /**
     * The synchronous part of a checkpoint: a {@link TableSnapshot} of the groups as they are now, to be
     * written by {@link TableSnapshot#writeTo} on another thread while this table goes on. Copies nothing:
     * its cost grows with the number of pages of {@value TableSnapshot#PAGE_GROUPS} groups, not with the
     * bytes, and from then on the update methods copy a page before they first change it, until the writer
     * has passed it. One snapshot at a time: the previous one must be closed first.
     *
     * @throws IllegalStateException when the previous snapshot is still open, or the table is closed
     */
    public TableSnapshot snapshot() {
        if (region == null) {
            throw new IllegalStateException("the hash table is closed");
        }
        if (snapshot != null) {
            if (!snapshot.isClosed()) {
                throw new IllegalStateException("a snapshot of this table is still open; close it (written or "
                        + "aborted) before taking the next: a table keeps pages for one snapshot at a time");
            }
            // Closed while its writer was still reading live pages: that writer stops at its next page.
            snapshot.awaitLivePagesReleased();
        }
        snapshot = new TableSnapshot(spec, allocator, groupCount, region, hashes, keys, accumulators.clone(), arena,
                arenaBase);
        copyOnWrite = snapshot.needsCopyOnWrite() ? snapshot : null;
        return snapshot;
    }

    /**
     * A table holding exactly the groups of the key groups {@code keyGroups} found in {@code files}, snapshot
     * files that {@link TableSnapshot#writeTo} wrote for {@code keyGroups.maxParallelism()}: all files of a
     * checkpoint taken at any parallelism, for the range one subtask owns now. Only the sections of those key
     * groups are read and checksummed; the table is sized from the index up front and filled a column block
     * at a time, placing groups by their stored hashes. Group ids follow key group order, not the original's;
     * aggregates and further aggregation are the same. A file that is not a snapshot, was written for another
     * spec or max parallelism, is truncated or fails a checksum is a {@link CorruptTableFileException} naming
     * the file and the problem; nothing is left allocated then. The restored table uses the default load
     * factor.
     *
     * @throws CorruptTableFileException a file is not a snapshot for this spec and max parallelism, or is damaged
     * @throws MemoryBudgetExceededException the groups do not fit in {@code budgetBytes}
     * @throws IllegalArgumentException one key group has groups in two files (files of different checkpoints
     *         mixed)
     */
    public static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes,
                                           List<Path> files, KeyGroupRange keyGroups) throws IOException {
        return SnapshotFile.restore(spec, allocator, budgetBytes, files, keyGroups, StateFileReader.CHUNK_BYTES);
    }

    /**
     * Frees the region and the arena; memory an open snapshot still reads is freed when that snapshot
     * closes.
     */
    @Override
    public void close() {
        copyOnWrite = null;
        if (region != null) {
            region.close();
            region = null;
            base = 0;
        }
        if (arena != null) {
            arena.close();
            arena = null;
            arenaBase = 0;
        }
        freeDirectIndex();
        dropShortKeys();
    }

    // ---- probing: the hot loops -------------------------------------------------------------------

    /** Probes rows from {@code row}; returns the first row that needs a new group when none fits, or NO_MORE_ROWS. */
    private int probeLong(FieldVector keyVector, long[] hashIn, int[] groupIds, int row, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final boolean int32 = spec.keyType == ColumnType.INT32;
        final long slotBase = slots;
        final long hashBase = hashes;
        final long keyBase = keys;
        final int mask = capacity - 1;
        final int sh = shift;
        final int limit = maxGroups;
        int count = groupCount;
        for (int i = row; i < n; i++) {
            final long h = hashIn[i];
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            int pos = (int) (h >>> sh);
            while (true) {
                final long slot = slotBase + ((long) pos << 4);
                final long group = MemoryUtil.getLong(slot + 8);
                if (group == 0L) {
                    if (count == limit) {
                        groupCount = count;
                        return i;
                    }
                    MemoryUtil.putLong(slot, key);
                    MemoryUtil.putLong(slot + 8, count + 1L);
                    MemoryUtil.putLong(keyBase + ((long) count << 3), key);
                    MemoryUtil.putLong(hashBase + ((long) count << 3), h);
                    groupIds[i] = count++;
                    break;
                }
                if (MemoryUtil.getLong(slot) == key) {
                    groupIds[i] = (int) group - 1;
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        groupCount = count;
        return NO_MORE_ROWS;
    }

    private int probeDirect(FieldVector keyVector, long[] hashIn, int[] groupIds, int row, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final boolean int32 = spec.keyType == ColumnType.INT32;
        final long index = directAddr;
        final long lowest = directBase;
        final long span = directSpan;
        final long hashBase = hashes;
        final long keyBase = keys;
        final int limit = maxGroups;
        int count = groupCount;
        for (int i = row; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            final long offset = key - lowest;
            // One unsigned comparison: a key below the index has a negative offset, a huge one unsigned.
            if (Long.compareUnsigned(offset, span) >= 0) {
                groupCount = count;
                keyOutsideIndex = true;
                return i;
            }
            final long entry = index + (offset << 2);
            final int group = MemoryUtil.getInt(entry);
            if (group != 0) {
                groupIds[i] = group - 1;
                continue;
            }
            if (count == limit) {
                groupCount = count;
                return i;
            }
            MemoryUtil.putInt(entry, count + 1);
            MemoryUtil.putLong(keyBase + ((long) count << 3), key);
            MemoryUtil.putLong(hashBase + ((long) count << 3), hashIn == null ? HashKernel.hashLong(key) : hashIn[i]);
            groupIds[i] = count++;
        }
        groupCount = count;
        return NO_MORE_ROWS;
    }

    /**
     * Makes the direct index cover the keys of rows {@code from .. n - 1}, growing it by at least doubling;
     * when the keys would be too sparse for a table of up to {@code groupBound} groups, moves the table to
     * hashing instead. {@link #probeDirect} calls for it at the first key outside the index, in place of a
     * pass over every batch's keys to find out whether one is; a budget failure leaves the table as it was.
     */
    private void coverKeys(FieldVector keyVector, int from, int n, long groupBound) {
        final long data = keyVector.getDataBufferAddress();
        final boolean int32 = spec.keyType == ColumnType.INT32;
        boolean empty = directSpan == 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = from; i < n; i++) {
            long key = int32 ? MemoryUtil.getInt(data + ((long) i << 2)) : MemoryUtil.getLong(data + ((long) i << 3));
            min = Math.min(min, key);
            max = Math.max(max, key);
        }
        long lowest = empty ? min : Math.min(min, directBase);
        long highest = empty ? max : Math.max(max, directBase + directSpan - 1);
        long limit = directSpanLimit(groupBound);
        long needed = highest - lowest + 1;
        if (needed <= 0 || needed > limit) {
            int slotCount = capacityFor((int) Math.min(Integer.MAX_VALUE, groupBound), loadFactor);
            relocate(slotCount, maxGroupsFor(slotCount, loadFactor), "hash its keys", true);
            direct = false;
            freeDirectIndex();
            return;
        }
        long span = Math.min(limit, Math.max(needed, directSpan << 1));
        checkBudget(memoryUsed() + (span << 2), "extend its direct index to " + span + " keys");
        ArrowBuf fresh = allocate(span << 2);
        long address = fresh.memoryAddress();
        MemoryUtil.setMemory(address, span << 2, (byte) 0);
        if (!empty) {
            MemoryUtil.copyMemory(directAddr, address + ((directBase - lowest) << 2), directSpan << 2);
        }
        freeDirectIndex();
        directIndex = fresh;
        directAddr = address;
        directBase = lowest;
        directSpan = span;
    }

    /** The most key values a direct index may cover for {@code groups} groups; sparser keys are hashed. */
    static long directSpanLimit(long groups) {
        return Math.min(DIRECT_MAX_SPAN, DIRECT_MIN_SPAN + DIRECT_SPAN_PER_GROUP * groups);
    }

    private void freeDirectIndex() {
        if (directIndex != null) {
            directIndex.close();
            directIndex = null;
            directAddr = 0;
            directSpan = 0;
        }
    }

    private int probeUtf8(FieldVector keyVector, long[] hashIn, int[] groupIds, int row, int n) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long keyData = keyVector.getDataBufferAddress();
        final long keyDataEnd = keyData + keyVector.getDataBuffer().capacity();
        final long slotBase = slots;
        final long hashBase = hashes;
        final long keyBase = keys;
        final long arenaAddr = arenaBase;
        final long arenaCap = arenaCapacity;
        final long arenaEnd = arenaAddr + arenaCap;
        final int mask = capacity - 1;
        final int sh = shift;
        final int limit = maxGroups;
        int count = groupCount;
        long used = arenaUsed;
        for (int i = row; i < n; i++) {
            final long h = hashIn[i];
            final int start = MemoryUtil.getInt(offsets + ((long) i << 2));
            final int length = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2)) - start;
            final long keyAddr = keyData + start;
            final int tag = (int) (h >>> 8);
            int pos = (int) (h >>> sh);
            while (true) {
                final long slot = MemoryUtil.getLong(slotBase + ((long) pos << 3));
                if (slot == 0L) {
                    if (count == limit || used + length > arenaCap) {
                        groupCount = count;
                        arenaUsed = used;
                        return i;
                    }
                    MemoryUtil.copyMemory(keyAddr, arenaAddr + used, length);
                    MemoryUtil.putLong(slotBase + ((long) pos << 3), ((long) tag << 32) | (count + 1L));
                    long entry = keyBase + (long) count * UTF8_KEY_BYTES;
                    MemoryUtil.putLong(entry, used);
                    MemoryUtil.putLong(entry + 8, length);
                    MemoryUtil.putLong(hashBase + ((long) count << 3), h);
                    used += length;
                    groupIds[i] = count++;
                    break;
                }
                if ((int) (slot >>> 32) == tag) {
                    final int g = (int) slot - 1;
                    long entry = keyBase + (long) g * UTF8_KEY_BYTES;
                    if (MemoryUtil.getLong(entry + 8) == length
                            && bytesEqual(arenaAddr + MemoryUtil.getLong(entry), arenaEnd, keyAddr, keyDataEnd,
                                    length)) {
                        groupIds[i] = g;
                        break;
                    }
                }
                pos = (pos + 1) & mask;
            }
        }
        groupCount = count;
        arenaUsed = used;
        return NO_MORE_ROWS;
    }

    /**
     * Whether the {@code length} bytes at {@code a} and {@code b} are equal; {@code aEnd} and {@code bEnd} end
     * the buffers holding them. The bytes after the last whole word are compared with one masked 8-byte load
     * from each key when both loads stay inside their buffers: a byte loop's trip count would change with
     * every short key and be mispredicted.
     */
    private static boolean bytesEqual(long a, long aEnd, long b, long bEnd, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (MemoryUtil.getLong(a + i) != MemoryUtil.getLong(b + i)) {
                return false;
            }
        }
        if (a + i + 8 <= aEnd && b + i + 8 <= bEnd) {
            long tailMask = ~(-1L << ((length - i) << 3));
            return ((MemoryUtil.getLong(a + i) ^ MemoryUtil.getLong(b + i)) & tailMask) == 0;
        }
        for (; i < length; i++) {
            if (MemoryUtil.getByte(a + i) != MemoryUtil.getByte(b + i)) {
                return false;
            }
        }
        return true;
    }

    // ---- growth ------------------------------------------------------------------------------------

    private void makeRoomForGroup(FieldVector keyVector, int row) {
        if (groupCount == maxGroups) {
            if (capacity == MAX_CAPACITY) {
                throw new IllegalStateException("hash table is full: " + groupCount + " groups, the most "
                        + MAX_CAPACITY + " slots hold at load factor " + loadFactor);
            }
            if (direct) {
                relocate(MIN_CAPACITY, (int) Math.min(Integer.MAX_VALUE - 1L, (long) maxGroups << 1), "grow", false);
            } else {
                relocate(capacity << 1, maxGroupsFor(capacity << 1, loadFactor), "grow", true);
            }
        }
        if (utf8Keys) {
            long offsets = keyVector.getOffsetBufferAddress();
            int length = MemoryUtil.getInt(offsets + ((long) (row + 1) << 2)) - MemoryUtil.getInt(offsets + ((long) row << 2));
            if (arenaUsed + length > arenaCapacity) {
                growArena(arenaUsed + length);
            }
        }
    }

    /**
     * Moves everything into a region of {@code slotCount} slots and room for {@code groupCapacity} groups,
     * and rebuilds the slots when they are to be used; the old region is freed last.
     */
    private void relocate(int slotCount, int groupCapacity, String action, boolean rebuild) {
        ArrowBuf fresh = allocateRegion(regionBytesFor(slotCount, groupCapacity), action, groupCapacity);
        long oldHashes = hashes;
        long oldKeys = keys;
        long[] oldAccumulators = accumulators.clone();
        ArrowBuf old = region;
        int groups = groupCount;
        install(fresh, slotCount, groupCapacity);
        MemoryUtil.copyMemory(oldHashes, hashes, (long) groups << 3);
        MemoryUtil.copyMemory(oldKeys, keys, (long) groups * keyStride);
        for (int c = 0; c < accumulators.length; c++) {
            MemoryUtil.copyMemory(oldAccumulators[c], accumulators[c], (long) groups << 3);
        }
        initializeGroups(groups);
        MemoryUtil.setMemory(slots, (long) capacity << slotShift, (byte) 0);
        if (rebuild) {
            insertSlots();
        }
        // An open snapshot retained the old region and reads its pages; nothing writes there any more.
        copyOnWrite = null;
        old.close();
    }

    private void growArena(long needed) {
        long bytes = arenaCapacity;
        while (bytes < needed) {
            bytes <<= 1;
        }
        checkBudget(memoryUsed() + bytes, "grow its key arena to " + bytes + " bytes");
        ArrowBuf fresh = allocate(bytes);
        MemoryUtil.copyMemory(arenaBase, fresh.memoryAddress(), arenaUsed);
        arena.close();
        arena = fresh;
        arenaBase = fresh.memoryAddress();
        arenaCapacity = bytes;
    }

    /** Enters every group into the empty slots by its stored hash, in group order. */
    private void insertSlots() {
        final int mask = capacity - 1;
        for (int g = 0; g < groupCount; g++) {
            long h = MemoryUtil.getLong(hashes + ((long) g << 3));
            int pos = (int) (h >>> shift);
            while (groupWord(pos) != 0L) {
                pos = (pos + 1) & mask;
            }
            long slot = slots + ((long) pos << slotShift);
            if (utf8Keys) {
                MemoryUtil.putLong(slot, ((h >>> 8) << 32) | (g + 1L));
            } else {
                MemoryUtil.putLong(slot, MemoryUtil.getLong(keys + ((long) g << 3)));
                MemoryUtil.putLong(slot + 8, g + 1L);
            }
        }
    }

    /** The word of slot {@code pos} holding the group id + 1 (0: empty); for utf8 its high half is the tag. */
    private long groupWord(int pos) {
        long slot = slots + ((long) pos << slotShift);
        return utf8Keys ? MemoryUtil.getLong(slot) : MemoryUtil.getLong(slot + 8);
    }

    /**
     * Takes out groups {@code from ..} again, newest first. With linear probing, removing the newest entry
     * cannot break an older entry's probe sequence (the older one was placed before this slot was taken),
     * so clearing slots in reverse insertion order restores the table exactly. The groups are those of the
     * batch that failed, which the short-key index learns only once a batch has succeeded.
     */
    private void removeGroupsFrom(int from) {
        if (direct) {
            for (int g = groupCount - 1; g >= from; g--) {
                long key = MemoryUtil.getLong(keys + ((long) g << 3));
                MemoryUtil.putInt(directAddr + ((key - directBase) << 2), 0);
            }
            groupCount = from;
            return;
        }
        final int mask = capacity - 1;
        for (int g = groupCount - 1; g >= from; g--) {
            long h = MemoryUtil.getLong(hashes + ((long) g << 3));
            int pos = (int) (h >>> shift);
            while ((int) groupWord(pos) != g + 1) {
                pos = (pos + 1) & mask;
            }
            MemoryUtil.setMemory(slots + ((long) pos << slotShift), 1L << slotShift, (byte) 0);
        }
        groupCount = from;
    }

    // ---- layout ------------------------------------------------------------------------------------

    /** Points every section at {@code buffer}, laid out for {@code slotCount} slots and {@code groupCapacity} groups. */
    void install(ArrowBuf buffer, int slotCount, int groupCapacity) {
        region = buffer;
        base = buffer.memoryAddress();
        capacity = slotCount;
        shift = 64 - Integer.numberOfTrailingZeros(slotCount);
        maxGroups = groupCapacity;
        regionBytes = regionBytesFor(slotCount, groupCapacity);
        long offset = headerBytes;
        slots = base + offset;
        offset += align64((long) slotCount << slotShift);
        hashes = base + offset;
        offset += align64((long) maxGroups << 3);
        keys = base + offset;
        offset += align64((long) maxGroups * keyStride);
        for (int c = 0; c < accumulators.length; c++) {
            accumulators[c] = base + offset;
            offset += align64((long) maxGroups << 3);
        }
    }

    /** Bytes of a hashed region of {@code slotCount} slots at this table's load factor. */
    long regionBytesFor(int slotCount) {
        return regionBytesFor(slotCount, maxGroupsFor(slotCount, loadFactor));
    }

    long regionBytesFor(int slotCount, long groups) {
        return headerBytes + align64((long) slotCount << slotShift) + align64(groups << 3) + align64(groups * keyStride)
                + accumulators.length * align64(groups << 3);
    }

    /** Starts groups {@code from .. maxGroups - 1} at each accumulator's identity (0, +inf, Long.MAX ...). */
    private void initializeGroups(int from) {
        for (int c = 0; c < accumulators.length; c++) {
            long identity = spec.columnIdentity[c];
            long start = accumulators[c] + ((long) from << 3);
            long bytes = (long) (maxGroups - from) << 3;
            if (identity == 0L) {
                MemoryUtil.setMemory(start, bytes, (byte) 0);
            } else {
                for (long p = start, end = start + bytes; p < end; p += 8) {
                    MemoryUtil.putLong(p, identity);
                }
            }
        }
    }

    void syncHeader() {
        MemoryUtil.putLong(base + H_MAGIC, MAGIC);
        MemoryUtil.putInt(base + H_VERSION, LAYOUT_VERSION);
        MemoryUtil.putInt(base + H_KEY_TYPE, spec.keyType.ordinal());
        MemoryUtil.putInt(base + H_CAPACITY, capacity);
        MemoryUtil.putInt(base + H_MAX_GROUPS, maxGroups);
        MemoryUtil.putInt(base + H_GROUP_COUNT, groupCount);
        MemoryUtil.putInt(base + H_KEY_FIELD, spec.keyField);
        MemoryUtil.putInt(base + H_AGGREGATES, spec.aggregateCount());
        MemoryUtil.putInt(base + H_ACC_COLUMNS, accumulators.length);
        MemoryUtil.putLong(base + H_ARENA_USED, arenaUsed);
        MemoryUtil.putLong(base + H_ARENA_CAPACITY, arenaCapacity);
        MemoryUtil.putLong(base + H_LOAD_FACTOR, Double.doubleToRawLongBits(loadFactor));
        MemoryUtil.putInt(base + H_DIRECT, direct ? 1 : 0);
        MemoryUtil.putLong(base + H_DIRECT_BASE, directBase);
        MemoryUtil.putLong(base + H_DIRECT_SPAN, directSpan);
        for (int a = 0; a < spec.aggregateCount(); a++) {
            MemoryUtil.putLong(base + HEADER_FIXED_BYTES + (long) a * DESCRIPTOR_BYTES, descriptor(spec, a));
        }
    }

    /** An aggregate's 8-byte descriptor: kind, input type (0xFF: none), nullable, pad, input field. */
    static long descriptor(GroupBySpec spec, int a) {
        long type = spec.inputTypes[a] == null ? 0xFF : spec.inputTypes[a].ordinal();
        return spec.kinds[a].ordinal() | (type << 8) | ((spec.inputNullable[a] ? 1L : 0L) << 16)
                | ((spec.inputFields[a] & 0xFFFFFFFFL) << 32);
    }

    /**
     * Adopts state read from a file: the region holds a synced header, the index (in direct mode) the
     * direct index, the arena its used bytes.
     */
    void adopt(ArrowBuf regionBuffer, int fileCapacity, int fileMaxGroups, int fileGroups, boolean fileDirect,
               ArrowBuf index, long indexBase, long indexSpan, ArrowBuf arenaBuffer, long fileArenaUsed) {
        region.close();
        install(regionBuffer, fileCapacity, fileMaxGroups);
        groupCount = fileGroups;
        freeDirectIndex();
        direct = fileDirect;
        if (index != null) {
            directIndex = index;
            directAddr = index.memoryAddress();
            directBase = indexBase;
            directSpan = indexSpan;
        }
        if (utf8Keys) {
            arena.close();
            arena = arenaBuffer;
            arenaBase = arenaBuffer.memoryAddress();
            arenaCapacity = arenaBuffer.capacity();
            arenaUsed = fileArenaUsed;
        }
    }

    /**
     * An empty table for {@link #restore} to fill: room for {@code groups} groups, whose columns the caller
     * writes, so they are not initialised; hashed or in direct mode as given; a key arena of at least
     * {@code keyBytes}.
     */
    static OffHeapHashTable forRestore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, int groups,
                                       boolean direct, long keyBytes) {
        long arenaBytes = Math.max(64L * 1024, Long.highestOneBit(Math.max(keyBytes, 1) - 1) << 1);
        return new OffHeapHashTable(spec, allocator, budgetBytes, groups, DEFAULT_LOAD_FACTOR, direct, groups,
                arenaBytes);
    }

    /**
     * Adopts the {@code groups} groups {@link #restore} wrote into the columns (and {@code keyBytes} arena
     * bytes): enters them into the slots or, in direct mode, into a direct index of {@code keySpan} keys from
     * {@code keyLow} (slots and index hold no stored state: they follow from the hashes and keys).
     */
    void completeRestore(int groups, long keyBytes, long keyLow, long keySpan) {
        groupCount = groups;
        arenaUsed = keyBytes;
        if (!direct) {
            insertSlots();
            return;
        }
        if (keySpan == 0) {
            return;
        }
        checkBudget(memoryUsed() + (keySpan << 2), "restore its direct index of " + keySpan + " keys");
        directIndex = allocate(keySpan << 2);
        directAddr = directIndex.memoryAddress();
        directBase = keyLow;
        directSpan = keySpan;
        MemoryUtil.setMemory(directAddr, keySpan << 2, (byte) 0);
        for (int g = 0; g < groups; g++) {
            long key = MemoryUtil.getLong(keys + ((long) g << 3));
            MemoryUtil.putInt(directAddr + ((key - keyLow) << 2), g + 1);
        }
    }

    long hashesAddress() {
        return hashes;
    }

    long keysAddress() {
        return keys;
    }

    long accumulatorAddress(int column) {
        return accumulators[column];
    }

    double loadFactor() {
        return loadFactor;
    }

    int headerBytes() {
        return headerBytes;
    }

    static int capacityFor(int groups, double loadFactor) {
        long needed = (long) Math.ceil(groups / loadFactor) + 1;
        int c = MIN_CAPACITY;
        while (c < needed && c < MAX_CAPACITY) {
            c <<= 1;
        }
        return c;
    }

    static int maxGroupsFor(int slotCount, double loadFactor) {
        return Math.min(slotCount - 1, (int) (slotCount * loadFactor));
    }

    static long align64(long bytes) {
        return (bytes + 63) & ~63L;
    }

    /** A region of {@code bytes}, checked against the budget with what the table holds now. */
    ArrowBuf allocateRegion(long bytes, String action, int groupCapacity) {
        checkBudget(memoryUsed() + bytes, action + " with room for " + groupCapacity + " groups");
        return allocate(bytes);
    }

    void checkBudget(long totalBytes, String action) {
        if (totalBytes > budgetBytes) {
            throw new MemoryBudgetExceededException("hash table for " + spec.outputSchema()
                    + " needs " + totalBytes + " bytes to " + action + ", over its memory budget of " + budgetBytes
                    + " bytes (holding " + groupCount + " groups in " + memoryUsed() + " bytes)", totalBytes,
                    budgetBytes);
        }
    }

    ArrowBuf allocate(long bytes) {
        try {
            return allocator.buffer(bytes);
        } catch (OutOfMemoryException e) {
            throw new MemoryBudgetExceededException("hash table for " + spec.outputSchema() + " could not allocate "
                    + bytes + " bytes: " + e.getMessage(), bytes, budgetBytes);
        }
    }

    private void checkBatch(RecordBatch batch, long[] hashIn, int[] groupIds) {
        if (!batch.schema().equals(spec.inputSchema)) {
            throw new IllegalArgumentException("batch schema " + batch.schema() + " is not the table's input schema "
                    + spec.inputSchema);
        }
        if (batch.selection() != null) {
            throw new IllegalArgumentException("the batch has a selection vector; gather the selected rows first "
                    + "(GatherKernel) so that group ids line up with rows");
        }
        int n = batch.rowCount();
        if (hashIn.length < n || groupIds.length < n) {
            throw new IllegalArgumentException("hashes (" + hashIn.length + ") and group ids (" + groupIds.length
                    + ") need room for the batch's " + n + " rows");
        }
    }

    private static int firstNull(FieldVector v, int n) {
        for (int i = 0; i < n; i++) {
            if (v.isNull(i)) {
                return i;
            }
        }
        return -1;
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

    /** The key of group {@code g} as a Java value (Long, Integer or String); for tests and debugging. */
    Object keyOf(int g) {
        if (utf8Keys) {
            long entry = keys + (long) g * UTF8_KEY_BYTES;
            int length = (int) MemoryUtil.getLong(entry + 8);
            byte[] bytes = new byte[length];
            MemoryUtil.copyFromMemory(arenaBase + MemoryUtil.getLong(entry), bytes, 0, length);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return MemoryUtil.getLong(keys + ((long) g << 3));
    }

    long regionAddress() {
        return base;
    }

    long regionBytes() {
        return regionBytes;
    }

    long arenaAddress() {
        return arenaBase;
    }

    long arenaUsed() {
        return arenaUsed;
    }
}
