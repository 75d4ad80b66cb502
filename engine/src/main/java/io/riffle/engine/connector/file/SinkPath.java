package io.riffle.engine.connector.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a file sink writes: one file, written by a single subtask, or a directory in which subtask
 * {@code i} of a sink running at its input's parallelism writes {@code part-<i><extension>}. Immutable.
 */
record SinkPath(Path path, boolean partitioned, String extension) {

    /** The single file {@code file}; fails if it is a directory. */
    static SinkPath file(Path file, String extension) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory; a sink at parallelism 1 writes one file"
                    + " (write a file per subtask into a directory with partitioned(directory))");
        }
        return new SinkPath(file, false, extension);
    }

    /** The directory {@code directory}, created when the job runs; fails if it is a file. */
    static SinkPath directory(Path directory, String extension) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + " is a file; a partitioned sink writes part-<i>"
                    + extension + " files into a directory");
        }
        return new SinkPath(directory, true, extension);
    }

    /** The sink's parallelism: 1 for a single file, 0 (its input's) for a directory. */
    int parallelism() {
        return partitioned ? 0 : 1;
    }

    /** The file subtask {@code subtask} writes. */
    Path fileOf(int subtask) {
        return partitioned ? path.resolve("part-" + subtask + extension) : path;
    }

    /** The directory the sink's files (and their temporary files) are in. */
    Path directory() {
        return partitioned ? path.toAbsolutePath() : path.toAbsolutePath().getParent();
    }

    /** The names of the temporary files {@link StagedFile} writes for this sink's files. */
    Pattern tempNames() {
        return StagedFile.tempNames(partitioned ? "part-\\d{1,9}" + Pattern.quote(extension)
                : Pattern.quote(path.getFileName().toString()));
    }

    /** The sink's name in plans and errors, e.g. {@code csv(out.csv)} or {@code csv(out/part-*.csv)}. */
    String name(String format) {
        return format + "(" + (partitioned ? path.getFileName() + "/part-*" + extension : path.getFileName()) + ")";
    }
}
