package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.riffle.bench.Json;
import io.riffle.bench.Machine;

/**
 * A campaign's results: the table of outcomes per fault kind, and every trial, as {@code summary.md} and
 * {@code results.json}; with the command, machine, JDK and commit they came from.
 */
final class CampaignReport {
    private final String commit;
    private final String date;
    private final String command;
    private final Machine machine;
    private final long seed;
    private final List<TrialResult> results;
    private final long millis;

    CampaignReport(String commit, String date, String command, Machine machine, long seed, List<TrialResult> results,
                   long millis) {
        this.commit = commit;
        this.date = date;
        this.command = command;
        this.machine = machine;
        this.seed = seed;
        this.results = List.copyOf(results);
        this.millis = millis;
    }

    /** Trials that ended in an outcome that must not happen: wrong output, crash or hang. */
    int failures() {
        int n = 0;
        for (TrialResult r : results) {
            if (r.outcome().isFailure()) {
                n++;
            }
        }
        return n;
    }

    /** The outcomes per fault kind that had trials, in the enums' order. */
    Map<Fault, Map<Outcome, Integer>> counts() {
        Map<Fault, Map<Outcome, Integer>> counts = new EnumMap<>(Fault.class);
        for (TrialResult r : results) {
            counts.computeIfAbsent(r.plan().fault(), f -> new EnumMap<>(Outcome.class)).merge(r.outcome(), 1, Integer::sum);
        }
        return counts;
    }

    /** The markdown table: a row per fault kind and a total, a column per outcome. */
    String table() {
        StringBuilder sb = new StringBuilder("| fault | trials | injected |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|");
        for (Outcome o : Outcome.values()) {
            sb.append(' ').append(o.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        Map<Fault, Map<Outcome, Integer>> counts = counts();
        for (Fault f : counts.keySet()) {
            row(sb, f.name(), f);
        }
        row(sb, "total", null);
        return sb.toString();
    }

    private void row(StringBuilder sb, String name, Fault fault) {
        int trials = 0;
        int injected = 0;
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (TrialResult r : results) {
            if (fault == null || r.plan().fault() == fault) {
                trials++;
                injected += r.injected() ? 1 : 0;
                outcomes.merge(r.outcome(), 1, Integer::sum);
            }
        }
        sb.append("| ").append(name).append(" | ").append(trials).append(" | ").append(injected).append(" |");
        for (Outcome o : Outcome.values()) {
            sb.append(' ').append(outcomes.getOrDefault(o, 0)).append(" |");
        }
        sb.append('\n');
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Fault campaign ").append(date).append(" at ").append(commit).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%d trials in %.1f min, campaign seed `%s`. Wrong output, crash and hang"
                + " must be 0: %s.%n%n", results.size(), millis / 60_000.0, Long.toHexString(seed),
                failures() == 0 ? "they are" : failures() + " trials went wrong"));
        sb.append("- command: `").append(command).append("`\n");
        sb.append(String.format(Locale.ROOT, "- machine: %s, %d cores, %.1f GiB, %s%n", machine.cpu(), machine.cores(),
                machine.memoryBytes() / (double) (1L << 30), machine.os()));
        sb.append("- JDK: ").append(machine.jvm()).append("\n\n");
        sb.append(table()).append('\n');
        sb.append("Injected: trials whose fault was in place before the job ended (a job may complete before its kill).\n\n");
        sb.append("## Fault kinds\n\n");
        for (Fault f : Fault.values()) {
            sb.append("- ").append(f.name()).append(": ").append(f.description()).append('\n');
        }
        sb.append("\n## Trials\n\nEach repeats with `bin/riffle-faults --trial-seed SEED` and the command's other options."
                + "\n\n| # | seed | fault | job | outcome | what was done; what happened |\n|---:|---|---|---|---|---|\n");
        for (TrialResult r : results) {
            sb.append("| ").append(r.plan().number()).append(" | `").append(r.plan().seedHex()).append("` | ")
                    .append(r.plan().fault()).append(" | ").append(cell(r.plan().job().toString())).append(" | ")
                    .append(r.outcome()).append(" | ").append(cell(String.join("; ", r.notes()) + "; " + r.detail()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    String json() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"commit\": \"").append(Json.escape(commit)).append("\",\n  \"date\": \"").append(date)
                .append("\",\n  \"command\": \"").append(Json.escape(command)).append("\",\n  \"seed\": \"")
                .append(Long.toHexString(seed)).append("\",\n  \"seconds\": ").append(millis / 1000.0)
                .append(",\n  \"machine\": {\"cpu\": \"").append(Json.escape(machine.cpu())).append("\", \"cores\": ")
                .append(machine.cores()).append(", \"memory_bytes\": ").append(machine.memoryBytes())
                .append(", \"os\": \"").append(Json.escape(machine.os())).append("\", \"jvm\": \"")
                .append(Json.escape(machine.jvm())).append("\"},\n  \"failures\": ").append(failures())
                .append(",\n  \"table\": {");
        boolean first = true;
        for (Map.Entry<Fault, Map<Outcome, Integer>> f : counts().entrySet()) {
            sb.append(first ? "\n" : ",\n").append("    \"").append(f.getKey()).append("\": {");
            first = false;
            boolean firstOutcome = true;
            for (Outcome o : Outcome.values()) {
                sb.append(firstOutcome ? "" : ", ").append('"').append(o).append("\": ")
                        .append(f.getValue().getOrDefault(o, 0));
                firstOutcome = false;
            }
            sb.append('}');
        }
        sb.append("\n  },\n  \"trials\": [");
        for (int i = 0; i < results.size(); i++) {
            sb.append(i > 0 ? ",\n    " : "\n    ").append(results.get(i).toJson());
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    /** Writes {@code summary.md} and {@code results.json} into {@code dir}, created if need be. */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.json"), json(), StandardCharsets.UTF_8);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
