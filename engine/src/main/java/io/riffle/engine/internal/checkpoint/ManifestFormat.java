package io.riffle.engine.internal.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.checkpoint.Manifest.Entry;
import io.riffle.engine.internal.checkpoint.Manifest.Kind;

/**
 * The layout of a checkpoint's {@code _manifest}, in one place for the writer ({@link CheckpointStorage#complete})
 * and the reader ({@link CheckpointStorage#load}). Big-endian, as {@link DataOutputStream} writes:
 * <pre>
 * header    magic (8, "RFLMAN01") | version (4) | checkpoint id (8) | savepoint (1) | timestamp ms (8)
 *           | max parallelism (4) | plan fingerprint (modified UTF-8: length 2, bytes) | entry count (4)
 * entry     kind (1, {@link Kind} ordinal) | operator (4) | subtask (4)
 *           | STATE_FILE: file name (modified UTF-8) | size (8)
 *           | other kinds: length (4) | bytes (a FINISHED mark: the operator's parallelism, 4)
 * trailer   CRC32C of everything before it (8)
 * </pre>
 */
final class ManifestFormat {
    static final String FILE_NAME = "_manifest";
    /** What the manifest is written to before it is renamed into place. */
    static final String TEMP_FILE_NAME = FILE_NAME + ".tmp";
    static final long MAGIC = 0x31304E414D4C4652L; // "RFLMAN01"
    static final int VERSION = 1;
    /** The largest manifest read or written: far more than any job's entries take, far less than a heap. */
    static final long MAX_BYTES = 64L << 20;
    static final int CHECKSUM_BYTES = 8;
    /** The least a manifest holds that is worth reading on: its magic, its version and its checksum. */
    static final int MIN_BYTES = 8 + 4 + CHECKSUM_BYTES;
    /** The smallest entry: a kind, an operator, a subtask and an empty byte array's length. */
    private static final int MIN_ENTRY_BYTES = 1 + 4 + 4 + 4;
    private static final int FINISHED_MARK_BYTES = 4;
    private static final Kind[] KINDS = Kind.values();

    private ManifestFormat() {
    }

    /** The bytes of a {@link Kind#FINISHED} entry: the parallelism of the operator the subtask belongs to. */
    static byte[] finishedMark(int parallelism) {
        return ByteBuffer.allocate(FINISHED_MARK_BYTES).putInt(parallelism).array();
    }

    /** The parallelism a {@link Kind#FINISHED} entry's bytes hold. */
    static int parallelismOf(byte[] finishedMark) {
        return ByteBuffer.wrap(finishedMark).getInt();
    }

