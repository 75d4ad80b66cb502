package io.riffle.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

/**
 * Runs the jcstress tests of this module. {@code mvn verify} runs jcstress's "sanity" mode, one JVM
 * configuration and a few samples per test: a smoke test that the tests run and see no forbidden
 * outcome. {@code -P stress} runs its "default" mode, the long run (docs/stress.md).
 */
class ChannelStressTest {
    /** Arrow reaches into java.nio's direct buffers; every forked JVM needs it opened. */
    private static final String OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    @Test
    void everyChannelStressTestSeesOnlyAcceptableOutcomes() throws Exception {
        String mode = System.getProperty("riffle.stress.mode", "sanity");
        String results = System.getProperty("riffle.stress.results", "target/jcstress-" + mode);
        List<String> args = new ArrayList<>(List.of("-m", mode, "-t", "io\\.riffle\\.stress\\..*", "-r", results));
        if (mode.equals("sanity")) {
            // One JVM configuration, no per-actor compilation split: a few seconds per test.
            args.addAll(List.of("-sc", "false", "-jvmArgs", OPENS + " -XX:+UseParallelGC"));
        } else {
            args.addAll(List.of("-jvmArgsPrepend", OPENS));
        }
        Options options = new Options(args.toArray(String[]::new));
        assertTrue(options.parse(), "jcstress options " + args);
        JCStress jcstress = new JCStress(options);
        // A missing test list (the annotation processor did not run) would make the run below pass empty.
        assertEquals(Set.of(BackpressureStress.class.getName(), BatchPublicationStress.class.getName(),
                        EndOfInputOrderStress.class.getName(), GateEndOfInputStress.class.getName(),
                        WrapAroundStress.class.getName()),
                Set.copyOf(jcstress.getTests()));
        // Throws "TEST FAILURES: ..." naming each test that saw a forbidden outcome or failed to run.
        jcstress.run();
    }
}
