package dev.tunelab.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentSpecTest {
    static final String YAML = """
            name: sentiment
            dataset:
              name: sentiment-uci
              train: 30
              validation: 5
              test: 12
              seed: 7
            model: default
            pricing:
              local_dollars_per_hour: 0.5
            strategies:
              - knn
              - type: bow-logreg
                epochs: 80
                lr: 1.5
              - type: lora
                name: lora-r4
                r: 4
                alpha: 8
                lr: 1e-3
                epochs: 2
            """;

    @Test
    void yamlAndJsonGiveTheSameSpec(@TempDir Path dir) throws Exception {
        Path y = dir.resolve("exp.yaml");
        Files.writeString(y, YAML);
        ExperimentSpec a = ExperimentSpec.read(y);
        assertEquals("sentiment", a.name());
        assertEquals(new ExperimentSpec.DatasetSpec("sentiment-uci", 30, 5, 12, 7), a.dataset());
        assertEquals(0.5, a.pricing().localDollarsPerHour());
        assertEquals(Pricing.defaults().remoteDollarsPer1kInput(), a.pricing().remoteDollarsPer1kInput());
        assertEquals(3, a.strategies().size());
        assertEquals("knn", a.strategies().get(0).type());
        assertNull(a.strategies().get(0).name());
        assertEquals(80, a.strategies().get(1).intOption("epochs", 0));
        assertEquals(1e-3, a.strategies().get(2).doubleOption("lr", 0));
        assertEquals("lora-r4", a.strategies().get(2).name());
        Path j = dir.resolve("exp.json");
        Files.writeString(j, """
                {"name": "sentiment", "dataset": {"name": "sentiment-uci", "train": 30, "validation": 5, "test": 12, "seed": 7},
                 "model": "default", "pricing": {"local_dollars_per_hour": 0.5},
                 "strategies": ["knn", {"type": "bow-logreg", "epochs": 80, "lr": 1.5},
                                {"type": "lora", "name": "lora-r4", "r": 4, "alpha": 8, "lr": 0.001, "epochs": 2}]}
                """);
        assertEquals(a, ExperimentSpec.read(j));
    }

    @Test
    void aSpecRunsEndToEnd() {
        ExperimentSpec s = ExperimentSpec.parse(YAML.replace("""
                  - type: lora
                    name: lora-r4
                    r: 4
                    alpha: 8
                    lr: 1e-3
                    epochs: 2
                """, ""), false, "inline");
        Comparison c = Experiment.fromSpec(s, null).run();
        assertEquals(2, c.results().size());
        assertEquals(24, c.result("tfidf-knn-5").examples().size());
        assertEquals(30 * 2, c.stats().train());
    }

    @Test
    void errorsNameTheFileAndField(@TempDir Path dir) throws Exception {
        assertField("strategies[2].r", YAML.replace("r: 4", "r: four"), dir);
        assertField("strategies[2].r", YAML.replace("r: 4", "r: 0"), dir);
        assertField("strategies[1].epochz", YAML.replace("epochs: 80", "epochz: 80"), dir);
        assertField("strategies[0]", YAML.replace("  - knn", "  - magic"), dir);
        assertField("dataset.name", YAML.replace("name: sentiment-uci", "name: imdb"), dir);
        assertField("dataset.train", YAML.replace("train: 30", "train: -3"), dir);
        assertField("pricing.local_dollars_per_hour", YAML.replace("local_dollars_per_hour: 0.5", "local_dollars_per_hour: cheap"), dir);
        assertField("name", YAML.replace("name: sentiment\n", ""), dir);
        assertField("strategies", YAML.substring(0, YAML.indexOf("strategies:")), dir);
        assertField("strategies[2].name", YAML.replace("name: lora-r4", "name: bow-logreg"), dir);
        assertField("(syntax)", "name: [unclosed", dir);
        assertField("strategies[1].type", YAML.replace("name: sentiment-uci", "name: medquad"), dir);
    }

    private static void assertField(String field, String text, Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, text);
        SpecException e = assertThrows(SpecException.class, () -> ExperimentSpec.read(f));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ": " + field + ": "), e.getMessage());
    }
}
