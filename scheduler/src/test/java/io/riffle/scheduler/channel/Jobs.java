package io.riffle.scheduler.channel;

import java.util.concurrent.CompletableFuture;

import io.riffle.scheduler.TaskletHandle;

/** Waits for tasklets that feed each other; a failure of one cancels the rest, so a test fails, not hangs. */
final class Jobs {
    private Jobs() {
    }

    static void awaitAll(TaskletHandle... handles) {
        CompletableFuture<Void> firstFailure = new CompletableFuture<>();
        CompletableFuture<?>[] futures = new CompletableFuture<?>[handles.length];
        for (int i = 0; i < handles.length; i++) {
            futures[i] = handles[i].done().whenComplete((v, e) -> {
                if (e != null && firstFailure.completeExceptionally(e)) {
                    for (TaskletHandle h : handles) {
                        h.cancel();
                    }
                }
            });
        }
        CompletableFuture.anyOf(CompletableFuture.allOf(futures), firstFailure).join();
    }
}
