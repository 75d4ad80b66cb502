package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The directory a file sink writes into, swept on recovery for the files no checkpoint keeps. */
final class SinkDirectory {
    private SinkDirectory() {
    }

    /** Deletes the files of {@code directory} whose names {@code doomed} accepts; a missing directory has none. */
    static void delete(Path directory, Predicate<String> doomed) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        // Listed in full before deleting: a directory stream need not survive changes to its directory.
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(directory)) {
            for (Path f : all) {
                if (doomed.test(f.getFileName().toString())) {
                    files.add(f);
                }
            }
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }
}
