package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroups;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.jspecify.annotations.Nullable;

/**
 * The groups of an {@link OffHeapHashTable} as they were at {@link OffHeapHashTable#snapshot()}: the
 * synchronous part of a checkpoint, taken without copying the state, then written by {@link #writeTo} on
 * any thread while the table's owner goes on aggregating: the asynchronous part. Threading: {@code writeTo}
 * on one thread at most, concurrently with the table's owner thread; {@code close} on either.
 *
 * <p>Copy-on-write by pages of {@value #PAGE_GROUPS} groups. A group's hash and key never change once
 * inserted and new groups (ids from {@link #groupCount()} on) are not part of the snapshot, so only the
 * accumulator columns need protecting. Each page has a state, changed by CAS: the writer claims a
 * {@code SHARED} page ({@code WRITING}), copies its accumulators out of the live table and releases it
 * ({@code DONE}); the owner, about to update a {@code SHARED} page, copies it first ({@code COPYING},
 * then {@code COPIED}: the writer reads the copy), and waits for a {@code WRITING} page to be released
 * (a page copy takes microseconds). The table's memory the snapshot reads is reference counted, so the
 * table may grow, switch to hashing or close meanwhile; everything is freed when both are closed.
 * Hand the snapshot to the writer thread the usual way (an executor, a queue), which publishes it safely.
 *
 * <pre>{@code
 * TableSnapshot snapshot = table.snapshot();                  // at the barrier, on the task thread
 * executor.execute(() -> {
 *     try (snapshot) {
 *         snapshot.writeTo(dir.resolve("state-" + subtask + ".bin"), maxParallelism);
 *     }
 * });
 * table.aggregate(nextBatch);                                  // goes on at once
 * }</pre>
 */
public final class TableSnapshot implements AutoCloseable {
    static final int PAGE_SHIFT = 12;
    /** Groups per page: small enough that copying one is microseconds, large enough that pages stay few. */
    public static final int PAGE_GROUPS = 1 << PAGE_SHIFT;
    private static final int SHARED = 0;
    private static final int COPYING = 1;
    private static final int COPIED = 2;
    private static final int WRITING = 3;
    private static final int DONE = 4;
    /** Freed: neither thread may touch the page's memory any more. */
    private static final int CLOSED = 5;
    private static final int PAGES_PER_SLAB = 16;

    private final GroupBySpec spec;
    private final BufferAllocator allocator;
    private final int groupCount;
    private final int pageCount;
    private final boolean utf8Keys;
    /** The table's region and arena at snapshot time, retained (reference counted) until release. */
    private final ArrowBuf region;
    private final @Nullable ArrowBuf arena;
    private final long hashes;
    private final long keys;
    private final long arenaBase;
    /** The live accumulator columns of the table at snapshot time: what SHARED pages are read from. */
    private final long[] accumulators;
    /** Bytes of one page of every accumulator column: column c of a page copy starts at {@code c * PAGE_GROUPS * 8}. */
    private final long pageBytes;
    private final AtomicIntegerArray pages;
    /** Each COPIED page's copy; written before the page turns COPIED, so read after seeing COPIED. */
    private final long[] copies;

    /** Owner thread only: the pages it no longer needs to look at, and the slabs page copies come from. */
    private final boolean[] settled;
    private int settledCount;
    private final List<ArrowBuf> slabs = new ArrayList<>();
    private long slabNext;
    private long slabEnd;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean writeStarted = new AtomicBoolean();
    /** The snapshot itself (until closed) and a running writeTo; whoever drops it to zero frees everything. */
    private final AtomicInteger users = new AtomicInteger(1);
    /** The writer has passed every page: no page of the live table is read any more. */
    private volatile boolean pagesWritten;
    /**
     * The writer is in its page pass, where it may claim pages. It sets this before it checks {@link #closed}
     * for a page, and a new snapshot's owner reads it after the close: so either the owner sees it and waits,
     * or the writer sees the close before it claims anything (both are volatile, hence sequentially consistent).
     */
    private volatile boolean writerInPages;
    private volatile boolean released;

