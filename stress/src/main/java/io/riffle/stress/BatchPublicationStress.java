package io.riffle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.SlotKind;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * The producer writes rows into a batch (an Arrow vector off-heap and the batch's row count on-heap),
 * offers it and flushes; the consumer polls once. The ring's cursor, written with release semantics by
 * the flush and read with acquire semantics by the poll, must carry every write made before the offer.
 * Result: (slots delivered, the pair's v as {@link StressBatches#read} sees it).
 */
@JCStressTest
@Description("A consumer that sees a published batch sees all the producer's writes to it.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Polled before the flush: nothing published yet.")
@Outcome(id = "1, 7", expect = ACCEPTABLE, desc = "The batch, with both rows as the producer wrote them.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "A published batch with stale or torn rows.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a slot of another kind or more than one slot.")
@State
public class BatchPublicationStress {
    private final Channel channel = new Channel("batch-publication", 4);
    private final RecordBatch batch = StressBatches.allocate();

    @Actor
    public void producer() {
        StressBatches.write(batch, 7);
        channel.offerBatch(batch); // an empty ring of 4 accepts it
        channel.flush();
    }

    @Actor
    public void consumer(JJ_Result r) {
        r.r1 = channel.poll((c, slot) -> {
            r.r2 = slot.kind() == SlotKind.BATCH ? StressBatches.read(slot.batch()) : -1;
            return true;
        }, 0, 8);
    }

    /** Frees the batch, wherever it is: in the ring or handed back by the consumer. */
    @Arbiter
    public void close(JJ_Result r) {
        channel.close();
    }
}
