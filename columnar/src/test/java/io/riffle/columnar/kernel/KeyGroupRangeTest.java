package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyGroupRangeTest {
    @Test
    void aPartitionsRangeIsFlinksAssignment() {
        KeyGroupRange r = KeyGroupRange.ofPartition(1, 128, 3);
        assertEquals(new KeyGroupRange(128, 43, 86), r);
        assertEquals(43, r.size());
        assertTrue(r.contains(43));
        assertTrue(r.contains(85));
        assertFalse(r.contains(86));
        assertFalse(r.contains(42));
        assertEquals("[43, 86) of 128", r.toString());
        assertEquals(KeyGroupRange.all(128), KeyGroupRange.ofPartition(0, 128, 1));
    }

    @Test
    void partitionsCoverEveryKeyGroupOnce() {
        for (int p = 1; p <= 17; p++) {
            int next = 0;
            for (int s = 0; s < p; s++) {
                KeyGroupRange r = KeyGroupRange.ofPartition(s, 100, p);
                assertEquals(next, r.first());
                next = r.endExclusive();
            }
            assertEquals(100, next);
        }
    }

    @Test
    void intersectionOfOldAndNewRanges() {
        KeyGroupRange mine = KeyGroupRange.ofPartition(1, 128, 3);
        KeyGroupRange old = KeyGroupRange.ofPartition(0, 128, 2);
        assertTrue(mine.intersects(old));
        assertEquals(new KeyGroupRange(128, 43, 64), mine.intersection(old));
        KeyGroupRange apart = KeyGroupRange.ofPartition(2, 128, 3);
        assertFalse(old.intersects(apart));
        assertTrue(old.intersection(apart).isEmpty());
        assertFalse(new KeyGroupRange(128, 64, 64).intersects(new KeyGroupRange(128, 0, 128)));
    }

    @Test
    void aRangeOutsideTheKeyGroupsIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeyGroupRange(128, 100, 129));
        assertEquals("key group range [100, 129) is not inside [0, 128)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KeyGroupRange(128, 5, 4));
        assertThrows(IllegalArgumentException.class, () -> KeyGroupRange.ofPartition(3, 128, 3));
    }
}
