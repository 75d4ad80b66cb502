package io.riffle.baselines.differential;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.riffle.baselines.differential.Events.Event;
import io.riffle.baselines.differential.Events.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The differential suite: every case of {@link Cases} on Flink and on Riffle over seeded random input, outputs
 * compared as multisets. A failure names the trial (case, seed, key type, parallelism, batch size), the command
 * that reruns it alone, and the first differing rows of both sides.
 *
 * <p>System properties (all optional):
 * <ul>
 *   <li>{@code differential.seeds} (default 3): seeds per case, {@code differential.baseSeed} (default 1) the
 *       first; each seed runs at parallelism 1, 2 and 4, with batch sizes 1, 3 and the default spread over the
 *       seeds so that three seeds cover all nine pairs (a case made for one batch size runs every seed at every
 *       parallelism at that size);</li>
 *   <li>{@code differential.seed}: one seed only, at every parallelism and batch size;</li>
 *   <li>{@code differential.full=true}: every seed at every parallelism and batch size;</li>
 *   <li>{@code differential.case}: only the cases named (comma-separated);</li>
 *   <li>{@code differential.shrink=true}: on a failure, drop records while it still fails and print the
 *       smallest input found with both outputs (slow: both engines run per try).</li>
 * </ul>
 * A summary (trials, failures and the rows Flink emitted per output, summed over the trials, per case: an output
 * that stays empty compares nothing) is written to {@code target/differential-summary.txt}.
 */
class DifferentialTest {
    private static final int[] PARALLELISMS = {1, 2, 4};
    /** 0 is Riffle's default batch size (4096: every input here is one batch). */
    private static final int[] BATCH_SIZES = {1, 3, 0};
    private static final int DIFF_ROWS = 20;

    private static FlinkCluster flink;
    private static final Map<String, int[]> RESULTS = new ConcurrentHashMap<>();
    /** Per case, Flink's rows per output ({@code main} or the tag), summed over its trials. */
    private static final Map<String, Map<String, Long>> ROWS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startFlink() throws Exception {
        flink = new FlinkCluster(8);
    }

