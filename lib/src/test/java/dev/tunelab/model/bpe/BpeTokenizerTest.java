package dev.tunelab.model.bpe;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.model.DjlSetup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our byte-level BPE against Hugging Face's tokenizers (through DJL) on real text and on awkward Unicode. */
class BpeTokenizerTest {
    static final Path DATASETS = Path.of(System.getProperty("tunelab.repo", ".."), "..", "shared", "datasets");
    /** MedQuAD answers: the first 3,000 train the tokenizer, 300 others supply unseen sentences. */
    static List<String> trainingAnswers;
    static List<String> unseenAnswers;
    static BpeTokenizer tokenizer;
    @TempDir
    static Path dir;

    static final List<String> AWKWARD = List.of(
            "Hello world", "  two  spaces  ", "tabs\tand\nnewlines\n\n\nend", "trailing space ", " leading",
            "don't I'll we've they're she's I'm he'd", "DON'T 'S", "numbers 12345 and 3.14159, 1,000,000", "in 2019 and 1999: 10 mg, 25 %",
            "emoji 😀🎉👩‍👩‍👧 mixed👍text", "中文字符 和 日本語のテキスト", "Ünïcödé çåfé naïve résumé",
            "combining e\u0301 and a\u0308", "zero\u200Bwidth", "nbsp\u00A0here", "em\u2003space and\u3000ideographic",
            "<|endoftext|>", "before<|endoftext|>after <|endoftext|> <|pad|>x", "symbols !@#$%^&*()_+-=[]{};:'\",.<>/?",
            "x\r\ny\rz", "   \n   ", "", "a", "🙂", "\u0085next line", "math ∑∫√∞≠ and arrows →←",
            "Question: What is glaucoma?\nAnswer:", "url https://www.nih.gov/health?q=a&b=c");

    @BeforeAll
    static void trainSmallTokenizer() {
        DjlSetup.ensure();
        List<String> answers = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try {
            for (String line : Files.readAllLines(DATASETS.resolve("medquad/medquad_all_with_answers.jsonl"))) {
                answers.add(json.readTree(line).get("answer").asText());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read MedQuAD from " + DATASETS, e);
        }
        trainingAnswers = answers.subList(0, 3000);
        unseenAnswers = answers.subList(answers.size() - 300, answers.size());
        BpeTrainer trainer = new BpeTrainer(2048, List.of(BpeTokenizer.END_OF_TEXT, BpeTokenizer.PAD));
        trainingAnswers.forEach(trainer::addText);
        tokenizer = trainer.train();
        TokenizerFiles.write(tokenizer, dir, 256);
    }

    /** Thousands of real sentences none of which the tokenizer was trained on, plus the awkward cases. */
    static List<String> sentences() throws Exception {
        List<String> out = new ArrayList<>(AWKWARD);
        for (String doc : unseenAnswers) {
            out.addAll(Arrays.asList(doc.strip().split("(?<=[.?!])\\s+")));
        }
        for (String file : List.of("imdb_labelled.txt", "yelp_labelled.txt")) {
            for (String line : Files.readAllLines(DATASETS.resolve("sentiment-uci").resolve(file))) {
                out.add(line.split("\t")[0]);
            }
        }
        return out;
    }

    @Test
    void idsEqualHuggingFaceTokenizersOnRealSentences() throws Exception {
        List<String> sentences = sentences();
        assertTrue(sentences.size() >= 3000, "only " + sentences.size() + " sentences");
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            int mismatches = 0;
            String first = null;
            for (String s : sentences) {
                for (boolean special : new boolean[] {true, false}) {
                    int[] ours = tokenizer.encode(s, special);
                    long[] theirs = hf.encode(s, special, false).getIds();
                    int[] theirsInt = Arrays.stream(theirs).mapToInt(x -> (int) x).toArray();
                    if (!Arrays.equals(ours, theirsInt)) {
                        mismatches++;
                        if (first == null) {
                            first = "'" + s + "': ours " + Arrays.toString(ours) + " hf " + Arrays.toString(theirsInt);
                        }
                    }
                }
                assertEquals(s, hf.decode(Arrays.stream(tokenizer.encode(s, false)).asLongStream().toArray(), false),
                        "HF decode of our ids");
            }
            assertEquals(0, mismatches, "first mismatch: " + first);
        }
    }

