import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import io.riffle.engine.Environment;

/** W1 (keyBy(key).sum(value), 20 M records, 10 k keys, p = 1, one worker) run repeatedly: wall and process CPU ns per record. */
public class W1Cpu {
    public static void main(String[] args) {
        int warm = Integer.parseInt(args[0]), runs = Integer.parseInt(args[1]);
        long records = Long.parseLong(args[2]);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] cpu = new double[runs], wall = new double[runs];
        for (int i = 0; i < warm + runs; i++) {
            Environment env = Environment.streaming().setParallelism(1).setWorkers(1);
            AtomicLong emitted = new AtomicLong();
            env.generate(records, 10_000).keyBy(0).sum(1).forEachBatch(b -> emitted.addAndGet(b.rowCount()));
            long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
            env.execute("w1");
            long c1 = os.getProcessCpuTime(), w1 = System.nanoTime();
            if (emitted.get() != records) throw new IllegalStateException("emitted " + emitted.get());
            if (i >= warm) { cpu[i - warm] = (c1 - c0) / (double) records; wall[i - warm] = (w1 - w0) / (double) records; }
        }
        Arrays.sort(cpu); Arrays.sort(wall);
        System.out.printf("cpu ns/record median %.2f (min %.2f)  wall ns/record median %.2f (min %.2f)%n", cpu[runs / 2], cpu[0], wall[runs / 2], wall[0]);
    }
}
