package io.riffle.columnar.hash;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A new file written through a memory mapping in chunks of {@code 2^chunkShift} bytes (at most 1 GiB: one
 * mapping cannot reach 2 GiB), addressed by file position: what {@link TableSnapshot#writeTo} scatters a
 * snapshot into. A word at a position aligned to its size never straddles two chunks, so writing it costs
 * one address computation; byte ranges are split at chunk boundaries. {@link #close} unmaps the chunks at
 * once (a mapping left to the garbage collector keeps a deleted file's pages, and its disk space, for as
 * long as no collection runs). Nothing reads through the mapping: checksums are computed over the file read
 * back by position ({@link StateFileReader}), so a file truncated by another process meanwhile is an
 * {@link IOException} there, and a write to a page gone with it an {@link InternalError} (what Unsafe makes
 * of the SIGBUS), never a crash. Single-threaded.
 */
final class MappedFile implements AutoCloseable {
    /** 1 GiB chunks; tests pass smaller ones to make sections straddle chunk boundaries. */
    static final int CHUNK_SHIFT = 30;
    /** The smallest page size of the platforms Riffle runs on; larger pages are merely touched more than once. */
    private static final int PAGE_BYTES = 4096;
    /** What {@link #create} fills a new file with; read only, shared by every thread through duplicates. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    /**
     * {@code sun.misc.Unsafe.invokeCleaner}, which unmaps a mapped buffer now: Java 17 has no public way to.
     * (Agrona's {@code IoUtil.unmap} would need {@code --add-exports java.base/jdk.internal.misc} of every
     * application that embeds Riffle; {@code sun.misc.Unsafe} is open to all.)
     */
    private static final MethodHandle UNMAP = unmapper();

    private final Path path;
    private final FileChannel channel;
    /** The file read back by position, for checksums. */
    private final StateFileReader readBack;
    private final MappedByteBuffer[] chunks;
    private final long[] addresses;
    private final int shift;
    private final long mask;
    private final long size;
    private boolean closed;

    private MappedFile(Path path, FileChannel channel, long size, int chunkShift) {
        this.path = path;
        this.channel = channel;
        this.readBack = StateFileReader.over(path, "snapshot file", channel, size);
        this.size = size;
        this.shift = chunkShift;
        this.mask = (1L << chunkShift) - 1;
        int count = (int) ((size + mask) >>> chunkShift);
        this.chunks = new MappedByteBuffer[count];
        this.addresses = new long[count];
    }

    /**
     * A new file of {@code size} bytes (replacing any), mapped for writing, every page already faulted in.
     * The file's blocks are written (zeros) through the channel before it is mapped: a full disk then fails
     * here with an {@link IOException} naming the file, where a write to an unbacked page of a sparse mapping
     * would raise SIGBUS. Taking the page faults in file order costs a fraction of taking them in the
     * scattered order in which a snapshot's sections are then written (measured: 0.06 s against 0.3 s for
     * 228 MiB).
     */
    static MappedFile create(Path file, long size, int chunkShift) throws IOException {
        if (chunkShift < 3 || chunkShift > CHUNK_SHIFT) {
            throw new IllegalArgumentException("chunks must be 8 bytes to 1 GiB: 2^" + chunkShift);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        MappedFile mapped = new MappedFile(file, channel, size, chunkShift);
        try {
            mapped.allocateBlocks();
            for (int c = 0; c < mapped.chunks.length; c++) {
                long position = (long) c << chunkShift;
                mapped.chunks[c] = channel.map(FileChannel.MapMode.READ_WRITE, position,
                        Math.min(size - position, 1L << chunkShift));
                mapped.addresses[c] = MemoryUtil.getByteBufferAddress(mapped.chunks[c]);
            }
            for (long position = 0; position < size; position += PAGE_BYTES) {
                MemoryUtil.putByte(mapped.address(position), (byte) 0);
            }
            return mapped;
        } catch (IOException | RuntimeException | Error e) {
            try {
                mapped.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Writes the file's {@code size} bytes as zeros, so that the file system allocates its blocks now. */
    private void allocateBlocks() throws IOException {
        ByteBuffer zeros = ZEROS.duplicate();
        long position = 0;
        try {
            while (position < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
                while (zeros.hasRemaining()) {
                    position += channel.write(zeros, position);
                }
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + path + ": " + e.getMessage() + " (" + position + " of its "
                    + size + " bytes written)", e);
        }
    }

    long size() {
        return size;
    }

    /** The memory address of file position {@code position}; valid for the rest of its chunk. */
    long address(long position) {
        return addresses[(int) (position >>> shift)] + (position & mask);
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

    /**
     * The CRC32C of {@code length} bytes at {@code position}, read back through the file into
     * {@code scratch} ({@link StateFileReader#CHUNK_BYTES} bytes the caller owns), not through the mapping.
     */
    int crc32c(long position, long length, long scratch) throws IOException {
        return readBack.crc32c(position, length, scratch);
    }

    /** Writes every chunk through to the storage device. */
    void force() {
        for (MappedByteBuffer chunk : chunks) {
            chunk.force();
        }
    }

    /** Unmaps every chunk and closes the file; idempotent. Nothing may use an address of this file afterwards. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        for (int c = 0; c < chunks.length; c++) {
            if (chunks[c] != null) {
                unmap(chunks[c]);
                chunks[c] = null;
                addresses[c] = 0;
            }
        }
        channel.close();
    }

    private static MethodHandle unmapper() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void unmap(MappedByteBuffer chunk) {
        try {
            UNMAP.invokeExact((ByteBuffer) chunk);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot unmap a chunk of a mapped file", e);
        }
    }
}
