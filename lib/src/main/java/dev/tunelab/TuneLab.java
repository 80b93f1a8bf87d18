package dev.tunelab;

import dev.tunelab.chart.ComparisonCharts;
import dev.tunelab.chart.Figure;
import dev.tunelab.data.Split;
import dev.tunelab.experiment.BaseModels;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.Experiment;
import dev.tunelab.experiment.ExperimentSpec;
import dev.tunelab.experiment.LocalData;
import dev.tunelab.model.DjlSetup;
import dev.tunelab.model.LanguageModel;
import dev.tunelab.report.Report;
import dev.tunelab.track.Tracker;
import dev.tunelab.track.Trackers;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one entry point a notebook needs; type {@code TuneLab.} and tab-complete.
 *
 * <pre>{@code
 * Comparison c = TuneLab.experiment("sentiment")
 *         .split(TuneLab.sentiment(100, 10, 50))
 *         .model(TuneLab.model("default"))
 *         .zeroShot().similarityFewShot(4).knn(5).lora(8, 2)
 *         .run();
 * TuneLab.charts(c);                       // figures for Display.show(...)
 * TuneLab.report(c).writeTo(Path.of("out"));
 * }</pre>
 */
public final class TuneLab {
    private TuneLab() {}

    /** A new experiment; add a split, a model and strategies, then {@code run()}. */
    public static Experiment experiment(String name) {
        DjlSetup.ensure();
        return Experiment.named(name);
    }

    /** The experiment a YAML or JSON file describes (see docs/experiment.md), with the model it names. */
    public static Experiment experiment(Path specFile) {
        DjlSetup.ensure();
        ExperimentSpec spec = ExperimentSpec.read(specFile);
        return Experiment.fromSpec(spec, BaseModels.resolve(spec.model())).config("model", BaseModels.describe(spec.model()));
    }

    /** The experiments of `tunelab compare` (sentiment + MedQuAD); {@code quick} for a CI-sized run. */
    public static List<Experiment> defaultExperiments(boolean quick) {
        DjlSetup.ensure();
        return dev.tunelab.experiment.DefaultExperiments.create(quick, "default");
    }

    /** sentiment-uci, balanced: counts are per label; seed 42. */
    public static Split sentiment(int trainPerLabel, int validationPerLabel, int testPerLabel) {
        return LocalData.sentiment(trainPerLabel, validationPerLabel, testPerLabel, 42);
    }

    /** MedQuAD NIHSeniorHealth + CDC question answering; seed 42. */
    public static Split medquad(int train, int validation, int test) {
        return LocalData.medquad(train, validation, test, 42);
    }

    /** "default" (embedded model), "tiny-random", or a Hugging Face model folder, as a factory for experiments. */
    public static Supplier<LanguageModel> model(String setting) {
        DjlSetup.ensure();
        return BaseModels.resolve(setting);
    }

    /** Every standard chart of a comparison (metric bars, latency vs quality, losses, confusion, histograms). */
    public static List<Figure> charts(Comparison comparison) {
        return ComparisonCharts.all(comparison);
    }

    /** A self-contained report of these comparisons; {@code writeTo(dir)} writes report.html and report.md. */
    public static Report report(Comparison... comparisons) {
        Report r = Report.create();
        for (Comparison c : comparisons) {
            r.comparison(c);
        }
        return r;
    }

    /** "local" (JSONL under dir/tracking) or "wandb" (W&amp;B from WANDB_* settings; WANDB_MODE=offline spools). */
    public static Tracker tracker(String kind, Path dir) {
        return Trackers.create(kind, dir, "tunelab", System.getenv());
    }
}
