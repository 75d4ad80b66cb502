package io.riffle.connector.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitWriter;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;

/**
 * One {@link KafkaSink} subtask. Without exactly-once it sends through one producer (and, at least once, flushes
 * it at each barrier). With exactly-once it keeps a pool of transactional producers: one holds the open
 * transaction, the others wait, each with a transaction closed at a barrier, for their checkpoint to commit and
 * hand them back ({@link #giveBack}); a new producer joins the pool only when none is free.
 */
final class KafkaSinkWriter implements TwoPhaseCommitWriter, Callback {
    /** A transactional producer of the pool and its transactional id. */
    record Pooled(String id, KafkaProducer<byte[], byte[]> producer) {
    }

    private final KafkaSink sink;
    private final RowEncoder rows;
    private final String topic;
    private final int subtask;
    private final String name;
    private final boolean exactlyOnce;
    /** The producer without exactly-once; null with it. */
    private final KafkaProducer<byte[], byte[]> plain;
    /** Transactional producers with no transaction, ready to open the next. */
    private final ArrayDeque<Pooled> free = new ArrayDeque<>();
    /** Producers whose transaction committed, handed back by the committing thread; guarded by itself. */
    private final ArrayDeque<Pooled> handedBack = new ArrayDeque<>();
    /** The transactions closed at barriers whose commit this writer has not seen; guarded by {@link #handedBack}. */
    private final List<SinkCommittable> uncommitted = new ArrayList<>();
    /** The producer of the open transaction; null when none is open. */
    private Pooled current;
    private int producersMade;
    /** Whether the writer closed; guarded by {@link #handedBack}. */
    private boolean closed;
    /** The first failed send, reported by the producer's thread. */
    private volatile Exception sendFailure;

    KafkaSinkWriter(KafkaSink sink, RowEncoder rows, TaskContext context) {
        this.sink = sink;
        this.rows = rows;
        this.topic = sink.topic();
        this.subtask = context.subtask();
        this.name = sink.name() + " [" + (subtask + 1) + "/" + context.parallelism() + "]";
        this.exactlyOnce = sink.guarantee() == DeliveryGuarantee.EXACTLY_ONCE;
        this.plain = exactlyOnce ? null : sink.producer(null);
    }

    @Override
    public void write(RecordBatch batch) throws Exception {
        checkSent();
        KafkaProducer<byte[], byte[]> producer = exactlyOnce ? transaction() : plain;
        SelectionVector selection = batch.selection();
        int n = batch.selectedRowCount();
        for (int i = 0; i < n; i++) {
            int row = selection == null ? i : selection.get(i);
            producer.send(new ProducerRecord<>(topic, null, rows.key(batch, row), rows.value(batch, row)), this);
        }
    }

    /** The producer of the open transaction, opening one when none is. */
    private KafkaProducer<byte[], byte[]> transaction() {
        if (current == null) {
            synchronized (handedBack) {
                free.addAll(handedBack);
                handedBack.clear();
            }
            if (free.isEmpty()) {
                String id = sink.transactionalId(subtask, producersMade++);
                current = new Pooled(id, sink.initTransactions(id));
            } else {
                current = free.poll();
            }
            current.producer().beginTransaction();
        }
        return current.producer();
    }

    /** Sends fail on the producer's thread: the next call on the subtask's thread reports it. */
    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
        if (e != null && sendFailure == null) {
            sendFailure = e;
        }
    }

    private void checkSent() {
        Exception e = sendFailure;
        if (e != null) {
            throw new IllegalStateException(name + ": a record could not be written to topic '" + topic + "': "
                    + e.getMessage(), e);
        }
    }

    @Override
    public byte[] prepareCommit(long checkpointId) throws Exception {
        if (!exactlyOnce) {
            if (plain != null && sink.guarantee() == DeliveryGuarantee.AT_LEAST_ONCE) {
                plain.flush();
            }
            checkSent();
            return null;
        }
        if (current != null) {
            current.producer().flush();
            checkSent();
            ProducerIdAndEpoch id = KafkaTransactions.idOf(current.producer());
            SinkCommittable prepared = new SinkCommittable(current.id(), id.producerId, id.epoch, checkpointId);
            synchronized (handedBack) {
                uncommitted.add(prepared);
            }
            sink.prepared(new KafkaSink.PreparedTransaction(prepared, current, this));
            current = null;
        }
        synchronized (handedBack) {
            return uncommitted.isEmpty() ? null : SinkCommittable.encode(new ArrayList<>(uncommitted));
        }
    }

    /**
     * Transaction {@code transaction} committed: its producer comes back to the pool, or is closed if the writer
     * closed, and the next committables leave it out.
     */
    void committed(SinkCommittable transaction, Pooled producer) {
        synchronized (handedBack) {
            uncommitted.remove(transaction);
            if (!closed) {
                handedBack.add(producer);
                return;
            }
        }
        producer.producer().close(Duration.ZERO);
    }

    @Override
    public void finish() throws Exception {
        if (plain != null) {
            plain.flush();
        }
        if (current != null) {
            current.producer().flush();
        }
        checkSent();
    }

    /**
     * Closes the producers this writer holds. The open transaction, if any, is aborted: no checkpoint covers it.
     * Producers waiting for a commit belong to the sink until then.
     */
    @Override
    public void close() {
        synchronized (handedBack) {
            closed = true;
            free.addAll(handedBack);
            handedBack.clear();
        }
        if (plain != null) {
            plain.close(Duration.ofSeconds(5));
        }
        if (current != null) {
            current.producer().close(Duration.ZERO);
            current = null;
        }
        for (Pooled p : free) {
            p.producer().close(Duration.ZERO);
        }
        free.clear();
    }
}
