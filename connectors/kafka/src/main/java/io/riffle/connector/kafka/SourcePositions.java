package io.riffle.connector.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

/**
 * A {@link KafkaSource} reader's position in a checkpoint: for each partition it reads, the offset of the next record
 * to return and, in bounded mode, the offset it stops at ({@link #UNBOUNDED} otherwise).
 */
final class SourcePositions {
    static final long UNBOUNDED = -1;
    private static final byte VERSION = 1;

    /** One partition: where the reader goes on, and where it stops. */
    record Partition(TopicPartition partition, long next, long end) {
    }

    private SourcePositions() {
    }

    static byte[] encode(List<Partition> partitions) {
        int size = 1 + 4;
        List<byte[]> topics = new ArrayList<>(partitions.size());
        for (Partition p : partitions) {
            byte[] topic = p.partition().topic().getBytes(StandardCharsets.UTF_8);
            topics.add(topic);
            size += 4 + topic.length + 4 + 8 + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(VERSION).putInt(partitions.size());
        for (int i = 0; i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            out.putInt(topics.get(i).length).put(topics.get(i)).putInt(p.partition().partition()).putLong(p.next())
                    .putLong(p.end());
        }
        return out.array();
    }

    /** The partitions of all {@code positions}; a damaged one fails naming {@code source}. */
    static List<Partition> decode(List<byte[]> positions, String source) {
        List<Partition> partitions = new ArrayList<>();
        for (byte[] bytes : positions) {
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                byte version = in.get();
                if (version != VERSION) {
                    throw damaged(source, "a position of version " + version + ", this Riffle reads version "
                            + VERSION);
                }
                int count = in.getInt();
                if (count < 0) {
                    throw damaged(source, "a position of " + count + " partitions");
                }
                for (int i = 0; i < count; i++) {
                    int length = in.getInt();
                    if (length < 1 || length > in.remaining()) {
                        throw damaged(source, "a topic name of " + length + " bytes");
                    }
                    byte[] topic = new byte[length];
                    in.get(topic);
                    int partition = in.getInt();
                    long next = in.getLong();
                    long end = in.getLong();
                    if (partition < 0 || next < 0 || (end != UNBOUNDED && end < 0)) {
                        throw damaged(source, "partition " + partition + " at offset " + next + " to " + end);
                    }
                    partitions.add(new Partition(new TopicPartition(new String(topic, StandardCharsets.UTF_8),
                            partition), next, end));
                }
                if (in.hasRemaining()) {
                    throw damaged(source, in.remaining() + " bytes after the last partition");
                }
            } catch (BufferUnderflowException e) {
                throw damaged(source, "a position cut short (" + bytes.length + " bytes)");
            }
        }
        return partitions;
    }

    private static IllegalArgumentException damaged(String source, String what) {
        return new IllegalArgumentException("kafka source '" + source + "': the checkpoint's position is damaged: "
                + what);
    }
}
