package io.riffle.engine.internal.connector;

import static io.riffle.engine.internal.connector.TextBytes.file;
import static io.riffle.engine.internal.connector.TextBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8FileReaderTest {
    @TempDir
    Path dir;

    /** Reads the file through a small array, so that reads end anywhere; appends to {@code text} as it goes. */
    private static void readAll(Path file, StringBuilder text) throws IOException {
        try (Utf8FileReader reader = new Utf8FileReader(file)) {
            char[] chars = new char[1000];
            int n;
            while ((n = reader.read(chars, 0, chars.length)) >= 0) {
                text.append(chars, 0, n);
            }
        }
    }

    /** The error reading {@code file}, after checking that every character before the bad byte was delivered. */
    private static String error(Path file, String before) {
        StringBuilder text = new StringBuilder();
        IOException e = assertThrows(IOException.class, () -> readAll(file, text));
        assertEquals(before, text.toString());
        return e.getMessage();
    }

    @Test
    void aBadByteOnTheFirstLine() throws IOException {
        Path file = file(dir, utf8("ab"), new byte[] {(byte) 0xC3, '('}, utf8("cd\nnext\n"));
        assertEquals(file + ":1: not valid UTF-8 (byte 0xC3 at column 3, byte offset 2)", error(file, "ab"));
    }

    /** Columns count characters, not bytes: é and € take two and three bytes. */
    @Test
    void aBadByteOnAMiddleLineAfterMultiByteCharacters() throws IOException {
        Path file = file(dir, utf8("one\ntwo é\né€"), new byte[] {(byte) 0xFF}, utf8("x\nfour\n"));
        assertEquals(file + ":3: not valid UTF-8 (byte 0xFF at column 3, byte offset 16)",
                error(file, "one\ntwo é\né€"));
    }

    /** Lines end at \n, \r\n or a lone \r; a character cut off by the end of the file is malformed. */
    @Test
    void aCharacterCutOffAtTheEndOfTheLastLineWithoutANewline() throws IOException {
        Path file = file(dir, utf8("a\nb\r\nc\rxy"), new byte[] {(byte) 0xE2, (byte) 0x82});
        assertEquals(file + ":4: not valid UTF-8 (byte 0xE2 at column 3, byte offset 9)", error(file, "a\nb\r\nc\rxy"));
    }

    @Test
    void aBadByteRightAfterTheFirstBufferFull() throws IOException {
        String first = "a".repeat(Utf8FileReader.BUFFER_BYTES);
        Path file = file(dir, utf8(first), new byte[] {(byte) 0x80});
        assertEquals(file + ":1: not valid UTF-8 (byte 0x80 at column " + (Utf8FileReader.BUFFER_BYTES + 1)
                + ", byte offset " + Utf8FileReader.BUFFER_BYTES + ")", error(file, first));
    }

    /** Each character of two, three and four bytes, with one to all but one of its bytes before the boundary. */
    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "😀"})
    void aCharacterSplitAcrossTwoReadsOfTheFileIsNoError(String character) throws IOException {
        int length = utf8(character).length;
        for (int before = 1; before < length; before++) {
            String text = "x".repeat(Utf8FileReader.BUFFER_BYTES - before) + character + "\nend";
            Path file = file(dir, utf8(text));
            StringBuilder read = new StringBuilder();
            readAll(file, read);
            assertEquals(text, read.toString(), before + " bytes before the boundary");
        }
    }
}
