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

/**
 * What a complete checkpoint holds: per operator (by transformation id) and subtask, a source position,
 * a state file (name and size) or a sink's committable. Written last and atomically, with a CRC32C over
 * its bytes, so a checkpoint directory with a valid manifest is complete by definition.
 */
public record Manifest(long checkpointId, boolean savepoint, long timestampMillis, int maxParallelism,
                       String planFingerprint, List<Entry> entries) {
    static final long MAGIC = 0x31304E414D4C4652L; // "RFLMAN01"
    static final int VERSION = 1;
    public static final String FILE_NAME = "_manifest";
    /** The largest manifest read or written: far more than any job's entries take, far less than a heap. */
    static final long MAX_BYTES = 64L << 20;

    /**
     * POSITION: a source subtask's position; STATE_FILE: an operator subtask's state file; COMMITTABLE: a
     * two-phase-commit sink's staged output; FINISHED: the subtask had finished (its bytes hold the
     * operator's parallelism then, so a restore can tell an operator that finished everywhere);
     * OPERATOR_STATE: a few bytes of an operator subtask's state that is not keyed (a watermark).
     */
    public enum Kind { POSITION, STATE_FILE, COMMITTABLE, FINISHED, OPERATOR_STATE }

    private static final Kind[] KINDS = Kind.values();

    /** One piece of state: {@code bytes} for positions, committables and finished marks, {@code file} and {@code size} for files. */
    public record Entry(Kind kind, int operator, int subtask, byte[] bytes, String file, long size) {
        public static Entry position(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.POSITION, operator, subtask, bytes, null, 0);
        }

        public static Entry committable(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.COMMITTABLE, operator, subtask, bytes, null, 0);
        }

        public static Entry stateFile(int operator, int subtask, String file, long size) {
            return new Entry(Kind.STATE_FILE, operator, subtask, null, file, size);
        }

        public static Entry operatorState(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.OPERATOR_STATE, operator, subtask, bytes, null, 0);
        }

        public static Entry finished(int operator, int subtask, int parallelism) {
            return new Entry(Kind.FINISHED, operator, subtask, ByteBuffer.allocate(4).putInt(parallelism).array(),
                    null, 0);
        }
    }

    /**
     * Whether every subtask of {@code operator} had finished: such an operator is restored finished (it
     * neither reads nor emits again, whatever the new parallelism); one that finished only in part is
     * restored as usual, its finished subtasks with their end positions and no state.
     */
    public boolean finishedEverywhere(int operator) {
        List<Entry> finished = of(Kind.FINISHED, operator);
        return !finished.isEmpty() && finished.size() == ByteBuffer.wrap(finished.get(0).bytes).getInt();
    }

    /** The entries of {@code kind} for {@code operator}, in subtask order. */
    public List<Entry> of(Kind kind, int operator) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.kind == kind && e.operator == operator) {
                out.add(e);
            }
        }
        out.sort((a, b) -> Integer.compare(a.subtask, b.subtask));
        return out;
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(checkpointId);
            out.writeBoolean(savepoint);
            out.writeLong(timestampMillis);
            out.writeInt(maxParallelism);
            out.writeUTF(planFingerprint);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                out.writeByte(e.kind.ordinal());
                out.writeInt(e.operator);
                out.writeInt(e.subtask);
                if (e.kind == Kind.STATE_FILE) {
                    out.writeUTF(e.file);
                    out.writeLong(e.size);
                } else {
                    out.writeInt(e.bytes.length);
                    out.write(e.bytes);
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
    static Manifest decode(byte[] data, Path file) throws CorruptCheckpointException {
        if (data.length < 20) {
            throw new CorruptCheckpointException(file + ": truncated (" + data.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 8);
        long stored = 0;
        for (int i = data.length - 8; i < data.length; i++) {
            stored = (stored << 8) | (data[i] & 0xFF);
        }
        if (crc.getValue() != stored) {
            throw new CorruptCheckpointException(file + ": fails its checksum");
        }
        int entry = -1;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8))) {
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

    /** The smallest entry: a kind, an operator, a subtask and an empty byte array's length. */
    private static final int MIN_ENTRY_BYTES = 1 + 4 + 4 + 4;

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
            if (length != 4) {
                throw new CorruptCheckpointException(at + ": a finished mark of " + length + " bytes, not 4");
            }
            int parallelism = ByteBuffer.wrap(bytes).getInt();
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
