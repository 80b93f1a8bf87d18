package dev.tunelab.cli;

import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.DefaultExperiments;
import dev.tunelab.report.Report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `tunelab compare`: prompting vs RAG vs fine-tuning on one split. */
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
                .option("out", "dir", "output directory for results.json and report.html", "tunelab-out")
                .option("config", "file", "experiment as YAML or JSON (default: the built-in experiment)")
                .flag("quick", "a CI-sized run of the built-in experiment (~1-2 minutes)");
    }

    @Override
    public int run(Args args) throws Exception {
        Path out = args.path("out");
        Files.createDirectories(out);
        ConsoleProgress progress = ConsoleProgress.stderr();
        List<Comparison> comparisons = DefaultExperiments.run(args.flagSet("quick"), progress);
        for (Comparison c : comparisons) {
            System.out.println(c);
        }
        Path results = Comparison.writeResultsJson(out, comparisons);
        Report report = Report.create().title("TuneLab comparison");
        comparisons.forEach(report::comparison);
        Path html = report.writeTo(out);
        System.out.println("wrote " + results);
        System.out.println("wrote " + html);
        return 0;
    }
}
