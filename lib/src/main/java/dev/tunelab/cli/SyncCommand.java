package dev.tunelab.cli;

/** `tunelab sync`. */
final class SyncCommand implements Command {
    @Override
    public String name() {
        return "sync";
    }

    @Override
    public String summary() {
        return "Upload an offline Weights & Biases run directory";
    }

    @Override
    public Args args() {
        return new Args(name());
    }

    @Override
    public int run(Args args) {
        System.err.println("tunelab sync: not implemented yet");
        return 3;
    }
}