    @AfterAll
    static void stopFlinkAndWriteSummary() throws Exception {
        flink.close();
        StringBuilder summary = new StringBuilder();
        int trials = 0;
        int failed = 0;
        for (Map.Entry<String, int[]> e : new TreeMap<>(RESULTS).entrySet()) {
            trials += e.getValue()[0];
            failed += e.getValue()[1];
            summary.append(String.format("%-86s %4d trials %4d failed  rows: %s%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1], ROWS.getOrDefault(e.getKey(), Map.of())));
        }
        summary.append(String.format("total: %d trials, %d passed, %d failed%n", trials, trials - failed, failed));
        Path file = Path.of("target", "differential-summary.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, summary);
        System.out.print(summary);
    }

    @TestFactory
    Stream<DynamicTest> flinkAndRiffleAgree() {
        return trials().stream().map(trial -> DynamicTest.dynamicTest(trial.toString(), () -> check(trial)));
    }

    /** The trials the system properties ask for. */
    static List<Trial> trials() {
        Set<String> only = names(System.getProperty("differential.case", ""));
        for (String name : only) {
            if (Cases.ALL.stream().noneMatch(c -> c.name().equals(name))) {
                throw new IllegalArgumentException("no case named '" + name + "'; the cases are "
                        + Cases.ALL.stream().map(DifferentialCase::name).toList());
            }
        }
        String oneSeed = System.getProperty("differential.seed");
        boolean full = oneSeed != null || Boolean.getBoolean("differential.full");
        long base = oneSeed != null ? Long.parseLong(oneSeed) : Long.getLong("differential.baseSeed", 1);
        int seeds = oneSeed != null ? 1 : Integer.getInteger("differential.seeds", 3);
        List<Trial> trials = new ArrayList<>();
        for (DifferentialCase c : Cases.ALL) {
            if (!only.isEmpty() && !only.contains(c.name())) {
                continue;
            }
            for (int s = 0; s < seeds; s++) {
                for (int p = 0; p < PARALLELISMS.length; p++) {
                    if (c.batchSize() != DifferentialCase.ANY_BATCH_SIZE) {
                        trials.add(new Trial(c, base + s, PARALLELISMS[p], c.batchSize()));
                        continue;
                    }
                    for (int b = 0; b < BATCH_SIZES.length; b++) {
                        if (full || b == (s + p) % BATCH_SIZES.length) {
                            trials.add(new Trial(c, base + s, PARALLELISMS[p], BATCH_SIZES[b]));
                        }
                    }
                }
            }
        }
        return trials;
    }

    private static Set<String> names(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(n -> !n.isEmpty()).collect(Collectors.toSet());
    }

    private static void check(Trial trial) throws Exception {
        List<List<Event>> inputs = inputs(trial);
        Outcome outcome = run(trial, inputs);
        Map<String, Long> rows = ROWS.computeIfAbsent(trial.differentialCase().name(),
                name -> Collections.synchronizedMap(new TreeMap<>()));
        for (String row : outcome.flink) {
            rows.merge(row.startsWith("(") ? "main" : row.substring(0, row.indexOf(':')), 1L, Long::sum);
        }
        RESULTS.compute(trial.differentialCase().name(), (name, counts) -> {
            int[] c = counts == null ? new int[2] : counts;
            c[0]++;
            c[1] += outcome.diff.isEmpty() ? 0 : 1;
            return c;
        });
        if (outcome.diff.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("Flink and Riffle differ: ").append(trial.describe())
                .append(System.lineSeparator()).append(outcome.diff);
        if (Boolean.getBoolean("differential.shrink")) {
            message.append(shrink(trial, inputs));
        }
        fail(message.toString());
    }

    /** The trial's generated inputs: one or two streams from its seed. */
    static List<List<Event>> inputs(Trial trial) {
        DifferentialCase.Inputs inputs = trial.differentialCase().inputs();
        KeyType keys = KeyType.of(trial.seed());
        List<List<Event>> streams = new ArrayList<>();
        for (int i = 0; i < inputs.count; i++) {
            streams.add(Events.generate(trial.seed() * 31 + i, keys, inputs.disorder));
        }
        return streams;
    }

    private record Outcome(List<String> flink, List<String> riffle, String diff) {
    }

    private static Outcome run(Trial trial, List<List<Event>> inputs) throws Exception {
        DifferentialCase c = trial.differentialCase();
        RiffleSide riffleSide = new RiffleSide(trial, inputs);
        c.riffle().build(riffleSide);
        List<String> riffle = riffleSide.run();
        FlinkSide flinkSide = new FlinkSide(flink, trial, inputs);
        c.flink().build(flinkSide);
        List<String> flinkRows = flinkSide.run(trial.toString());
        return new Outcome(flinkRows, riffle, Rows.diff(flinkRows, riffle, DIFF_ROWS));
    }

    /**
     * Drops records (halves, then quarters, ... then single records) while the trial still fails, leaving each
     * input one record at least; returns the smallest failing input found and both outputs on it.
     */
    private static String shrink(Trial trial, List<List<Event>> inputs) throws Exception {
        List<List<Event>> current = new ArrayList<>();
        for (List<Event> input : inputs) {
            current.add(new ArrayList<>(input));
        }
        for (int stream = 0; stream < current.size(); stream++) {
            for (int chunk = Math.max(1, current.get(stream).size() / 2); chunk >= 1; chunk /= 2) {
                int from = 0;
                while (from < current.get(stream).size()) {
                    List<List<Event>> candidate = new ArrayList<>(current);
                    List<Event> smaller = new ArrayList<>(current.get(stream));
                    smaller.subList(from, Math.min(from + chunk, smaller.size())).clear();
                    candidate.set(stream, smaller);
                    // Flink's fromData cannot read an empty collection: an input keeps one record at least.
                    if (!smaller.isEmpty() && !run(trial, candidate).diff.isEmpty()) {
                        current = candidate;
                    } else {
                        from += chunk;
                    }
                }
            }
        }
        Outcome outcome = run(trial, current);
        StringBuilder text = new StringBuilder("smallest failing input found (arrival order, (k, v, x, ts)):")
                .append(System.lineSeparator());
        for (int stream = 0; stream < current.size(); stream++) {
            text.append("  input ").append(stream).append(": ").append(current.get(stream).stream()
                    .map(e -> Rows.of(e.key(), e.value(), e.price(), e.ts())).collect(Collectors.joining(" ")))
                    .append(System.lineSeparator());
        }
        text.append("  flink:  ").append(String.join(" ", sorted(outcome.flink))).append(System.lineSeparator());
        text.append("  riffle: ").append(String.join(" ", sorted(outcome.riffle))).append(System.lineSeparator());
        return text.toString();
    }

    private static List<String> sorted(List<String> rows) {
        List<String> copy = new ArrayList<>(rows);
        copy.sort(null);
        return copy;
    }
}
