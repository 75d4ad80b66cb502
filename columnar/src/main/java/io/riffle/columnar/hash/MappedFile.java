package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A file mapped into memory in chunks of {@code 2^chunkShift} bytes (at most 1 GiB: one mapping cannot reach
 * 2 GiB), addressed by file position. A word at a position aligned to its size never straddles two chunks, so
 * reading or writing it costs one address computation; byte ranges are split at chunk boundaries.
 * Single-threaded. Java 17 has no way to unmap a mapping: the chunks go when they are garbage collected.
 */
final class MappedFile implements AutoCloseable {
    /** 1 GiB chunks; tests pass smaller ones to make sections straddle chunk boundaries. */
    static final int CHUNK_SHIFT = 30;
    /** The smallest page size of the platforms Riffle runs on; larger pages are merely touched more than once. */
    private static final int PAGE_BYTES = 4096;

    private final FileChannel channel;
    private final MappedByteBuffer[] chunks;
    private final long[] addresses;
    private final int shift;
    private final long mask;
    private final long size;

    private MappedFile(FileChannel channel, FileChannel.MapMode mode, long size, int chunkShift) throws IOException {
        if (chunkShift < 3 || chunkShift > CHUNK_SHIFT) {
            throw new IllegalArgumentException("chunks must be 8 bytes to 1 GiB: 2^" + chunkShift);
        }
        this.channel = channel;
        this.size = size;
        this.shift = chunkShift;
        this.mask = (1L << chunkShift) - 1;
        int count = (int) ((size + mask) >>> chunkShift);
        chunks = new MappedByteBuffer[count];
        addresses = new long[count];
        for (int c = 0; c < count; c++) {
            long position = (long) c << chunkShift;
            chunks[c] = channel.map(mode, position, Math.min(size - position, 1L << chunkShift));
            addresses[c] = MemoryUtil.getByteBufferAddress(chunks[c]);
        }
    }

    /**
     * A new file of {@code size} bytes (replacing any), mapped for writing, every page already faulted in:
     * taking the page faults in file order costs a fraction of taking them in the scattered order in which
     * a snapshot's sections are then written (measured: 0.06 s against 0.3 s for 228 MiB).
     */
    static MappedFile create(Path file, long size, int chunkShift) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            // Mapping past the end grows the file, so the chunks alone give it its size.
            MappedFile mapped = new MappedFile(channel, FileChannel.MapMode.READ_WRITE, size, chunkShift);
            for (long position = 0; position < size; position += PAGE_BYTES) {
                MemoryUtil.putByte(mapped.address(position), (byte) 0);
            }
            return mapped;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An existing file, mapped for reading. */
    static MappedFile open(Path file, int chunkShift) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new MappedFile(channel, FileChannel.MapMode.READ_ONLY, channel.size(), chunkShift);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    long size() {
        return size;
    }

    /** The memory address of file position {@code position}; valid for the rest of its chunk. */
    long address(long position) {
        return addresses[(int) (position >>> shift)] + (position & mask);
    }

    long getLong(long position) {
        return MemoryUtil.getLong(address(position));
    }

    int getInt(long position) {
        return MemoryUtil.getInt(address(position));
    }

    void putLong(long position, long value) {
        MemoryUtil.putLong(address(position), value);
    }

    void putInt(long position, int value) {
        MemoryUtil.putInt(address(position), value);
    }

    /** Copies {@code length} bytes from memory at {@code source} into the file at {@code position}. */
    void copyIn(long source, long position, long length) {
        while (length > 0) {
            long n = Math.min(length, mask + 1 - (position & mask));
            MemoryUtil.copyMemory(source, address(position), n);
            source += n;
            position += n;
            length -= n;
        }
    }

    /** Copies {@code length} bytes of the file at {@code position} to memory at {@code target}. */
    void copyOut(long position, long target, long length) {
        while (length > 0) {
            long n = Math.min(length, mask + 1 - (position & mask));
            MemoryUtil.copyMemory(address(position), target, n);
            target += n;
            position += n;
            length -= n;
        }
    }

    /** The CRC32C of {@code length} bytes at {@code position}. */
    int crc32c(long position, long length) {
        CRC32C crc = new CRC32C();
        while (length > 0) {
            int offset = (int) (position & mask);
            int n = (int) Math.min(length, mask + 1 - offset);
            crc.update(chunks[(int) (position >>> shift)].slice(offset, n));
            position += n;
            length -= n;
        }
        return (int) crc.getValue();
    }

    /** Writes every chunk through to the storage device. */
    void force() {
        for (MappedByteBuffer chunk : chunks) {
            chunk.force();
        }
    }

    /** Closes the channel; the mapping stays valid until collected, but this object must not be used again. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
