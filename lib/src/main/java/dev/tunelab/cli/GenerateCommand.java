package dev.tunelab.cli;

import dev.tunelab.model.Generation;
import dev.tunelab.model.GenerationOptions;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.model.Models;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** `tunelab generate`: stream a continuation of a prompt to stdout. */
final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "Generate text with a model (embedded default, a local checkpoint or a hub id)";
    }

    @Override
    public Args args() {
        return new Args(name())
                .option("model", "PATH|default|org/name", "model folder, 'default' (embedded) or a Hugging Face id", "default")
                .option("prompt", "TEXT", "the prompt")
                .option("max-tokens", "N", "maximum new tokens", "64")
                .flag("greedy", "argmax decoding (ignores temperature/top-k/top-p)")
                .option("temperature", "T", "sampling temperature")
                .option("top-k", "K", "sample among the K most likely tokens (0 = all)")
                .option("top-p", "P", "nucleus sampling mass")
                .option("repetition-penalty", "R", "CTRL repetition penalty (1 = off)")
                .option("stop", "S1,S2", "stop strings")
                .option("seed", "N", "sampling seed", "42")
                .flag("no-cache", "recompute every position each step (slow; for comparison)")
                .flag("print-ids", "also print prompt_ids and generated_ids lines");
    }

    @Override
    public int run(Args args) throws IOException {
        String prompt = args.require("prompt");
        int maxTokens = args.intValue("max-tokens", 1, 100_000);
        long seed;
        try {
            seed = Long.parseLong(args.get("seed").trim());
        } catch (NumberFormatException e) {
            throw new UsageException("generate: --seed must be an integer, got '" + args.get("seed") + "'");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LanguageModel lm = open(args.get("model"))) {
            GenerationOptions o = lm.defaults().withMaxNewTokens(maxTokens).withSeed(seed);
            boolean sampling = args.has("temperature") || args.has("top-k") || args.has("top-p");
            if (args.flagSet("greedy")) {
                o = o.withGreedy(true);
            } else if (sampling) {
                double t = args.has("temperature") ? args.doubleValue("temperature", 0, 100) : o.temperature();
                int k = args.has("top-k") ? args.intValue("top-k", 0, 10_000_000) : o.topK();
                double p = args.has("top-p") ? args.doubleValue("top-p", 0, 1) : o.topP();
                o = o.withSampling(t, k, p);
            }
            if (args.has("repetition-penalty")) {
                o = o.withRepetitionPenalty(args.doubleValue("repetition-penalty", 0, 100));
            }
            if (args.has("stop")) {
                o = o.withStop(args.list("stop"));
            }
            o = o.withCache(!args.flagSet("no-cache")).withStreaming(piece -> {
                out.print(piece);
                out.flush();
            });
            Generation g = lm.generate(prompt, o);
            out.println();
            if (args.flagSet("print-ids")) {
                out.println("prompt_ids: " + join(g.promptIds()));
                out.println("generated_ids: " + join(g.generatedIds()));
            }
            out.flush();
            return 0;
        }
    }

    static LanguageModel open(String model) throws IOException {
        boolean known = model == null || model.equals("default") || model.startsWith("classpath:")
                || Files.isDirectory(Path.of(model))
                || model.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
        if (!known) {
            throw new UsageException("generate: --model '" + model + "' is neither a folder, 'default', nor org/name");
        }
        return Models.load(model);
    }

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }
}
