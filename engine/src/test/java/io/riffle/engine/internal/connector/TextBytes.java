package io.riffle.engine.internal.connector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text files built from byte parts, for the tests of bytes that are and are not UTF-8. */
final class TextBytes {
    private TextBytes() {
    }

    /** {@code dir/text.txt} holding {@code parts} one after the other. */
    static Path file(Path dir, byte[]... parts) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.writeBytes(part);
        }
        return Files.write(dir.resolve("text.txt"), bytes.toByteArray());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