    /** The bytes of {@code manifest}: header, entries, checksum, as the class comment lays them out. */
    static byte[] write(Manifest manifest) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(manifest.checkpointId());
            out.writeBoolean(manifest.savepoint());
            out.writeLong(manifest.timestampMillis());
            out.writeInt(manifest.maxParallelism());
            out.writeUTF(manifest.planFingerprint());
            out.writeInt(manifest.entries().size());
            for (Entry e : manifest.entries()) {
                out.writeByte(e.kind().ordinal());
                out.writeInt(e.operator());
                out.writeInt(e.subtask());
                if (e.kind() == Kind.STATE_FILE) {
                    out.writeUTF(e.file());
                    out.writeLong(e.size());
                } else {
                    out.writeInt(e.bytes().length);
                    out.write(e.bytes());
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a manifest; a truncated, damaged, foreign or forged file is a {@link CorruptCheckpointException}
     * naming it. Whatever the checksum says, every count and length is bounded by the bytes that follow it,
     * every kind, operator id and subtask is in range and every state file is a plain name in the
     * checkpoint's directory, so no forged value allocates more than the file holds or reaches outside.
     */
    static Manifest read(byte[] data, Path file) throws CorruptCheckpointException {
        if (data.length < MIN_BYTES) {
            throw new CorruptCheckpointException(file + ": truncated (" + data.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - CHECKSUM_BYTES);
        long stored = 0;
        for (int i = data.length - CHECKSUM_BYTES; i < data.length; i++) {
            stored = (stored << 8) | (data[i] & 0xFF);
        }
        if (crc.getValue() != stored) {
            throw new CorruptCheckpointException(file + ": fails its checksum");
        }
        int entry = -1;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - CHECKSUM_BYTES))) {
            if (in.readLong() != MAGIC) {
                throw new CorruptCheckpointException(file + ": not a Riffle checkpoint manifest");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CorruptCheckpointException(file + ": manifest version " + version + ", this Riffle reads "
                        + VERSION);
            }
            long id = in.readLong();
            boolean savepoint = in.readBoolean();
            long timestamp = in.readLong();
            int maxParallelism = in.readInt();
            if (maxParallelism < 1 || maxParallelism > KeyGroups.MAX_KEY_GROUPS) {
                throw new CorruptCheckpointException(file + ": max parallelism " + maxParallelism + " is outside 1.."
                        + KeyGroups.MAX_KEY_GROUPS);
            }
            String fingerprint = in.readUTF();
            int n = in.readInt();
            if (n < 0 || (long) n * MIN_ENTRY_BYTES > in.available()) {
                throw new CorruptCheckpointException(file + ": claims " + n + " entries, but only " + in.available()
                        + " bytes follow");
            }
            List<Entry> entries = new ArrayList<>(n);
            for (entry = 0; entry < n; entry++) {
                entries.add(readEntry(in, file, entry));
            }
            if (in.available() > 0) {
                throw new CorruptCheckpointException(file + ": " + in.available() + " bytes follow the last entry");
            }
            return new Manifest(id, savepoint, timestamp, maxParallelism, fingerprint, List.copyOf(entries));
        } catch (EOFException e) {
            throw new CorruptCheckpointException(file + ": ends inside " + (entry < 0 ? "its header" : "entry " + entry));
        } catch (UTFDataFormatException e) {
            throw new CorruptCheckpointException(file + ": " + (entry < 0 ? "its plan" : "entry " + entry)
                    + " holds malformed text", e);
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CorruptCheckpointException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static Entry readEntry(DataInputStream in, Path file, int index) throws IOException {
        int ordinal = in.readUnsignedByte();
        if (ordinal >= KINDS.length) {
            throw new CorruptCheckpointException(file + ": entry " + index + " has an unknown kind (" + ordinal + ")");
        }
        Kind kind = KINDS[ordinal];
        int operator = in.readInt();
        int subtask = in.readInt();
        String at = file + ": entry " + index + " (" + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + " of operator " + operator + ", subtask " + subtask + ")";
        if (operator < 0) {
            throw new CorruptCheckpointException(at + ": the operator id is negative");
        }
        if (subtask < 0 || subtask >= KeyGroups.MAX_KEY_GROUPS) {
            throw new CorruptCheckpointException(at + ": the subtask is outside 0.." + (KeyGroups.MAX_KEY_GROUPS - 1));
        }
        if (kind == Kind.STATE_FILE) {
            String name = in.readUTF();
            long size = in.readLong();
            if (!isPlainFileName(name)) {
                throw new CorruptCheckpointException(at + ": '" + name + "' is not a plain file name inside the"
                        + " checkpoint directory");
            }
            if (size < 0) {
                throw new CorruptCheckpointException(at + ": '" + name + "' has a negative size (" + size + ")");
            }
            return Entry.stateFile(operator, subtask, name, size);
        }
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new CorruptCheckpointException(at + " claims " + length + " bytes, but only " + in.available()
                    + " follow");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        if (kind == Kind.FINISHED) {
            if (length != FINISHED_MARK_BYTES) {
                throw new CorruptCheckpointException(at + ": a finished mark of " + length + " bytes, not "
                        + FINISHED_MARK_BYTES);
            }
            int parallelism = parallelismOf(bytes);
            if (subtask >= parallelism) {
                throw new CorruptCheckpointException(at + ": subtask " + subtask + " of a parallelism of "
                        + parallelism);
            }
        }
        return new Entry(kind, operator, subtask, bytes, null, 0);
    }

    /**
     * Whether {@code name} names a file directly in the directory it is resolved against: not empty, not
     * {@code .} or {@code ..}, no separator of any platform and no NUL.
     */
    static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }
}
