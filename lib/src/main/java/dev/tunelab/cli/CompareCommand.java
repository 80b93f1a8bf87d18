package dev.tunelab.cli;

import dev.tunelab.experiment.BaseModels;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.DefaultExperiments;
import dev.tunelab.experiment.Experiment;
import dev.tunelab.experiment.ExperimentSpec;
import dev.tunelab.experiment.Pricing;
import dev.tunelab.experiment.SpecException;
import dev.tunelab.report.Environment;
import dev.tunelab.report.Report;
import dev.tunelab.track.Tracker;
import dev.tunelab.track.Trackers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `tunelab compare`: prompting vs RAG vs fine-tuning on one split, with results.json, a report and tracking. */
final class CompareCommand implements Command {
    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "Run prompting, retrieval and fine-tuning strategies on one split and compare them";
    }

    @Override
    public Args args() {
        return new Args(name())
                .option("out", "dir", "output directory for results.json, report.html and report.md", "tunelab-out")
                .option("config", "file", "experiment as YAML or JSON (default: the built-in experiments)")
                .option("model", "model", "default | tiny-random | a Hugging Face model folder (overrides the config)")
                .option("tracker", "kind", "local (JSONL under DIR/tracking) or wandb (W&B; WANDB_MODE=offline spools)")
                .option("wandb-project", "name", "W&B project when WANDB_PROJECT is unset", "tunelab")
                .option("dollars-per-hour", "usd", "local compute price used for the cost column")
                .flag("quick", "a CI-sized run of the built-in experiments (~1-2 minutes)");
    }

    @Override
    public int run(Args args) throws Exception {
        Path out = args.path("out");
        Files.createDirectories(out);
        String trackerKind = args.get("tracker") == null ? null : args.choice("tracker", "local", "wandb");
        List<Experiment> experiments = new ArrayList<>();
        String modelSetting = args.get("model");
        if (args.get("config") != null) {
            Path file = args.path("config");
            if (!Files.isRegularFile(file)) {
                throw new UsageException("compare: --config " + file + " does not exist");
            }
            ExperimentSpec spec;
            try {
                spec = ExperimentSpec.read(file);
            } catch (SpecException e) {
                throw new UsageException("compare: invalid experiment " + e.getMessage());
            }
            String m = modelSetting != null ? modelSetting : spec.model();
            experiments.add(Experiment.fromSpec(spec, BaseModels.resolve(m)).config("model", BaseModels.describe(m)));
        } else {
            experiments.addAll(DefaultExperiments.create(args.flagSet("quick"), modelSetting));
        }
        if (args.get("dollars-per-hour") != null) {
            double usd = args.doubleValue("dollars-per-hour", 0, 1e6);
            Pricing d = Pricing.defaults();
            experiments.forEach(e -> e.pricing(new Pricing(usd, d.remoteDollarsPer1kInput(), d.remoteDollarsPer1kOutput())));
        }
        ConsoleProgress progress = ConsoleProgress.stderr();
        List<Comparison> comparisons = new ArrayList<>();
        Tracker tracker = Trackers.create(trackerKind, out, args.get("wandb-project"), System.getenv());
        int exit = 1;
        try {
            for (Experiment e : experiments) {
                comparisons.add(e.listener(progress).tracker(tracker).run());
            }
            for (Comparison c : comparisons) {
                System.out.println(c.experiment() + ":");
                System.out.println(c.table().print());
            }
            Path results = Comparison.writeResultsJson(out, comparisons);
            Report report = Report.create().title("TuneLab comparison").environment(Environment.current(deviceName()));
            if (args.get("config") != null) {
                report.config("config_file", args.get("config"));
            }
            comparisons.forEach(report::comparison);
            Path html = report.writeTo(out);
            tracker.file(results);
            tracker.file(html);
            System.out.println("wrote " + results);
            System.out.println("wrote " + html + " and " + out.resolve("report.md"));
            exit = 0;
            return 0;
        } finally {
            tracker.finish(exit);
        }
    }

    private static String deviceName() {
        try {
            return dev.tunelab.model.DjlSetup.defaultDevice().toString();
        } catch (RuntimeException e) {
            return "cpu";
        }
    }
}
