package dev.tunelab.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The default model's pretraining text, built deterministically from the shared datasets folder:
 * MedQuAD question/answer pairs minus every evaluation pair (medquad_seniorhealth_cdc.jsonl, excluded by qid, by source
 * and by identical question or answer text), plus the rasbt instruction data. Sentiment and COVID FAQ data are never
 * read: they are evaluation sets. Documents are whitespace-normalised, de-duplicated, and ~1.5% of them (chosen by a
 * hash of their text, so independent of order) are held out for validation perplexity.
 */
public record PretrainCorpus(List<String> train, List<String> validation, List<SourceFile> sources) {
    /** One input file: its path relative to the datasets folder, SHA-256, rows read and rows used. */
    public record SourceFile(String path, String sha256, int rows, int rowsUsed, String license) {}

    static final String MEDQUAD_ALL = "medquad/medquad_all_with_answers.jsonl";
    static final String MEDQUAD_EVAL = "medquad/medquad_seniorhealth_cdc.jsonl";
    static final String INSTRUCTIONS = "instructions-rasbt/instruction-data.json";
    static final Set<String> EVAL_SOURCES = Set.of("NIHSeniorHealth", "CDC");
    /** Validation share in thousandths. */
    static final int VALIDATION_PER_MILLE = 15;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static PretrainCorpus build(Path datasets) {
        Set<String> evalQids = new HashSet<>();
        Set<String> evalTexts = new HashSet<>();
        List<JsonNode> evalRows = readJsonl(datasets.resolve(MEDQUAD_EVAL));
        for (JsonNode r : evalRows) {
            evalQids.add(text(r, "qid", MEDQUAD_EVAL));
            evalTexts.add(normalise(text(r, "question", MEDQUAD_EVAL)));
            evalTexts.add(normalise(text(r, "answer", MEDQUAD_EVAL)));
        }
        LinkedHashSet<String> docs = new LinkedHashSet<>();
        List<JsonNode> all = readJsonl(datasets.resolve(MEDQUAD_ALL));
        int medquadUsed = 0;
        for (JsonNode r : all) {
            String question = normalise(text(r, "question", MEDQUAD_ALL));
            String answer = normalise(text(r, "answer", MEDQUAD_ALL));
            if (evalQids.contains(text(r, "qid", MEDQUAD_ALL)) || EVAL_SOURCES.contains(r.path("source").asText())
                    || evalTexts.contains(question) || evalTexts.contains(answer) || answer.isEmpty()) {
                continue;
            }
            if (docs.add(medquadDocument(question, answer))) {
                medquadUsed++;
            }
        }
        JsonNode instructions = readJson(datasets.resolve(INSTRUCTIONS));
        int instructionsUsed = 0;
        for (JsonNode r : instructions) {
            if (docs.add(instructionDocument(text(r, "instruction", INSTRUCTIONS), r.path("input").asText(""),
                    text(r, "output", INSTRUCTIONS)))) {
                instructionsUsed++;
            }
        }
        List<String> train = new ArrayList<>();
        List<String> validation = new ArrayList<>();
        for (String d : docs) {
            (isValidation(d) ? validation : train).add(d);
        }
        List<SourceFile> sources = List.of(
                new SourceFile(MEDQUAD_ALL, sha256(datasets.resolve(MEDQUAD_ALL)), all.size(), medquadUsed,
                        "CC BY 4.0, Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019"),
                new SourceFile(MEDQUAD_EVAL, sha256(datasets.resolve(MEDQUAD_EVAL)), evalRows.size(), 0,
                        "CC BY 4.0 (read only to exclude these evaluation pairs)"),
                new SourceFile(INSTRUCTIONS, sha256(datasets.resolve(INSTRUCTIONS)), instructions.size(),
                        instructionsUsed, "Apache-2.0, rasbt/LLMs-from-scratch"));
        return new PretrainCorpus(List.copyOf(train), List.copyOf(validation), sources);
    }

    static String medquadDocument(String question, String answer) {
        return "Question: " + question + "\nAnswer: " + answer;
    }

    static String instructionDocument(String instruction, String input, String output) {
        String in = normalise(input);
        return normalise(instruction) + (in.isEmpty() ? "" : "\n" + in) + "\n" + normalise(output);
    }

    /** Trims every line, drops empty lines and collapses runs of spaces and tabs. */
    public static String normalise(String s) {
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\\R")) {
            String t = line.strip().replaceAll("[ \\t\\u00A0]+", " ");
            if (!t.isEmpty()) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(t);
            }
        }
        return out.toString();
    }

    /** Held out when the first two bytes of the text's SHA-256, mod 1000, fall below the validation share. */
    public static boolean isValidation(String document) {
        byte[] h = digest().digest(document.getBytes(StandardCharsets.UTF_8));
        int v = ((h[0] & 0xFF) << 8) | (h[1] & 0xFF);
        return v % 1000 < VALIDATION_PER_MILLE;
    }

    private static String text(JsonNode row, String field, String file) {
        JsonNode v = row.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(file + ": row without text field '" + field + "': "
                    + abbreviate(row.toString()));
        }
        return v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static List<JsonNode> readJsonl(Path file) {
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + n + ": not valid JSON: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return rows;
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (!root.isArray()) {
                throw new IllegalArgumentException(file + ": expected a JSON array of instruction records");
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String sha256(Path file) {
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long trainChars() {
        return train.stream().mapToLong(String::length).sum();
    }
}
