package io.riffle.engine.connector;

import java.time.Duration;
import java.util.List;

/**
 * A sink whose output becomes visible only with the checkpoint that covers it, so that a job restored
 * after a failure commits exactly what a run without failures would. Its writers are
 * {@link TwoPhaseCommitWriter}s: at each checkpoint barrier a writer stages what it wrote since the last
 * one and hands back a committable (a few bytes naming what was staged), which is stored in the
 * checkpoint; once the checkpoint is complete the job calls {@link #commit}. A job that ends commits the
 * writers' last output when every subtask has finished.
 *
 * <p>Which checkpoint committed what matters when recovery has to fall back: if the newest complete
 * checkpoint turns out damaged, the job restores an older one, and the output the newer one already
 * committed would come again. A sink that can take it back says so ({@link #canRetract()}) and does
 * ({@link #retractCommittedAfter}); with a sink that cannot, the job refuses the fallback unless the user
 * allowed duplicates ({@code Environment.allowDuplicatesOnFallback()}).
 *
 * <pre>{@code
 * counts.addSink(new TransactionalCsvSink(Path.of("out")));   // commits per checkpoint, retracts on fallback
 * }</pre>
 */
public interface TwoPhaseCommitSink extends Sink {
    /**
     * Makes the staged output named by {@code committables} visible. Called from the job's checkpoint
     * thread, and again for the restored checkpoint's committables after a failure or a restart from a
     * checkpoint directory, so it must be idempotent: a committable already committed is passed over. The
     * committables come from a checkpoint file, which may be damaged or forged: check that each names
     * output of this sink before acting on any.
     */
    void commit(List<byte[]> committables) throws Exception;

    /**
     * Recovery: drops staged output that no complete checkpoint covers (written after the checkpoint
     * being restored). Called before the restored job starts, after {@link #commit} of the restored
     * checkpoint's committables.
     */
    void abortUncommitted() throws Exception;

    /**
     * A job with this sink checkpoints every {@code interval}: throws {@link IllegalArgumentException}, saying what
     * to change, when staged output cannot wait that long for its commit (a Kafka transaction that would time out
     * first). Called when the job starts, before anything runs.
     */
    default void checkCheckpointInterval(Duration interval) {
    }

    /**
     * The job has ended (finished, failed for good or cancelled) and commits nothing more: release what was kept
     * for commits that will not come, and drop staged output no complete checkpoint covers, so that nothing stays
     * open outside the job (a Kafka transaction would hold back read_committed consumers). A job restored later
     * from one of its checkpoints still commits that checkpoint's committables first. A failure is logged.
     */
    default void jobEnded() throws Exception {
    }

    /** Whether this sink can take back committed output ({@link #retractCommittedAfter}); by default it cannot. */
    default boolean canRetract() {
        return false;
    }

    /**
     * Recovery falling back to checkpoint {@code checkpointId} (0: to the start of the input): removes every
     * committed output that a writer staged in {@link TwoPhaseCommitWriter#prepareCommit} with an id above
     * {@code checkpointId}, since the restored job writes it again. Called only when {@link #canRetract()},
     * before {@link #commit} of the restored checkpoint's committables.
     */
    default void retractCommittedAfter(long checkpointId) throws Exception {
        throw new UnsupportedOperationException("sink '" + name() + "' cannot take back committed output");
    }
}
