package dev.tunelab.experiment;

import dev.tunelab.data.Dataset;
import dev.tunelab.data.DatasetCache;
import dev.tunelab.data.Datasets;
import dev.tunelab.data.Example;
import dev.tunelab.data.Recipe;
import dev.tunelab.data.Split;
import dev.tunelab.data.TaskType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The two datasets of the default experiment through the data package's recipes ({@code Datasets}: sha256-verified
 * files in the dataset cache, cleaned and de-duplicated), split reproducibly by counts. When the user's cache lacks
 * the files and {@code ../shared/datasets} exists beside the repository, that folder is used as the cache (it has the
 * cache's layout), so everything runs without network.
 */
public final class LocalData {
    private LocalData() {}

    /** The cache holding {@code recipe}'s files: the user cache when complete, else ../shared beside the repo. */
    public static DatasetCache cacheFor(String recipeName) {
        Recipe recipe = Datasets.recipe(recipeName);
        DatasetCache user = Datasets.cache();
        if (complete(user, recipe)) {
            return user;
        }
        for (Path root : sharedRoots()) {
            DatasetCache shared = Datasets.withCache(root);
            if (complete(shared, recipe)) {
                return shared;
            }
        }
        return user; // the recipe downloads into the user cache (needs network) or explains what is missing
    }

    private static boolean complete(DatasetCache cache, Recipe recipe) {
        return recipe.files().stream().allMatch(f -> Files.isRegularFile(cache.path(recipe, f.name())));
    }

    /** The folder that holds ../shared/datasets, i.e. a cache root with the same layout. */
    static List<Path> sharedRoots() {
        List<Path> roots = new ArrayList<>();
        String repo = System.getProperty("tunelab.repo");
        if (repo != null) {
            roots.add(Path.of(repo).resolve("..").resolve("shared").toAbsolutePath().normalize());
        }
        roots.add(Path.of("..", "shared").toAbsolutePath().normalize());
        return roots;
    }

    /** Sentiment Labelled Sentences (IMDB + Yelp), labels "negative"/"positive", stratified by label. */
    public static Split sentiment(int trainPerLabel, int validationPerLabel, int testPerLabel, long seed) {
        Dataset d = cacheFor("sentiment-uci").get("sentiment-uci").clean().dropDuplicates("text");
        List<Example> all = d.toExamples();
        List<String> labels = d.labels();
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
     * MedQuAD NIHSeniorHealth + CDC question answering (recipe "medquad-eval"): input = question, target = answer,
     * {@code fields} keep focus, source, url and qid. Test questions are drawn by seed; other pairs form train/validation.
     */
    public static Split medquad(int train, int validation, int test, long seed) {
        List<Example> all = new ArrayList<>(medquadPairs());
        Collections.shuffle(all, new Random(seed));
        if (all.size() < train + validation + test) {
            throw new IllegalArgumentException("medquad-eval has " + all.size() + " pairs, " + (train + validation + test) + " requested");
        }
        return new Split("medquad-seniorhealth-cdc", TaskType.GENERATION, List.of(), all.subList(0, train),
                all.subList(train, train + validation), all.subList(train + validation, train + validation + test));
    }

    /** Every question/answer pair of the NIHSeniorHealth + CDC subset: the RAG knowledge base of the default run. */
    public static List<Example> medquadPairs() {
        return cacheFor("medquad-eval").get("medquad-eval").clean().toExamples();
    }
}
