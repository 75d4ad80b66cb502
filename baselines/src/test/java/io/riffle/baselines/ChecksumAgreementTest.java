package io.riffle.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import io.riffle.bench.Contender;
import io.riffle.bench.RiffleWorkloads;
import io.riffle.bench.Run;
import io.riffle.bench.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every baseline's result of every workload it runs, on small N, checksums the same as Riffle's. */
class ChecksumAgreementTest {
    private static final long RECORDS = 250_000;
    private static final long KEYS = 13;

    @ParameterizedTest
    @EnumSource(Workload.class)
    void baselinesAgreeWithRiffle(Workload workload) throws Exception {
        Run riffle = new RiffleWorkloads().run(workload, RECORDS, KEYS, 2);
        assertTrue(riffle.rows() > 0, workload + ": Riffle produced no rows");
        for (Contender baseline : baselines()) {
            if (baseline.runs(workload)) {
                Run run = baseline.run(workload, RECORDS, KEYS, 2);
                assertEquals(riffle.rows(), run.rows(), workload + " on " + baseline.name() + ": rows");
                assertEquals(Long.toHexString(riffle.checksum()), Long.toHexString(run.checksum()),
                        workload + " on " + baseline.name() + ": checksum");
            }
        }
    }

    @Test
    void theServicesAreFlinkSparkAndHadoop() {
        List<String> names = new ArrayList<>();
        for (Contender c : baselines()) {
            names.add(c.name());
        }
        assertEquals(List.of("flink", "spark", "hadoop"), names);
    }

    private static List<Contender> baselines() {
        List<Contender> all = new ArrayList<>();
        ServiceLoader.load(Contender.class).forEach(all::add);
        return all;
    }
}
