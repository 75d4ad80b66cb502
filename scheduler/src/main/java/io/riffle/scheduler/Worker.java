package io.riffle.scheduler;

import java.util.BitSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import net.openhft.affinity.Affinity;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker thread running many tasklets in a duty cycle: apply pending adds and cancels, call every
 * tasklet's {@code doWork()} once, then idle if none did any work. The tasklet list belongs to the
 * worker thread; other threads only enqueue adds and cancels (MPSC queues) and read counters.
 *
 * <p>A tasklet that throws fails alone: it is closed, reported and removed, and the others go on. A
 * {@link StackOverflowError} or {@link LinkageError} of user code is such a failure. A fatal error of the JVM
 * ({@link #isFatal}: out of memory, an internal error) fails the tasklet the same way, then ends the worker
 * with it: its other tasklets are closed and cancelled, and the error reaches the thread's uncaught-exception
 * handler, so the host sees it instead of a job that merely failed over.
 */
public final class Worker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final int index;
    private final IdleStrategy idle;
    private final TaskletFailureListener listener;
    private final int cpu;
    /** Adds (a TaskletHandle) and cancels (a Cancel) in one queue, so a cancel never overtakes its add. */
    private final MpscUnboundedArrayQueue<Object> commands = new MpscUnboundedArrayQueue<>(64);
    private final AtomicInteger assigned = new AtomicInteger();
    private final Thread thread;
    private TaskletHandle[] running = new TaskletHandle[16];
    private int count;
    private volatile boolean stopping;
    /**
     * Set by the worker thread once its loop has ended and it closed what it ran; from then on, whoever adds or
     * cancels drains the commands itself, under this worker's lock, so that no tasklet waits for a dead thread.
     */
    private volatile boolean ended;
    private volatile String pinning = "not pinned";
    /** The tasklet being run; only read for the diagnostic when a worker fails to stop. */
    private volatile TaskletHandle current;

    Worker(int index, IdleMode idleMode, TaskletFailureListener listener, int cpu) {
        this.index = index;
        this.idle = idleMode.newStrategy();
        this.listener = listener;
        this.cpu = cpu;
        this.thread = new Thread(this, "riffle-worker-" + index);
        this.thread.setDaemon(true);
    }

    public int index() {
        return index;
    }

    /** {@code "cpu 3"} once pinned, or why the worker runs unpinned. */
    public String pinning() {
        return pinning;
    }

    /** Tasklets assigned to this worker and not yet finished (including adds not yet applied). */
    public int taskletCount() {
        return assigned.get();
    }

    Thread thread() {
        return thread;
    }

    void start() {
        thread.start();
    }

    void add(TaskletHandle handle) {
        assigned.incrementAndGet();
        commands.offer(handle);
        LockSupport.unpark(thread);
        if (ended) {
            cancelAllAfterEnd();
        }
    }

    void cancel(TaskletHandle handle) {
        commands.offer(new Cancel(handle));
        LockSupport.unpark(thread);
        if (ended) {
            cancelAllAfterEnd();
        }
    }

    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
    }

    /** Waits until the thread has ended or {@code nanos} passed; true if it ended. */
    boolean awaitStop(long nanos) throws InterruptedException {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        return !thread.isAlive();
    }

    /** Name of the tasklet the worker is stuck in, if any; for the error when it does not stop. */
    String currentTaskletName() {
        TaskletHandle h = current;
        return h == null ? null : h.name();
    }

    @Override
    public void run() {
        pin();
        LOG.debug("{} started ({})", thread.getName(), pinning);
        try {
            while (!stopping) {
                idle.idle(doWork());
            }
        } finally {
            cancelAllAfterEnd();
            LOG.debug("{} stopped", thread.getName());
        }
    }

    /**
     * Whether {@code e} leaves the JVM unfit to go on (out of memory, an internal error): a {@link
     * VirtualMachineError} other than a {@link StackOverflowError}, which unwinds the one tasklet that recursed
     * too deep and leaves the others as they were.
     */
    static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    /** One duty cycle; returns the work done. Throws the fatal error of a tasklet ({@link #isFatal}) after failing it. */
    int doWork() {
        int work = applyCommands();
        for (int i = 0; i < count; ) {
            TaskletHandle h = running[i];
            current = h;
            int done;
            try {
                done = h.tasklet.doWork();
            } catch (Throwable e) {
                removeAt(i);
                finish(h, e);
                if (isFatal(e)) {
                    current = null;
                    LOG.error("{} stops: tasklet '{}' threw a fatal {}; its other tasklets are cancelled",
                            thread.getName(), h.name(), describe(e));
                    throw (VirtualMachineError) e;
                }
                continue;
            }
            if (done == Tasklet.DONE) {
                removeAt(i);
                finish(h, null);
                continue;
            }
            work += done;
            i++;
        }
        current = null;
        return work;
    }

    private int applyCommands() {
        int work = 0;
        Object command;
        while ((command = commands.poll()) != null) {
            work++;
            if (command instanceof TaskletHandle) {
                if (count == running.length) {
                    running = java.util.Arrays.copyOf(running, count * 2);
                }
                running[count++] = (TaskletHandle) command;
                continue;
            }
            TaskletHandle h = ((Cancel) command).handle;
            for (int i = 0; i < count; i++) {
                if (running[i] == h) {
                    removeAt(i);
                    closeCancelled(h);
                    break;
                }
            }
        }
        return work;
    }

    private void removeAt(int i) {
        System.arraycopy(running, i + 1, running, i, count - i - 1);
        running[--count] = null;
    }

    /** Closes a tasklet that finished ({@code failure} null) or failed, reports a failure, completes its future. */
    private void finish(TaskletHandle h, Throwable failure) {
        Throwable closeFailure = close(h);
        Throwable cause = failure != null ? failure : closeFailure;
        assigned.decrementAndGet();
        if (cause == null) {
            h.future().complete(null);
            return;
        }
        if (failure != null && closeFailure != null) {
            failure.addSuppressed(closeFailure);
        }
        LOG.warn("tasklet '{}' failed: {}", h.name(), describe(cause));
        try {
            listener.onFailure(h.name(), cause);
        } catch (Throwable listenerFailure) {
            LOG.error("failure listener threw while reporting tasklet '{}'", h.name(), listenerFailure);
        }
        h.future().completeExceptionally(cause);
    }

    /** What went wrong in one line: the message, or the error's name where it has none (a stack overflow). */
    private static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof Error) {
            return e.getMessage() == null ? name : name + " (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? name : e.getMessage();
    }

    private void closeCancelled(TaskletHandle h) {
        Throwable closeFailure = close(h);
        assigned.decrementAndGet();
        if (closeFailure != null) {
            LOG.warn("tasklet '{}' threw in onClose after being cancelled", h.name(), closeFailure);
        }
        h.future().completeExceptionally(new CancellationException("tasklet '" + h.name() + "' was cancelled"));
    }

    private static Throwable close(TaskletHandle h) {
        try {
            h.tasklet.onClose();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * The loop has ended (stopped, or a fatal error): closes and cancels every tasklet still running or added,
     * and marks the worker {@link #ended}. Under this worker's lock, so that the worker thread and a later
     * {@link #add} or {@link #cancel}, which call it once {@link #ended} is set, take turns at the queue's
     * single consumer side.
     */
    private synchronized void cancelAllAfterEnd() {
        ended = true;
        applyCommands();
        while (count > 0) {
            TaskletHandle h = running[count - 1];
            removeAt(count - 1);
            closeCancelled(h);
        }
    }

    /** A request to stop running a tasklet; a distinct type so that it queues behind the tasklet's add. */
    private static final class Cancel {
        final TaskletHandle handle;

        Cancel(TaskletHandle handle) {
            this.handle = handle;
        }
    }

    private void pin() {
        if (cpu < 0) {
            return;
        }
        try {
            Affinity.setAffinity(cpu);
            BitSet now = Affinity.getAffinity();
            if (now.cardinality() != 1 || !now.get(cpu)) {
                throw new IllegalStateException("the thread's affinity is " + now + " after asking for cpu " + cpu);
            }
            pinning = "cpu " + cpu;
        } catch (Throwable e) {
            pinning = "not pinned: " + e;
            LOG.warn("could not pin {} to cpu {} ({}); it runs unpinned", thread.getName(), cpu, e.toString());
        }
    }
}
