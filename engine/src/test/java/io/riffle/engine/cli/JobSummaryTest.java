package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The JSON summary line reports failed checkpoints, and why the last one failed, as a valid JSON string. */
class JobSummaryTest {
    @Test
    void failedCheckpointsAndTheLastReasonEndTheSummary() {
        String reason = "checkpoint 2: keyBy(key).sum(value) -> sink [1/2] could not write its state: cannot write "
                + "C:\\ck\\chk-2\\1-0.state: \"No space left on device\"\n";
        String json = new JobSummary("keyed-sum", 10, 2, 10, 1.0, 2, 1, 0, 0, null, List.of(), 2, reason).toJson();
        assertTrue(json.endsWith(",\"checkpoints\":1,\"restarts\":0,\"recovery_ms\":0,\"restored_checkpoint\":null,"
                + "\"fallbacks\":[],\"failed_checkpoints\":2,"
                + "\"last_checkpoint_failure\":\"checkpoint 2: keyBy(key).sum(value) -> sink [1/2] could not write "
                + "its state: cannot write C:\\\\ck\\\\chk-2\\\\1-0.state: \\\"No space left on device\\\"\\u000a\"}"),
                json);
    }

    @Test
    void aRunWithoutFailedCheckpointsSaysNothingOfThem() {
        String json = new JobSummary("keyed-sum", 10, 2, 10, 1.0, 2, 3, 0, 0, null, List.of(), 0, null).toJson();
        assertTrue(json.endsWith(",\"checkpoints\":3,\"restarts\":0,\"recovery_ms\":0,\"restored_checkpoint\":null,"
                + "\"fallbacks\":[]}"), json);
        assertEquals(-1, json.indexOf("failed"));
    }
}
