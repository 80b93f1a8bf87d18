package dev.tunelab.cli;

/** `tunelab generate`. */
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
        return new Args(name());
    }

    @Override
    public int run(Args args) {
        System.err.println("tunelab generate: not implemented yet");
        return 3;
    }
}
