package io.riffle.engine.connector;

import java.util.List;

/**
 * A sink whose output becomes visible only with the checkpoint that covers it, so that a job restored
 * after a failure commits exactly what a run without failures would. Its writers are
 * {@link TwoPhaseCommitWriter}s: at each checkpoint barrier a writer stages what it wrote since the last
 * one and hands back a committable (a few bytes naming what was staged), which is stored in the
 * checkpoint; once the checkpoint is complete the job calls {@link #commit}. A job that ends commits the
 * writers' last output when every subtask has finished.
 */
public interface TwoPhaseCommitSink extends Sink {
    /**
     * Makes the staged output named by {@code committables} visible. Called from the job's checkpoint
     * thread, and again for the restored checkpoint's committables after a failure or a restart from a
     * checkpoint directory, so it must be idempotent: a committable already committed is passed over.
     */
    void commit(List<byte[]> committables) throws Exception;

    /**
     * Recovery: drops staged output that no complete checkpoint covers (written after the checkpoint
     * being restored). Called before the restored job starts, after {@link #commit} of the restored
     * checkpoint's committables.
     */
    void abortUncommitted() throws Exception;
}
