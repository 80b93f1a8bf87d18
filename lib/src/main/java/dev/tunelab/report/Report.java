package dev.tunelab.report;

import dev.tunelab.chart.ComparisonCharts;
import dev.tunelab.chart.Figure;
import dev.tunelab.experiment.AtomicFiles;
import dev.tunelab.experiment.Comparison;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained experiment report: configuration, dataset statistics, comparison tables, charts, wrong examples
 * per strategy, and the environment. {@link #writeTo(Path)} writes report.html (one file, CSS inline, images as data:
 * URIs) and report.md (images as PNG files in {@code report-images/}), both atomically.
 */
public final class Report {
    private String title = "TuneLab experiment report";
    private final List<Comparison> comparisons = new ArrayList<>();
    private final Map<String, List<Figure>> figures = new LinkedHashMap<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private Environment environment = Environment.current(null);
    private int wrongExamplesPerStrategy = 5;

    public static Report create() {
        return new Report();
    }

    public Report title(String title) {
        this.title = title;
        return this;
    }

    /** Adds a comparison with its standard figures. */
    public Report comparison(Comparison c) {
        comparisons.add(c);
        figures.put(c.experiment(), new ArrayList<>(ComparisonCharts.all(c)));
        return this;
    }

    /** An extra figure shown with the comparison named {@code experiment} (or at the end when unknown). */
    public Report figure(String experiment, Figure f) {
        figures.computeIfAbsent(experiment, k -> new ArrayList<>()).add(f);
        return this;
    }

    public Report config(String key, Object value) {
        config.put(key, value);
        return this;
    }

    public Report environment(Environment environment) {
        this.environment = environment;
        return this;
    }

    public Report wrongExamplesPerStrategy(int n) {
        this.wrongExamplesPerStrategy = n;
        return this;
    }

    List<Comparison> comparisons() {
        return comparisons;
    }

    Map<String, List<Figure>> figures() {
        return figures;
    }

    public String html() {
        return new HtmlReportWriter(this).render();
    }

    /** @param imageLink maps a figure to the image reference written in the Markdown (a file name or a data: URI) */
    public String markdown(java.util.function.Function<Figure, String> imageLink) {
        return new MarkdownReportWriter(this).render(imageLink);
    }

    /** Writes report.html, report.md and report-images/*.png into {@code dir}; returns the HTML path. */
    public Path writeTo(Path dir) {
        try {
            Path html = AtomicFiles.writeString(dir.resolve("report.html"), html());
            Path images = dir.resolve("report-images");
            Map<Figure, String> names = new LinkedHashMap<>();
            for (List<Figure> fs : figures.values()) {
                for (Figure f : fs) {
                    String file = uniqueName(names, f.name()) + ".png";
                    AtomicFiles.write(images.resolve(file), f.png());
                    names.put(f, "report-images/" + file);
                }
            }
            AtomicFiles.writeString(dir.resolve("report.md"), markdown(names::get));
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String uniqueName(Map<Figure, String> used, String base) {
        String name = base.isEmpty() ? "figure" : base;
        int i = 2;
        while (used.containsValue("report-images/" + name + ".png")) {
            name = base + "-" + i++;
        }
        return name;
    }

    String title() {
        return title;
    }

    Map<String, Object> config() {
        return config;
    }

    Environment environment() {
        return environment;
    }

    int wrongExamplesPerStrategy() {
        return wrongExamplesPerStrategy;
    }
}
