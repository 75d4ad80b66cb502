package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Reads a state file by position (pread) into memory the caller owns, never through a memory mapping.
 * A mapped page of a file that another process truncates, or that the disk cannot read, raises SIGBUS
 * when touched: inside a CRC32C intrinsic that kills the JVM. Read this way, the same file ends in a
 * {@link CorruptTableFileException} naming it ({@code truncated while reading}, {@code cannot be read}),
 * which recovery treats like any damaged checkpoint. Checksums are computed over the owned copy, a chunk of
 * {@value #CHUNK_BYTES} bytes at a time while the chunk is still in the CPU's cache. Single-threaded.
 *
 * <pre>{@code
 * try (StateFileReader in = StateFileReader.open(file, "session window state file")) {
 *     ByteBuffer header = in.read(0, 48);                    // small parts: a little-endian heap buffer
 *     CRC32C crc = new CRC32C();
 *     in.read(offset, buffer.memoryAddress(), bytes, crc);    // large parts: straight into off-heap memory
 * }
 * }</pre>
 */
public final class StateFileReader implements AutoCloseable {
    /** The most one read brings in: a chunk is checksummed while it is still in the cache. */
    public static final int CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final String kind;
    private final FileChannel channel;
    private final long size;
    private final boolean ownsChannel;
    private final int chunkBytes;

    private StateFileReader(Path path, String kind, FileChannel channel, long size, boolean ownsChannel,
                            int chunkBytes) {
        this.path = path;
        this.kind = kind;
        this.channel = channel;
        this.size = size;
        this.ownsChannel = ownsChannel;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Opens {@code path} for reading; {@code kind} says what the file is in error messages ("snapshot file").
     * Its size now is the size every later read expects.
     */
    public static StateFileReader open(Path path, String kind) throws IOException {
        return open(path, kind, CHUNK_BYTES);
    }

    /** Like {@link #open(Path, String)}, reading at most {@code chunkBytes} at a time: tests make chunks small. */
    static StateFileReader open(Path path, String kind, int chunkBytes) throws IOException {
        if (chunkBytes < 8 || (chunkBytes & 7) != 0) {
            throw new IllegalArgumentException("read chunks must be a positive multiple of 8 bytes: " + chunkBytes);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new StateFileReader(path, kind, channel, channel.size(), true, chunkBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads back the first {@code size} bytes of a file being written through {@code channel}, which stays open. */
    static StateFileReader over(Path path, String kind, FileChannel channel, long size) {
        return new StateFileReader(path, kind, channel, size, false, CHUNK_BYTES);
    }

    public Path path() {
        return path;
    }

    /** The most one read brings in, and the size of the scratch memory {@link #crc32c} reads through. */
    int chunkBytes() {
        return chunkBytes;
    }

    /** The file's size when it was opened. */
    public long size() {
        return size;
    }

    /** {@code length} bytes at {@code position} in a new little-endian heap buffer: for headers and indexes. */
    public ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readFully(buffer, position);
        buffer.flip();
        return buffer;
    }

    /**
     * Reads {@code length} bytes at {@code position} into off-heap memory at {@code address} (which the
     * caller owns), adding them to {@code crc} unless it is null.
     */
    public void read(long position, long address, long length, CRC32C crc) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(chunkBytes, length - done);
            ByteBuffer chunk = MemoryUtil.directBuffer(address + done, n);
            readFully(chunk, position + done);
            if (crc != null) {
                chunk.flip();
                crc.update(chunk);
            }
            done += n;
        }
    }

    /** The CRC32C of {@code length} bytes at {@code position}, read through {@code scratch} ({@link #chunkBytes}). */
    int crc32c(long position, long length, long scratch) throws IOException {
        CRC32C crc = new CRC32C();
        for (long done = 0; done < length; done += chunkBytes) {
            read(position + done, scratch, Math.min(chunkBytes, length - done), crc);
        }
        return (int) crc.getValue();
    }

    private void readFully(ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            long at = position + into.position();
            int n;
            try {
                n = channel.read(into, at);
            } catch (ClosedChannelException e) {
                throw e; // closed or interrupted: not the file's fault
            } catch (IOException e) {
                throw corrupt("cannot be read at byte " + at + ": " + e.getMessage());
            }
            if (n < 0) {
                throw corrupt("truncated while reading: " + currentSize() + " bytes where " + size + " expected");
            }
        }
    }

    private String currentSize() {
        try {
            return Long.toString(channel.size());
        } catch (IOException e) {
            return "fewer";
        }
    }

    /** An error naming the file and what is wrong with it. */
    public CorruptTableFileException corrupt(String what) {
        return new CorruptTableFileException(kind + " " + path + ": " + what);
    }

    @Override
    public void close() throws IOException {
        if (ownsChannel) {
            channel.close();
        }
    }
}
