package io.riffle.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The bench run's plots as PNG files: one bar chart per workload of each system's warm median (records per
 * second, log scale), and one of the L1 latency percentiles per system and variant (microseconds, log scale).
 */
final class Plots {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;

    private Plots() {
    }

    /** Writes the plots of {@code report} into {@code dir}; returns their file names. */
    static List<String> write(Report report, List<Workload> workloads, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        for (Workload w : workloads) {
            List<String> systems = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            for (String system : report.systems(w)) {
                double median = report.figures(w, system).warm().median();
                if (!Double.isNaN(median)) {
                    systems.add(system);
                    rates.add(median);
                }
            }
            if (systems.isEmpty()) {
                continue;
            }
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(w + ": warm median throughput").xAxisTitle("system").yAxisTitle("records/s").build();
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(decadeBelow(rates));
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setYAxisDecimalPattern("#,###");
            chart.addSeries(w.name(), systems, rates);
            files.add(save(chart, dir, "throughput-" + w));
        }
        if (!report.latency().isEmpty()) {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                    .title("L1: end-to-end latency").xAxisTitle("percentile").yAxisTitle("microseconds").build();
            chart.getStyler().setYAxisLogarithmic(true);
            List<Double> all = new ArrayList<>();
            for (LatencyRun l : report.latency()) {
                all.add(micros(l.p50Nanos()));
            }
            chart.getStyler().setYAxisMin(decadeBelow(all));
            List<String> percentiles = List.of("p50", "p99", "p99.9", "max");
            for (LatencyRun l : report.latency()) {
                chart.addSeries(l.system() + " " + l.variant(), percentiles, List.of(micros(l.p50Nanos()),
                        micros(l.p99Nanos()), micros(l.p999Nanos()), micros(l.maxNanos())));
            }
            files.add(save(chart, dir, "latency"));
        }
        return files;
    }

    /** A log axis's bars grow from its minimum: the power of ten at or below the smallest value. */
    private static double decadeBelow(List<Double> values) {
        double min = Double.MAX_VALUE;
        for (double v : values) {
            min = Math.min(min, v);
        }
        return Math.pow(10, Math.floor(Math.log10(min)));
    }

    /** Latencies below 0.1 us would fall off a log axis; none is that short end to end. */
    private static double micros(long nanos) {
        return Math.max(0.1, nanos / 1e3);
    }

    private static String save(CategoryChart chart, Path dir, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        return name + ".png";
    }
}
