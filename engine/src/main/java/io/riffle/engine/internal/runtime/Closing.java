package io.riffle.engine.internal.runtime;

import org.jspecify.annotations.Nullable;

/** Closing several resources so that every one is closed whatever the others throw. */
final class Closing {
    private Closing() {
    }

    /**
     * Closes {@code resource}; returns {@code first}, or what closing threw when {@code first} is null. A
     * second failure is added to {@code first} as suppressed, so that none is lost. A close interrupted
     * ({@link InterruptedException}) leaves the thread's interrupt flag set, for whoever interrupted it.
     */
    static @Nullable Throwable close(AutoCloseable resource, @Nullable Throwable first) {
        try {
            resource.close();
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
        }
        return first;
    }
}
