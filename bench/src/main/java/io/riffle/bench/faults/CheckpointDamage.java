package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The ways a checkpoint's files get damaged on disk: bits flipped, files cut short, lost or regrown. */
enum CheckpointDamage {
    STATE_FILE_BIT_FLIPPED,
    STATE_FILE_TRUNCATED,
    STATE_FILE_DELETED,
    /** Cut short, then grown back to its size with zeros: the size the manifest says, but not the bytes. */
    STATE_FILE_REGROWN,
    MANIFEST_BIT_FLIPPED,
    MANIFEST_TRUNCATED;

    static final String MANIFEST = "_manifest";

    /** Damages one file of {@code checkpoint} this way, drawn from {@code random}; returns what was done. */
    String apply(Path checkpoint, Random random) throws IOException {
        boolean manifest = this == MANIFEST_BIT_FLIPPED || this == MANIFEST_TRUNCATED;
        List<Path> states = stateFiles(checkpoint);
        Path file = manifest || states.isEmpty() ? checkpoint.resolve(MANIFEST) : states.get(random.nextInt(states.size()));
        long size = Files.size(file);
        String where = checkpoint.getFileName() + "/" + file.getFileName() + " (" + size + " bytes)";
        switch (this) {
            case STATE_FILE_BIT_FLIPPED, MANIFEST_BIT_FLIPPED -> {
                long at = (long) (random.nextDouble() * size);
                int bit = random.nextInt(8);
                flipBit(file, at, bit);
                return "flipped bit " + bit + " of byte " + at + " of " + where;
            }
            case STATE_FILE_TRUNCATED, MANIFEST_TRUNCATED -> {
                long to = (long) (random.nextDouble() * size);
                truncate(file, to);
                return "truncated " + where + " to " + to + " bytes";
            }
            case STATE_FILE_DELETED -> {
                Files.delete(file);
                return "deleted " + where;
            }
            case STATE_FILE_REGROWN -> {
                long to = (long) (random.nextDouble() * size);
                truncate(file, to);
                regrow(file, size);
                return "truncated " + where + " to " + to + " bytes and regrew it with zeros";
            }
            default -> throw new AssertionError(this);
        }
    }

    /** The state files of a checkpoint: everything but its manifest (and a manifest being written). */
    static List<Path> stateFiles(Path checkpoint) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(checkpoint)) {
            for (Path f : files) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(MANIFEST)) {
                    out.add(f);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static void flipBit(Path file, long at, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, at);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** Grows {@code file} back to {@code size}: writing its last byte fills the gap with zeros. */
    private static void regrow(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
    }
}
