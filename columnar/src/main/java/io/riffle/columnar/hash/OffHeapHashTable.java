package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.Validity;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.jspecify.annotations.Nullable;

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
 * <p>Each concern has a class of its own, package-private: the region with its slots and group columns
 * ({@link TableRegion}), the probe loops over the slots ({@link HashSlots}), the direct index
 * ({@link DirectIndex}), the utf8 key arena ({@link KeyArena}), the short-key cache ({@link ShortKeyCache}),
 * the copy-on-write bookkeeping of snapshots ({@link SnapshotPages}); this class ties them together, checks
 * its callers' input and the memory budget, and undoes a batch that fails. Each file format has one
 * descriptor that its writer and its reader share: {@link TableFileDescriptor} ({@link TableFile}) and
 * {@link SnapshotFileDescriptor} ({@link TableSnapshot} writes, {@link SnapshotFile} reads).
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
    /** The default fraction of slots in use at which the table doubles. */
    public static final double DEFAULT_LOAD_FACTOR = 0.75;
    static final int MIN_CAPACITY = 16;
    static final int MAX_CAPACITY = 1 << 30;
    private static final long MIN_ARENA_BYTES = 64L * 1024;

    private final GroupBySpec spec;
    private final BufferAllocator allocator;
    private final long budgetBytes;
    private final double loadFactor;
    private final boolean utf8Keys;
    private final boolean int32Keys;
    private final int[] keyColumns;

    private final TableRegion region;
    /** True while integer keys are looked up through {@link #directIndex} rather than the slots. */
    private boolean direct;
    private final DirectIndex directIndex = new DirectIndex();
    /** The key bytes of a utf8 table; none for integer keys. */
    private @Nullable KeyArena arena;
    private final ShortKeyCache shortKeys;
    private final SnapshotPages snapshots = new SnapshotPages();

    private long[] hashScratch = new long[0];
    private int[] groupScratch = new int[0];

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
        this(spec, allocator, budgetBytes, expectedGroups, loadFactor, spec.keyType != ColumnType.UTF8, 0,
                MIN_ARENA_BYTES);
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
        this.int32Keys = spec.keyType == ColumnType.INT32;
        this.keyColumns = new int[] {spec.keyField};
        this.region = new TableRegion(spec);
        this.shortKeys = new ShortKeyCache(allocator, utf8Keys);
        this.direct = direct;
        int wanted = capacityFor(Math.max(expectedGroups, 1), loadFactor);
        int slotCount = direct ? MIN_CAPACITY : wanted;
        int groups = maxGroupsFor(wanted, loadFactor);
        region.install(allocateRegion(region.bytesFor(slotCount, groups), "create", groups), slotCount, groups);
        region.initializeGroups(presetGroups, spec.columnIdentity);
        region.clearSlots();
        if (utf8Keys) {
            try {
                checkBudget(memoryUsed() + arenaBytes, "allocate its key arena of " + arenaBytes + " bytes");
                arena = new KeyArena(allocate(arenaBytes), arenaBytes);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    public GroupBySpec spec() {
        return spec;
    }

    /** Number of distinct keys seen. Group ids are {@code 0 .. groupCount() - 1}. */
    public int groupCount() {
        return region.groupCount;
    }

    /** Number of slots; a power of two. While integer keys use the direct index, a token 16. */
    public int capacity() {
        return region.capacity;
    }

    /** Off-heap bytes held: the region, the direct index, for utf8 keys the arena and the short-key cache. */
    public long memoryUsed() {
        return region.bytes + directIndex.bytes() + arenaCapacity() + shortKeys.bytes();
    }

    /** The bytes of {@link #memoryUsed} that the short-key cache holds: not written to files. */
    long shortKeyIndexBytes() {
        return shortKeys.bytes();
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
        int groupsBefore = region.groupCount;
        long arenaBefore = arenaUsed();
        boolean found = foundShortKeys(keyVector, n, groupScratch);
        if (!found) {
            insert(batch, keyVector, hashesIfNeeded(batch), groupScratch, n);
        }
        if (snapshots.preserving()) {
            try {
                snapshots.preserve(groupScratch, n);
            } catch (RuntimeException e) {
                removeGroupsFrom(groupsBefore, arenaBefore);
                throw e;
            }
        }
        if (!found) {
            // Only now: the cache must never hold a group that a failure takes out again.
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

    /** Whether the short-key cache found every key of the batch (a utf8 table only), writing their groups. */
    private boolean foundShortKeys(FieldVector keyVector, int n, int[] groupIds) {
        return utf8Keys && shortKeys.findAll(keyVector, n, groupIds, budgetBytes - memoryUsed());
    }

    /** Teaches the short-key cache the batch's short keys, which the table has just given groups. */
    private void learnShortKeys(FieldVector keyVector, int n, int[] groupIds) {
        if (utf8Keys) {
            shortKeys.learn(keyVector, n, groupIds, budgetBytes - (memoryUsed() - shortKeys.bytes()));
        }
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
    private long @Nullable [] hashesIfNeeded(RecordBatch batch) {
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
            HashSlots.findUtf8(region, arena, keyVector, hashes, groupIds, n);
        } else if (direct) {
            directIndex.find(keyVector, int32Probe, groupIds, n);
        } else {
            HashSlots.findLong(region, keyVector, int32Probe, hashes, groupIds, n);
        }
        if (Validity.hasNulls(keyVector)) {
            for (int i = 0; i < n; i++) {
                if (keyVector.isNull(i)) {
                    groupIds[i] = -1;
                }
            }
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
    private void insert(RecordBatch batch, FieldVector keyVector, long @Nullable [] hashes, int[] groupIds, int n) {
        int groupsBefore = region.groupCount;
        long arenaBefore = arenaUsed();
        int row = 0;
        while (true) {
            boolean outsideIndex = false;
            if (utf8Keys) {
                row = HashSlots.probeUtf8(region, arena, keyVector, hashes, groupIds, row, n);
            } else if (direct) {
                row = directIndex.probe(region, keyVector, int32Keys, hashes, groupIds, row, n);
                outsideIndex = directIndex.stoppedOutside;
            } else {
                row = HashSlots.probeLong(region, keyVector, int32Keys, hashes, groupIds, row, n);
            }
            if (row == HashSlots.NO_MORE_ROWS) {
                return;
            }
            try {
                if (!outsideIndex) {
                    makeRoomForGroup(keyVector, row);
                } else {
                    coverKeys(keyVector, row, n, groupsBefore + (long) n);
                    if (!direct && hashes == null) {
                        hashes = hashesIfNeeded(batch);
                    }
                }
            } catch (RuntimeException e) {
                removeGroupsFrom(groupsBefore, arenaBefore);
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
        if (snapshots.preserving()) {
            snapshots.preserve(groupIds, n);
        }
        accumulateRows(batch, groupIds, n);
    }

    /**
     * Starts the groups {@code groupIds[0 .. n)} over: every aggregate back to its empty value, the keys kept
     * (a count window that fired). Like {@link #accumulate}, it keeps the pages an open snapshot reads.
     */
    public void reset(int[] groupIds, int n) {
        for (int i = 0; i < n; i++) {
            if (groupIds[i] < 0 || groupIds[i] >= region.groupCount) {
                throw new IllegalArgumentException("group " + groupIds[i] + " outside [0, " + region.groupCount + ")");
            }
        }
        if (snapshots.preserving()) {
            snapshots.preserve(groupIds, n);
        }
        for (int c = 0; c < region.accumulators.length; c++) {
            long identity = spec.columnIdentity[c];
            long column = region.accumulators[c];
            for (int i = 0; i < n; i++) {
                MemoryUtil.putLong(column + ((long) groupIds[i] << 3), identity);
            }
        }
    }

    private void accumulateRows(RecordBatch batch, int[] groupIds, int n) {
        for (int a = 0; a < spec.aggregateCount(); a++) {
            long value = region.accumulators[spec.valueColumn[a]];
            long count = spec.countColumn[a] < 0 ? 0L : region.accumulators[spec.countColumn[a]];
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
        if (snapshots.preserving()) {
            snapshots.preserve(groupIds, n);
        }
        for (int a = 0; a < spec.aggregateCount(); a++) {
            long value = region.accumulators[spec.valueColumn[a]];
            long count = spec.countColumn[a] < 0 ? 0L : region.accumulators[spec.countColumn[a]];
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
        if (byGroup.getValueCount() < region.groupCount) {
            throw new IllegalArgumentException("the column by group holds " + byGroup.getValueCount() + " values for "
                    + region.groupCount + " groups; it needs one per group");
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
        long value = region.accumulators[spec.valueColumn[aggregate]];
        long count = spec.countColumn[aggregate] < 0 ? 0L : region.accumulators[spec.countColumn[aggregate]];
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
            if (groupIds[i] < 0 || groupIds[i] >= region.groupCount) {
                throw new IllegalArgumentException("group " + groupIds[i] + " outside [0, " + region.groupCount + ")");
            }
        }
        if (utf8Keys) {
            Results.writeUtf8Keys(region.keys, arena.base, groupIds, n, (BaseVariableWidthVector) out);
        } else {
            if (out.getValueCapacity() < n) {
                out.clear();
                out.setInitialCapacity(n);
                out.allocateNew();
            }
            Results.writeLongKeys(region.keys, spec.keyType, groupIds, n, out);
        }
        out.setValueCount(n);
    }

    /**
     * The groups {@code fromGroup .. fromGroup + maxRows - 1} (fewer at the end) as a batch of the spec's
     * output schema, in group-id order; the caller owns it.
     */
    public RecordBatch emit(int fromGroup, int maxRows, BufferAllocator target) {
        if (fromGroup < 0 || fromGroup > region.groupCount) {
            throw new IllegalArgumentException("first group " + fromGroup + " outside [0, " + region.groupCount + "]");
        }
        int n = Math.min(maxRows, region.groupCount - fromGroup);
        BatchSchema out = spec.outputSchema();
        RecordBatch result = RecordBatch.allocate(out, target, n);
        try {
            if (utf8Keys) {
                Results.writeUtf8Keys(region.keys, arena.base, fromGroup, n, (BaseVariableWidthVector) result.vector(0));
            } else {
                Results.writeLongKeys(region.keys, spec.keyType, fromGroup, n, result.vector(0));
            }
            for (int a = 0; a < spec.aggregateCount(); a++) {
                long value = region.accumulators[spec.valueColumn[a]];
                long count = spec.countColumn[a] < 0 ? 0L : region.accumulators[spec.countColumn[a]];
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
     * Writes the table to {@code file} as it lies in memory: the region, the direct index, the used part of
     * the arena, and a trailer with a CRC32C of them all. {@link #readFrom} brings it back without decoding
     * any entry.
     */
    public void writeTo(Path file) throws IOException {
        TableFileDescriptor.wrap(MemoryUtil.directBuffer(region.base, region.headerBytes))
                .putSpec(spec)
                .putShape(region.capacity, region.maxGroups, region.groupCount, loadFactor)
                .putArena(arenaUsed(), arenaCapacity())
                .putDirectIndex(direct, directIndex.lowest, directIndex.span);
        TableFile.write(file, region.base, region.bytes, directIndex.address, directIndex.bytes(),
                arena == null ? 0L : arena.base, arenaUsed());
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
        if (region.isClosed()) {
            throw new IllegalStateException("the hash table is closed");
        }
        snapshots.checkCanTake();
        return snapshots.taken(new TableSnapshot(spec, allocator, region, arena));
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
        snapshots.stopPreserving();
        region.close();
        if (arena != null) {
            arena.close();
        }
        directIndex.close();
        shortKeys.drop();
    }

    // ---- growth ------------------------------------------------------------------------------------

    /**
     * Makes the direct index cover the keys of rows {@code from .. n - 1}, growing it by at least doubling;
     * when the keys would be too sparse for a table of up to {@code groupBound} groups, moves the table to
     * hashing instead. {@link DirectIndex#probe} stops at the first key outside the index, in place of a
     * pass over every batch's keys to find out whether one is; a budget failure leaves the table as it was.
     */
    private void coverKeys(FieldVector keyVector, int from, int n, long groupBound) {
        final long data = keyVector.getDataBufferAddress();
        boolean empty = directIndex.isEmpty();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = from; i < n; i++) {
            long key = int32Keys ? MemoryUtil.getInt(data + ((long) i << 2)) : MemoryUtil.getLong(data + ((long) i << 3));
            min = Math.min(min, key);
            max = Math.max(max, key);
        }
        long lowest = empty ? min : Math.min(min, directIndex.lowest);
        long highest = empty ? max : Math.max(max, directIndex.lowest + directIndex.span - 1);
        long limit = DirectIndex.spanLimit(groupBound);
        long needed = highest - lowest + 1;
        if (needed <= 0 || needed > limit) {
            int slotCount = capacityFor((int) Math.min(Integer.MAX_VALUE, groupBound), loadFactor);
            relocate(slotCount, maxGroupsFor(slotCount, loadFactor), "hash its keys", true);
            direct = false;
            directIndex.close();
            return;
        }
        long span = Math.min(limit, Math.max(needed, directIndex.span << 1));
        checkBudget(memoryUsed() + (span << 2), "extend its direct index to " + span + " keys");
        directIndex.extendInto(allocate(span << 2), lowest, span);
    }

    private void makeRoomForGroup(FieldVector keyVector, int row) {
        if (region.groupCount == region.maxGroups) {
            if (region.capacity == MAX_CAPACITY) {
                throw new IllegalStateException("hash table is full: " + region.groupCount + " groups, the most "
                        + MAX_CAPACITY + " slots hold at load factor " + loadFactor);
            }
            if (direct) {
                relocate(MIN_CAPACITY, (int) Math.min(Integer.MAX_VALUE - 1L, (long) region.maxGroups << 1), "grow",
                        false);
            } else {
                int slotCount = region.capacity << 1;
                relocate(slotCount, maxGroupsFor(slotCount, loadFactor), "grow", true);
            }
        }
        if (utf8Keys) {
            long offsets = keyVector.getOffsetBufferAddress();
            int length = MemoryUtil.getInt(offsets + ((long) (row + 1) << 2))
                    - MemoryUtil.getInt(offsets + ((long) row << 2));
            if (arena.used + length > arena.capacity) {
                long bytes = arena.capacityFor(arena.used + length);
                checkBudget(memoryUsed() + bytes, "grow its key arena to " + bytes + " bytes");
                arena.growInto(allocate(bytes), bytes);
            }
        }
    }

    /**
     * Moves everything into a region of {@code slotCount} slots and room for {@code groupCapacity} groups,
     * and rebuilds the slots when they are to be used; the old region is freed last.
     */
    private void relocate(int slotCount, int groupCapacity, String action, boolean rebuild) {
        ArrowBuf fresh = allocateRegion(region.bytesFor(slotCount, groupCapacity), action, groupCapacity);
        ArrowBuf old = region.moveTo(fresh, slotCount, groupCapacity, spec.columnIdentity);
        if (rebuild) {
            HashSlots.insertAll(region);
        }
        // An open snapshot retained the old region and reads its pages; nothing writes there any more.
        snapshots.stopPreserving();
        old.close();
    }

    /**
     * Takes out groups {@code from ..} again and the arena bytes after {@code arenaBytes}: the groups of the
     * batch that failed, which the short-key cache learns only once a batch has succeeded.
     */
    private void removeGroupsFrom(int from, long arenaBytes) {
        if (direct) {
            directIndex.removeFrom(region, from);
        } else {
            HashSlots.removeFrom(region, from);
        }
        region.groupCount = from;
        if (arena != null) {
            arena.used = arenaBytes;
        }
    }

    // ---- restore -----------------------------------------------------------------------------------

    /**
     * Adopts a table file's contents, read as they lie: {@code regionBuffer} holds the region that
     * {@code header} describes, {@code index} the direct index (none when the header has no entries),
     * {@code arenaBuffer} the used arena bytes (a utf8 table only).
     */
    void adopt(TableFileDescriptor header, ArrowBuf regionBuffer, @Nullable ArrowBuf index,
               @Nullable ArrowBuf arenaBuffer) {
        region.close();
        region.install(regionBuffer, header.capacity(), header.maxGroups());
        region.groupCount = header.groupCount();
        directIndex.close();
        direct = header.direct();
        if (index != null) {
            directIndex.adopt(index, header.directBase(), header.directSpan());
        }
        if (arena != null) {
            arena.adopt(arenaBuffer, header.arenaCapacity(), header.arenaUsed());
        }
    }

    /**
     * An empty table for {@link #restore} to fill: room for {@code groups} groups, whose columns the caller
     * writes, so they are not initialised; hashed or in direct mode as given; a key arena of at least
     * {@code keyBytes}.
     */
    static OffHeapHashTable forRestore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, int groups,
                                       boolean direct, long keyBytes) {
        long arenaBytes = Math.max(MIN_ARENA_BYTES, Long.highestOneBit(Math.max(keyBytes, 1) - 1) << 1);
        return new OffHeapHashTable(spec, allocator, budgetBytes, groups, DEFAULT_LOAD_FACTOR, direct, groups,
                arenaBytes);
    }

    /**
     * Adopts the {@code groups} groups {@link #restore} wrote into the columns (and {@code keyBytes} arena
     * bytes): enters them into the slots or, in direct mode, into a direct index of {@code keySpan} keys from
     * {@code keyLow} (slots and index hold no stored state: they follow from the hashes and keys).
     */
    void completeRestore(int groups, long keyBytes, long keyLow, long keySpan) {
        region.groupCount = groups;
        if (arena != null) {
            arena.used = keyBytes;
        }
        if (!direct) {
            HashSlots.insertAll(region);
            return;
        }
        if (keySpan == 0) {
            return;
        }
        checkBudget(memoryUsed() + (keySpan << 2), "restore its direct index of " + keySpan + " keys");
        directIndex.rebuildInto(allocate(keySpan << 2), keyLow, keySpan, region);
    }

    /** Where restore writes group columns: the region's hashes, keys and accumulator columns, the arena. */
    long hashesAddress() {
        return region.hashes;
    }

    long keysAddress() {
        return region.keys;
    }

    long accumulatorAddress(int column) {
        return region.accumulators[column];
    }

    long arenaAddress() {
        return arena.base;
    }

    // ---- sizes and memory --------------------------------------------------------------------------

    /** Bytes of a hashed region of {@code slotCount} slots at this table's load factor. */
    long regionBytesFor(int slotCount) {
        return region.bytesFor(slotCount, maxGroupsFor(slotCount, loadFactor));
    }

    /** Bytes of a region of {@code slotCount} slots with room for {@code groups} groups. */
    long regionBytesFor(int slotCount, long groups) {
        return region.bytesFor(slotCount, groups);
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

    private long arenaUsed() {
        return arena == null ? 0L : arena.used;
    }

    private long arenaCapacity() {
        return arena == null ? 0L : arena.capacity;
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
                    + " bytes (holding " + region.groupCount + " groups in " + memoryUsed() + " bytes)", totalBytes,
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
}
