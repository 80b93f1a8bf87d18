package dev.tunelab.cli;

/** `tunelab finetune`. */
final class FinetuneCommand implements Command {
    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "Fine-tune a model (full, freeze, LoRA, QLoRA) on a dataset";
    }

    @Override
    public Args args() {
        return new Args(name());
    }

    @Override
    public int run(Args args) {
        System.err.println("tunelab finetune: not implemented yet");
        return 3;
    }
}
