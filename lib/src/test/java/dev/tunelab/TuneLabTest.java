package dev.tunelab;

import dev.tunelab.chart.Figure;
import dev.tunelab.experiment.Comparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TuneLabTest {
    @Test
    void facadeRunsASpecFileAndProducesChartsAndAReport(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("exp.json");
        Files.writeString(spec, """
                {"name": "facade", "model": "tiny-random",
                 "dataset": {"name": "sentiment-uci", "train": 20, "validation": 4, "test": 6, "seed": 5},
                 "strategies": [{"type": "knn", "k": 3}, {"type": "bow-logreg", "epochs": 40}]}
                """);
        Comparison c = TuneLab.experiment(spec).run();
        assertEquals(List.of("tfidf-knn-3", "bow-logreg"), c.results().stream().map(r -> r.name()).toList());
        assertEquals(12, c.result("bow-logreg").examples().size());
        assertEquals("tiny-random", c.config().get("model"));
        List<Figure> charts = TuneLab.charts(c);
        assertTrue(charts.stream().anyMatch(f -> f.name().contains("retrieval")), "kNN similarity histogram");
        Path html = TuneLab.report(c).writeTo(dir.resolve("out"));
        assertTrue(Files.readString(html).contains("facade"));
        assertEquals(40, TuneLab.sentiment(20, 0, 0).train().size());
    }
}
