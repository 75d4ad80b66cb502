package io.riffle.bench.faults;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges a trial from its runs, its committed output against the reference and the canary files. A crash or
 * hang in any run counts, the ones the campaign killed on purpose included; the output and the error line
 * are the last run's.
 */
final class Classifier {
    /** An Error no one caught: the JVM's own for a bad mapped page, out of memory, ... */
    private static final Pattern UNCAUGHT_ERROR = Pattern.compile("Exception in thread \"[^\"]*\" (?:[\\w$]+\\.)+[\\w$]*Error\\b");
    /** An Error class named in the line the CLI failed with: it escaped the job to the CLI's handler. */
    private static final Pattern ERROR_CLASS = Pattern.compile("\\b(?:[\\w$]+\\.)+[\\w$]*Error\\b");
    /** The JVM's message for a memory-mapped page that vanished (SIGBUS), caught or not. */
    private static final String UNSAFE_ACCESS_FAULT = "a fault occurred in a recent unsafe memory access operation";
    /** A stack trace, or a Java class name where a user reads an error. */
    private static final Pattern UNCLEAR = Pattern.compile(
            "^\\s+at \\S+\\(|^Caused by: |\\b[a-z]\\w*(?:\\.[a-z]\\w*)+\\.[A-Z]\\w*(?:Exception|Error)\\b"
                    + "|\\b[A-Z]\\w*(?:Exception|Error):", Pattern.MULTILINE);
    /** What the CLI prints to stderr once a second while a job runs: records/s, checkpoints that failed. */
    private static final Pattern PROGRESS = Pattern.compile("^[\\w-]+: (?:[0-9,]+ records/s, [0-9.]+ s|checkpoints failed \\(.*)$");

    private Classifier() {
    }

    static Verdict classify(List<RunRecord> runs, CommittedOutput.Diff diff, List<String> canaryDamage) {
        for (RunRecord r : runs) {
            if (r.ending() == RunRecord.Ending.HUNG) {
                return new Verdict(Outcome.HANG, r.label() + " did not end within " + r.millis() + " ms");
            }
        }
        for (RunRecord r : runs) {
            String crash = crash(r);
            if (crash != null) {
                return new Verdict(Outcome.CRASH, r.label() + ": " + crash);
            }
        }
        if (!canaryDamage.isEmpty()) {
            return new Verdict(Outcome.WRONG_OUTPUT, "outside the job's directories: " + String.join("; ", canaryDamage));
        }
        RunRecord last = runs.get(runs.size() - 1);
        if (diff.extra() > 0 || last.exitedCleanly() && diff.missing() > 0) {
            return new Verdict(Outcome.WRONG_OUTPUT, diff.toString());
        }
        if (last.exitedCleanly()) {
            return new Verdict(Outcome.RECOVERED_IDENTICAL, diff.toString());
        }
        String error = errorLine(last.stderr());
        return new Verdict(UNCLEAR.matcher(last.stderr()).find() ? Outcome.UNCLEAR_ERROR : Outcome.CLEAN_ERROR,
                "exit " + last.exitCode() + ": " + error);
    }

    /**
     * What says the JVM crashed, or null: a crash report, death by a signal not sent on purpose, an Error
     * no one caught or that reached the CLI, or the JVM's message for a mapped page gone (SIGBUS).
     */
    private static String crash(RunRecord r) {
        if (r.crashReport() != null) {
            return "the JVM died, exit " + r.exitCode() + ": " + r.crashReport();
        }
        if (r.ending() == RunRecord.Ending.EXITED && r.exitCode() > 128) {
            return "died of signal " + (r.exitCode() - 128);
        }
        Matcher uncaught = UNCAUGHT_ERROR.matcher(r.stderr());
        if (uncaught.find()) {
            return "an Error escaped: " + lineAround(r.stderr(), uncaught.start());
        }
        String last = errorLine(r.stderr());
        if (r.ending() == RunRecord.Ending.EXITED && r.exitCode() != 0 && ERROR_CLASS.matcher(last).find()) {
            return "an Error escaped: " + last;
        }
        int fault = r.stderr().indexOf(UNSAFE_ACCESS_FAULT);
        if (fault >= 0) {
            return "a mapped page vanished under a read: " + lineAround(r.stderr(), fault);
        }
        return null;
    }

    /**
     * The line the CLI failed with: the last that starts with {@code riffle} (its errors do), else the last
     * that is neither progress nor part of a stack trace.
     */
    static String errorLine(String stderr) {
        String[] lines = stderr.split("\n");
        String fallback = null;
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.startsWith("riffle")) {
                return line;
            }
            if (fallback == null && !line.isEmpty() && !PROGRESS.matcher(line).matches() && !line.startsWith("at ")
                    && !line.startsWith("...")) {
                fallback = line;
            }
        }
        return fallback != null ? fallback : "(nothing on stderr)";
    }

    private static String lineAround(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        return text.substring(start, end < 0 ? text.length() : end).strip();
    }

    /** An outcome with what shows it. */
    record Verdict(Outcome outcome, String detail) {
    }
}
