package io.riffle.bench.faults;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one CLI run of a trial ended.
 *
 * @param ending      exited by itself, killed by the campaign on purpose, or hung and killed
 * @param exitCode    the process's exit status (137 after a kill)
 * @param stderr      everything it wrote to stderr
 * @param crashReport what the JVM's {@code hs_err} crash report says (signal and frame); null without one
 * @param summary     the CLI's JSON summary line; null when it wrote none
 */
record RunRecord(String label, List<String> arguments, Ending ending, int exitCode, long millis, String stderr,
                 String crashReport, String summary) {
    enum Ending { EXITED, KILLED, HUNG }

    private static final Pattern RESTORED = Pattern.compile("\"restored_checkpoint\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String FALLBACK = "{\"damaged\":";
    private static final Pattern FAILED_CHECKPOINTS = Pattern.compile("\"failed_checkpoints\":(\\d+)");

    /**
     * What the run's summary says it restored: the checkpoint's name, or the beginning after passing over
     * damaged checkpoints; null when it wrote no summary, or started fresh with nothing passed over.
     */
    String recovery() {
        if (summary == null) {
            return null;
        }
        int fallbacks = 0;
        for (int at = summary.indexOf(FALLBACK); at >= 0; at = summary.indexOf(FALLBACK, at + 1)) {
            fallbacks++;
        }
        Matcher restored = RESTORED.matcher(summary);
        String name = restored.find() ? restored.group(1).substring(restored.group(1).lastIndexOf('/') + 1) : null;
        if (name == null && fallbacks == 0) {
            return null;
        }
        return (name != null ? "restored " + name : "started from the beginning")
                + (fallbacks > 0 ? ", passing over " + fallbacks + " damaged checkpoint(s)" : "");
    }

    /** How many checkpoints failed (a full disk), from the run's summary; 0 when it says none or wrote none. */
    long failedCheckpoints() {
        Matcher m = summary == null ? null : FAILED_CHECKPOINTS.matcher(summary);
        return m != null && m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    boolean exitedCleanly() {
        return ending == Ending.EXITED && exitCode == 0;
    }

    /** One line for the trial log: label, how it ended and after how long. */
    String describe() {
        return label + ": " + switch (ending) {
            case EXITED -> "exit " + exitCode;
            case KILLED -> "killed";
            case HUNG -> "hung";
        } + " after " + millis + " ms";
    }
}
