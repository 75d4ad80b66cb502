package io.riffle.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Flink's results of each workload, and Spark's and Hadoop's of the batch ones, on small N, checksum the same as Riffle's. */
class ChecksumAgreementTest {
    @ParameterizedTest
    @EnumSource(Workload.class)
    void flinkAndRiffleAgree(Workload workload) throws Exception {
        long records = 250_000;
        long keys = 13;
        Run riffle = RiffleWorkloads.run(workload, records, keys, 2);
        Run flink = FlinkWorkloads.run(workload, records, keys, 2);
        assertEquals(riffle.rows(), flink.rows(), workload + ": rows");
        assertEquals(Long.toHexString(riffle.checksum()), Long.toHexString(flink.checksum()), workload + ": checksum");
    }

    @Test
    void sparkAgreesOnTheBatchWorkload() {
        Run riffle = RiffleWorkloads.run(Workload.W2, 250_000, 13, 2);
        Run spark = SparkWorkloads.run(Workload.W2, 250_000, 13, 2);
        assertEquals(riffle.rows(), spark.rows(), "rows");
        assertEquals(Long.toHexString(riffle.checksum()), Long.toHexString(spark.checksum()), "checksum");
    }

    @Test
    void hadoopAgreesOnTheBatchWorkload() throws Exception {
        Run riffle = RiffleWorkloads.run(Workload.W2, 250_000, 13, 2);
        Run hadoop = HadoopWorkloads.run(Workload.W2, 250_000, 13, 2);
        assertEquals(riffle.rows(), hadoop.rows(), "rows");
        assertEquals(Long.toHexString(riffle.checksum()), Long.toHexString(hadoop.checksum()), "checksum");
    }
}
