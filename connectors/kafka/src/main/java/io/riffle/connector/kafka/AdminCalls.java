package io.riffle.connector.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaFuture;

/**
 * The admin calls of a Kafka source or sink: clients with its settings, waits bounded by its connect timeout, and
 * failures that name it ({@code owner}, e.g. {@code kafka sink 'out'}) and the servers it could not reach.
 */
final class AdminCalls {
    private final String owner;
    private final String servers;
    private final Map<String, String> properties;
    private final Duration timeout;

    AdminCalls(String owner, String servers, Map<String, String> properties, Duration timeout) {
        this.owner = owner;
        this.servers = servers;
        this.properties = properties;
        this.timeout = timeout;
    }

    /** A new admin client; the caller closes it. */
    Admin create() {
        Map<String, Object> config = new HashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey())) {
                config.put(e.getKey(), e.getValue());
            }
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
        int millis = (int) timeout.toMillis();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        return Admin.create(config);
    }

    /** The result of {@code future}; a failure says what the call was for ({@code what}). */
    <T> T await(KafkaFuture<T> future, String what) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(what, e.getCause());
            }
            throw new IllegalStateException(owner + " could not " + what + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(what, e);
        }
    }

    IllegalStateException unreachable(String what, Throwable cause) {
        return new IllegalStateException(owner + ": no Kafka broker at " + servers + " answered within "
                + timeout.toMillis() + " ms (to " + what + ")", cause);
    }
}
