package io.riffle.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class RunRecordTest {
    @Test
    void theSummarySaysWhatWasRestoredAndOverHowManyDamagedCheckpoints() {
        assertEquals("restored chk-2, passing over 1 damaged checkpoint(s)", recovery("{\"job\":\"keyed-sum\","
                + "\"restored_checkpoint\":\"/t/checkpoints/chk-2\",\"fallbacks\":[{\"damaged\":\"/t/checkpoints/chk-3\","
                + "\"reason\":\"chk-3/1-0.state: fails its checksum\",\"restored\":\"/t/checkpoints/chk-2\",\"duplicates\":false}]}"));
        assertEquals("restored chk-7", recovery("{\"restored_checkpoint\":\"/t/c/chk-7\",\"fallbacks\":[]}"));
        assertEquals("started from the beginning, passing over 2 damaged checkpoint(s)",
                recovery("{\"restored_checkpoint\":null,\"fallbacks\":[{\"damaged\":\"a\"},{\"damaged\":\"b\"}]}"));
        assertNull(recovery("{\"restored_checkpoint\":null,\"fallbacks\":[]}"));
        assertNull(recovery(null));
    }

    @Test
    void theSummarySaysHowManyCheckpointsFailed() {
        assertEquals(3, new RunRecord("run-1", List.of(), RunRecord.Ending.EXITED, 0, 10, "", null,
                "{\"checkpoints\":2,\"failed_checkpoints\":3,\"last_checkpoint_failure\":\"disk full\"}").failedCheckpoints());
        assertEquals(0, new RunRecord("run-1", List.of(), RunRecord.Ending.KILLED, 137, 10, "", null, null)
                .failedCheckpoints());
    }

    private static String recovery(String summary) {
        return new RunRecord("run-1", List.of(), RunRecord.Ending.EXITED, 0, 10, "", null, summary).recovery();
    }
}
