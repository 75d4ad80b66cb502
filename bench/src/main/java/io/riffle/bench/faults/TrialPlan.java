package io.riffle.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What one trial does, drawn from its seed alone (given the campaign's fault, job and size choices), so
 * that {@code --trial-seed} repeats it: the fault, and the job to inject it into. The scenario draws the
 * rest from {@link #scenarioRandom()}.
 */
record TrialPlan(int number, long seed, Fault fault, JobSpec job) {
    /** The plan for {@code seed}: a fault among {@code faults}, a job among {@code jobs} that can take it. */
    static TrialPlan draw(int number, long seed, List<Fault> faults, List<String> jobs, double scale, int raceKeys) {
        Random random = new Random(seed);
        Fault fault = faults.get(random.nextInt(faults.size()));
        List<String> fitting = jobsFor(fault, jobs);
        if (fitting.isEmpty()) {
            throw new IllegalArgumentException(fault + " needs a job that checkpoints (" + JobSpec.CHECKPOINTING
                    + "); --jobs has " + jobs);
        }
        String job = fitting.get(random.nextInt(fitting.size()));
        return new TrialPlan(number, seed, fault, JobSpec.draw(random, job, fault, scale, raceKeys));
    }

    /** The jobs of {@code jobs} that can take {@code fault}. */
    static List<String> jobsFor(Fault fault, List<String> jobs) {
        List<String> out = new ArrayList<>();
        for (String j : jobs) {
            if (!fault.needsCheckpoints() || JobSpec.CHECKPOINTING.contains(j)) {
                out.add(j);
            }
        }
        return out;
    }

    /** The scenario's own stream of choices, apart from the plan's. */
    Random scenarioRandom() {
        return new Random(seed * 0x9E3779B97F4A7C15L + 1);
    }

    String seedHex() {
        return Long.toHexString(seed);
    }
}
