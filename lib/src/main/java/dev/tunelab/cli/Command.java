package dev.tunelab.cli;

/** One `tunelab` subcommand. */
public interface Command {
    String name();

    /** One line for `tunelab --help`. */
    String summary();

    /** Declares this command's options. */
    Args args();

    /** Runs with parsed arguments; returns the process exit code. */
    int run(Args args) throws Exception;
}
