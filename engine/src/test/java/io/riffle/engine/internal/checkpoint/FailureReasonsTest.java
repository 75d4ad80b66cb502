package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

import io.riffle.engine.CheckpointFailureReason;
import org.junit.jupiter.api.Test;

/** What a failed write says decides its reason: the disk's words for no room, any other I/O, anything else. */
class FailureReasonsTest {
    @Test
    void aDiskWithNoRoomIsDiskFullWhereverItsWordsAreInTheCauses() {
        assertEquals(CheckpointFailureReason.DISK_FULL, FailureReasons.of(new IOException(
                "cannot write /ck/chk-2/1-0.state: No space left on device (65536 of its 2398136 bytes written)")));
        assertEquals(CheckpointFailureReason.DISK_FULL, FailureReasons.of(new IllegalStateException("wrapped",
                new FileSystemException("/ck/chk-2/_manifest.tmp", null, "Disk quota exceeded"))));
        assertEquals(CheckpointFailureReason.DISK_FULL, FailureReasons.of(new IOException("File too large")));
    }

    @Test
    void anyOtherIoFailureOrAFaultInAMappedPageIsAnIoError() {
        assertEquals(CheckpointFailureReason.IO_ERROR, FailureReasons.of(new AccessDeniedException("/ck/chk-3")));
        assertEquals(CheckpointFailureReason.IO_ERROR, FailureReasons.of(new InternalError(
                "a fault occurred in an unsafe memory access operation")));
    }

    @Test
    void anythingElseIsADecline() {
        assertEquals(CheckpointFailureReason.DECLINED, FailureReasons.of(new OutOfMemoryError("test")));
        assertEquals(CheckpointFailureReason.DECLINED, FailureReasons.of(new IllegalStateException("boom")));
    }

    @Test
    void aFileSystemFailureNamesTheFileAndWhatWentWrong() {
        assertEquals("/ck/chk-3: access denied", FailureReasons.describe(new AccessDeniedException("/ck/chk-3")));
        assertEquals("/ck/_manifest.tmp: Is a directory",
                FailureReasons.describe(new FileSystemException("/ck/_manifest.tmp", null, "Is a directory")));
        assertEquals("its manifest would take 9 bytes", FailureReasons.describe(
                new IOException("its manifest would take 9 bytes")));
    }
}
