package io.riffle.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static final CommittedOutput.Diff IDENTICAL = new CommittedOutput.Diff(10, 10, 0, 0);
    private static final CommittedOutput.Diff PARTIAL = new CommittedOutput.Diff(10, 4, 6, 0);
    private static final String PROGRESS = "keyed-sum: 1,234 records/s, 1.0 s\n"
            + "keyed-sum: checkpoints failed (2 so far, 2 in a row); checkpoint 2: cannot write chk-2/1-0.state\n";

    @Test
    void aCompleteRunWithTheReferenceRowsRecovered() {
        assertEquals(Outcome.RECOVERED_IDENTICAL, outcome(List.of(killed(), exited(0, PROGRESS)), IDENTICAL));
    }

    @Test
    void rowsInExcessAreWrongOutputWhateverTheExit() {
        CommittedOutput.Diff doubled = new CommittedOutput.Diff(10, 12, 0, 2);
        assertEquals(Outcome.WRONG_OUTPUT, outcome(List.of(exited(0, "")), doubled));
        assertEquals(Outcome.WRONG_OUTPUT, outcome(List.of(exited(1, "the job failed\n")), doubled));
    }

    @Test
    void aCompleteRunWithRowsMissingLostThem() {
        assertEquals(Outcome.WRONG_OUTPUT, outcome(List.of(exited(0, "")), PARTIAL));
    }

    @Test
    void aFailedRunThatCommittedPartOfTheOutputAndSaysWhyInOneLineIsACleanError() {
        Classifier.Verdict v = Classifier.classify(List.of(exited(1, PROGRESS
                + "riffle: no checkpoint in /tmp/c could be restored: /tmp/c/chk-2/1-0.state: missing\n" + PROGRESS
                + "Dec 07, 2026 7:29:41 PM io.riffle.engine.internal.runtime.JobRun start\n"
                + "INFO: job 'keyed-sum' restored checkpoint 1\n")), PARTIAL, List.of());
        assertEquals(Outcome.CLEAN_ERROR, v.outcome());
        assertEquals("exit 1: riffle: no checkpoint in /tmp/c could be restored: /tmp/c/chk-2/1-0.state: missing",
                v.detail());
    }

    @Test
    void anErrorNamingJavaClassesOrWithAStackTraceIsUnclear() {
        assertEquals(Outcome.UNCLEAR_ERROR, outcome(List.of(exited(1,
                "riffle: java.lang.IllegalArgumentException: no complete checkpoint in /tmp/c\n")), PARTIAL));
        assertEquals(Outcome.UNCLEAR_ERROR, outcome(List.of(exited(1,
                "job failed: IllegalStateException: boom\n")), PARTIAL));
        assertEquals(Outcome.UNCLEAR_ERROR, outcome(List.of(exited(1,
                "the job failed\n\tat io.riffle.engine.JobRun.start(JobRun.java:96)\n")), PARTIAL));
    }

    @Test
    void anEscapedErrorIsACrashEvenInARunThatExitedZeroOrWasKilled() {
        String internal = "Exception in thread \"riffle-checkpoint-writer\" java.lang.InternalError: a fault occurred"
                + " in a recent unsafe memory access operation\n";
        assertEquals(Outcome.CRASH, outcome(List.of(exited(0, internal)), IDENTICAL));
        RunRecord killedAfterAnError = new RunRecord("run-1", List.of(), RunRecord.Ending.KILLED, 137, 10, internal, null, null);
        assertEquals(Outcome.CRASH, outcome(List.of(killedAfterAnError, exited(0, "")), IDENTICAL));
    }

    @Test
    void anErrorTheCliReportsOrAVanishedMappedPageIsACrash() {
        assertEquals(Outcome.CRASH, outcome(List.of(exited(1,
                "riffle: internal error: java.lang.OutOfMemoryError: Java heap space\n")), PARTIAL));
        assertEquals(Outcome.CRASH, outcome(List.of(exited(1, "riffle: job 'keyed-sum' failed: a fault occurred in a"
                + " recent unsafe memory access operation in compiled Java code\n")), PARTIAL));
    }

    @Test
    void aCrashReportOrADeathBySignalIsACrash() {
        RunRecord reported = new RunRecord("run-1", List.of(), RunRecord.Ending.EXITED, 134, 10, "",
                "SIGBUS (0x7) in v  ~StubRoutines::updateBytesCRC32C (hs_err_pid1.log)", null);
        assertEquals(Outcome.CRASH, outcome(List.of(reported), PARTIAL));
        assertEquals(Outcome.CRASH, outcome(List.of(exited(135, "")), PARTIAL));
    }

    @Test
    void aRunThatDidNotEndIsAHangAndATouchedCanaryIsWrongOutput() {
        RunRecord hung = new RunRecord("run-2", List.of(), RunRecord.Ending.HUNG, 137, 120_000, "", null, null);
        assertEquals(Outcome.HANG, outcome(List.of(killed(), hung), PARTIAL));
        assertEquals(Outcome.WRONG_OUTPUT, Classifier.classify(List.of(exited(1, "refused\n")), PARTIAL,
                List.of("canary/precious.csv.pending is gone")).outcome());
    }

    private static Outcome outcome(List<RunRecord> runs, CommittedOutput.Diff diff) {
        return Classifier.classify(runs, diff, List.of()).outcome();
    }

    private static RunRecord exited(int code, String stderr) {
        return new RunRecord("run-2", List.of(), RunRecord.Ending.EXITED, code, 10, stderr, null, null);
    }

    private static RunRecord killed() {
        return new RunRecord("run-1", List.of(), RunRecord.Ending.KILLED, 137, 10, "", null, null);
    }
}
