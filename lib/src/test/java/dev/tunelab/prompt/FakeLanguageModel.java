package dev.tunelab.prompt;

import dev.tunelab.model.CausalLM;
import dev.tunelab.model.ChatTemplate;
import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A deterministic stand-in for a model: one token per character (BOS = 1 when asked), log-likelihood and
 * generation supplied as functions, every call recorded.
 */
final class FakeLanguageModel implements LanguageModel {
    static final class CharTokenizer implements TextTokenizer {
        @Override
        public int[] encode(String text, boolean addSpecial) {
            int[] cps = text.codePoints().toArray();
            if (!addSpecial) {
                return cps;
            }
            int[] out = new int[cps.length + 1];
            out[0] = 1;
            System.arraycopy(cps, 0, out, 1, cps.length);
            return out;
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                if (id != 1) {
                    sb.appendCodePoint(id);
                }
            }
            return sb.toString();
        }

        @Override
        public int vocabSize() {
            return 0x110000;
        }

        @Override
        public int bosId() {
            return 1;
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public int padId() {
            return 0;
        }
    }

    static final ChatTemplate CHAT = new ChatTemplate() {
        @Override
        public String name() {
            return "test-chatml";
        }

        @Override
        public String render(List<Message> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (Message m : messages) {
                sb.append("<|").append(m.role()).append("|>").append(m.content()).append("<|end|>\n");
            }
            if (addGenerationPrompt) {
                sb.append("<|assistant|>");
            }
            return sb.toString();
        }
    };

    final List<String> likelihoodCalls = new ArrayList<>();
    final List<String> generatePrompts = new ArrayList<>();
    final List<GenerationOptions> generateOptions = new ArrayList<>();
    private final BiFunction<String, String, Double> logLikelihood;
    private final Function<String, String> generator;
    private final TextTokenizer tokenizer = new CharTokenizer();

    FakeLanguageModel(BiFunction<String, String, Double> logLikelihood, Function<String, String> generator) {
        this.logLikelihood = logLikelihood;
        this.generator = generator;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public CausalLM model() {
        throw new UnsupportedOperationException("fake model has no weights");
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public GenerationOptions defaults() {
        return GenerationOptions.defaults();
    }

    @Override
    public ChatTemplate chatTemplate() {
        return CHAT;
    }

    @Override
    public Generation generate(String prompt, GenerationOptions options) {
        generatePrompts.add(prompt);
        generateOptions.add(options);
        String full = generator.apply(prompt);
        String text = full.length() > options.maxNewTokens() ? full.substring(0, options.maxNewTokens()) : full;
        String reason = "length";
        for (String stop : options.stop()) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                text = text.substring(0, at);
                reason = "stop";
            }
        }
        return new Generation(text, tokenizer.encode(prompt, true), tokenizer.encode(text, false), reason, 0.1);
    }

    @Override
    public List<Generation> generateBatch(List<String> prompts, GenerationOptions options) {
        List<Generation> out = new ArrayList<>();
        prompts.forEach(p -> out.add(generate(p, options)));
        return out;
    }

    @Override
    public double logLikelihood(String prompt, String completion) {
        likelihoodCalls.add(completion);
        return logLikelihood.apply(prompt, completion);
    }

    @Override
    public void close() {}
}
