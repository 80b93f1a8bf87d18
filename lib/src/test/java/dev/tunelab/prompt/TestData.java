package dev.tunelab.prompt;

import dev.tunelab.data.Example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real rows from ../shared/datasets and a runner for Debian's python3 reference computations. */
final class TestData {
    private TestData() {}

    static Path datasets() {
        return Path.of(System.getProperty("tunelab.repo", ".."), "..", "shared", "datasets");
    }

    /** The first {@code n} rows of the UCI yelp sentiment file, "sentence TAB 0|1", as examples. */
    static List<Example> yelp(int n) throws IOException {
        List<String> lines = Files.readAllLines(datasets().resolve("sentiment-uci/yelp_labelled.txt"),
                StandardCharsets.UTF_8);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size() && out.size() < n; i++) {
            String line = lines.get(i);
            int tab = line.lastIndexOf('\t');
            out.add(new Example("yelp-" + (i + 1), line.substring(0, tab).strip(), line.substring(tab + 1).strip(),
                    Map.of()));
        }
        return out;
    }

    /** Runs {@code script} in /usr/bin/python3 with {@code input} on stdin; fails (never skips) when it fails. */
    static String python(String script, String input) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(false).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("python reference failed: " + err);
        }
        return out.strip();
    }
}
