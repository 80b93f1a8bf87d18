package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;
import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot (k = 0) and few-shot prompting of a local {@link LanguageModel}.
 *
 * <p>Classification is answered either by {@link Scoring#LIKELIHOOD}: each label word is scored by its
 * log-likelihood after the prompt and the best one wins (optionally divided by its token count), or by
 * {@link Scoring#GENERATE}: the model writes an answer which {@link AnswerParser} maps to a label. Generation tasks
 * always generate, stopping at a blank line or the template's next query cue.
 */
public final class PromptStrategy implements Strategy {
    public enum Scoring { LIKELIHOOD, GENERATE }

    private final LanguageModel model;
    private final PromptSetup setup;
    private final Scoring scoring;
    private final boolean lengthNormalized;
    private final boolean calibrated;
    private final Map<List<String>, Map<String, Double>> contentFreeScores = new HashMap<>();
    private final GenerationOptions generationOptions;
    private final boolean chat;
    private final String name;
    private double prepareSeconds;
    private long peakMemory;

    private PromptStrategy(Builder b) {
        this.model = b.model;
        this.setup = new PromptSetup(b.template, b.k, b.selector, b.verbalizer);
        this.scoring = b.scoring;
        this.lengthNormalized = b.lengthNormalized;
        this.calibrated = b.calibrated;
        this.generationOptions = b.generationOptions;
        this.chat = b.chat;
        this.name = b.name != null ? b.name : setup.defaultName();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Zero-shot with label-likelihood scoring and the built-in template for the split's task. */
    public static PromptStrategy zeroShot(LanguageModel model) {
        return builder().setModel(model).build();
    }

    /** k random (seeded) demonstrations with label-likelihood scoring. */
    public static PromptStrategy fewShot(LanguageModel model, int k, long seed) {
        return builder().setModel(model).optShots(k, new RandomShotSelector(seed)).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "prompting";
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        long t0 = System.nanoTime();
        setup.prepare(split, listener);
        prepareSeconds = (System.nanoTime() - t0) / 1e9;
        notePeakMemory();
    }

    /** The exact prompt this strategy sends for {@code example} (after prepare). */
    public String prompt(Example example) {
        return fit(example).prompt;
    }

    private record Fitted(String prompt, List<Example> demos) {}

    /**
     * The prompt with as many demonstrations as fit the model's context (the earliest, least relevant ones go
     * first), leaving room for the answer; a query that alone is too long has its input cut at the end.
     */
    private Fitted fit(Example example) {
        List<Example> demos = setup.demonstrations(example);
        String prompt = render(example, demos);
        int limit = contextLimit();
        if (limit == Integer.MAX_VALUE) {
            return new Fitted(prompt, demos);
        }
        int budget = limit - answerReserve();
        while (!demos.isEmpty() && tokens(prompt) > budget) {
            demos = demos.subList(1, demos.size());
            prompt = render(example, demos);
        }
        if (tokens(prompt) > budget) {
            String input = example.input();
            int lo = 0, hi = input.length();
            while (lo < hi) {  // longest prefix of the input that fits
                int mid = (lo + hi + 1) / 2;
                if (tokens(render(withInput(example, input.substring(0, mid)), demos)) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            prompt = render(withInput(example, input.substring(0, lo)), demos);
            if (tokens(prompt) > budget) {
                throw new IllegalStateException("the prompt template alone needs more than the model's " + limit
                        + " positions (example " + example.id() + ")");
            }
        }
        return new Fitted(prompt, demos);
    }

    private static Example withInput(Example e, String input) {
        return new Example(e.id(), input, e.target(), e.fields());
    }

    private int tokens(String text) {
        return model.tokenizer().encode(text, true).length;
    }

    private int answerReserve() {
        if (setup.task() == TaskType.CLASSIFICATION && scoring == Scoring.LIKELIHOOD) {
            int longest = 1;
            for (String w : setup.verbalizer().words()) {
                longest = Math.max(longest, model.tokenizer().encode(" " + w, false).length);
            }
            return longest;
        }
        return Math.max(1, options().maxNewTokens());
    }

    /** The model's position limit; unlimited for a model without accessible weights (remote or test doubles). */
    private int contextLimit() {
        try {
            var network = model.model();
            return network == null || network.config() == null ? Integer.MAX_VALUE : network.config().maxPositions();
        } catch (UnsupportedOperationException e) {
            return Integer.MAX_VALUE;
        }
    }

    @Override
    public Prediction predict(Example example) {
        long t0 = System.nanoTime();
        Fitted fitted = fit(example);
        List<Example> demos = fitted.demos;
        String prompt = fitted.prompt;
        List<String> sources = new ArrayList<>();
        demos.forEach(d -> sources.add(d.id()));
        Prediction p;
        if (setup.task() == TaskType.CLASSIFICATION && scoring == Scoring.LIKELIHOOD) {
            p = scoreLabels(prompt, demos, sources, t0);
        } else {
            Generation g = model.generate(prompt, options());
            String text = g.text().strip();
            String label = setup.task() == TaskType.CLASSIFICATION ? setup.parser().parse(text) : null;
            p = new Prediction(text, label, Map.of(), millisSince(t0), g.promptIds().length,
                    g.generatedIds().length, sources);
        }
        notePeakMemory();
        return p;
    }

    /** Log-likelihood of every label word after {@code prompt}, per token when length-normalised. */
    public Map<String, Double> labelScores(String prompt) {
        Map<String, Double> scores = new LinkedHashMap<>();
        // plain prompts end at "Label:" and the answer follows after a space; a chat prompt ends at the assistant cue
        boolean spaced = chat || prompt.isEmpty() || Character.isWhitespace(prompt.charAt(prompt.length() - 1));
        String lead = spaced ? "" : " ";
        int promptTokens = lengthNormalized ? model.tokenizer().encode(prompt, true).length : 0;
        for (Map.Entry<String, String> e : setup.verbalizer().asMap().entrySet()) {
            String completion = lead + e.getValue();
            double ll = model.logLikelihood(prompt, completion);
            if (Double.isNaN(ll)) {
                throw new IllegalStateException("log-likelihood of label '" + e.getKey() + "' is NaN");
            }
            if (lengthNormalized) {
                int n = model.tokenizer().encode(prompt + completion, true).length - promptTokens;
                ll /= Math.max(1, n);
            }
            scores.put(e.getKey(), ll);
        }
        return scores;
    }

    /** The input of contextual calibration: the same prompt and demonstrations around a content-free query. */
    public static final String CONTENT_FREE = "N/A";

    private Prediction scoreLabels(String prompt, List<Example> demos, List<String> sources, long t0) {
        Map<String, Double> scores = labelScores(prompt);
        if (calibrated) {
            // contextual calibration (Zhao et al., 2021): remove the label bias the prompt itself carries
            Map<String, Double> bias = contentFreeScores.computeIfAbsent(sources, ids -> labelScores(
                    render(new Example("content-free", CONTENT_FREE, "", Map.of()), demos)));
            Map<String, Double> adjusted = new LinkedHashMap<>();
            scores.forEach((label, v) -> adjusted.put(label, v - bias.get(label)));
            scores = adjusted;
        }
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            if (best == null || e.getValue() > bestScore) {
                best = e.getKey();
                bestScore = e.getValue();
            }
        }
        int tokensIn = model.tokenizer().encode(prompt, true).length;
        return new Prediction(setup.verbalizer().word(best), best, scores, millisSince(t0), tokensIn, 0, sources);
    }

    private String render(Example example, List<Example> demos) {
        return chat
                ? setup.template().renderChat(model.chatTemplate(), example, demos, setup.verbalizer())
                : setup.template().render(example, demos, setup.verbalizer());
    }

    private GenerationOptions options() {
        GenerationOptions o = generationOptions != null ? generationOptions : model.defaults();
        if (generationOptions == null) {
            List<String> stops = new ArrayList<>(o.stop());
            setup.template().stopStrings().stream().filter(x -> !stops.contains(x)).forEach(stops::add);
            o = o.withStop(stops);
        }
        if (setup.task() == TaskType.CLASSIFICATION && generationOptions == null) {
            o = o.withMaxNewTokens(Math.min(o.maxNewTokens(), 8));
        }
        return o;
    }

    private void notePeakMemory() {
        Runtime rt = Runtime.getRuntime();
        peakMemory = Math.max(peakMemory, rt.totalMemory() - rt.freeMemory());
    }

    static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    @Override
    public StrategyCost cost() {
        Map<String, Object> extra = new LinkedHashMap<>(setup.describe());
        extra.put("scoring", scoring.name().toLowerCase());
        extra.put("length_normalized", lengthNormalized);
        extra.put("calibrated", calibrated);
        extra.put("chat", chat);
        extra.put("model", model.name());
        return new StrategyCost(prepareSeconds, 0, peakMemory, Map.of(), extra);
    }

    /** DJL-style builder: {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private LanguageModel model;
        private PromptTemplate template;
        private int k;
        private ShotSelector selector;
        private Verbalizer verbalizer;
        private Scoring scoring = Scoring.LIKELIHOOD;
        private boolean lengthNormalized;
        private boolean calibrated;
        private GenerationOptions generationOptions;
        private boolean chat;
        private String name;

        private Builder() {}

        public Builder setModel(LanguageModel model) {
            this.model = model;
            return this;
        }

        /** Default: the built-in template for the split's task. */
        public Builder optTemplate(PromptTemplate template) {
            this.template = template;
            return this;
        }

        /** k demonstrations chosen by {@code selector} from the split's train part (k = 0: zero-shot). */
        public Builder optShots(int k, ShotSelector selector) {
            this.k = k;
            this.selector = selector;
            return this;
        }

        /** Default: {@link Verbalizer#forLabels} of the split's labels. */
        public Builder optVerbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        public Builder optScoring(Scoring scoring) {
            this.scoring = scoring;
            return this;
        }

        /** Divide each label's log-likelihood by its token count (favours multi-token labels less). */
        public Builder optLengthNormalized(boolean normalized) {
            this.lengthNormalized = normalized;
            return this;
        }

        /**
         * Exactly these options. Default: the model's defaults plus the template's stop strings, and at most 8 new
         * tokens when classifying.
         */
        public Builder optGenerationOptions(GenerationOptions options) {
            this.generationOptions = options;
            return this;
        }

        /**
         * Contextual calibration: subtract from each label's score its score when the query is the content-free
         * {@value #CONTENT_FREE} (same template and demonstrations), which cancels a prompt's bias toward one label.
         * Costs one more scoring per distinct set of demonstrations (once in all for zero-shot).
         */
        public Builder optCalibrated(boolean calibrated) {
            this.calibrated = calibrated;
            return this;
        }

        /** Format the prompt with the model's chat template. */
        public Builder optChat(boolean chat) {
            this.chat = chat;
            return this;
        }

        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        public PromptStrategy build() {
            if (model == null) {
                throw new IllegalArgumentException("PromptStrategy: setModel is required");
            }
            PromptSetup.checkShots(k, selector);
            return new PromptStrategy(this);
        }
    }
}
