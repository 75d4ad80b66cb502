package io.riffle.connector.kafka;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;

/**
 * The one place that reaches into the Kafka producer's internals: reading the producer id and epoch of the
 * transaction a producer has open, and taking such a transaction over in a new producer so that recovery can
 * commit it after the process that opened it died.
 *
 * <p>Kafka's own answer, KIP-939 ({@code initTransactions(keepPreparedTxn)}, {@code prepareTransaction()},
 * {@code completeTransaction()}), is not public in the 4.x clients up to 4.4: the protocol is in the brokers and in
 * the client's internal {@code TransactionManager}, but {@code KafkaProducer} does not expose it, and with it on,
 * transactions never time out on the broker. So Riffle takes over a transaction as Flink's Kafka connector does:
 * a fresh producer of the same transactional id is given the open transaction's producer id and epoch and told it
 * is in that transaction; its {@code commitTransaction()} then ends it. The client version is pinned by the pom and
 * {@code KafkaTransactionsTest} checks this against a real broker.
 */
final class KafkaTransactions {
    private static final Field TRANSACTION_MANAGER;
    private static final Field PRODUCER_ID_AND_EPOCH;
    private static final Field TRANSACTION_STARTED;
    private static final Method PRODUCER_ID_AND_EPOCH_GETTER;
    private static final Method TRANSITION_TO;
    private static final Object INITIALIZING;
    private static final Object READY;
    private static final Object IN_TRANSACTION;

    static {
        try {
            TRANSACTION_MANAGER = KafkaProducer.class.getDeclaredField("transactionManager");
            TRANSACTION_MANAGER.setAccessible(true);
            Class<?> manager = TRANSACTION_MANAGER.getType();
            PRODUCER_ID_AND_EPOCH = manager.getDeclaredField("producerIdAndEpoch");
            PRODUCER_ID_AND_EPOCH.setAccessible(true);
            TRANSACTION_STARTED = manager.getDeclaredField("transactionStarted");
            TRANSACTION_STARTED.setAccessible(true);
            PRODUCER_ID_AND_EPOCH_GETTER = manager.getDeclaredMethod("producerIdAndEpoch");
            PRODUCER_ID_AND_EPOCH_GETTER.setAccessible(true);
            Class<?> state = Class.forName(manager.getName() + "$State");
            TRANSITION_TO = manager.getDeclaredMethod("transitionTo", state);
            TRANSITION_TO.setAccessible(true);
            INITIALIZING = stateNamed(state, "INITIALIZING");
            READY = stateNamed(state, "READY");
            IN_TRANSACTION = stateNamed(state, "IN_TRANSACTION");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this kafka-clients version does not have the transaction"
                    + " internals Riffle's exactly-once Kafka sink takes over transactions with: " + e);
        }
    }

    private KafkaTransactions() {
    }

    private static Object stateNamed(Class<?> state, String name) {
        for (Object constant : state.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new IllegalStateException("no transaction state " + name + " in " + state.getName());
    }

    /** The producer id and epoch of {@code producer}'s transaction, as the broker knows them. */
    static ProducerIdAndEpoch idOf(KafkaProducer<?, ?> producer) {
        try {
            return (ProducerIdAndEpoch) PRODUCER_ID_AND_EPOCH_GETTER.invoke(TRANSACTION_MANAGER.get(producer));
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the producer id of a Kafka producer: " + e, e);
        }
    }

    /**
     * Makes {@code producer} (transactional, {@code initTransactions()} not called) the owner of the open
     * transaction of producer id {@code producerId} and {@code epoch}, so that its {@code commitTransaction()}
     * commits it.
     */
    static void takeOver(KafkaProducer<?, ?> producer, long producerId, short epoch) {
        try {
            Object manager = TRANSACTION_MANAGER.get(producer);
            synchronized (manager) {
                TRANSITION_TO.invoke(manager, INITIALIZING);
                PRODUCER_ID_AND_EPOCH.set(manager, new ProducerIdAndEpoch(producerId, epoch));
                TRANSITION_TO.invoke(manager, READY);
                TRANSITION_TO.invoke(manager, IN_TRANSACTION);
                TRANSACTION_STARTED.set(manager, true);
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot take over Kafka transaction of producer id " + producerId
                    + " epoch " + epoch + ": " + e, e);
        }
    }
}
