package io.riffle.baselines.differential;

/**
 * One run of one case: its seed (which draws the input and its key type), the keyed operators' parallelism and
 * Riffle's batch size (0: the default; in a case with per-batch watermarks Flink's watermark generator follows it,
 * see {@link FlinkSide}).
 */
record Trial(DifferentialCase differentialCase, long seed, int parallelism, int batchSize) {
    /** What a failure message names: everything needed to run this trial again, alone. */
    String describe() {
        return String.format("case %s, seed %d (keys %s), parallelism %d, batch size %s; rerun: %s",
                differentialCase.name(), seed, Events.KeyType.of(seed), parallelism,
                batchSize == 0 ? "default" : Integer.toString(batchSize), rerunCommand());
    }

    String rerunCommand() {
        return "mvn -B -o -P baselines -pl baselines -am test -Dtest=DifferentialTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Ddifferential.case=" + differentialCase.name()
                + " -Ddifferential.seed=" + seed;
    }

    @Override
    public String toString() {
        return differentialCase.name() + " seed " + seed + " p" + parallelism + " batch "
                + (batchSize == 0 ? "default" : Integer.toString(batchSize));
    }
}
