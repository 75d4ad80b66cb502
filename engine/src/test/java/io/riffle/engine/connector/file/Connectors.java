package io.riffle.engine.connector.file;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.connector.TwoPhaseCommitWriter;

/** Drives sources and sinks through the connector SPI the way a subtask does, with rows as lists. */
final class Connectors {
    private Connectors() {
    }

    /** Every batch one subtask reads, each as its rows; checks the reader finishes and stays finished. */
    static List<List<List<Object>>> readBatches(Source source, TaskContext context) throws Exception {
        List<List<List<Object>>> batches = new ArrayList<>();
        try (SourceReader reader = source.createReader(context)) {
            RecordBatch batch;
            while ((batch = reader.next()) != null) {
                batches.add(rows(batch));
            }
            assertTrue(reader.isFinished(), "finished after the last batch");
            assertNull(reader.next(), "no batch after the last");
        }
        return batches;
    }

    /** Every row one subtask reads. */
    static List<List<Object>> readRows(Source source, TaskContext context) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        for (List<List<Object>> batch : readBatches(source, context)) {
            rows.addAll(batch);
        }
        return rows;
    }

    /** The selected rows of {@code batch}, values boxed as {@link RecordBatch#value} gives them. */
    static List<List<Object>> rows(RecordBatch batch) {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < batch.selectedRowCount(); i++) {
            int row = batch.selection() == null ? i : batch.selection().get(i);
            List<Object> values = new ArrayList<>();
            for (int c = 0; c < batch.columnCount(); c++) {
                values.add(batch.value(row, c));
            }
            rows.add(values);
        }
        return rows;
    }

    /** Writes each group of rows as one batch through a writer of {@code sink}, then finishes and closes it. */
    static void write(Sink sink, BatchSchema schema, TaskContext context, Object[][]... batches) throws Exception {
        try (SinkWriter writer = sink.createWriter(schema, context)) {
            for (Object[][] rows : batches) {
                try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, context.allocator(), rows)) {
                    writer.write(batch);
                }
            }
            end(sink, writer);
        }
    }

    /** Ends {@code writer} as the runtime ends a job: it finishes; a two-phase-commit writer stages its output, then committed. */
    static void end(Sink sink, SinkWriter writer) throws Exception {
        writer.finish();
        if (sink instanceof TwoPhaseCommitSink committing && writer instanceof TwoPhaseCommitWriter staging) {
            byte[] committable = staging.prepareCommit(1);
            if (committable != null) {
                committing.commit(List.of(committable));
            }
        }
    }

    /** The rows of {@code batches}, concatenated, as lists. */
    static List<List<Object>> asLists(Object[][]... batches) {
        List<List<Object>> rows = new ArrayList<>();
        for (Object[][] batch : batches) {
            for (Object[] row : batch) {
                rows.add(new ArrayList<>(Arrays.asList(row)));
            }
        }
        return rows;
    }
}
