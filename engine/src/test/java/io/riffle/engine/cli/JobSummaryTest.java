package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.riffle.engine.CheckpointFailureReason;
import io.riffle.engine.CheckpointFailures;

import org.junit.jupiter.api.Test;

/**
 * The JSON summary line reports failed checkpoints, how many for each reason, and why the last one failed, as
 * valid JSON.
 */
class JobSummaryTest {
    @Test
    void failedCheckpointsAndTheLastReasonEndTheSummary() {
        String message = "keyBy(key).sum(value) -> sink [1/2] could not write its state: cannot write "
                + "C:\\ck\\chk-2\\1-0.state: \"No space left on device\"\n";
        CheckpointFailures failures = new CheckpointFailures(3, Map.of(CheckpointFailureReason.DISK_FULL, 2L,
                CheckpointFailureReason.TIMED_OUT, 1L),
                new CheckpointFailures.Last(2, CheckpointFailureReason.DISK_FULL, message));
        String json = new JobSummary("keyed-sum", 10, 2, 10, 1.0, 2, 1, 0, 0, null, List.of(), failures).toJson();
        assertTrue(json.endsWith(",\"checkpoints\":1,\"restarts\":0,\"recovery_ms\":0,\"restored_checkpoint\":null,"
                + "\"fallbacks\":[],\"failed_checkpoints\":3,"
                + "\"checkpoint_failures_by_reason\":{\"DISK_FULL\":2,\"TIMED_OUT\":1},"
                + "\"last_checkpoint_failure_reason\":\"DISK_FULL\","
                + "\"last_checkpoint_failure\":\"checkpoint 2: keyBy(key).sum(value) -> sink [1/2] could not write "
                + "its state: cannot write C:\\\\ck\\\\chk-2\\\\1-0.state: \\\"No space left on device\\\"\\u000a\"}"),
                json);
    }

    @Test
    void aRunWithoutFailedCheckpointsSaysNothingOfThem() {
        String json = new JobSummary("keyed-sum", 10, 2, 10, 1.0, 2, 3, 0, 0, null, List.of(),
                CheckpointFailures.NONE).toJson();
        assertTrue(json.endsWith(",\"checkpoints\":3,\"restarts\":0,\"recovery_ms\":0,\"restored_checkpoint\":null,"
                + "\"fallbacks\":[]}"), json);
        assertEquals(-1, json.indexOf("failed"));
    }
}
