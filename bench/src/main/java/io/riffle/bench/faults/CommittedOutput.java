package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows a job's output directory holds as committed, as a sorted array of 64-bit row hashes: a multiset
 * that compares in one merge, whatever the order and the split into files. Committed means
 * {@code <job>.csv} (a batch job's file, renamed into place when complete) and the part files
 * {@code <job>/part-*.csv} of an exactly-once sink; pending ({@code .pending}) and hidden temporary files
 * are not output. Every file starts with a header line, which is not a row.
 */
final class CommittedOutput {
    private CommittedOutput() {
    }

    /** The committed rows of {@code job} in {@code outputDir}, hashed and sorted. */
    static long[] rows(Path outputDir, String job) throws IOException {
        List<Path> files = new ArrayList<>();
        Path single = outputDir.resolve(job + ".csv");
        if (Files.isRegularFile(single)) {
            files.add(single);
        }
        Path parts = outputDir.resolve(job);
        if (Files.isDirectory(parts)) {
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(parts, "part-*.csv")) {
                dir.forEach(files::add);
            }
        }
        long[] hashes = new long[1024];
        int n = 0;
        for (Path f : files) {
            byte[] data = Files.readAllBytes(f);
            int start = indexOf(data, 0) + 1;
            while (start < data.length) {
                int end = indexOf(data, start);
                if (n == hashes.length) {
                    hashes = Arrays.copyOf(hashes, n * 2);
                }
                hashes[n++] = hash(data, start, end);
                start = end + 1;
            }
        }
        hashes = Arrays.copyOf(hashes, n);
        Arrays.sort(hashes);
        return hashes;
    }

    /** How {@code actual} differs from {@code expected}, both sorted: rows missing and rows in excess. */
    static Diff compare(long[] expected, long[] actual) {
        long missing = 0;
        long extra = 0;
        int i = 0;
        int j = 0;
        while (i < expected.length && j < actual.length) {
            if (expected[i] == actual[j]) {
                i++;
                j++;
            } else if (expected[i] < actual[j]) {
                missing++;
                i++;
            } else {
                extra++;
                j++;
            }
        }
        return new Diff(expected.length, actual.length, missing + expected.length - i, extra + actual.length - j);
    }

    /**
     * @param missing rows of the reference not in the output (lost, or not committed yet)
     * @param extra   rows in the output beyond the reference's (duplicated or foreign)
     */
    record Diff(long expectedRows, long rows, long missing, long extra) {
        boolean identical() {
            return missing == 0 && extra == 0;
        }

        @Override
        public String toString() {
            return rows + " rows of " + expectedRows + ": " + missing + " missing, " + extra + " extra";
        }
    }

    /** The index of the next line feed from {@code from}, or the end. */
    private static int indexOf(byte[] data, int from) {
        int i = from;
        while (i < data.length && data[i] != '\n') {
            i++;
        }
        return i;
    }

    /** FNV-1a over the line's bytes, then MurmurHash3's finalizer so that near-equal lines spread. */
    private static long hash(byte[] data, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ (data[i] & 0xFF)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
