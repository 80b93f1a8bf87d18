package dev.tunelab.report;

import dev.tunelab.chart.Figure;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.ExampleResult;
import dev.tunelab.experiment.HtmlTable;
import dev.tunelab.experiment.SplitStats;
import dev.tunelab.experiment.StrategyResult;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.util.List;
import java.util.function.Function;

/** Renders a {@link Report} as GitHub-flavoured Markdown; data text is escaped so it cannot become markup. */
final class MarkdownReportWriter {
    private final Report report;
    private final StringBuilder sb = new StringBuilder();

    MarkdownReportWriter(Report report) {
        this.report = report;
    }

    String render(Function<Figure, String> imageLink) {
        sb.append("# ").append(md(report.title())).append("\n\n");
        if (!report.config().isEmpty()) {
            sb.append("## Configuration\n\n```json\n").append(HtmlReportWriter.json(report.config()).replace("```", "` ` `"))
                    .append("\n```\n\n");
        }
        for (Comparison c : report.comparisons()) {
            sb.append("## Experiment: ").append(md(c.experiment())).append("\n\n");
            SplitStats s = c.stats();
            if (s != null) {
                sb.append(String.format("Dataset `%s` (%s): %d train, %d validation, %d test; mean input %.1f chars.%n%n",
                        s.name(), s.task(), s.train(), s.validation(), s.test(), s.meanInputChars()));
                if (!s.testLabelCounts().isEmpty()) {
                    sb.append("| label | train | test |\n|---|---:|---:|\n");
                    s.trainLabelCounts().forEach((l, n) -> sb.append("| ").append(md(l)).append(" | ").append(n).append(" | ")
                            .append(s.testLabelCounts().getOrDefault(l, 0)).append(" |\n"));
                    sb.append('\n');
                }
            }
            table(c.table());
            for (Figure f : report.figures().getOrDefault(c.experiment(), List.of())) {
                sb.append("![").append(md(f.title())).append("](").append(imageLink.apply(f)).append(")\n\n");
            }
            sb.append("### Error analysis\n\n");
            for (StrategyResult r : c.results()) {
                List<ExampleResult> wrong = r.wrong();
                sb.append("**").append(md(r.name())).append("**: ").append(wrong.size()).append(" wrong of ")
                        .append(r.examples().size()).append("\n\n");
                if (!wrong.isEmpty()) {
                    sb.append("| id | input | reference | prediction |\n|---|---|---|---|\n");
                    for (ExampleResult e : wrong.subList(0, Math.min(report.wrongExamplesPerStrategy(), wrong.size()))) {
                        sb.append("| ").append(md(e.id())).append(" | ").append(md(HtmlReportWriter.cut(e.input()))).append(" | ")
                                .append(md(HtmlReportWriter.cut(e.reference()))).append(" | ")
                                .append(md(HtmlReportWriter.cut(e.prediction()))).append(" |\n");
                    }
                    sb.append('\n');
                }
            }
        }
        sb.append("## Environment\n\n| | |\n|---|---|\n");
        report.environment().values().forEach((k, v) -> sb.append("| ").append(md(k)).append(" | ").append(md(v)).append(" |\n"));
        return sb.toString();
    }

    private void table(Table t) {
        sb.append('|');
        for (Column<?> c : t.columns()) {
            sb.append(' ').append(md(c.name())).append(" |");
        }
        sb.append("\n|");
        for (Column<?> c : t.columns()) {
            sb.append(c.type().name().equals("STRING") ? "---|" : "---:|");
        }
        sb.append('\n');
        for (int row = 0; row < t.rowCount(); row++) {
            sb.append('|');
            for (Column<?> c : t.columns()) {
                sb.append(' ').append(md(HtmlTable.format(c.get(row)))).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    /** Markdown-safe inline text: HTML-escaped, table pipes and markup characters neutralised, one line. */
    static String md(String s) {
        String e = HtmlTable.escape(s == null ? "" : s).replace("\r", " ").replace("\n", " ");
        StringBuilder out = new StringBuilder(e.length());
        for (char ch : e.toCharArray()) {
            if ("\\`*_[]|#".indexOf(ch) >= 0) {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.toString();
    }
}
