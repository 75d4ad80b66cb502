package io.riffle.baselines.differential;

import static io.riffle.engine.expr.Expr.col;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.riffle.baselines.differential.DifferentialCase.Watermarks;
import io.riffle.baselines.differential.Events.Event;
import io.riffle.baselines.differential.Events.KeyType;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.Record;
import io.riffle.engine.Tuple;
import io.riffle.engine.WatermarkStrategy;

/**
 * A case's inputs on Riffle and where its outputs go. Inputs are collection sources (one subtask, batches of the
 * trial's batch size) with the schema {@code (k, v: int64, x: float64, ts: int64)}; in streaming cases each gets
 * {@code boundedOutOfOrderness("ts", BOUND_MS)}, which emits {@code highest - BOUND_MS - 1} after each batch (so
 * a batch size of 1 is a watermark per record), or, as the case's {@link Watermarks} ask, after every record
 * that raises it ({@code perRecord()}), after the marked records ({@code punctuatedBy(v % 2 == 0)}), or as a
 * field of the marked records carries them ({@code punctuated("ts", "watermark")}).
 */
final class RiffleSide {
    private final Environment env;
    private final KeyType keyType;
    private final List<DataStream> inputs = new ArrayList<>();
    private final Map<String, List<Tuple>> outputs = new LinkedHashMap<>();

    RiffleSide(Trial trial, List<List<Event>> inputs) {
        boolean streaming = trial.differentialCase().inputs().streaming;
        this.env = (streaming ? Environment.streaming() : Environment.batch()).setParallelism(trial.parallelism());
        if (trial.batchSize() > 0) {
            env.setBatchSize(trial.batchSize());
        }
        this.keyType = KeyType.of(trial.seed());
        BatchSchema schema = schema(keyType);
        Watermarks watermarks = trial.differentialCase().watermarks();
        for (List<Event> events : inputs) {
            if (streaming && watermarks == Watermarks.CARRIED) {
                this.inputs.add(carryingWatermarks(events, schema));
                continue;
            }
            List<Tuple> rows = new ArrayList<>(events.size());
            for (Event e : events) {
                rows.add(Tuple.of(e.key(), e.value(), e.price(), e.ts()));
            }
            DataStream input = env.fromCollection(rows, schema);
            this.inputs.add(streaming ? input.assignTimestampsAndWatermarks(strategy(watermarks)) : input);
        }
    }

    /**
     * {@code events} with a nullable {@code watermark} field, {@code ts - BOUND_MS - 1} on the marked records,
     * read by {@code punctuated("ts", "watermark")} and then dropped (the event time stays with {@code ts}).
     */
    private DataStream carryingWatermarks(List<Event> events, BatchSchema schema) {
        List<Tuple> rows = new ArrayList<>(events.size());
        for (Event e : events) {
            Long watermark = Watermarks.isMarker(e.value()) ? e.ts() - Events.BOUND_MS - 1 : null;
            rows.add(Tuple.of(e.key(), e.value(), e.price(), e.ts(), watermark));
        }
        BatchSchema carrying = BatchSchema.of(schema.column(0), schema.column(1), schema.column(2), schema.column(3),
                Column.nullable("watermark", ColumnType.INT64));
        return env.fromCollection(rows, carrying)
                .assignTimestampsAndWatermarks(WatermarkStrategy.punctuated("ts", "watermark"))
                .select(col(0), col(1), col(2), col(3));
    }

    /** {@code boundedOutOfOrderness("ts", BOUND_MS)}, emitting when {@code watermarks} says. */
    private static WatermarkStrategy strategy(Watermarks watermarks) {
        WatermarkStrategy bounded = WatermarkStrategy.boundedOutOfOrderness("ts", Duration.ofMillis(Events.BOUND_MS));
        return switch (watermarks) {
            case PER_BATCH -> bounded;
            case PER_RECORD -> bounded.perRecord();
            case PUNCTUATED -> bounded.punctuatedBy(col("v").mod(Watermarks.MARKER_MODULUS).eq(0));
            case CARRIED -> throw new IllegalArgumentException("carried watermarks need the watermark field");
        };
    }

    /** {@code (k, v, x, ts)} with {@code k} of the trial's key type. */
    static BatchSchema schema(KeyType keyType) {
        ColumnType key = switch (keyType) {
            case INT32 -> ColumnType.INT32;
            case INT64 -> ColumnType.INT64;
            case UTF8 -> ColumnType.UTF8;
        };
        return BatchSchema.of(Column.of("k", key), Column.of("v", ColumnType.INT64),
                Column.of("x", ColumnType.FLOAT64), Column.of("ts", ColumnType.INT64));
    }

    /** The input schema, for a map or flatMap that keeps it. */
    BatchSchema schema() {
        return schema(keyType);
    }

    /** The one input (of a one-input case), or the left one. */
    DataStream events() {
        return inputs.get(0);
    }

    DataStream left() {
        return inputs.get(0);
    }

    DataStream right() {
        return inputs.get(1);
    }

    /** Collects {@code stream} as the case's main output. */
    void emit(DataStream stream) {
        emit("", stream);
    }

    /** Collects {@code stream} as the output named {@code tag} (a side output: its rows compare under the tag). */
    void emit(String tag, DataStream stream) {
        List<Tuple> rows = Collections.synchronizedList(new ArrayList<>());
        stream.collect(rows);
        outputs.put(tag, rows);
    }

    /** Runs the program; every output's rows in canonical form. */
    List<String> run() {
        env.execute();
        List<String> rows = new ArrayList<>();
        outputs.forEach((tag, tuples) -> {
            synchronized (tuples) {
                for (Tuple t : tuples) {
                    String row = Rows.of(fields(t));
                    rows.add(tag.isEmpty() ? row : Rows.tagged(tag, row));
                }
            }
        });
        return rows;
    }

    private static Object[] fields(Record record) {
        Object[] fields = new Object[record.arity()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = record.field(i);
        }
        return fields;
    }
}