    /**
     * A snapshot of the groups {@code region} holds now, reading its memory (and {@code arena}'s, utf8 keys)
     * as it is: both are retained until the snapshot is released.
     */
    TableSnapshot(GroupBySpec spec, BufferAllocator allocator, TableRegion region, @Nullable KeyArena arena) {
        this.spec = spec;
        this.allocator = allocator;
        this.groupCount = region.groupCount;
        this.pageCount = (groupCount + PAGE_GROUPS - 1) >>> PAGE_SHIFT;
        this.utf8Keys = spec.keyType == ColumnType.UTF8;
        this.hashes = region.hashes;
        this.keys = region.keys;
        this.accumulators = region.accumulators.clone();
        this.pageBytes = (long) accumulators.length << (PAGE_SHIFT + 3);
        this.pages = new AtomicIntegerArray(pageCount);
        this.copies = new long[pageCount];
        this.settled = new boolean[pageCount];
        region.buffer.getReferenceManager().retain();
        this.region = region.buffer;
        if (arena != null) {
            arena.buffer.getReferenceManager().retain();
            this.arena = arena.buffer;
            this.arenaBase = arena.base;
        } else {
            this.arena = null;
            this.arenaBase = 0L;
        }
    }

    /** The number of groups in the snapshot: the table's groups {@code 0 .. groupCount() - 1} at snapshot time. */
    public int groupCount() {
        return groupCount;
    }

    /**
     * The {@code HashKernel} hash of group {@code group}'s key, read from the memory the snapshot holds: any
     * thread, while the snapshot is open (keys and hashes never change once a group exists).
     */
    public long hash(int group) {
        return MemoryUtil.getLong(hashes + ((long) checkedGroup(group) << 3));
    }

    /** Group {@code group}'s int32, int64 or timestamp key; any thread, while the snapshot is open. */
    public long longKey(int group) {
        if (utf8Keys) {
            throw new IllegalStateException("the table's keys are utf8");
        }
        return MemoryUtil.getLong(keys + ((long) checkedGroup(group) << 3));
    }

    /** The length in bytes of group {@code group}'s utf8 key; any thread, while the snapshot is open. */
    public int utf8KeyLength(int group) {
        return (int) MemoryUtil.getLong(utf8Entry(group) + 8);
    }

    /** Copies group {@code group}'s utf8 key bytes to off-heap {@code address}; any thread, while the snapshot is open. */
    public void copyUtf8Key(int group, long address) {
        long entry = utf8Entry(group);
        MemoryUtil.copyMemory(arenaBase + MemoryUtil.getLong(entry), address, MemoryUtil.getLong(entry + 8));
    }

    private long utf8Entry(int group) {
        if (!utf8Keys) {
            throw new IllegalStateException("the table's keys are not utf8");
        }
        return keys + (long) checkedGroup(group) * TableRegion.UTF8_KEY_BYTES;
    }

    private int checkedGroup(int group) {
        if (group < 0 || group >= groupCount) {
            throw new IndexOutOfBoundsException("group " + group + " outside the snapshot's [0, " + groupCount + ")");
        }
        if (released) {
            throw new IllegalStateException("the snapshot is closed");
        }
        return group;
    }

    /** True once {@link #close} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    // ---- the owner's side --------------------------------------------------------------------------

    /** Whether the owner must call {@link #preserve} before updating accumulators: false when nothing can change. */
    boolean needsCopyOnWrite() {
        return pageCount > 0 && pageBytes > 0;
    }