    /** A third, independent encoder: a standard-library Python re-implementation reading the same tokenizer.json. */
    @Test
    void idsEqualIndependentPythonEncoder() throws Exception {
        List<String> sentences = sentences();
        Path input = dir.resolve("sentences.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String s : sentences) {
            lines.add(json.writeValueAsString(s));
        }
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path script = dir.resolve("bpe_reference.py");
        try (InputStream in = BpeTokenizerTest.class.getResourceAsStream("bpe_reference.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.resolve("tokenizer.json").toString(),
                input.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().toList();
        }
        assertEquals(0, p.waitFor(), "python reference encoder failed");
        assertEquals(sentences.size(), out.size());
        for (int i = 0; i < sentences.size(); i++) {
            int[] theirs = json.readValue(out.get(i), int[].class);
            assertArrayEquals(theirs, tokenizer.encode(sentences.get(i), false), "sentence " + i + ": " + sentences.get(i));
        }
    }

    @Test
    void bosIsEndOfTextAndOnlyWithAddSpecial() {
        int eot = tokenizer.tokenId(BpeTokenizer.END_OF_TEXT);
        assertEquals(2046, eot);
        assertEquals(2047, tokenizer.padId());
        assertEquals(eot, tokenizer.bosId());
        assertEquals(eot, tokenizer.encode("Hi", true)[0]);
        assertTrue(tokenizer.encode("Hi", false)[0] != eot);
    }

    @Test
    void decodeInvertsEncodeOnRandomUnicode() {
        Random random = new Random(7);
        int[][] ranges = {{0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x24F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x4E00, 0x4FFF},
                {0x1F300, 0x1F6FF}, {0x2000, 0x206F}, {0x300, 0x36F}, {0x10000, 0x1FFFF}};
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(40);
            for (int j = 0; j < len; j++) {
                int[] r = ranges[random.nextInt(ranges.length)];
                int cp = r[0] + random.nextInt(r[1] - r[0] + 1);
                if (Character.isSurrogate((char) cp) && cp < 0x10000) {
                    cp = 'x';
                }
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertEquals(s, tokenizer.decode(tokenizer.encode(s, false)), "round trip of " + s);
        }
    }

    @Test
    void savedFileReadsBackToTheSameTokenizer() throws Exception {
        BpeTokenizer back = TokenizerFiles.read(dir.resolve("tokenizer.json"));
        assertEquals(tokenizer.vocab(), back.vocab());
        for (String s : AWKWARD) {
            assertArrayEquals(tokenizer.encode(s, true), back.encode(s, true), s);
        }
        String config = Files.readString(dir.resolve("tokenizer_config.json"), StandardCharsets.UTF_8);
        assertTrue(config.contains("\"eos_token\" : \"<|endoftext|>\""), config);
    }

    /** The incremental pair-count trainer must pick the same merges as recounting every pair from scratch. */
    @Test
    void incrementalTrainingMatchesBruteForceRecount() {
        List<String> docs = trainingAnswers.subList(0, 150);
        BpeTrainer trainer = new BpeTrainer(256 + 200 + 1, List.of(BpeTokenizer.END_OF_TEXT));
        docs.forEach(trainer::addText);
        List<String[]> fast = trainer.train().merges();

        Map<String, Integer> counts = new HashMap<>();
        for (String d : docs) {
            for (String p : ByteLevel.preTokenize(d)) {
                counts.merge(ByteLevel.toByteChars(p), 1, Integer::sum);
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> wordCounts = new ArrayList<>();
        counts.forEach((w, c) -> {
            List<String> symbols = new ArrayList<>();
            w.chars().forEach(ch -> symbols.add(String.valueOf((char) ch)));
            words.add(symbols);
            wordCounts.add(c);
        });
        for (int step = 0; step < fast.size(); step++) {
            Map<String, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), (long) wordCounts.get(w), Long::sum);
                }
            }
            String best = null;
            for (Map.Entry<String, Long> e : pairs.entrySet()) {
                if (best == null || e.getValue() > pairs.get(best)
                        || (e.getValue().equals(pairs.get(best)) && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                }
            }
            assertEquals(best, fast.get(step)[0] + " " + fast.get(step)[1], "merge " + step);
            String[] ab = best.split(" ");
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(ab[0]) && s.get(i + 1).equals(ab[1])) {
                        s.set(i, ab[0] + ab[1]);
                        s.remove(i + 1);
                    }
                }
            }
        }
        assertEquals(200, fast.size());
    }
}
