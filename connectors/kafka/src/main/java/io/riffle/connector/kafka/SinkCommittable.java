package io.riffle.connector.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What an exactly-once {@link KafkaSink} subtask stores in a checkpoint for the transaction it prepared at the
 * barrier: the transactional id, the producer id and epoch the transaction was opened with, and the checkpoint.
 */
record SinkCommittable(String transactionalId, long producerId, short epoch, long checkpointId) {
    private static final byte VERSION = 1;

    byte[] encode() {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + id.length + 8 + 2 + 8)
                .put(VERSION).putInt(id.length).put(id).putLong(producerId).putShort(epoch).putLong(checkpointId)
                .array();
    }

    /**
     * Reads a committable of the sink whose transactional ids start with {@code prefix}; a damaged or foreign one
     * fails naming {@code sink}.
     */
    static SinkCommittable decode(byte[] bytes, String prefix, String sink) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("kafka sink '" + sink + "': a checkpoint holds a committable of"
                        + " version " + version + ", this Riffle reads version " + VERSION);
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("kafka sink '" + sink + "': a committable in the checkpoint is"
                        + " damaged (a transactional id of " + length + " bytes)");
            }
            byte[] id = new byte[length];
            in.get(id);
            SinkCommittable c = new SinkCommittable(new String(id, StandardCharsets.UTF_8), in.getLong(),
                    in.getShort(), in.getLong());
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("kafka sink '" + sink + "': a committable in the checkpoint is"
                        + " damaged (" + in.remaining() + " bytes after its end)");
            }
            if (!c.transactionalId.startsWith(prefix)) {
                throw new IllegalArgumentException("kafka sink '" + sink + "': the checkpoint names transaction '"
                        + c.transactionalId + "', which is not of this sink (its ids start with '" + prefix + "')");
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("kafka sink '" + sink + "': a committable in the checkpoint is damaged"
                    + " (" + bytes.length + " bytes, cut short)", e);
        }
    }
}
