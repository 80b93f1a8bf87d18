package dev.tunelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FinetuneCommandTest {
    static final Path DATA = Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets");
    static final LlamaConfig CONFIG = LlamaConfig.tiny(300, 64, 128, 2, 4, 2, 512);

    @TempDir
    static Path models;

    @BeforeAll
    static void saveModel() throws Exception {
        DjlSetup.ensure();
        try (LanguageModel lm = Models.random(CONFIG, new ByteTokenizer(), 3)) {
            Models.save(lm, models.resolve("llama"));
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", models.resolve("llama").toString(), "--data",
                DATA.resolve("sentiment-uci/yelp_labelled.txt").toString(), "--out", out.toString(),
                "--max-examples", "40", "--max-length", "64", "--batch-size", "4",
                "--label-names", "0=negative,1=positive", "--prompt", "Review: {text}\nSentiment:"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void loraRunWritesAPeftAdapterAndCostAccounting(@TempDir Path out) throws Exception {
        Run r = run(args(out, "--method", "lora", "--max-steps", "4", "--eval-every", "2", "--save-every", "2",
                "--lr", "5e-3", "--r", "8", "--alpha", "16"));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("adapter_config.json")));
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/checkpoint-4")));
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String key : List.of("total_params", "trainable_params", "frozen_weight_bytes", "optimizer_state_bytes",
                "gradient_bytes", "peak_memory_bytes", "train_seconds", "tokens_per_second", "eval", "loss_curve")) {
            assertTrue(m.has(key), "metrics.json lacks " + key);
        }
        // q_proj 64->64 and v_proj 64->32 (2 KV heads x 16) in 2 layers, rank 8: r * (in + out) each
        long trainable = 2 * (8 * (64 + 64) + 8 * (64 + 32));
        assertEquals(trainable, m.get("trainable_params").asLong());
        assertEquals(8 * trainable, m.get("optimizer_state_bytes").asLong());
        assertEquals(4 * trainable, m.get("gradient_bytes").asLong());
        long base = 300L * 64 + 2 * (64 * 64 + 64 * 32 * 2 + 64 * 64 + 3 * 64 * 128 + 2 * 64) + 64;
        assertEquals(base + trainable, m.get("total_params").asLong());
        assertEquals(4L * base, m.get("frozen_weight_bytes").asLong());
        assertEquals(4, m.get("loss_curve").size());
        assertTrue(m.get("eval").has("eval_loss") && m.get("eval").has("eval_accuracy"), m.toString());
        assertTrue(m.get("peak_memory_bytes").asLong() > 0 && m.get("tokens_per_second").asDouble() > 0);
    }

    @Test
    void fullFineTuneWritesAHuggingFaceCheckpointAndQloraShrinksTheBase(@TempDir Path out) throws Exception {
        Run r = run(args(out.resolve("full"), "--method", "full", "--max-steps", "2", "--val-fraction", "0"));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("full/model.safetensors")));
        try (LanguageModel tuned = Models.load(out.resolve("full"))) {
            assertEquals(CONFIG.numLayers(), tuned.model().config().numLayers());
        }
        Run q = run("finetune", "--method", "qlora", "--task", "instruction", "--model",
                models.resolve("llama").toString(), "--data", DATA.resolve("instructions-rasbt/instruction-data.json").toString(),
                "--out", out.resolve("qlora").toString(), "--max-examples", "12", "--max-steps", "2",
                "--max-length", "96", "--targets", "all-linear", "--batch-size", "4");
        assertEquals(0, q.code(), q.err());
        JsonNode m = new ObjectMapper().readTree(out.resolve("qlora/metrics.json").toFile());
        long linears = 2 * (64 * 64 + 64 * 32 * 2 + 64 * 64 + 3 * 64 * 128);
        long other = 300L * 64 + 2 * 2 * 64 + 64;
        long frozen = m.get("frozen_weight_bytes").asLong();
        assertTrue(frozen - 4 * other <= 0.16 * 4 * linears, "quantised linears " + (frozen - 4 * other));
        assertEquals("qlora", m.get("method").asText());
    }

    @Test
    void invalidKnobsAreOneLineErrorsBeforeTraining(@TempDir Path out) {
        String[][] bad = {{"--method", "lora", "--r", "0"}, {"--method", "lora", "--lr", "0"},
                {"--method", "lora", "--dropout", "1.5"}, {"--method", "sgd"}, {"--method", "qlora", "--bits", "3"},
                {"--method", "lora", "--targets", "k_projection"}, {"--method", "freeze", "--train-last", "9"},
                {"--method", "lora", "--scheduler", "cyclic"}, {"--method", "lora", "--batch-size", "0"}};
        String[] expected = {"--r", "--lr", "--dropout", "--method", "--bits", "k_projection", "train-last",
                "--scheduler", "--batch-size"};
        for (int i = 0; i < bad.length; i++) {
            Run r = run(args(out, bad[i]));
            assertEquals(2, r.code(), String.join(" ", bad[i]) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
            assertFalse(Files.exists(out.resolve("metrics.json")));
        }
    }

    @Test
    void fp16TrainsFromTheCliAtHalfTheFrozenBytesAndBf16IsAOneLineError(@TempDir Path out) throws Exception {
        Run bf = run(args(out.resolve("bf16"), "--method", "lora", "--precision", "bf16", "--max-steps", "1"));
        assertEquals(2, bf.code(), bf.err());
        assertEquals(1, bf.err().strip().lines().count(), bf.err());
        assertTrue(bf.err().contains("bf16") && bf.err().contains("DJL"), bf.err());
        assertFalse(Files.exists(out.resolve("bf16/metrics.json")));
        String[] common = {"--method", "lora", "--targets", "all-linear", "--max-steps", "2", "--val-fraction", "0"};
        Run r32 = run(args(out.resolve("fp32"), common));
        List<String> half = new ArrayList<>(List.of(common));
        half.addAll(List.of("--precision", "fp16"));
        Run r16 = run(args(out.resolve("fp16"), half.toArray(String[]::new)));
        assertEquals(0, r32.code(), r32.err());
        assertEquals(0, r16.code(), r16.err());
        ObjectMapper json = new ObjectMapper();
        JsonNode m32 = json.readTree(out.resolve("fp32/metrics.json").toFile());
        JsonNode m16 = json.readTree(out.resolve("fp16/metrics.json").toFile());
        assertEquals("fp32", m32.get("precision").asText());
        assertEquals("fp16", m16.get("precision").asText());
        assertEquals(0, m16.get("skipped_steps").asInt());
        assertEquals(65536.0, m16.get("loss_scale").asDouble());
        assertFalse(m32.has("loss_scale"));
        // every linear weight but the tied head: 2 bytes instead of 4 (q, o 64x64; k, v 32x64; gate, up, down 128x64)
        long linearWeights = 2L * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 128 * 64);
        assertEquals(m32.get("frozen_weight_bytes").asLong() - 2 * linearWeights, m16.get("frozen_weight_bytes").asLong());
        double l32 = m32.get("loss_curve").get(0).get("loss").asDouble();
        double l16 = m16.get("loss_curve").get(0).get("loss").asDouble();
        assertEquals(l32, l16, 1e-2, "first-step loss fp16 vs fp32");
        assertTrue(Files.isRegularFile(out.resolve("fp16/adapter_model.safetensors")));
        JsonNode state = json.readTree(out.resolve("fp16/checkpoints/checkpoint-2/trainer_state.json").toFile());
        assertEquals("fp16", state.get("precision").asText());
        assertEquals(65536.0, state.get("loss_scaler").get("scale").asDouble());
    }

    @Test
    void promptEscapesBecomeNewlinesAndDefaultsMapToPeft(@TempDir Path out) {
        Args a = new FinetuneCommand().args().parse(new String[]{"--data",
                DATA.resolve("sentiment-uci/yelp_labelled.txt").toString(), "--out", out.toString(),
                "--prompt", "Review: {text}\\nSentiment:"});
        FinetuneCommand.Plan p = FinetuneCommand.plan(a);
        assertEquals("Review: {text}\nSentiment:", p.prompt());
        assertEquals("classification", p.task());
        assertEquals(8, p.lora().r());
        assertEquals(2.0, p.lora().scaling());
        assertEquals(List.of("q_proj", "v_proj"), p.lora().targetModules());
    }
}
