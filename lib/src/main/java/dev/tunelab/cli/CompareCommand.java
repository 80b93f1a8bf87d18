package dev.tunelab.cli;

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
                .option("config", "file", "experiment as YAML or JSON (default: the built-in experiment)");
    }

    @Override
    public int run(Args args) {
        System.err.println("tunelab compare: not implemented yet");
        return 3;
    }
}
