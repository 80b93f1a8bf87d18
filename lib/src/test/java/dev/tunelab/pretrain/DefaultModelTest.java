package dev.tunelab.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.HfTokenizer;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.LlamaConfig;
import dev.tunelab.model.Models;
import dev.tunelab.model.bpe.BpeTokenizer;
import dev.tunelab.model.bpe.TokenizerFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded default model: it loads from the classpath alone, its tokenizer is our BPE, and the numbers its model
 * card claims are recomputed here with code independent of the pretraining driver (plain-Java log-softmax over the
 * logits, HF tokenizer through DJL for the text).
 */
class DefaultModelTest {
    static final Path DATASETS = Path.of(System.getProperty("tunelab.repo", ".."), "..", "shared", "datasets");
    static LanguageModel lm;
    static String card;
    static PretrainCorpus corpus;

    static PretrainCorpus corpus() {
        if (corpus == null) {
            corpus = PretrainCorpus.build(DATASETS);
        }
        return corpus;
    }

    @BeforeAll
    static void load() throws Exception {
        DjlSetup.ensure();
        lm = Models.defaultModel();
        try (InputStream in = resource("README.md")) {
            card = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void close() {
        if (lm != null) {
            lm.close();
        }
    }

    static InputStream resource(String name) {
        InputStream in = DefaultModelTest.class.getClassLoader().getResourceAsStream(Models.DEFAULT_MODEL_RESOURCE
                + name);
        if (in == null) {
            throw new AssertionError("classpath:" + Models.DEFAULT_MODEL_RESOURCE + name + " is missing");
        }
        return in;
    }

    @Test
    void loadsAsSmallTiedLlamaWithOurTokenizer() throws Exception {
        LlamaConfig c = (LlamaConfig) lm.model().config();
        assertTrue(c.tieWordEmbeddings());
        long params = lm.model().parameters().values().stream().mapToLong(NDArray::size).sum();
        assertTrue(params > 1_000_000 && params < 10_000_000, "parameters " + params);
        assertTrue(card.contains(String.format(Locale.ROOT, "%,d (tied", params)), "card's parameter count");
        assertEquals(c.vocabSize(), lm.tokenizer().vocabSize());
        int eot = lm.tokenizer().eosId();
        assertEquals(eot, lm.tokenizer().bosId());
        assertEquals(eot, c.eosId());
        assertEquals(eot, lm.tokenizer().encode("Hello", true)[0]);
    }

    /** The shipped tokenizer.json read by our Java BPE gives DJL's (Rust tokenizers') ids on held-out text. */
    @Test
    void shippedTokenizerMatchesHuggingFace(@TempDir Path dir) throws Exception {
        try (InputStream in = resource("tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        try (InputStream in = resource("tokenizer_config.json")) {
            Files.copy(in, dir.resolve("tokenizer_config.json"));
        }
        BpeTokenizer ours = TokenizerFiles.read(dir.resolve("tokenizer.json"));
        List<String> sentences = new ArrayList<>(List.of("Emoji 😀 and ümlauts, tabs\tand  double  spaces.",
                "In 2019, 1,234 people took 10 mg."));
        for (String doc : corpus().validation()) {
            sentences.addAll(Arrays.asList(doc.split("(?<=[.?!])\\s+")));
        }
        assertTrue(sentences.size() > 1000, "sentences: " + sentences.size());
        try (HfTokenizer hf = HfTokenizer.load(dir)) {
            for (String s : sentences) {
                assertArrayEquals(hf.encode(s, true), ours.encode(s, true), s);
                assertEquals(s, ours.decode(ours.encode(s, false)));
            }
        }
    }

    /** Mean next-token loss over the card's probe windows, recomputed from raw logits in double precision. */
    @Test
    void probePerplexityMatchesModelCard() {
        Matcher m = Pattern.compile("probe perplexity \\| ([0-9.]+) \\(loss ([0-9.]+)\\) on the first (\\d+) held-out")
                .matcher(card);
        assertTrue(m.find(), "model card has no probe perplexity row");
        double cardLoss = Double.parseDouble(m.group(2));
        int windows = Integer.parseInt(m.group(3));
        int seq = lm.model().config().maxPositions();
        List<int[]> probe = TokenWindows.of(corpus().validation(), lm.tokenizer(), seq)
                .subList(0, windows);
        double sum = 0;
        long count = 0;
        int vocab = lm.model().config().vocabSize();
        for (int start = 0; start < probe.size(); start += 8) {
            List<int[]> batch = probe.subList(start, Math.min(probe.size(), start + 8));
            int[] flat = new int[batch.size() * seq];
            for (int b = 0; b < batch.size(); b++) {
                System.arraycopy(batch.get(b), 0, flat, b * seq, seq);
            }
            try (NDManager m2 = lm.model().manager().newSubManager()) {
                NDArray ids = m2.create(flat, new Shape(batch.size(), seq));
                float[] logits = lm.model().forward(ids, null, null).toFloatArray();
                for (int b = 0; b < batch.size(); b++) {
                    for (int t = 0; t + 1 < seq; t++) {
                        int base = (b * seq + t) * vocab;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) {
                            max = Math.max(max, logits[base + v]);
                        }
                        double z = 0;
                        for (int v = 0; v < vocab; v++) {
                            z += Math.exp(logits[base + v] - max);
                        }
                        sum += max + Math.log(z) - logits[base + batch.get(b)[t + 1]];
                        count++;
                    }
                }
            }
        }
        double loss = sum / count;
        System.out.printf(Locale.ROOT, "default model probe: loss %.5f perplexity %.4f over %d windows (card %.5f)%n",
                loss, Math.exp(loss), windows, cardLoss);
        assertTrue(Math.abs(Math.exp(loss) / Math.exp(cardLoss) - 1) < 0.01,
                "recomputed probe perplexity " + Math.exp(loss) + " vs card " + Math.exp(cardLoss));
        assertTrue(Math.exp(loss) < 80, "probe perplexity " + Math.exp(loss) + " is not a trained model's");
    }

    @Test
    void greedyAnswerIsMostlyCorpusWords() {
        Set<String> vocabulary = new HashSet<>();
        Pattern word = Pattern.compile("[A-Za-z]+");
        for (String doc : corpus().train()) {
            Matcher m = word.matcher(doc);
            while (m.find()) {
                vocabulary.add(m.group().toLowerCase(Locale.ROOT));
            }
        }
        String prompt = PretrainMain.SAMPLE_PROMPTS.get(0);
        String text = lm.generate(prompt, lm.defaults().withGreedy(true).withMaxNewTokens(48)).text();
        System.out.println("default model, greedy: " + prompt + text);
        Matcher m = word.matcher(text);
        int words = 0;
        int known = 0;
        while (m.find()) {
            words++;
            known += vocabulary.contains(m.group().toLowerCase(Locale.ROOT)) ? 1 : 0;
        }
        assertTrue(words >= 15, "too few words generated: " + text);
        assertTrue(known >= 0.8 * words, known + "/" + words + " known words in: " + text);
    }
}
