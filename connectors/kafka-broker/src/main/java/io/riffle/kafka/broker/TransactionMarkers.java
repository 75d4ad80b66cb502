package io.riffle.kafka.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;

/**
 * Waits for the markers that end transactions. {@code commitTransaction()} returns once the coordinator decided; the
 * brokers write the commit markers into the partitions a moment later, and until then a read_committed consumer stops
 * before the transaction's records. A reader that must see everything committed waits here first.
 */
public final class TransactionMarkers {
    private TransactionMarkers() {
    }

    /**
     * Returns once no transaction whose id starts with {@code prefix} is between its end and its markers; fails
     * after {@code timeout}.
     */
    public static void await(Admin admin, String prefix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ListTransactionsOptions ending = new ListTransactionsOptions()
                .filterStates(List.of(TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT));
        while (true) {
            boolean pending = false;
            for (TransactionListing t : admin.listTransactions(ending).all().get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS)) {
                pending |= t.transactionalId().startsWith(prefix);
            }
            if (!pending) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("transactions " + prefix + "* still ending after " + timeout.toMillis()
                        + " ms");
            }
            Thread.sleep(10);
        }
    }
}
