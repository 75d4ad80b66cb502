package io.riffle.engine.internal.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a complete checkpoint is passed on to, by transformation id: the two-phase-commit sinks, which commit
 * their committables, and the rewindable sources, which are told their positions.
 */
public record CheckpointParticipants(Map<Integer, TwoPhaseCommitSink> sinks, Map<Integer, Source> sources) {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointParticipants.class);

    public static final CheckpointParticipants NONE = new CheckpointParticipants(Map.of(), Map.of());

    public CheckpointParticipants {
        sinks = Map.copyOf(sinks);
        sources = Map.copyOf(sources);
    }

    /** Commits each sink's committables of {@code manifest}; a failure names the sink. */
    public void commit(Manifest manifest) throws Exception {
        for (Map.Entry<Integer, TwoPhaseCommitSink> sink : sinks.entrySet()) {
            List<byte[]> committables = bytesOf(manifest, Manifest.Kind.COMMITTABLE, sink.getKey());
            if (!committables.isEmpty()) {
                try {
                    sink.getValue().commit(committables);
                } catch (Exception e) {
                    throw new Exception("sink '" + sink.getValue().name() + "' could not commit: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Tells each source the positions {@code manifest} holds for it. What a source does with them is for
     * outside observers only, so a failure is logged and the checkpoint stays complete.
     */
    public void tellSources(Manifest manifest) {
        for (Map.Entry<Integer, Source> source : sources.entrySet()) {
            List<byte[]> positions = bytesOf(manifest, Manifest.Kind.POSITION, source.getKey());
            try {
                source.getValue().checkpointComplete(manifest.checkpointId(), positions);
            } catch (Exception | LinkageError e) {
                LOG.warn("source '{}' could not be told of complete checkpoint {}: {}", source.getValue().name(),
                        manifest.checkpointId(), e.toString());
            }
        }
    }

    private static List<byte[]> bytesOf(Manifest manifest, Manifest.Kind kind, int operator) {
        List<byte[]> bytes = new ArrayList<>();
        for (Manifest.Entry e : manifest.of(kind, operator)) {
            bytes.add(e.bytes());
        }
        return bytes;
    }
}
