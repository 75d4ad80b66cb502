package io.riffle.engine.internal.operator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Fixed-width records in off-heap pages, copied on write while a checkpoint reads them. Owned by one task's
 * thread; a {@link Frozen} view of it may be read by the checkpoint thread meanwhile. A checkpoint freezes the
 * pages without copying them ({@link #freeze}): each holds a reference of its own to every page, and the owner
 * copies a page that an unfinished view still reads before it first changes it ({@link #writable}). So the
 * pause of a checkpoint grows with the number of pages, not with their bytes, and a page is copied at most once
 * per checkpoint.
 */
final class PagedRecords implements AutoCloseable {
    private final BufferAllocator allocator;
    private final int recordBytes;
    private final int pageShift;
    private final int pageMask;
    private final long pageBytes;
    private final byte fill;
    private ArrowBuf[] pages = new ArrowBuf[8];
    private long[] addresses = new long[8];
    /** Per page: some view may still read it, so it is copied before it changes. */
    private boolean[] shared = new boolean[8];
    private int pageCount;
    /** Views not known to be finished; pruned as they finish. */
    private final List<Frozen> views = new ArrayList<>();

    /** Pages of {@code 1 << pageShift} records of {@code recordBytes}, every byte of a new page set to {@code fill}. */
    PagedRecords(BufferAllocator allocator, int recordBytes, int pageShift, byte fill) {
        this.allocator = allocator;
        this.recordBytes = recordBytes;
        this.pageShift = pageShift;
        this.pageMask = (1 << pageShift) - 1;
        this.pageBytes = (long) recordBytes << pageShift;
        this.fill = fill;
    }

    /** Room for records {@code 0 .. records - 1}. */
    void ensureRecords(int records) {
        while ((long) pageCount << pageShift < records) {
            if (pageCount == pages.length) {
                pages = Arrays.copyOf(pages, pageCount * 2);
                addresses = Arrays.copyOf(addresses, pageCount * 2);
                shared = Arrays.copyOf(shared, pageCount * 2);
            }
            ArrowBuf page = allocator.buffer(pageBytes);
            MemoryUtil.setMemory(page.memoryAddress(), pageBytes, fill);
            pages[pageCount] = page;
            addresses[pageCount] = page.memoryAddress();
            pageCount++;
        }
    }

    /** Off-heap bytes of the owner's pages. */
    long bytes() {
        return pageCount * pageBytes;
    }

    /** Records there is room for. */
    int capacity() {
        return pageCount << pageShift;
    }

    /** Where record {@code record} lies, to read it. */
    long address(int record) {
        return addresses[record >>> pageShift] + (long) (record & pageMask) * recordBytes;
    }

    /** Where record {@code record} lies, to change it: its page is first copied if a view still reads it. */
    long writable(int record) {
        int p = record >>> pageShift;
        if (shared[p]) {
            unshare(p);
        }
        return addresses[p] + (long) (record & pageMask) * recordBytes;
    }

    private void unshare(int p) {
        shared[p] = false;
        if (!anyViewInUse()) {
            return;
        }
        ArrowBuf copy = allocator.buffer(pageBytes);
        MemoryUtil.copyMemory(addresses[p], copy.memoryAddress(), pageBytes);
        // The views keep their own references to the old page.
        pages[p].getReferenceManager().release();
        pages[p] = copy;
        addresses[p] = copy.memoryAddress();
    }

    private boolean anyViewInUse() {
        for (int v = views.size() - 1; v >= 0; v--) {
            if (!views.get(v).inUse()) {
                views.remove(v);
            }
        }
        return !views.isEmpty();
    }

    /** A view of records {@code 0 .. records - 1} as they are now; close it when done (written or aborted). */
    Frozen freeze(int records) {
        int frozenPages = (int) (((long) records + pageMask) >>> pageShift);
        ArrowBuf[] held = new ArrowBuf[frozenPages];
        long[] at = new long[frozenPages];
        for (int p = 0; p < frozenPages; p++) {
            pages[p].getReferenceManager().retain();
            held[p] = pages[p];
            at[p] = addresses[p];
            shared[p] = true;
        }
        anyViewInUse();
        Frozen view = new Frozen(held, at);
        views.add(view);
        return view;
    }

    /** Frees the owner's pages; those a view still holds are freed when it closes. */
    @Override
    public void close() {
        for (int p = 0; p < pageCount; p++) {
            pages[p].getReferenceManager().release();
            pages[p] = null;
        }
        pageCount = 0;
        views.clear();
    }

    /**
     * The records as they were when frozen, read by any one thread (the checkpoint writer's) until closed;
     * closing lets go of the pages the owner no longer holds.
     */
    final class Frozen implements AutoCloseable {
        private final ArrowBuf[] held;
        private final long[] at;
        private volatile boolean closed;

        private Frozen(ArrowBuf[] held, long[] at) {
            this.held = held;
            this.at = at;
        }

        long address(int record) {
            return at[record >>> pageShift] + (long) (record & pageMask) * recordBytes;
        }

        boolean inUse() {
            return !closed;
        }

        /** Idempotent; from any thread. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                for (ArrowBuf page : held) {
                    page.getReferenceManager().release();
                }
            }
        }
    }
}
