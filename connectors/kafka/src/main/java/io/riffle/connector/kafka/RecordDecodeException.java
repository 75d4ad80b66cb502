package io.riffle.connector.kafka;

/**
 * A record a {@link RecordDecoder} could not decode: its index in the list the decoder was given and why. The
 * source adds the topic, partition and offset.
 */
public final class RecordDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int index;

    public RecordDecodeException(int index, String reason) {
        super(reason);
        this.index = index;
    }

    public RecordDecodeException(int index, String reason, Throwable cause) {
        super(reason, cause);
        this.index = index;
    }

    /** The index, in the list given to {@link RecordDecoder#decode}, of the record that failed. */
    public int index() {
        return index;
    }
}
