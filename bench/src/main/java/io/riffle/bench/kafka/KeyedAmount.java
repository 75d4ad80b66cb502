package io.riffle.bench.kafka;

/**
 * K1's record layout: 16 bytes little-endian, an int64 key then an int64 amount (input) or running sum
 * (output); the Kafka record key is the key's 8 bytes. Static methods only, so the hot loops allocate nothing
 * beyond the arrays the Kafka clients require.
 */
public final class KeyedAmount {
    /** The bytes of one value. */
    public static final int VALUE_BYTES = 16;
    /** The bytes of one record key. */
    public static final int KEY_BYTES = 8;

    private KeyedAmount() {
    }

    /** A new 16-byte value holding {@code key} and {@code amount}. */
    public static byte[] value(long key, long amount) {
        byte[] value = new byte[VALUE_BYTES];
        putLong(value, 0, key);
        putLong(value, KEY_BYTES, amount);
        return value;
    }

    /** A new 8-byte record key holding {@code key}. */
    public static byte[] recordKey(long key) {
        byte[] bytes = new byte[KEY_BYTES];
        putLong(bytes, 0, key);
        return bytes;
    }

    /** The key of a 16-byte value. */
    public static long key(byte[] value) {
        return getLong(value, 0);
    }

    /** The amount (or running sum) of a 16-byte value. */
    public static long amount(byte[] value) {
        return getLong(value, KEY_BYTES);
    }

    /** Fails, naming the topic and offset, when {@code value} is not a 16-byte K1 value. */
    public static void check(byte[] value, String topic, int partition, long offset) {
        if (value == null || value.length != VALUE_BYTES) {
            throw new IllegalStateException("record " + topic + "-" + partition + "@" + offset + " has "
                    + (value == null ? "no value" : value.length + " value bytes") + ", expected "
                    + VALUE_BYTES + " (int64 key, int64 amount, little-endian)");
        }
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
