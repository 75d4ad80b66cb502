package io.riffle.engine.connector.file;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Base64 as RFC 4648 defines it (standard alphabet, padded with {@code =}), how CSV files hold binary fields.
 * Works on arrays the caller reuses, where {@link java.util.Base64} would allocate per value.
 */
final class Base64Text {
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    private static final int PAD = -2;
    private static final int[] VALUES = new int[128];

    static {
        Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
        VALUES['='] = PAD;
    }

    private Base64Text() {
    }

    /** The characters {@code length} bytes encode to. */
    static int encodedLength(int length) {
        return (length + 2) / 3 * 4;
    }

    /** The most bytes {@code length} characters decode to. */
    static int decodedLength(int length) {
        return length / 4 * 3;
    }

    /** Encodes {@code in[0, length)} into {@code out}, which holds {@link #encodedLength}; returns that length. */
    static int encode(byte[] in, int length, byte[] out) {
        int o = 0;
        int i = 0;
        for (; i + 3 <= length; i += 3) {
            int bits = (in[i] & 0xff) << 16 | (in[i + 1] & 0xff) << 8 | (in[i + 2] & 0xff);
            out[o++] = ALPHABET[bits >>> 18];
            out[o++] = ALPHABET[(bits >>> 12) & 0x3f];
            out[o++] = ALPHABET[(bits >>> 6) & 0x3f];
            out[o++] = ALPHABET[bits & 0x3f];
        }
        int left = length - i;
        if (left > 0) {
            int bits = (in[i] & 0xff) << 16 | (left == 2 ? (in[i + 1] & 0xff) << 8 : 0);
            out[o++] = ALPHABET[bits >>> 18];
            out[o++] = ALPHABET[(bits >>> 12) & 0x3f];
            out[o++] = left == 2 ? ALPHABET[(bits >>> 6) & 0x3f] : (byte) '=';
            out[o++] = '=';
        }
        return o;
    }

    /**
     * Decodes {@code in[0, length)} into {@code out}, which holds {@link #decodedLength}; returns the bytes
     * written, or -1 when the text is not padded base64 (a character outside the alphabet, a length not a
     * multiple of 4, or {@code =} anywhere but the last one or two places).
     */
    static int decode(char[] in, int length, byte[] out) {
        if (length % 4 != 0) {
            return -1;
        }
        int o = 0;
        for (int i = 0; i < length; i += 4) {
            int a = value(in[i]);
            int b = value(in[i + 1]);
            int c = value(in[i + 2]);
            int d = value(in[i + 3]);
            boolean last = i + 4 == length;
            if (a < 0 || b < 0 || c == -1 || d == -1 || !last && (c == PAD || d == PAD) || c == PAD && d != PAD) {
                return -1;
            }
            int bits = a << 18 | b << 12 | (c == PAD ? 0 : c << 6) | (d == PAD ? 0 : d);
            out[o++] = (byte) (bits >>> 16);
            if (c != PAD) {
                out[o++] = (byte) (bits >>> 8);
            }
            if (d != PAD) {
                out[o++] = (byte) bits;
            }
        }
        return o;
    }

    private static int value(char c) {
        return c < VALUES.length ? VALUES[c] : -1;
    }
}
