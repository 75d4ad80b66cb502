package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.Record;

/**
 * Checks a record a user function returns against the schema it was declared by, so that one of the wrong
 * arity or types fails where it is made, naming the schema and the field, rather than when a checkpoint or an
 * emission meets it later. Stateless.
 */
final class SchemaCheck {
    private SchemaCheck() {
    }

    /**
     * {@code record}, or an error {@code <returned> <record>, which does not fit the <schemaName> <schema>: <why>},
     * for instance {@code the aggregate function's add returned (1), which does not fit the accumulator schema
     * (count: int64, sum: int64): it has 1 field, not 2}.
     */
    static <R extends Record> R fitting(R record, BatchSchema schema, String returned, String schemaName) {
        String why = schema.misfit(record);
        if (why != null) {
            throw new IllegalArgumentException(misfitMessage(record, schema, returned, schemaName, why));
        }
        return record;
    }

    /** The message {@link #fitting} fails with, for a record known not to fit for reason {@code why}. */
    static String misfitMessage(Record record, BatchSchema schema, String returned, String schemaName, String why) {
        return returned + " " + record + ", which does not fit the " + schemaName + " " + schema + ": " + why;
    }
}
