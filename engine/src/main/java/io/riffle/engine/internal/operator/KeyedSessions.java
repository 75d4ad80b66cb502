package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.SessionRecord.FREE;
import static io.riffle.engine.internal.operator.SessionRecord.NONE;

import java.util.Arrays;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Accumulator;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.operator.SessionRecord.KeyEntry;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.jspecify.annotations.Nullable;

/**
 * The sessions of a {@link SessionWindowOperator}'s keys, off-heap, and the rules that place a record among
 * them. A hash table gives each key an id; a page array holds each key's first and last session
 * ({@link KeyEntry}); {@link SessionRecord}s lie in pages of their own, each key's linked both ways in order of
 * time, free ones chained through their next field; {@link SessionEnds} finds the sessions a watermark closes.
 * A record extends a session, opens one, or merges the ones its window bridges, their accumulators and folds
 * merged with them; sessions merged away during a batch forward to the one they merged into until the batch
 * is done. Owned by the operator's thread; checkpoints freeze the pages ({@link PagedRecords}).
 */
final class KeyedSessions implements AutoCloseable {
    private static final int SESSION_PAGE_SHIFT = 10;
    private static final int KEY_PAGE_SHIFT = 12;

    private final long gap;
    private final long lateness;
    private final Accumulator[] accumulators;
    /** A user function folding each session, with each session's fold by session id; both null without one. */
    private final @Nullable WindowFold fold;
    private final @Nullable ReducedRecords folds;
    private final long budgetBytes;
    private final int recordBytes;
    private final GroupLookup lookup;
    private final OffHeapHashTable keys;
    private final PagedRecords heads;
    private final PagedRecords sessions;
    private final SessionEnds ends;
    /** Records ever used; below that, free ones are chained from {@link #freeHead} through their next field. */
    private int recordCount;
    private int freeHead = NONE;
    private int generations;
    /** Sessions merged away during the batch; freed once its rows are accumulated. */
    private int[] mergedAway = new int[64];
    private int mergedCount;
    /** Fired sessions whose allowed lateness ran out, found while firing; unlinked after it. */
    private int[] expiredSessions = new int[1024];
    private int[] expiredKeys = new int[1024];
    private int expiredCount;

    KeyedSessions(GroupBySpec keySpec, int keyField, long gap, long lateness, Accumulator[] accumulators,
                  @Nullable WindowFold fold, BufferAllocator allocator, long budgetBytes) {
        this.gap = gap;
        this.lateness = lateness;
        this.accumulators = accumulators;
        this.fold = fold;
        this.folds = fold != null ? new ReducedRecords() : null;
        this.budgetBytes = budgetBytes;
        this.recordBytes = SessionRecord.bytes(accumulators.length);
        this.lookup = new GroupLookup(keyField);
        this.keys = new OffHeapHashTable(keySpec, allocator, budgetBytes);
        this.heads = new PagedRecords(allocator, KeyEntry.BYTES, KEY_PAGE_SHIFT, KeyEntry.EMPTY_FILL);
        this.sessions = new PagedRecords(allocator, recordBytes, SESSION_PAGE_SHIFT, (byte) 0);
        this.ends = new SessionEnds(allocator);
    }

    /** The key table: each key's id. */
    OffHeapHashTable keys() {
        return keys;
    }

    /** Each row's key id, every key with an entry. */
    int[] keyIds(RecordBatch batch) {
        int[] keyIds = lookup.groupIds(batch, keys);
        heads.ensureRecords(keys.groupCount());
        return keyIds;
    }

    /**
     * Where session {@code s} is, to read. Once {@link #place} put a record in it, that stays where it is until
     * the batch is done: placing made its page writable, and a page is copied at most once per checkpoint.
     */
    long address(int s) {
        return sessions.address(s);
    }

    /** Where session {@code s} is, to change: its page is copied first if a checkpoint still reads it. */
    long writable(int s) {
        return sessions.writable(s);
    }

    @Nullable Tuple fold(int s) {
        return folds.get(s);
    }

    void fold(int s, Tuple folded) {
        folds.set(s, folded);
    }

