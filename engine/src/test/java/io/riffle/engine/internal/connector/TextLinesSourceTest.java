package io.riffle.engine.internal.connector;

import static io.riffle.engine.internal.connector.TextBytes.file;
import static io.riffle.engine.internal.connector.TextBytes.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code readTextFile}: bytes that are not UTF-8 fail the job naming the file, line and column. */
class TextLinesSourceTest {
    @TempDir
    Path dir;

    private static List<String> lines(Path file) {
        Environment env = Environment.batch();
        List<Tuple> lines = new ArrayList<>();
        env.readTextFile(file).collect(lines);
        env.execute("text");
        List<String> strings = new ArrayList<>();
        for (Tuple t : lines) {
            strings.add(t.getString(0));
        }
        return strings;
    }

    private static String failure(Path file) {
        return assertThrows(JobFailedException.class, () -> lines(file)).getMessage();
    }

    private static String failed(Path file, int line, String where) {
        return "job 'text' failed: operator 'text(text.txt)' (subtask 1 of 1) failed: " + file + ":" + line
                + ": not valid UTF-8 (" + where + ")";
    }

    @Test
    void aBadByteOnTheFirstLine() throws IOException {
        Path file = file(dir, new byte[] {(byte) 0xE9}, utf8("t\nok\n"));
        assertEquals(failed(file, 1, "byte 0xE9 at column 1, byte offset 0"), failure(file));
    }

    @Test
    void aBadByteOnAMiddleLine() throws IOException {
        Path file = file(dir, utf8("one\ncaf"), new byte[] {(byte) 0xE9}, utf8("\nthree\n"));
        assertEquals(failed(file, 2, "byte 0xE9 at column 4, byte offset 7"), failure(file));
    }

    @Test
    void aBadByteOnTheLastLineWithoutANewline() throws IOException {
        Path file = file(dir, utf8("one\r\ntwo\r\nend"), new byte[] {(byte) 0xC3});
        assertEquals(failed(file, 3, "byte 0xC3 at column 4, byte offset 13"), failure(file));
    }

    @Test
    void aCharacterSplitAcrossTwoReadsOfTheFileIsNoError() throws IOException {
        String first = "x".repeat(Utf8FileReader.BUFFER_BYTES - 2) + "€y";
        Path file = file(dir, utf8(first + "\nsecond\n"));
        assertEquals(List.of(first, "second"), lines(file));
    }
}
