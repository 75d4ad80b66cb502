package io.riffle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine and JVM a bench run ran on, for its summary. */
public record Machine(String cpu, int cores, long memoryBytes, String os, String jvm) {
    public static Machine current() {
        return new Machine(procField("/proc/cpuinfo", "model name"), Runtime.getRuntime().availableProcessors(),
                totalMemory(), System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    private static long totalMemory() {
        String total = procField("/proc/meminfo", "MemTotal");
        String[] parts = total.trim().split("\\s+");
        try {
            return Long.parseLong(parts[0]) * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The value of the first {@code name: value} line of a /proc file; "unknown" where there is none. */
    private static String procField(String file, String name) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux: the summary says so.
        }
        return "unknown";
    }
}
