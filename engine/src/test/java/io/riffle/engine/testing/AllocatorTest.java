package io.riffle.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of tests that use Arrow memory: a fresh allocator per test, which must end with zero bytes outstanding. */
public abstract class AllocatorTest {
    protected RootAllocator allocator;

    @BeforeEach
    protected void openAllocator() {
        allocator = new RootAllocator();
    }

    @AfterEach
    protected void closeAllocator() {
        assertEquals(0, allocator.getAllocatedMemory(), "off-heap bytes outstanding");
        allocator.close();
    }
}
