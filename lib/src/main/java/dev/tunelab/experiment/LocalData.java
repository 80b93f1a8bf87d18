package dev.tunelab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.model.DjlSetup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reads the two datasets of the default experiment from the dataset cache ({@code <cacheRoot>/datasets/<name>}) or,
 * when the cache lacks them, from {@code ../shared/datasets} beside the repository, and splits them reproducibly.
 */
public final class LocalData {
    private LocalData() {}

    /** The folder holding {@code name}'s files: the user cache when complete, else the shared copy beside the repo. */
    public static Path datasetDir(String name, String requiredFile) {
        Path cache = DjlSetup.cacheRoot().resolve("datasets").resolve(name);
        if (Files.isRegularFile(cache.resolve(requiredFile))) {
            return cache;
        }
        for (Path root : sharedRoots()) {
            Path dir = root.resolve(name);
            if (Files.isRegularFile(dir.resolve(requiredFile))) {
                return dir;
            }
        }
        throw new IllegalStateException("dataset " + name + " not found: expected " + cache.resolve(requiredFile)
                + " (or ../shared/datasets/" + name + " beside the repository)");
    }

    static List<Path> sharedRoots() {
        List<Path> roots = new ArrayList<>();
        String repo = System.getProperty("tunelab.repo");
        if (repo != null) {
            roots.add(Path.of(repo).resolve("..").resolve("shared").resolve("datasets").normalize());
        }
        roots.add(Path.of("..", "shared", "datasets").toAbsolutePath().normalize());
        return roots;
    }

    /** Sentiment Labelled Sentences (IMDB + Yelp), labels "negative"/"positive", stratified by label. */
    public static Split sentiment(int trainPerLabel, int validationPerLabel, int testPerLabel, long seed) {
        Path dir = datasetDir("sentiment-uci", "yelp_labelled.txt");
        List<Example> all = new ArrayList<>();
        for (String file : List.of("yelp_labelled.txt", "imdb_labelled.txt")) {
            Path f = dir.resolve(file);
            int lineNo = 0;
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    int tab = line.lastIndexOf('\t');
                    String label = tab < 0 ? "" : line.substring(tab + 1).trim();
                    if (!label.equals("0") && !label.equals("1")) {
                        throw new IllegalArgumentException(f + ":" + lineNo + ": expected 'sentence<TAB>0|1'");
                    }
                    String text = line.substring(0, tab).trim();
                    String source = file.substring(0, file.indexOf('_'));
                    all.add(new Example(source + "-" + lineNo, text, label.equals("1") ? "positive" : "negative",
                            Map.of("source", source)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        List<String> labels = List.of("negative", "positive");
        List<Example> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (String label : labels) {
            List<Example> rows = new ArrayList<>(all.stream().filter(e -> e.target().equals(label)).toList());
            Collections.shuffle(rows, new Random(seed));
            int need = trainPerLabel + validationPerLabel + testPerLabel;
            if (rows.size() < need) {
                throw new IllegalArgumentException("sentiment-uci has " + rows.size() + " '" + label + "' rows, " + need + " requested");
            }
            train.addAll(rows.subList(0, trainPerLabel));
            val.addAll(rows.subList(trainPerLabel, trainPerLabel + validationPerLabel));
            test.addAll(rows.subList(trainPerLabel + validationPerLabel, need));
        }
        Random r = new Random(seed + 1);
        Collections.shuffle(train, r);
        Collections.shuffle(val, r);
        Collections.shuffle(test, r);
        return new Split("sentiment-uci", TaskType.CLASSIFICATION, labels, train, val, test);
    }

    /**
     * MedQuAD NIHSeniorHealth + CDC question answering: input = question, target = answer, {@code fields} keep focus,
     * source, url and qid. Test questions are drawn by seed; the remaining pairs form train/validation.
     */
    public static Split medquad(int train, int validation, int test, long seed) {
        Path f = datasetDir("medquad", "medquad_seniorhealth_cdc.jsonl").resolve("medquad_seniorhealth_cdc.jsonl");
        List<Example> all = readMedquad(f);
        Collections.shuffle(all, new Random(seed));
        if (all.size() < train + validation + test) {
            throw new IllegalArgumentException(f + " has " + all.size() + " pairs, " + (train + validation + test) + " requested");
        }
        return new Split("medquad-seniorhealth-cdc", TaskType.GENERATION, List.of(), all.subList(0, train),
                all.subList(train, train + validation), all.subList(train + validation, train + validation + test));
    }

    /** Every question/answer pair of a MedQuAD JSONL file, in file order. */
    public static List<Example> readMedquad(Path f) {
        ObjectMapper json = new ObjectMapper();
        List<Example> out = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(f + ":" + lineNo + ": invalid JSON: " + e.getMessage().lines().findFirst().orElse(""));
                }
                String q = n.path("question").asText("");
                String a = n.path("answer").asText("");
                if (q.isBlank() || a.isBlank()) {
                    throw new IllegalArgumentException(f + ":" + lineNo + ": field 'question' or 'answer' is missing");
                }
                out.add(new Example(n.path("qid").asText("line-" + lineNo), q.trim(), a.trim(),
                        Map.of("focus", n.path("focus").asText(""), "source", n.path("source").asText(""),
                                "url", n.path("url").asText(""), "qtype", n.path("qtype").asText(""))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return out;
    }
}
