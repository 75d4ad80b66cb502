package io.riffle.bench.faults;

import java.util.List;

/**
 * How one CLI run of a trial ended.
 *
 * @param ending      exited by itself, killed by the campaign on purpose, or hung and killed
 * @param exitCode    the process's exit status (137 after a kill)
 * @param stderr      everything it wrote to stderr
 * @param crashReport what the JVM's {@code hs_err} crash report says (signal and frame); null without one
 */
record RunRecord(String label, List<String> arguments, Ending ending, int exitCode, long millis, String stderr,
                 String crashReport) {
    enum Ending { EXITED, KILLED, HUNG }

    boolean exitedCleanly() {
        return ending == Ending.EXITED && exitCode == 0;
    }

    /** One line for the trial log: label, how it ended and after how long. */
    String summary() {
        return label + ": " + switch (ending) {
            case EXITED -> "exit " + exitCode;
            case KILLED -> "killed";
            case HUNG -> "hung";
        } + " after " + millis + " ms";
    }
}
