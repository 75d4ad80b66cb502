package io.riffle.bench.faults;

import java.nio.file.Path;
import java.util.List;

import io.riffle.bench.Json;

/**
 * A judged trial: its plan, outcome and what shows it, whether the fault was injected (a job may end before
 * its fault's moment), the scenario's notes and how each run ended, and where its files were kept (null
 * when deleted).
 */
record TrialResult(TrialPlan plan, Outcome outcome, String detail, boolean injected, List<String> notes,
                   List<String> runs, long millis, Path kept) {

    String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"trial\":").append(plan.number()).append(",\"seed\":\"").append(plan.seedHex())
                .append("\",\"fault\":\"").append(plan.fault()).append("\",\"job\":\"").append(plan.job().job())
                .append("\",\"records\":").append(plan.job().records()).append(",\"keys\":").append(plan.job().keys())
                .append(",\"parallelism\":").append(plan.job().parallelism()).append(",\"outcome\":\"").append(outcome)
                .append("\",\"detail\":\"").append(Json.escape(detail)).append("\",\"injected\":").append(injected)
                .append(",\"notes\":").append(strings(notes)).append(",\"runs\":").append(strings(runs))
                .append(",\"seconds\":").append(millis / 1000.0)
                .append(",\"kept\":").append(kept == null ? "null" : "\"" + Json.escape(kept.toString()) + "\"")
                .append('}');
        return sb.toString();
    }

    /** One line for the campaign's log. */
    String summary() {
        return String.format("trial %d seed %s %s %s: %s%s (%s)", plan.number(), plan.seedHex(), plan.fault(),
                plan.job(), outcome, injected ? "" : " [fault not injected]", detail);
    }

    private static String strings(List<String> list) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            sb.append(i > 0 ? "," : "").append('"').append(Json.escape(list.get(i))).append('"');
        }
        return sb.append(']').toString();
    }
}