    /**
     * Puts a record of key {@code key} at {@code t} into its session: the one its window {@code [t, t + gap)}
     * meets (grown to hold it, and merged with the earlier ones it now meets) or a new one; {@link SessionRecord#NONE}
     * when it is late at {@code watermark}. Windows meet when they overlap or one ends where the other starts,
     * as Flink's session windows merge. Sessions of a key are windows in time order with room between them, so
     * the record can only meet the last session starting at or before {@code t + gap}, and growing that one back
     * in time can only reach the sessions before it.
     */
    int place(int key, long t, long watermark) throws Exception {
        long entry = heads.address(key);
        int next = NONE;
        int s = KeyEntry.tail(entry);
        while (s != NONE && SessionRecord.first(sessions.address(s)) > t + gap) {
            next = s;
            s = SessionRecord.previous(sessions.address(s));
        }
        if (s == NONE || SessionRecord.last(sessions.address(s)) + gap < t) {
            if (t + gap - 1 + lateness <= watermark) {
                return NONE;
            }
            int created = allocate(key, t, s, next);
            if (s == NONE) {
                KeyEntry.head(heads.writable(key), created);
            } else {
                SessionRecord.next(sessions.writable(s), created);
            }
            if (next == NONE) {
                KeyEntry.tail(heads.writable(key), created);
            } else {
                SessionRecord.previous(sessions.writable(next), created);
            }
            ends.push(t + gap, created, SessionRecord.generation(sessions.address(created)));
            return created;
        }
        long at = sessions.writable(s);
        if (t > SessionRecord.last(at)) {
            SessionRecord.last(at, t);
        }
        long first = Math.min(SessionRecord.first(at), t);
        SessionRecord.first(at, first);
        int flags = SessionRecord.flags(at);
        if ((flags & SessionRecord.FIRED) != 0 && SessionRecord.last(at) + gap - 1 > watermark) {
            // A fired session grown past the watermark fires again at its new end: a new entry for that, and a
            // new generation so that its entry for the end of its lateness no longer counts.
            SessionRecord.flags(at, flags & ~SessionRecord.FIRED);
            SessionRecord.generation(at, ++generations);
            ends.push(SessionRecord.last(at) + gap, s, generations);
        }
        int p = SessionRecord.previous(at);
        while (p != NONE && SessionRecord.last(sessions.address(p)) + gap >= first) {
            long absorbed = sessions.writable(p);
            first = Math.min(first, SessionRecord.first(absorbed));
            SessionRecord.first(at, first);
            for (Accumulator accumulator : accumulators) {
                accumulator.merge(at, absorbed);
            }
            if (fold != null) {
                folds.set(s, mergedFolds(folds.get(p), folds.get(s)));
            }
            int before = SessionRecord.previous(absorbed);
            SessionRecord.previous(at, before);
            if (before == NONE) {
                KeyEntry.head(heads.writable(key), s);
            } else {
                SessionRecord.next(sessions.writable(before), s);
            }
            // Rows of this batch already placed in p follow this forward to s; p is freed after the batch.
            SessionRecord.key(absorbed, FREE);
            SessionRecord.next(absorbed, s);
            if (mergedCount == mergedAway.length) {
                mergedAway = Arrays.copyOf(mergedAway, mergedCount * 2);
            }
            mergedAway[mergedCount++] = p;
            p = before;
        }
        return s;
    }

    /** Two sessions' folds as one, the earlier first; a session opened in this batch may have none yet. */
    private Tuple mergedFolds(Tuple earlier, Tuple later) throws Exception {
        return earlier == null ? later : later == null ? earlier : fold.merge(earlier, later);
    }

    /** A new session of {@code key} holding only {@code t}, to be linked between {@code previous} and {@code next}. */
    private int allocate(int key, long t, int previous, int next) {
        int s;
        if (freeHead != NONE) {
            s = freeHead;
            freeHead = SessionRecord.next(sessions.address(s));
        } else {
            if (recordCount == sessions.capacity()) {
                checkBudget();
            }
            s = recordCount++;
            sessions.ensureRecords(recordCount);
            if (folds != null) {
                folds.add(null, 0);
            }
        }
        long at = sessions.writable(s);
        SessionRecord.first(at, t);
        SessionRecord.last(at, t);
        SessionRecord.next(at, next);
        SessionRecord.previous(at, previous);
        SessionRecord.key(at, key);
        SessionRecord.generation(at, ++generations);
        SessionRecord.flags(at, 0);
        for (Accumulator accumulator : accumulators) {
            accumulator.reset(at);
        }
        return s;
    }

