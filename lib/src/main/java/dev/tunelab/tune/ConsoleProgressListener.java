package dev.tunelab.tune;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** A one-line progress bar on a terminal: step, loss, learning rate, tokens/s and ETA; evaluations on new lines. */
public final class ConsoleProgressListener implements TrainingListener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean ansi;

    public ConsoleProgressListener(PrintStream out) {
        this.out = out;
        this.ansi = System.console() != null;
    }

    public ConsoleProgressListener() {
        this(System.err);
    }

    static String bar(int step, int total) {
        int filled = total <= 0 ? 0 : (int) Math.round(WIDTH * Math.min(1.0, step / (double) total));
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    @Override
    public void onStep(Progress p) {
        String line = String.format(Locale.ROOT, "%s step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %s",
                bar(p.step(), p.totalSteps()), p.step(), p.totalSteps(), p.loss(), p.learningRate(),
                p.tokensPerSecond(), duration(p.etaSeconds()));
        if (ansi) {
            out.print("\r" + line + "\u001b[K");
            if (p.step() == p.totalSteps()) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEvaluation(int step, Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder(ansi ? "\r\u001b[K" : "").append("eval at step ").append(step).append(':');
        metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        out.println(sb);
    }

    @Override
    public void onCheckpoint(int step, Path dir) {
        if (!ansi) {
            out.println("checkpoint at step " + step + ": " + dir);
        }
    }

    @Override
    public void onEnd(TrainingResult result) {
        out.println((ansi ? "\r\u001b[K" : "") + "training ended after " + result.steps() + " steps: " + result.stopReason());
    }
}
