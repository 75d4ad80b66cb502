package io.riffle.scheduler;

/**
 * A unit of work that a {@link Worker} runs cooperatively with many others on one thread. It must never
 * block or sleep: when it has no input, or no room downstream, it returns 0 and is called again later.
 * Its methods are called by one worker thread at a time, so its state needs no synchronisation.
 *
 * <pre>{@code
 * Tasklet counter = new Tasklet() {
 *     long n;
 *     public String name() { return "counter"; }
 *     public int doWork() { return ++n < 1_000 ? 1 : DONE; }
 * };
 * scheduler.submit(counter).done().join();
 * }</pre>
 */
public interface Tasklet {
    /** Returned by {@link #doWork()} when the tasklet has finished for good; the worker then removes it. */
    int DONE = -1;

    /** The name used in failure reports and metrics, e.g. {@code "keyed-sum[2/4]"}. */
    String name();

    /**
     * Does a bounded amount of work and returns how much (0: nothing to do now, so the worker may idle),
     * or {@link #DONE}. An exception removes the tasklet and is reported with its name.
     */
    int doWork() throws Exception;

    /** Called once on the worker thread after the tasklet finished, failed or was cancelled. */
    default void onClose() {
    }
}
