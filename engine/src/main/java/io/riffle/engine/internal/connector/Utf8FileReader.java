package io.riffle.engine.internal.connector;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The characters of a UTF-8 file, strictly decoded: every character before a malformed byte is delivered,
 * then the read fails with {@code FILE:LINE: not valid UTF-8 (byte 0xC3 at column 5, byte offset 17)}. A
 * character split across two reads of the file is no error. Line and column are found only then, by a
 * second pass over the file up to the bad byte, so reading costs nothing for them. Lines end at
 * {@code \n}, {@code \r\n} or a lone {@code \r}, as {@link java.io.BufferedReader#readLine} sees them;
 * columns count characters from 1. Single-threaded.
 */
public final class Utf8FileReader extends Reader {
    /** Bytes read from the file at a time. */
    static final int BUFFER_BYTES = 1 << 16;

    private final Path file;
    private final InputStream in;
    /** Read but not yet decoded bytes, between position and limit. */
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES).flip();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    /** The file offset of {@link #bytes}' first byte. */
    private long bufferOffset;
    private boolean endOfFile;

    public Utf8FileReader(Path file) throws IOException {
        this.file = file;
        this.in = Files.newInputStream(file);
    }

    @Override
    public int read(char[] chars, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        CharBuffer out = CharBuffer.wrap(chars, offset, length);
        while (true) {
            CoderResult result = decoder.decode(bytes, out, endOfFile);
            if (result.isError()) {
                if (out.position() > offset) {
                    return out.position() - offset;
                }
                throw malformed(bufferOffset + bytes.position(), bytes.get(bytes.position()));
            }
            if (out.position() > offset) {
                return out.position() - offset;
            }
            if (endOfFile) {
                return -1;
            }
            fill();
        }
    }

    /** Moves the undecoded bytes (the start of a split character, if any) to the front and reads more after them. */
    private void fill() throws IOException {
        bufferOffset += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfFile = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    /** The error for the malformed byte {@code bad} at file offset {@code offset}, with its line and column. */
    private IOException malformed(long offset, byte bad) throws IOException {
        String where = String.format("byte 0x%02X", bad & 0xFF);
        long line = 1;
        long column = 1;
        boolean afterCarriageReturn = false;
        byte[] chunk = new byte[BUFFER_BYTES];
        try (InputStream again = Files.newInputStream(file)) {
            long position = 0;
            while (position < offset) {
                int n = again.read(chunk, 0, (int) Math.min(chunk.length, offset - position));
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        if (!afterCarriageReturn) {
                            line++;
                        }
                        column = 1;
                    } else if (b == '\r') {
                        line++;
                        column = 1;
                    } else if ((b & 0xC0) != 0x80) {
                        column++;
                    }
                    afterCarriageReturn = b == '\r';
                }
                position += n;
            }
        }
        return new IOException(file + ":" + line + ": not valid UTF-8 (" + where + " at column " + column
                + ", byte offset " + offset + ")");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
