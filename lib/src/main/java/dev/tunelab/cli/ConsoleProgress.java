package dev.tunelab.cli;

import dev.tunelab.eval.ProgressListener;

import java.io.PrintStream;

/**
 * A console progress bar for long steps. On a terminal it redraws one line with a carriage return; otherwise (CI logs,
 * pipes) it prints a line only at 0%, every 25% and the end of each stage, so logs stay short.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int BAR = 28;
    private final PrintStream out;
    private final boolean tty;
    private String stage;
    private long lastQuarter = -1;
    private long lastDrawNanos;
    private int lastWidth;

    public ConsoleProgress(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** stderr, redrawing when the JVM has a console. */
    public static ConsoleProgress stderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public synchronized void progress(String stage, long done, long total, String message) {
        boolean newStage = !stage.equals(this.stage);
        if (newStage) {
            if (tty && this.stage != null) {
                out.print('\n');
            }
            this.stage = stage;
            lastQuarter = -1;
            lastWidth = 0;
        }
        boolean finished = total > 0 && done >= total;
        String line = render(stage, done, total, message);
        if (tty) {
            long now = System.nanoTime();
            if (!finished && !newStage && now - lastDrawNanos < 100_000_000L) {
                return; // at most ten redraws a second
            }
            lastDrawNanos = now;
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            lastWidth = line.length();
            out.print('\r' + padded);
            if (finished) {
                out.print('\n');
                this.stage = null;
            }
            out.flush();
        } else {
            long quarter = total > 0 ? done * 4 / total : -1;
            if (newStage || quarter > lastQuarter || finished) {
                lastQuarter = quarter;
                out.println(line);
            }
        }
    }

    static String render(String stage, long done, long total, String message) {
        StringBuilder sb = new StringBuilder(stage).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(BAR, done * BAR / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                    .append(done).append('/').append(total).append(String.format(" %3d%%", done * 100 / total));
        } else {
            sb.append(done);
        }
        if (message != null && !message.isBlank()) {
            sb.append("  ").append(message);
        }
        return sb.toString();
    }
}
