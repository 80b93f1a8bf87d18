package dev.tunelab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tunelab.chart.Figure;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.ExampleResult;
import dev.tunelab.experiment.HtmlTable;
import dev.tunelab.experiment.SplitStats;
import dev.tunelab.experiment.StrategyResult;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static dev.tunelab.report.Html.esc;

/** Renders a {@link Report} as one HTML document with no external references. */
final class HtmlReportWriter {
    static final int MAX_TEXT = 600;
    private final Report report;
    private final StringBuilder sb = new StringBuilder();

    HtmlReportWriter(Report report) {
        this.report = report;
    }

    String render() {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(report.title())).append("</title><style>").append(Html.CSS)
                .append("</style></head><body>\n<h1>").append(esc(report.title())).append("</h1>\n<p class=\"muted\">generated ")
                .append(esc(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))).append("</p>\n");
        if (!report.config().isEmpty()) {
            sb.append("<h2>Configuration</h2>\n<pre>").append(esc(json(report.config()))).append("</pre>\n");
        }
        for (Comparison c : report.comparisons()) {
            comparison(c);
        }
        for (Map.Entry<String, List<Figure>> e : report.figures().entrySet()) {
            if (report.comparisons().stream().noneMatch(c -> c.experiment().equals(e.getKey()))) {
                sb.append("<h2>").append(esc(e.getKey())).append("</h2>\n");
                e.getValue().forEach(this::figure);
            }
        }
        sb.append("<h2>Environment</h2>\n<table>");
        report.environment().values().forEach((k, v) ->
                sb.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
        sb.append("</table>\n</body></html>\n");
        return sb.toString();
    }

    private void comparison(Comparison c) {
        sb.append("<h2>Experiment: ").append(esc(c.experiment())).append("</h2>\n");
        if (!c.config().isEmpty()) {
            sb.append("<details><summary>configuration</summary><pre>").append(esc(json(c.config()))).append("</pre></details>\n");
        }
        SplitStats s = c.stats();
        if (s != null) {
            sb.append("<h3>Dataset</h3>\n<table><tr><th>split</th><th>task</th><th>train</th><th>validation</th><th>test</th>")
                    .append("<th>mean input chars</th><th>mean target chars</th><th>max input chars</th></tr><tr><td>")
                    .append(esc(s.name())).append("</td><td>").append(esc(s.task())).append("</td>");
            for (Object v : new Object[]{s.train(), s.validation(), s.test()}) {
                sb.append("<td class=\"num\">").append(v).append("</td>");
            }
            sb.append("<td class=\"num\">").append(String.format("%.1f", s.meanInputChars())).append("</td><td class=\"num\">")
                    .append(String.format("%.1f", s.meanTargetChars())).append("</td><td class=\"num\">")
                    .append(s.maxInputChars()).append("</td></tr></table>\n");
            if (!s.trainLabelCounts().isEmpty()) {
                sb.append("<table><tr><th>label</th><th>train</th><th>test</th></tr>");
                s.trainLabelCounts().forEach((label, n) -> sb.append("<tr><td>").append(esc(label)).append("</td><td class=\"num\">")
                        .append(n).append("</td><td class=\"num\">").append(s.testLabelCounts().getOrDefault(label, 0)).append("</td></tr>"));
                sb.append("</table>\n");
            }
        }
        sb.append("<h3>Comparison</h3>\n").append(c.toHtml()).append('\n');
        sb.append("<p class=\"muted\">latency: per test example (ms); cost_usd: remote tokens × price, local compute seconds × $/hour; ")
                .append("peak_memory_mb: process resident memory while the strategy ran.</p>\n");
        List<Figure> figs = report.figures().getOrDefault(c.experiment(), List.of());
        if (!figs.isEmpty()) {
            sb.append("<h3>Charts</h3>\n");
            figs.forEach(this::figure);
        }
        sb.append("<h3>Error analysis</h3>\n");
        for (StrategyResult r : c.results()) {
            List<ExampleResult> wrong = r.wrong();
            sb.append("<details><summary>").append(esc(r.name())).append(": ").append(wrong.size()).append(" wrong of ")
                    .append(r.examples().size()).append("</summary>\n");
            if (!wrong.isEmpty()) {
                sb.append("<table class=\"wrong\"><tr><th>id</th><th>input</th><th>reference</th><th>prediction</th><th>score</th></tr>");
                for (ExampleResult e : wrong.subList(0, Math.min(report.wrongExamplesPerStrategy(), wrong.size()))) {
                    sb.append("<tr><td>").append(esc(e.id())).append("</td><td>").append(esc(cut(e.input())))
                            .append("</td><td>").append(esc(cut(e.reference()))).append("</td><td>").append(esc(cut(e.prediction())))
                            .append("</td><td class=\"num\">").append(HtmlTable.format(e.score())).append("</td></tr>");
                }
                sb.append("</table>");
            }
            sb.append("</details>\n");
        }
    }

    private void figure(Figure f) {
        sb.append("<figure><img alt=\"").append(esc(f.title())).append("\" src=\"").append(f.dataUri())
                .append("\"><figcaption class=\"muted\">").append(esc(f.title())).append("</figcaption></figure>\n");
    }

    static String cut(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + " …";
    }

    static String json(Object o) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(o);
        } catch (Exception e) {
            return String.valueOf(o);
        }
    }
}
