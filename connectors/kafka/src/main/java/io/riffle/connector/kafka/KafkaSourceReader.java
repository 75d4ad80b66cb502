package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * One {@link KafkaSource} subtask: its partitions, one consumer, and the batch each poll is decoded into. A poll
 * never waits: no records now is a null batch, and the subtask's worker goes on with other work.
 */
final class KafkaSourceReader implements SourceReader {
    private final KafkaSource source;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDecoder decoder;
    private final TopicPartition[] partitions;
    private final Map<TopicPartition, Integer> indexOf = new HashMap<>();
    /** Per partition: where a bounded read stops ({@link SourcePositions#UNBOUNDED}: never). */
    private final long[] ends;
    /** Per partition: the offset of the next record to return. */
    private final long[] next;
    private final boolean[] done;
    private int partitionsLeft;
    private final RecordBatch batch;
    private final @Nullable RecordBatch bad;
    private final @Nullable PartitionWatermarks watermarks;
    /** The decoded field holding event time; -1 without watermarks. */
    private final int timeField;
    private final boolean timeIsTimestamp;
    private boolean badFilled;

    KafkaSourceReader(KafkaSource source, KafkaConsumer<byte[], byte[]> consumer,
                      List<SourcePositions.Partition> start, TaskContext context) {
        this.source = source;
        this.consumer = consumer;
        this.decoder = source.decoder();
        this.partitions = new TopicPartition[start.size()];
        this.ends = new long[start.size()];
        this.next = new long[start.size()];
        this.done = new boolean[start.size()];
        List<TopicPartition> assigned = new ArrayList<>();
        for (int i = 0; i < start.size(); i++) {
            SourcePositions.Partition p = start.get(i);
            partitions[i] = p.partition();
            indexOf.put(p.partition(), i);
            ends[i] = p.end();
            next[i] = p.next();
            assigned.add(p.partition());
        }
        consumer.assign(assigned);
        for (int i = 0; i < partitions.length; i++) {
            consumer.seek(partitions[i], next[i]);
            done[i] = ends[i] != SourcePositions.UNBOUNDED && next[i] >= ends[i];
            if (done[i]) {
                consumer.pause(List.of(partitions[i]));
            } else {
                partitionsLeft++;
            }
        }
        WatermarkStrategy strategy = source.watermarks();
        if (strategy != null) {
            this.timeField = decoder.schema().indexOf(strategy.field());
            this.timeIsTimestamp = decoder.schema().column(timeField).type() == ColumnType.TIMESTAMP_MS;
            this.watermarks = new PartitionWatermarks(partitions.length, strategy.outOfOrderness().toMillis(),
                    strategy.idleness().toNanos(), source.nanoClock());
            for (int i = 0; i < partitions.length; i++) {
                if (done[i]) {
                    watermarks.ended(i);
                }
            }
        } else {
            this.timeField = -1;
            this.timeIsTimestamp = false;
            this.watermarks = null;
        }
        this.batch = RecordBatch.allocate(decoder.schema(), context.allocator(), context.batchSize());
        this.bad = source.setsBadRecordsAside()
                ? RecordBatch.allocate(KafkaSource.BAD_RECORDS, context.allocator(), 16) : null;
    }

    @Override
    public RecordBatch next() throws Exception {
        badFilled = false;
        if (partitionsLeft == 0 && isBoundedRead()) {
            return null;
        }
        ConsumerRecords<byte[], byte[]> records = partitions.length == 0 ? ConsumerRecords.empty()
                : consumer.poll(Duration.ZERO);
        int rows = 0;
        int badRows = 0;
        if (!records.isEmpty()) {
            batch.ensureCapacity(records.count());
            batch.setRowCount(0);
            if (bad != null) {
                bad.setRowCount(0);
            }
            for (TopicPartition tp : records.partitions()) {
                int p = indexOf.get(tp);
                List<ConsumerRecord<byte[], byte[]>> run = records.records(tp);
                int to = run.size();
                if (ends[p] != SourcePositions.UNBOUNDED) {
                    while (to > 0 && run.get(to - 1).offset() >= ends[p]) {
                        to--;
                    }
                }
                int first = rows;
                int from = 0;
                while (from < to) {
                    try {
                        decoder.decode(run, from, to, batch, rows);
                        rows += to - from;
                        from = to;
                    } catch (RecordDecodeException e) {
                        int failed = from + e.index();
                        rows += failed - from;
                        ConsumerRecord<byte[], byte[]> record = run.get(failed);
                        if (bad == null) {
                            throw new IllegalStateException("kafka source '" + source.name() + "': topic "
                                    + record.topic() + " partition " + record.partition() + " offset "
                                    + record.offset() + ": " + e.getMessage(), e);
                        }
                        setAside(badRows++, record, e.getMessage());
                        from = failed + 1;
                    }
                }
                if (watermarks != null && rows > first) {
                    onRecords(p, first, rows);
                } else if (watermarks != null && to > 0) {
                    watermarks.onRecords(p);
                }
            }
            batch.setRowCount(rows);
            if (bad != null) {
                bad.setRowCount(badRows);
                badFilled = badRows > 0;
            }
        }
        advance();
        return rows == 0 ? null : batch;
    }

    /** Partition {@code p} returned rows {@code [first, last)}: its watermark follows their highest event time. */
    private void onRecords(int p, int first, int last) {
        FieldVector times = batch.vector(timeField);
        long highest = Long.MIN_VALUE;
        boolean any = false;
        for (int r = first; r < last; r++) {
            if (!times.isNull(r)) {
                long t = timeIsTimestamp ? ((TimeStampMilliVector) times).get(r) : ((BigIntVector) times).get(r);
                highest = Math.max(highest, t);
                any = true;
            }
        }
        if (any) {
            watermarks.onRecords(p, highest);
        } else {
            watermarks.onRecords(p);
        }
    }

    private void setAside(int row, ConsumerRecord<byte[], byte[]> record, String error) {
        bad.utf8(0).setSafe(row, record.topic().getBytes(StandardCharsets.UTF_8));
        bad.int32(1).setSafe(row, record.partition());
        bad.int64(2).setSafe(row, record.offset());
        bad.utf8(3).setSafe(row, error.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Moves each partition's next offset to the consumer's position, which passes over transaction markers too,
     * and ends the partitions of a bounded read that reached their end.
     */
    private void advance() {
        for (int i = 0; i < partitions.length; i++) {
            if (done[i]) {
                continue;
            }
            next[i] = consumer.position(partitions[i]);
            if (ends[i] != SourcePositions.UNBOUNDED && next[i] >= ends[i]) {
                next[i] = ends[i];
                done[i] = true;
                partitionsLeft--;
                consumer.pause(List.of(partitions[i]));
                if (watermarks != null) {
                    watermarks.ended(i);
                }
            }
        }
    }

    private boolean isBoundedRead() {
        return source.bounded();
    }

    @Override
    public boolean isFinished() {
        return isBoundedRead() && partitionsLeft == 0;
    }

    @Override
    public long watermark() {
        return watermarks == null ? SourceReader.NO_WATERMARK : watermarks.watermark();
    }

    @Override
    public @Nullable RecordBatch sideBatch(int index) {
        return badFilled ? bad : null;
    }

    @Override
    public byte[] position() {
        List<SourcePositions.Partition> at = new ArrayList<>(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            at.add(new SourcePositions.Partition(partitions[i], next[i], ends[i]));
        }
        return SourcePositions.encode(at);
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ZERO);
        } finally {
            batch.close();
            if (bad != null) {
                bad.close();
            }
        }
    }
}
