package io.riffle.bench.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The short campaign of {@code mvn verify}: one trial of each fault kind, from fixed seeds, on one small
 * keyed-sum job (exactly-once output, checkpoints, a state file of a few MiB: enough to fill a small disk
 * and to race on), so that one reference run serves all. None may end in wrong output, a crash or a hang.
 * Nothing here depends on timing: a trial is judged by its output and how its runs ended, and the hang
 * limit is minutes; where the machine is so slow that a job ends before its fault's moment, the trial
 * judges that run.
 */
class FaultCampaignTest {
    private static final JobSpec JOB = new JobSpec("keyed-sum", 200_000, 200_000, 2, 0);
    private static final long HANG_MILLIS = 5 * 60_000;

    @TempDir
    static Path scratch;
    private static TrialRunner runner;

    @BeforeAll
    static void runner() {
        CampaignSettings settings = new CampaignSettings(List.of(Fault.values()), List.of(JOB.job()), 1,
                JOB.keys(), 1.5, HANG_MILLIS, 10, false);
        runner = new TrialRunner(new ChildJvm(System.getProperty("java.class.path"), List.of()), scratch, settings);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void theJobRecoversWithTheSameOutputOrFailsWithoutWrongOutputCrashOrHang(Fault fault) throws Exception {
        TrialResult result = runner.run(new TrialPlan(fault.ordinal() + 1, 0x5EED0000L + fault.ordinal(), fault, JOB));
        System.out.println(result.summary() + "\n  " + String.join("\n  ", result.notes()));
        assertFalse(result.outcome().isFailure(), () -> result.summary() + "\n  " + String.join("\n  ", result.notes())
                + "\n  " + String.join("\n  ", result.runs()) + "\n  kept: " + result.kept());
    }
}