    /** Before another page of sessions: the state must stay within its budget. */
    private void checkBudget() {
        long pageBytes = (long) recordBytes << SESSION_PAGE_SHIFT;
        long wanted = keys.memoryUsed() + heads.bytes() + sessions.bytes() + pageBytes;
        if (wanted > budgetBytes) {
            throw new MemoryBudgetExceededException("session windows of " + recordCount + " open sessions over "
                    + keys.groupCount() + " keys need " + wanted + " bytes, more than the state budget of " + budgetBytes
                    + " bytes; raise it with Environment.setStateBudget, or shorten the gap", wanted, budgetBytes);
        }
    }

    /**
     * After a batch is placed: points each row placed in a session that was merged away ({@code sessionOf[i]},
     * its record {@code recordOf[i]}) at the session it merged into.
     */
    void forwardMerged(int[] sessionOf, long[] recordOf, int n) {
        if (mergedCount == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s < 0 || SessionRecord.key(recordOf[i]) != FREE) {
                continue;
            }
            long at = recordOf[i];
            while (SessionRecord.key(at) == FREE) {
                s = SessionRecord.next(at);
                at = sessions.address(s);
            }
            sessionOf[i] = s;
            recordOf[i] = at;
        }
    }

    /** Once a batch is done: frees the sessions merged away during it. */
    void freeMerged() {
        for (int m = 0; m < mergedCount; m++) {
            free(mergedAway[m]);
        }
        mergedCount = 0;
    }

    private void free(int s) {
        if (folds != null) {
            folds.set(s, null);
        }
        long at = sessions.writable(s);
        SessionRecord.key(at, FREE);
        SessionRecord.next(at, freeHead);
        freeHead = s;
    }

    /**
     * Pops the end entries {@code watermark} reaches until {@code limit} sessions are due: a session whose end
     * it passed is due (and with allowed lateness kept as fired, its entry moved to the end of its lateness);
     * a fired session whose lateness ran out is set aside for {@link #unlinkExpired}. Writes the due sessions
     * and their keys into {@code due} and {@code dueKeys}; returns how many, 0 when none is left.
     */
    int popDue(long watermark, int[] due, int[] dueKeys, int limit) {
        int m = 0;
        while (m < limit && ends.size() > 0 && ends.peekEnd() - 1 <= watermark) {
            int s = ends.peekSession();
            int generation = ends.peekGeneration();
            ends.pop();
            long at = sessions.address(s);
            if (SessionRecord.key(at) == FREE || SessionRecord.generation(at) != generation) {
                // The entry of a session merged away, freed, or of an earlier session of a reused record.
                continue;
            }
            boolean fired = SessionRecord.fired(at);
            long dueAt = SessionRecord.last(at) + gap + (fired ? lateness : 0);
            if (dueAt - 1 > watermark) {
                // The session grew since its entry was made: it takes its place again.
                ends.push(dueAt, s, generation);
                continue;
            }
            if (fired) {
                if (expiredCount == expiredSessions.length) {
                    expiredSessions = Arrays.copyOf(expiredSessions, expiredCount * 2);
                    expiredKeys = Arrays.copyOf(expiredKeys, expiredCount * 2);
                }
                expiredSessions[expiredCount] = s;
                expiredKeys[expiredCount++] = SessionRecord.key(at);
                continue;
            }
            if (lateness > 0) {
                SessionRecord.flags(sessions.writable(s), SessionRecord.FIRED);
                ends.push(dueAt + lateness, s, generation);
            }
            due[m] = s;
            dueKeys[m++] = SessionRecord.key(at);
        }
        return m;
    }

    /** Frees the fired sessions whose allowed lateness {@link #popDue} found run out. */
    void unlinkExpired() {
        unlink(expiredSessions, expiredKeys, expiredCount);
        expiredCount = 0;
    }

    /**
     * Takes sessions {@code done[0 .. m)} (keys {@code keyIds}) off the front of their keys' lists and frees
     * them; each is the first of its key's (a key's sessions are disjoint, so they end in the order linked).
     */
    void unlink(int[] done, int[] keyIds, int m) {
        for (int r = 0; r < m; r++) {
            int s = done[r];
            int next = SessionRecord.next(sessions.address(s));
            long entry = heads.writable(keyIds[r]);
            KeyEntry.head(entry, next);
            if (next == NONE) {
                KeyEntry.tail(entry, NONE);
            } else {
                SessionRecord.previous(sessions.writable(next), NONE);
            }
            free(s);
        }
    }

    /** Selects into {@code out} the rows of {@code rows} that a session of their key still holds; returns how many. */
    int selectHeld(RecordBatch rows, EventTimeField time, SelectionVector out) {
        int n = rows.rowCount();
        int[] keyIds = lookup.groupIds(rows, keys);
        out.ensureCapacity(n);
        int[] selected = out.rows();
        long times = rows.vector(time.index()).getDataBufferAddress();
        long offset = time.offsetMillis();
        int count = 0;
        for (int i = 0; i < n; i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3)) + offset;
            for (int s = KeyEntry.head(heads.address(keyIds[i])); s != NONE; s = SessionRecord.next(sessions.address(s))) {
                long at = sessions.address(s);
                if (SessionRecord.first(at) > t) {
                    break;
                }
                if (SessionRecord.last(at) >= t) {
                    selected[count++] = i;
                    break;
                }
            }
        }
        out.setSize(count);
        return count;
    }

    /**
     * The sessions as they are now, for a checkpoint written by another thread: the key table's snapshot and
     * frozen pages (copied on write from now on), and the folds.
     */
    SessionStateFile snapshot(SessionStateFile.Settings settings) {
        TableSnapshot keySnapshot = keys.snapshot();
        return new SessionStateFile(settings, keySnapshot, heads.freeze(keySnapshot.groupCount()),
                sessions.freeze(recordCount), folds != null ? folds.snapshot() : null);
    }

    /**
     * Restore: appends sessions read from a state file, {@code keyBatch}'s rows in order (each key's sessions
     * come together, oldest first); {@code words} holds each row's {@link SessionStateDescriptor#SESSION_WORDS} and
     * accumulator words, {@code restoredFolds} each one's fold with a user function.
     */
    void append(RecordBatch keyBatch, long[] words, Tuple @Nullable [] restoredFolds) {
        int n = keyBatch.rowCount();
        int[] keyIds = keyIds(keyBatch);
        int perSession = SessionStateDescriptor.wordsPerSession(accumulators.length);
        int previousKey = NONE;
        int previous = NONE;
        for (int i = 0; i < n; i++) {
            int key = keyIds[i];
            int s = recordCount++;
            sessions.ensureRecords(recordCount);
            if (folds != null) {
                folds.add(restoredFolds[i], 0);
            }
            long at = sessions.writable(s);
            int w = i * perSession;
            SessionRecord.first(at, words[w + SessionStateDescriptor.FIRST_WORD]);
            SessionRecord.last(at, words[w + SessionStateDescriptor.LAST_WORD]);
            SessionRecord.next(at, NONE);
            SessionRecord.previous(at, key == previousKey ? previous : NONE);
            SessionRecord.key(at, key);
            SessionRecord.generation(at, ++generations);
            int flags = (int) words[w + SessionStateDescriptor.FIRED_WORD] & SessionRecord.FIRED;
            SessionRecord.flags(at, flags);
            for (int k = SessionStateDescriptor.SESSION_WORDS; k < perSession; k++) {
                SessionRecord.accumulatorWord(at, k - SessionStateDescriptor.SESSION_WORDS, words[w + k]);
            }
            if (key == previousKey) {
                SessionRecord.next(sessions.writable(previous), s);
            } else {
                KeyEntry.head(heads.writable(key), s);
            }
            KeyEntry.tail(heads.writable(key), s);
            previousKey = key;
            previous = s;
            ends.push(SessionRecord.last(at) + gap + (flags != 0 ? lateness : 0), s, generations);
        }
    }

    @Override
    public void close() {
        ends.close();
        sessions.close();
        heads.close();
        keys.close();
    }
}
