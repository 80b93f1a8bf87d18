package dev.tunelab.rag;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;
import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Retrieval-augmented generation: retrieve the top-k passages for the question, put as many as fit into the model's
 * context (measured in the model's own tokens: passages are cut by tokens, never by characters), generate the
 * answer, and report which documents were used in {@link Prediction#sources()}.
 *
 * <p>The knowledge base is given to the builder, or (by default) built in {@link #prepare} from the split's train
 * answers ({@code target}) — the "hospital documents" of the question/answer dataset.
 */
public final class RagStrategy implements Strategy {
    static final String HEADER = "Answer the question using the context.\n\n";
    static final String CONTEXT = "Context:\n";

    private final LanguageModel model;
    private final Retriever retriever;
    private final int k;
    private final GenerationOptions options;
    private final int contextTokens;
    private final List<Document> knowledge;
    private final String titleField;
    private double prepareSeconds;

    private RagStrategy(Builder b) {
        this.model = b.model;
        this.retriever = b.retriever;
        this.k = b.k;
        this.options = b.options == null ? model.defaults() : b.options;
        this.contextTokens = b.contextTokens > 0 ? b.contextTokens : model.model().config().maxPositions();
        this.knowledge = b.knowledge;
        this.titleField = b.titleField;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "rag-k" + k;
    }

    @Override
    public String kind() {
        return "retrieval";
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        long t0 = System.nanoTime();
        List<Document> docs = knowledge;
        if (docs == null) {
            docs = new ArrayList<>();
            for (Example e : split.train()) {
                String title = titleField == null ? null : e.field(titleField);
                docs.add(new Document(e.id(), e.target(),
                        new Document.Metadata(e.field("source"), title, e.field("url"), 0, null, e.fields())));
            }
        }
        retriever.index(docs, listener);
        prepareSeconds = (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public Prediction predict(Example example) {
        long t0 = System.nanoTime();
        List<Retriever.Result> hits = retriever.search(example.input(), k);
        Prompt p = buildPrompt(example.input(), hits);
        Generation g = model.generate(p.text, options);
        double ms = (System.nanoTime() - t0) / 1e6;
        return new Prediction(g.text().strip(), null, Map.of(), ms, g.promptIds().length, g.generatedIds().length,
                p.sources);
    }

    Retriever retrieverForTest() {
        return retriever;
    }

    /** The prompt text and the ids of the documents whose passages made it in. */
    record Prompt(String text, List<String> sources) {}

    /**
     * Header + passages (best first) + question, within contextTokens − maxNewTokens tokens. A passage that does not
     * fit whole is cut to the tokens left; passages after that are dropped.
     */
    Prompt buildPrompt(String question, List<Retriever.Result> hits) {
        TextTokenizer tok = model.tokenizer();
        String tail = "\nQuestion: " + question + "\nAnswer:";
        int budget = contextTokens - options.maxNewTokens() - count(tok, HEADER + CONTEXT) - count(tok, tail) - 1;
        if (budget < 0) {
            throw new IllegalArgumentException("the question alone needs more than the context budget of "
                    + contextTokens + " tokens (" + options.maxNewTokens() + " kept for the answer)");
        }
        StringBuilder ctx = new StringBuilder();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < hits.size() && budget > 0; i++) {
            Retriever.Result r = hits.get(i);
            String text = "[" + (i + 1) + "] " + r.passage().text() + "\n";
            int[] ids = tok.encode(text, false);
            if (ids.length > budget) {
                text = tok.decode(Arrays.copyOf(ids, budget));
                // A decode/encode round trip can merge or split tokens at the cut: trim until it fits.
                for (int[] again = tok.encode(text, false); again.length > budget; again = tok.encode(text, false)) {
                    text = tok.decode(Arrays.copyOf(again, again.length - 1));
                }
            }
            budget -= count(tok, text);
            ctx.append(text);
            sources.add(r.document().id());
        }
        return new Prompt(HEADER + CONTEXT + ctx + tail, sources);
    }

    private static int count(TextTokenizer tok, String s) {
        return tok.encode(s, false).length;
    }

    @Override
    public StrategyCost cost() {
        return new StrategyCost(prepareSeconds, 0, 0, Map.of(), Map.of("retriever", retriever.embedder().name(),
                "documents", retriever.size(), "k", k));
    }

    @Override
    public void close() {
        retriever.close();
    }

    /** DJL-style builder: {@code setX} required, {@code optX} optional. */
    public static final class Builder {
        private LanguageModel model;
        private Retriever retriever;
        private int k = 3;
        private GenerationOptions options;
        private int contextTokens;
        private List<Document> knowledge;
        private String titleField;

        public Builder setModel(LanguageModel m) {
            this.model = m;
            return this;
        }

        public Builder setRetriever(Retriever r) {
            this.retriever = r;
            return this;
        }

        /** Passages retrieved per question. Default 3. */
        public Builder optK(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            this.k = k;
            return this;
        }

        public Builder optGenerationOptions(GenerationOptions o) {
            this.options = o;
            return this;
        }

        /** Token budget of prompt + answer. Default: the model's max positions. */
        public Builder optContextTokens(int n) {
            this.contextTokens = n;
            return this;
        }

        /** A fixed knowledge base; default: the split's train answers. */
        public Builder optKnowledge(List<Document> docs) {
            this.knowledge = List.copyOf(docs);
            return this;
        }

        /** Example field used as document title when building the knowledge base from the split (e.g. "focus"). */
        public Builder optTitleField(String f) {
            this.titleField = f;
            return this;
        }

        public RagStrategy build() {
            if (model == null || retriever == null) {
                throw new IllegalStateException("RagStrategy needs setModel(...) and setRetriever(...)");
            }
            return new RagStrategy(this);
        }
    }
}
