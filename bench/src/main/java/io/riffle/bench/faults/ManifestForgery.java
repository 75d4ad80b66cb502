package io.riffle.bench.faults;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Rewrites a checkpoint's manifest the way a forger would: its content changed, its checksum made valid
 * again. It reads and writes the manifest's layout (version 1) itself rather than through the engine's
 * {@code Manifest}, because a forgery holds what the engine's own types would refuse to.
 * Layout: magic, version, id, savepoint flag, timestamp, max parallelism, plan fingerprint (UTF), entry
 * count, the entries (kind byte, operator, subtask, then a state file's UTF name and size or a length and
 * bytes), and a CRC32C over all of it as the last 8 bytes.
 */
enum ManifestForgery {
    /** An entry count of 2^31 - 1 over the real entries. */
    HUGE_ENTRY_COUNT,
    /** An entry's length of 2^31 - 9 bytes, far more than the file holds. */
    HUGE_ENTRY_SIZE,
    /** A state file entry naming the canary file outside the checkpoint, with the canary's size. */
    STATE_FILE_OUTSIDE,
    /** A sink's committable naming a pending file outside the output directory: the canary. */
    COMMITTABLE_OUTSIDE;

    private static final int STATE_FILE = 1;
    private static final int COMMITTABLE = 2;

    /**
     * Forges {@code checkpoint}'s manifest this way. {@code sinkDirectory} is where the job's sink commits,
     * the directory a committable's names are relative to; {@code absolute} names the canary by an
     * absolute path rather than a relative one. Returns what was forged.
     */
    String apply(Path checkpoint, Path sinkDirectory, Canary canary, boolean absolute) throws IOException {
        Path manifest = checkpoint.resolve(CheckpointDamage.MANIFEST);
        Parsed m = Parsed.read(Files.readAllBytes(manifest));
        String what;
        int count = m.entries.size();
        switch (this) {
            case HUGE_ENTRY_COUNT -> {
                count = Integer.MAX_VALUE;
                what = "an entry count of " + count + " (there are " + m.entries.size() + ")";
            }
            case HUGE_ENTRY_SIZE -> {
                // Every checkpoint has entries with bytes: its sources' positions.
                Entry e = m.firstWithBytes();
                e.declaredLength = Integer.MAX_VALUE - 8;
                what = "a length of " + e.declaredLength + " bytes for an entry of kind " + e.kind + " with "
                        + e.bytes.length;
            }
            case STATE_FILE_OUTSIDE -> {
                Entry e = m.first(STATE_FILE);
                if (e == null) {
                    throw new IllegalStateException(checkpoint + " has no state file entry to forge");
                }
                Path target = canary.file(Canary.STATE);
                e.file = absolute ? target.toAbsolutePath().toString() : checkpoint.relativize(target).toString();
                e.size = Files.size(target);
                what = "state file '" + e.file + "' (" + e.size + " bytes) in place of a real one";
            }
            case COMMITTABLE_OUTSIDE -> {
                Entry e = m.first(COMMITTABLE);
                if (e == null) {
                    return STATE_FILE_OUTSIDE.apply(checkpoint, sinkDirectory, canary, absolute) + " (no committable to forge)";
                }
                Path target = canary.file(Canary.PENDING);
                String name = absolute ? target.toAbsolutePath().toString() : sinkDirectory.relativize(target).toString();
                e.bytes = (new String(e.bytes, StandardCharsets.UTF_8) + "\n" + name).getBytes(StandardCharsets.UTF_8);
                what = "committable naming '" + name + "'";
            }
            default -> throw new AssertionError(this);
        }
        Path tmp = checkpoint.resolve(CheckpointDamage.MANIFEST + ".forged");
        Files.write(tmp, m.write(count));
        Files.move(tmp, manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return checkpoint.getFileName() + "/" + CheckpointDamage.MANIFEST + " forged: " + what;
    }

    /** One entry as read; {@code declaredLength} above 0 overrides the length written before its bytes. */
    private static final class Entry {
        int kind;
        int operator;
        int subtask;
        String file;
        long size;
        byte[] bytes;
        int declaredLength = -1;
    }

    /** A manifest taken apart: its header bytes up to the entry count, and its entries. */
    private static final class Parsed {
        byte[] header;
        List<Entry> entries = new ArrayList<>();

        static Parsed read(byte[] data) throws IOException {
            Parsed p = new Parsed();
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8));
            in.readLong();
            int version = in.readInt();
            if (version != 1) {
                throw new IOException("the campaign forges manifests of version 1, not " + version);
            }
            in.readLong();
            in.readBoolean();
            in.readLong();
            in.readInt();
            in.readUTF();
            // What the header took: the bytes before the checksum less those not read yet.
            p.header = Arrays.copyOf(data, data.length - 8 - in.available());
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Entry e = new Entry();
                e.kind = in.readByte();
                e.operator = in.readInt();
                e.subtask = in.readInt();
                if (e.kind == STATE_FILE) {
                    e.file = in.readUTF();
                    e.size = in.readLong();
                } else {
                    e.bytes = in.readNBytes(in.readInt());
                }
                p.entries.add(e);
            }
            return p;
        }

        /** The first entry of {@code kind}, or null. */
        Entry first(int kind) {
            for (Entry e : entries) {
                if (e.kind == kind) {
                    return e;
                }
            }
            return null;
        }

        /** The first entry that holds bytes rather than a file, or null. */
        Entry firstWithBytes() {
            for (Entry e : entries) {
                if (e.kind != STATE_FILE) {
                    return e;
                }
            }
            return null;
        }

        /** The manifest with {@code count} as its entry count, checksummed. */
        byte[] write(int count) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(header);
            out.writeInt(count);
            for (Entry e : entries) {
                out.writeByte(e.kind);
                out.writeInt(e.operator);
                out.writeInt(e.subtask);
                if (e.kind == STATE_FILE) {
                    out.writeUTF(e.file);
                    out.writeLong(e.size);
                } else {
                    out.writeInt(e.declaredLength > 0 ? e.declaredLength : e.bytes.length);
                    out.write(e.bytes);
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            return bytes.toByteArray();
        }
    }
}
