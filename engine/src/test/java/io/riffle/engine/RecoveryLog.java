package io.riffle.engine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures what the job runs log about restores, as "LEVEL message" lines, while open. The tests' SLF4J binding,
 * slf4j-simple, writes to whatever {@code System.err} is when it logs ({@code simplelogger.properties} names the
 * level and the short logger name, and logs the job runs from INFO): this swaps {@code System.err} for a copy
 * that keeps the lines of the {@code io.riffle.engine.restore} logger and passes everything on.
 */
final class RecoveryLog implements AutoCloseable {
    private static final String LOGGER = " restore - ";
    private final PrintStream before = System.err;
    private final List<String> lines = new ArrayList<>();

    RecoveryLog() {
        System.setErr(new PrintStream(new LineTee(), true, StandardCharsets.UTF_8));
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    private synchronized void line(String line) {
        int at = line.indexOf(LOGGER);
        if (at > 0 && line.indexOf(' ') == at) {
            lines.add(line.substring(0, at) + " " + line.substring(at + LOGGER.length()));
        }
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(before);
    }

    /** Passes bytes on to the stderr it replaced and hands each complete line to {@link #line}. */
    private final class LineTee extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            before.write(b);
            if (b == '\n') {
                line(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public void flush() {
            before.flush();
        }
    }
}
