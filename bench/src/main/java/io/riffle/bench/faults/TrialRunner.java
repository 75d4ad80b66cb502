package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.riffle.bench.ScratchDirectory;

/**
 * Runs trials one after another: the job's failure-free reference run (once per job and parameters, kept
 * for the campaign), the trial's scenario in a directory of its own, then the verdict. A trial's directory
 * is deleted unless it went wrong (or the settings keep all). Not thread-safe.
 */
final class TrialRunner {
    private final ChildJvm jvm;
    private final Path scratch;
    private final CampaignSettings settings;
    private final Map<JobSpec, Reference> references = new HashMap<>();

    /** What a failure-free run of a job commits (sorted row hashes) and how long it takes, JVM start included. */
    private record Reference(long[] rows, long millis) {
    }

    TrialRunner(ChildJvm jvm, Path scratch, CampaignSettings settings) {
        this.jvm = jvm;
        this.scratch = scratch.toAbsolutePath();
        this.settings = settings;
    }

    TrialResult run(TrialPlan plan) throws Exception {
        long start = System.nanoTime();
        Reference reference = reference(plan.job());
        long hangLimit = Math.max(settings.hangMinMillis(), (long) (settings.hangFactor() * reference.millis()));
        ScratchDirectory dir = ScratchDirectory.create(scratch, String.format("trial-%03d-%s-", plan.number(),
                plan.seedHex()));
        Trial trial = new Trial(plan, dir.path(), jvm, hangLimit, reference.millis(), settings.pacedSeconds());
        plan.fault().scenario().run(trial, plan.scenarioRandom());
        RunRecord last = trial.runs().get(trial.runs().size() - 1);
        if (last.recovery() != null) {
            trial.note(last.recovery());
        }
        if (last.failedCheckpoints() > 0) {
            trial.note(last.failedCheckpoints() + " checkpoints failed");
        }
        CommittedOutput.Diff diff = CommittedOutput.compare(reference.rows(),
                CommittedOutput.rows(trial.output, plan.job().job()));
        Classifier.Verdict verdict = Classifier.classify(trial.runs(), diff, trial.canary.damage());
        boolean keep = settings.keepAll() || verdict.outcome() != Outcome.RECOVERED_IDENTICAL
                && verdict.outcome() != Outcome.CLEAN_ERROR;
        if (!keep) {
            dir.close();
        }
        List<String> runs = new ArrayList<>();
        for (RunRecord r : trial.runs()) {
            runs.add(r.describe());
        }
        return new TrialResult(plan, verdict.outcome(), verdict.detail(), trial.wasInjected(), trial.notes(), runs,
                (System.nanoTime() - start) / 1_000_000, keep ? dir.path() : null);
    }

    private Reference reference(JobSpec job) throws IOException, InterruptedException {
        Reference known = references.get(job);
        if (known != null) {
            return known;
        }
        try (ScratchDirectory dir = ScratchDirectory.create(scratch, "reference-")) {
            Path output = dir.path().resolve("output");
            List<String> args = new ArrayList<>(job.runArguments());
            args.addAll(List.of("--output", output.toString()));
            if (job.checkpoints()) {
                args.addAll(List.of("--checkpoint-dir", dir.path().resolve("checkpoints").toString(),
                        "--checkpoint-interval", "100"));
            }
            RunRecord run = jvm.start(dir.path(), "reference", args, 0).awaitEnd(settings.hangMinMillis());
            long[] rows = CommittedOutput.rows(output, job.job());
            if (!run.exitedCleanly() || rows.length == 0) {
                throw new IllegalStateException("the failure-free reference run of " + job + " failed ("
                        + run.describe() + ", " + rows.length + " rows): " + Classifier.errorLine(run.stderr()));
            }
            Reference r = new Reference(rows, run.millis());
            references.put(job, r);
            return r;
        }
    }
}
