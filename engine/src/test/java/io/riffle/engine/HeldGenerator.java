package io.riffle.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.connector.GeneratorSource;

/**
 * The workloads' generator ({@link Environment#generate(long, long)}, same name, so a job restores a
 * checkpoint of either), held once its readers have returned {@code holdAt} records in all until the test
 * moves the hold ({@link #holdAt}) or lifts it ({@link #release}). Held, the job keeps running and its
 * sources keep injecting barriers, so the test takes checkpoints at a known source position for as long as
 * it needs, however loaded the machine. With parallelism 1 and a hold at a multiple of the batch size, the
 * reader stops at exactly {@code holdAt} records.
 */
final class HeldGenerator implements Source {
    private final GeneratorSource generator;
    private final AtomicLong returned = new AtomicLong();
    private volatile long holdAt;

    HeldGenerator(long records, long keys, long holdAt) {
        this.generator = new GeneratorSource(records, keys);
        this.holdAt = holdAt;
    }

    /** Holds the readers again once they have returned {@code records} records in all. */
    void holdAt(long records) {
        holdAt = records;
    }

    /** Lets the readers run to the end. */
    void release() {
        holdAt = Long.MAX_VALUE;
    }

    /** Waits until the readers have reached the hold; a job that ended first throws its cause. */
    void awaitHeld(JobHandle job) throws InterruptedException {
        synchronized (this) {
            while (returned.get() < holdAt) {
                if (job.isDone()) {
                    job.await();
                    throw new AssertionError("the job ended before its source reached " + holdAt + " records");
                }
                wait(10); // woken by a reader reaching the hold; the timeout only looks for a job that ended
            }
        }
    }

    @Override
    public String name() {
        return generator.name();
    }

    @Override
    public BatchSchema schema() {
        return generator.schema();
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    @Override
    public SourceReader createReader(TaskContext context) {
        return new Held(generator.createReader(context));
    }

    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        return new Held(generator.restoreReader(context, positions));
    }

    private final class Held implements SourceReader {
        private final SourceReader reader;

        Held(SourceReader reader) {
            this.reader = reader;
        }

        @Override
        public RecordBatch next() throws Exception {
            if (returned.get() >= holdAt) {
                synchronized (HeldGenerator.this) {
                    HeldGenerator.this.notifyAll();
                }
                return null;
            }
            RecordBatch batch = reader.next();
            if (batch != null) {
                returned.addAndGet(batch.rowCount());
            }
            return batch;
        }

        @Override
        public boolean isFinished() {
            return reader.isFinished();
        }

        @Override
        public byte[] position() {
            return reader.position();
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
