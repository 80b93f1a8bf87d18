package dev.tunelab.cli;

import dev.tunelab.model.ByteTokenizer;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    static {
        DjlSetup.ensure();
    }

    @TempDir
    Path dir;

    /** Runs `tunelab generate` on a saved model; the ids must be the prompt's UTF-8 bytes and PyTorch's greedy ids. */
    @Test
    void printsStreamedTextAndIdsMatchingTheReference() throws Exception {
        try (LanguageModel lm = Models.random(LlamaConfig.tiny(300, 32, 64, 2, 4, 2, 64), new ByteTokenizer(), 21)) {
            Models.save(lm, dir);
        }
        String[] ref = runReference(dir, new int[] {256, 104, 105}, 6);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Main.run(new String[] {"generate", "--model", dir.toString(), "--prompt", "hi", "--max-tokens", "6",
                    "--greedy", "--print-ids"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        String[] lines = out.split("\n");
        assertEquals("prompt_ids: 256 104 105", lines[lines.length - 2]);
        String generated = lines[lines.length - 1];
        assertTrue(generated.startsWith("generated_ids:"), out);
        int[] ids = generated.length() <= "generated_ids:".length() ? new int[0]
                : Arrays.stream(generated.substring("generated_ids: ".length()).split(" ")).mapToInt(Integer::parseInt).toArray();
        String[] want = Arrays.copyOf(ref, ids.length);
        assertEquals(String.join(" ", want), Arrays.stream(ids).mapToObj(Integer::toString).reduce((a, b) -> a + " " + b).orElse(""));
        String text = new ByteTokenizer().decode(ids);
        assertTrue(out.startsWith(text), "streamed text first: " + out);
    }

    @Test
    void badOptionsAreUsageErrorsAndBadModelsErrors() throws Exception {
        assertEquals(2, Main.run(new String[] {"generate", "--prompt", "x", "--max-tokens", "zero"}));
        assertEquals(2, Main.run(new String[] {"generate", "--model", dir.toString()}));
        assertEquals(2, Main.run(new String[] {"generate", "--model", dir.resolve("missing").toString() + "/x/y",
                "--prompt", "x"}));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(1, Main.run(new String[] {"generate", "--model", empty.toString(), "--prompt", "x"}));
    }

    private static String[] runReference(Path model, int[] prompt, int n) throws Exception {
        Path script = Files.createTempFile("ref", ".py");
        try (var in = GenerateCommandTest.class.getResourceAsStream("/dev/tunelab/model/reference_models.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path req = Files.createTempFile("req", ".json");
        Files.writeString(req, "{\"ids\": [" + Arrays.toString(prompt) + "], \"mask\": null, \"new_tokens\": " + n + "}");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "generate", model.toString(), req.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        String last = out.substring(out.lastIndexOf('\n') + 1);
        String inner = last.substring(last.indexOf("[[") + 2, last.indexOf("]]"));
        return inner.split(",\\s*");
    }
}
