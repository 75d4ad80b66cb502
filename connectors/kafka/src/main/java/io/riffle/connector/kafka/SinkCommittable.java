package io.riffle.connector.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction an exactly-once {@link KafkaSink} subtask closed at a barrier: its transactional id, the producer id
 * and epoch it was opened with, and the checkpoint whose barrier closed it. A subtask's committable in a checkpoint
 * lists every such transaction it has not seen committed ({@link #encode}), since the checkpoints of earlier
 * barriers may have been aborted.
 */
record SinkCommittable(String transactionalId, long producerId, short epoch, long checkpointId) {
    private static final byte VERSION = 1;

    static byte[] encode(List<SinkCommittable> transactions) {
        List<byte[]> ids = new ArrayList<>(transactions.size());
        int size = 1 + 4;
        for (SinkCommittable c : transactions) {
            byte[] id = c.transactionalId.getBytes(StandardCharsets.UTF_8);
            ids.add(id);
            size += 4 + id.length + 8 + 2 + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).putInt(transactions.size());
        for (int i = 0; i < transactions.size(); i++) {
            SinkCommittable c = transactions.get(i);
            out.putInt(ids.get(i).length).put(ids.get(i)).putLong(c.producerId).putShort(c.epoch)
                    .putLong(c.checkpointId);
        }
        return out.array();
    }

    /**
     * The transactions of a committable of the sink whose transactional ids start with {@code prefix}; a damaged or
     * foreign one fails naming {@code sink}.
     */
    static List<SinkCommittable> decode(byte[] bytes, String prefix, String sink) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("kafka sink '" + sink + "': a checkpoint holds a committable of"
                        + " version " + version + ", this Riffle reads version " + VERSION);
            }
            int count = in.getInt();
            if (count < 1) {
                throw damaged(sink, "a committable of " + count + " transactions");
            }
            List<SinkCommittable> transactions = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw damaged(sink, "a transactional id of " + length + " bytes");
                }
                byte[] id = new byte[length];
                in.get(id);
                SinkCommittable c = new SinkCommittable(new String(id, StandardCharsets.UTF_8), in.getLong(),
                        in.getShort(), in.getLong());
                if (!c.transactionalId.startsWith(prefix)) {
                    throw new IllegalArgumentException("kafka sink '" + sink + "': the checkpoint names transaction '"
                            + c.transactionalId + "', which is not of this sink (its ids start with '" + prefix + "')");
                }
                transactions.add(c);
            }
            if (in.hasRemaining()) {
                throw damaged(sink, in.remaining() + " bytes after its end");
            }
            return transactions;
        } catch (BufferUnderflowException e) {
            throw damaged(sink, bytes.length + " bytes, cut short");
        }
    }

    private static IllegalArgumentException damaged(String sink, String what) {
        return new IllegalArgumentException("kafka sink '" + sink + "': a committable in the checkpoint is damaged ("
                + what + ")");
    }
}
