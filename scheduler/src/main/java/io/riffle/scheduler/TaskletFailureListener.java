package io.riffle.scheduler;

/**
 * Told when a tasklet throws. Called on the worker thread that ran the tasklet, so it must not block;
 * a job owner typically records the failure and cancels the job's other tasklets from its own thread.
 */
@FunctionalInterface
public interface TaskletFailureListener {
    void onFailure(String taskletName, Throwable cause);
}