    /**
     * Owner thread, before the accumulators of groups {@code groupIds[0 .. n)} change: makes sure every
     * snapshot page among them was copied or written. Returns false once no page needs protecting any more
     * (all settled, the writer past every page, or the snapshot freed), so the table can stop calling.
     */
    boolean preserve(int[] groupIds, int n) {
        if (pagesWritten || released) {
            return false;
        }
        final boolean[] done = settled;
        final int limit = groupCount;
        for (int i = 0; i < n; i++) {
            int g = groupIds[i];
            if (g < limit && !done[g >>> PAGE_SHIFT]) {
                settle(g >>> PAGE_SHIFT);
                done[g >>> PAGE_SHIFT] = true;
                if (++settledCount == pageCount) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Leaves page {@code p} safe to update: copied by the owner, or already written by the writer. */
    private void settle(int p) {
        for (int attempt = 0; ; attempt++) {
            int state = pages.get(p);
            if (state == SHARED) {
                if (pages.compareAndSet(p, SHARED, COPYING)) {
                    try {
                        copies[p] = copyPage(p, takeCopySpace());
                    } catch (RuntimeException e) {
                        pages.set(p, SHARED);
                        throw e;
                    }
                    pages.set(p, COPIED);
                    return;
                }
            } else if (state == WRITING) {
                backOff(attempt);
            } else {
                return; // DONE (written from the live table) or CLOSED (freed): nothing left to protect
            }
        }
    }

    /** Room for one page copy, from the current slab or a new one. */
    private long takeCopySpace() {
        if (slabNext == slabEnd) {
            long bytes = pageBytes * Math.min(PAGES_PER_SLAB, pageCount);
            ArrowBuf slab;
            try {
                slab = allocator.buffer(bytes);
            } catch (OutOfMemoryException e) {
                throw new MemoryBudgetExceededException("snapshot of hash table for " + spec.outputSchema()
                        + " could not allocate " + bytes + " bytes to keep pages the table is about to update: "
                        + e.getMessage(), bytes, allocator.getLimit());
            }
            slabs.add(slab);
            slabNext = slab.memoryAddress();
            slabEnd = slabNext + bytes;
        }
        long copy = slabNext;
        slabNext += pageBytes;
        return copy;
    }

    /** Copies page {@code p}'s accumulators, every column, from the live table to {@code target}; returns it. */
    long copyPage(int p, long target) {
        long from = (long) p << PAGE_SHIFT;
        long bytes = Math.min(PAGE_GROUPS, groupCount - from) << 3;
        for (int c = 0; c < accumulators.length; c++) {
            MemoryUtil.copyMemory(accumulators[c] + (from << 3), target + ((long) c << (PAGE_SHIFT + 3)), bytes);
        }
        return target;
    }

    /** Waits for the other thread's page copy: spins for a short while, then gives up the core between looks. */
    private static void backOff(int attempt) {
        if (attempt < 100) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * Owner thread, before the next snapshot (this one closed): waits while a writer is in its page pass,
     * where it may still read pages of the live table; it checks between pages, so that is one page at most.
     */
    void awaitLivePagesReleased() {
        for (int attempt = 0; writerInPages && !released; attempt++) {
            backOff(attempt);
        }
    }

    // ---- the writer's side -------------------------------------------------------------------------

    /**
     * Writes the snapshot to {@code file} for {@code maxParallelism} key groups (the key group of a group is
     * {@link KeyGroups#keyGroup} of its hash), so that {@link OffHeapHashTable#restore} can read back any
     * range of key groups; returns the bytes written. Runs on any one thread while the table's owner goes on;
     * the file's blocks are allocated first (a full disk is an {@link IOException} naming the file), then it
     * is written through a memory mapping, unmapped and forced to the device before this returns. Once per
     * snapshot: pages are handed back to the table as they are written. If the snapshot is closed meanwhile
     * (an aborted checkpoint), stops at the next page with an {@link IOException}. A write that fails deletes
     * its file.
     */
    public long writeTo(Path file, int maxParallelism) throws IOException {
        return writeTo(file, maxParallelism, MappedFile.CHUNK_SHIFT);
    }

    long writeTo(Path file, int maxParallelism, int chunkShift) throws IOException {
        KeyGroups.check(maxParallelism, 1);
        if (closed.get() || !enter()) {
            throw new IllegalStateException("the snapshot is closed; take a new one");
        }
        try {
            if (!writeStarted.compareAndSet(false, true)) {
                throw new IllegalStateException("writeTo runs once per snapshot: its pages go back to the table "
                        + "as they are written");
            }
            return write(file, maxParallelism, chunkShift);
        } finally {
            leave();
        }
    }

    /**
     * Counts the groups (and utf8 key bytes) of every key group from the hashes, which never change, lays
     * out the sections, then scatters page by page each group's hash, key and accumulators to its key
     * group's section (counting sort), and finally writes checksums, index and header.
     */
    private long write(Path file, int maxParallelism, int chunkShift) throws IOException {
        int columns = accumulators.length;
        long[] groups = new long[maxParallelism];
        long[] keyBytes = new long[maxParallelism];
        for (int g = 0; g < groupCount; g++) {
            if ((g & (PAGE_GROUPS - 1)) == 0) {
                checkOpen(file);
            }
            int k = KeyGroups.keyGroup(MemoryUtil.getLong(hashes + ((long) g << 3)), maxParallelism);
            groups[k]++;
            if (utf8Keys) {
                keyBytes[k] += MemoryUtil.getLong(keys + ((long) g << 4) + 8);
            }
        }
        long[] start = new long[maxParallelism + 1];
        long[] groupsBefore = new long[maxParallelism + 1];
        long[] accumulatorsAt = new long[maxParallelism];
        long[] keysAt = new long[maxParallelism];
        long[] bytesAt = new long[maxParallelism];
        start[0] = SnapshotFileDescriptor.sectionsOffset(spec.aggregateCount(), maxParallelism);
        for (int k = 0; k < maxParallelism; k++) {
            long n = groups[k];
            start[k + 1] = start[k] + SnapshotFileDescriptor.sectionBytes(utf8Keys, columns, n, keyBytes[k]);
            groupsBefore[k + 1] = groupsBefore[k] + n;
            accumulatorsAt[k] = SnapshotFileDescriptor.accumulatorsAt(start[k], n, utf8Keys);
            // integer keys: the key column; utf8: the key lengths, then the key bytes at bytesAt
            keysAt[k] = utf8Keys ? SnapshotFileDescriptor.keyLengthsAt(start[k], n, columns)
                    : SnapshotFileDescriptor.keysAt(start[k], n);
            bytesAt[k] = SnapshotFileDescriptor.keyBytesAt(keysAt[k], n);
        }
        long fileBytes = start[maxParallelism] + SnapshotFileDescriptor.TRAILER_BYTES;
        int[] next = new int[maxParallelism];
        ArrowBuf scratch = allocator.buffer(Math.max(pageBytes, StateFileReader.CHUNK_BYTES));
        try (MappedFile out = MappedFile.create(file, fileBytes, chunkShift)) {
            writerInPages = true;
            try {
                for (int p = 0; p < pageCount; p++) {
                    checkOpen(file);
                    long source = pageBytes == 0 ? 0L : readPage(p, scratch.memoryAddress());
                    int from = p << PAGE_SHIFT;
                    int to = Math.min(groupCount, from + PAGE_GROUPS);
                    if (utf8Keys) {
                        scatterUtf8(out, maxParallelism, from, to, source, groups, start, next, accumulatorsAt,
                                keysAt, bytesAt);
                    } else {
                        scatterLong(out, maxParallelism, from, to, source, groups, start, next, accumulatorsAt,
                                keysAt);
                    }
                }
                pagesWritten = true;
            } finally {
                writerInPages = false;
            }
            int[] checksums = new int[maxParallelism];
            for (int k = 0; k < maxParallelism; k++) {
                checksums[k] = out.crc32c(start[k], start[k + 1] - start[k], scratch.memoryAddress());
            }
            writeMetadata(out, maxParallelism, fileBytes, start, groupsBefore, checksums);
            out.force();
            checkOpen(file); // closed meanwhile: the checkpoint was aborted, so this file must not count
        } catch (IOException | RuntimeException | Error e) {
            deleteIncomplete(file, e);
            throw e;
        } finally {
            scratch.close();
        }
        return fileBytes;
    }

    /**
     * Writes header, index, key group checksums, the metadata checksum and the trailer around sections
     * already written: key group {@code k} holds groups {@code groupsBefore[k] .. groupsBefore[k + 1]} at
     * bytes {@code sectionStart[k] .. sectionStart[k + 1]}. The metadata is put together and checksummed on
     * the heap, then copied into the file.
     */
    private void writeMetadata(MappedFile out, int maxParallelism, long fileBytes, long[] sectionStart,
                               long[] groupsBefore, int[] sectionChecksums) {
        SnapshotFileDescriptor metadata = SnapshotFileDescriptor.create(spec, maxParallelism)
                .putTotals(groupCount, fileBytes);
        for (int k = 0; k <= maxParallelism; k++) {
            metadata.putIndexEntry(k, sectionStart[k], groupsBefore[k]);
        }
        for (int k = 0; k < maxParallelism; k++) {
            metadata.putSectionChecksum(k, sectionChecksums[k]);
        }
        metadata.putMetadataChecksum();
        ByteBuffer bytes = metadata.buffer();
        for (int p = 0; p < bytes.capacity(); p += 8) {
            out.putLong(p, bytes.getLong(p));
        }
        out.putLong(fileBytes - SnapshotFileDescriptor.TRAILER_BYTES, fileBytes);
        out.putLong(fileBytes - 8, SnapshotFileDescriptor.TRAILER_MAGIC);
    }

    /** Deletes what a failed {@link #writeTo} left of {@code file}, so that a full disk gets its space back. */
    private static void deleteIncomplete(Path file, Throwable failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private void checkOpen(Path file) throws IOException {
        if (closed.get()) {
            throw new IOException("snapshot closed while it was being written (checkpoint aborted); " + file
                    + " is not written");
        }
    }

    /**
     * The address of page {@code p}'s accumulators as they were at snapshot time: the owner's copy, or a copy
     * the writer makes into {@code scratch} while it holds the page, so the owner waits for one memcpy at most.
     */
    private long readPage(int p, long scratch) {
        for (int attempt = 0; ; attempt++) {
            int state = pages.get(p);
            if (state == SHARED && claim(p)) {
                try {
                    return copyPage(p, scratch);
                } finally {
                    release(p);
                }
            }
            if (state == COPIED) {
                return copies[p];
            }
            backOff(attempt); // COPYING: the owner is copying this page right now
        }
    }

    /** Writer: takes SHARED page {@code p} to read it from the live table; the owner waits until {@link #release}. */
    boolean claim(int p) {
        return pages.compareAndSet(p, SHARED, WRITING);
    }

    /** Writer: hands a claimed page back; the owner may update it from now on. */
    void release(int p) {
        pages.set(p, DONE);
    }

    private void scatterLong(MappedFile out, int maxParallelism, int from, int to, long source, long[] groups,
                             long[] start, int[] next, long[] accumulatorsAt, long[] keysAt) {
        final int columns = accumulators.length;
        for (int g = from; g < to; g++) {
            long hash = MemoryUtil.getLong(hashes + ((long) g << 3));
            int k = KeyGroups.keyGroup(hash, maxParallelism);
            long rank = (long) next[k]++ << 3;
            out.putLong(start[k] + rank, hash);
            out.putLong(keysAt[k] + rank, MemoryUtil.getLong(keys + ((long) g << 3)));
            long column = groups[k] << 3;
            long at = accumulatorsAt[k] + rank;
            long word = source + ((long) (g - from) << 3);
            for (int c = 0; c < columns; c++) {
                out.putLong(at + c * column, MemoryUtil.getLong(word + ((long) c << (PAGE_SHIFT + 3))));
            }
        }
    }

    private void scatterUtf8(MappedFile out, int maxParallelism, int from, int to, long source, long[] groups,
                             long[] start, int[] next, long[] accumulatorsAt, long[] lengthsAt, long[] bytesAt) {
        final int columns = accumulators.length;
        for (int g = from; g < to; g++) {
            long hash = MemoryUtil.getLong(hashes + ((long) g << 3));
            int k = KeyGroups.keyGroup(hash, maxParallelism);
            int r = next[k]++;
            out.putLong(start[k] + ((long) r << 3), hash);
            long column = groups[k] << 3;
            long at = accumulatorsAt[k] + ((long) r << 3);
            long word = source + ((long) (g - from) << 3);
            for (int c = 0; c < columns; c++) {
                out.putLong(at + c * column, MemoryUtil.getLong(word + ((long) c << (PAGE_SHIFT + 3))));
            }
            long entry = keys + ((long) g << 4);
            long length = MemoryUtil.getLong(entry + 8);
            out.putInt(lengthsAt[k] + ((long) r << 2), (int) length);
            out.copyIn(arenaBase + MemoryUtil.getLong(entry), bytesAt[k], length);
            bytesAt[k] += length;
        }
    }

    // ---- lifetime ----------------------------------------------------------------------------------

    private boolean enter() {
        for (int u = users.get(); u > 0; u = users.get()) {
            if (users.compareAndSet(u, u + 1)) {
                return true;
            }
        }
        return false;
    }

    private void leave() {
        if (users.decrementAndGet() == 0) {
            free();
        }
    }

    /**
     * Frees the page copies and lets go of the table memory the snapshot retained. Callable from the owner or
     * the writer thread, idempotent, and fine without {@link #writeTo} (an aborted checkpoint); while a
     * writeTo is running, the memory is freed when it returns.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            leave();
        }
    }

    /**
     * Turns every page CLOSED, waiting out a copy the owner may be making (it holds the page COPYING while it
     * takes slab space), so that afterwards neither thread touches the slabs or the retained memory.
     */
    private void free() {
        for (int p = 0; p < pageCount; p++) {
            for (int attempt = 0; ; attempt++) {
                int state = pages.get(p);
                if (state != COPYING && pages.compareAndSet(p, state, CLOSED)) {
                    break;
                }
                backOff(attempt);
            }
        }
        released = true;
        for (ArrowBuf slab : slabs) {
            slab.close();
        }
        slabs.clear();
        region.getReferenceManager().release();
        if (arena != null) {
            arena.getReferenceManager().release();
        }
    }
}
