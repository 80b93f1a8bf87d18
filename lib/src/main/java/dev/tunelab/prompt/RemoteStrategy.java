package dev.tunelab.prompt;

import dev.tunelab.data.Example;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;
import dev.tunelab.eval.Prediction;
import dev.tunelab.eval.ProgressListener;
import dev.tunelab.eval.Strategy;
import dev.tunelab.eval.StrategyCost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zero-/few-shot baselines sent to a remote OpenAI-compatible model (the "advanced model" column of a
 * comparison). Prompts are chat messages built by {@link PromptTemplate#messages}; classification answers are
 * mapped to labels by {@link AnswerParser} (remote APIs give no label likelihoods). Token counts are the server's.
 */
public final class RemoteStrategy implements Strategy {
    private final OpenAiCompatibleClient client;
    private final boolean ownsClient;
    private final PromptSetup setup;
    private final String name;
    private double prepareSeconds;

    private RemoteStrategy(Builder b) {
        this.ownsClient = b.client == null;
        this.client = b.client != null ? b.client : new OpenAiCompatibleClient(b.config);
        this.setup = new PromptSetup(b.template, b.k, b.selector, b.verbalizer);
        this.name = b.name != null ? b.name : "remote-" + client.config().model() + "-" + setup.defaultName();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "remote";
    }

    public UsageMeter usage() {
        return client.usage();
    }

    @Override
    public void prepare(Split split, ProgressListener listener) {
        long t0 = System.nanoTime();
        setup.prepare(split, listener);
        prepareSeconds = (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public Prediction predict(Example example) {
        long t0 = System.nanoTime();
        List<Example> demos = setup.demonstrations(example);
        var messages = setup.template().messages(example, demos, setup.verbalizer());
        int maxTokens = setup.task() == TaskType.CLASSIFICATION
                ? Math.min(client.config().maxTokens(), 16) : client.config().maxTokens();
        var result = client.chat(messages, client.config().temperature(), maxTokens, List.of());
        String text = result.text().strip();
        String label = setup.task() == TaskType.CLASSIFICATION ? setup.parser().parse(text) : null;
        List<String> sources = new ArrayList<>();
        demos.forEach(d -> sources.add(d.id()));
        return new Prediction(text, label, Map.of(), PromptStrategy.millisSince(t0), result.promptTokens(),
                result.completionTokens(), sources);
    }

    @Override
    public StrategyCost cost() {
        Map<String, Object> extra = new LinkedHashMap<>(setup.describe());
        extra.put("model", client.config().model());
        extra.put("base_url", client.config().baseUrl());
        extra.putAll(client.usage().asMap());
        return new StrategyCost(prepareSeconds, 0, 0, Map.of(), extra);
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    /** DJL-style builder: set a client or a config (one is required); the rest is optional. */
    public static final class Builder {
        private OpenAiCompatibleClient client;
        private RemoteConfig config;
        private PromptTemplate template;
        private int k;
        private ShotSelector selector;
        private Verbalizer verbalizer;
        private String name;

        private Builder() {}

        public Builder setClient(OpenAiCompatibleClient client) {
            this.client = client;
            return this;
        }

        public Builder setConfig(RemoteConfig config) {
            this.config = config;
            return this;
        }

        public Builder optTemplate(PromptTemplate template) {
            this.template = template;
            return this;
        }

        public Builder optShots(int k, ShotSelector selector) {
            this.k = k;
            this.selector = selector;
            return this;
        }

        public Builder optVerbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        public RemoteStrategy build() {
            if (client == null && config == null) {
                throw new IllegalArgumentException("RemoteStrategy: setClient or setConfig is required");
            }
            PromptSetup.checkShots(k, selector);
            return new RemoteStrategy(this);
        }
    }
}
