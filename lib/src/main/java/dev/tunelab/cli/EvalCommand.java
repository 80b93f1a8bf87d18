package dev.tunelab.cli;

/** `tunelab eval`. */
final class EvalCommand implements Command {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Evaluate a prompting or retrieval strategy on a dataset";
    }

    @Override
    public Args args() {
        return new Args(name());
    }

    @Override
    public int run(Args args) {
        System.err.println("tunelab eval: not implemented yet");
        return 3;
    }
}
