package dev.tunelab.notebook;

import dev.tunelab.eval.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A progress bar for notebooks: one output updated in place where the kernel supports display ids, else one printed
 * line per stage change, per {@code minIntervalMillis} and at completion. Pass it wherever a
 * {@link ProgressListener} is accepted.
 */
public final class ProgressDisplay implements ProgressListener {
    public static final long DEFAULT_UPDATE_MILLIS = 250;
    public static final long DEFAULT_PRINT_MILLIS = 2000;

    private final DisplayBackend backend;
    private final PrintStream out;
    private final LongSupplier clockMillis;
    private final long minIntervalMillis;
    private String displayId;
    private String lastStage;
    private long lastShownAt = Long.MIN_VALUE;

    public ProgressDisplay(DisplayBackend backend, PrintStream out, LongSupplier clockMillis, long minIntervalMillis) {
        this.backend = backend;
        this.out = out;
        this.clockMillis = clockMillis;
        this.minIntervalMillis = minIntervalMillis;
    }

    /** For the current notebook (or console). */
    public static ProgressDisplay create() {
        DisplayBackend b = Display.backend();
        return new ProgressDisplay(b, System.out, System::currentTimeMillis,
                b.canUpdate() ? DEFAULT_UPDATE_MILLIS : DEFAULT_PRINT_MILLIS);
    }

    @Override
    public synchronized void progress(String stage, long done, long total, String message) {
        long now = clockMillis.getAsLong();
        boolean finished = total >= 0 && done >= total;
        boolean newStage = !stage.equals(lastStage);
        if (!newStage && !finished && now - lastShownAt < minIntervalMillis) {
            return;
        }
        lastStage = stage;
        lastShownAt = now;
        String line = line(stage, done, total, message);
        if (backend.canUpdate()) {
            MimeBundle bundle = MimeBundle.of(Map.of(MimeBundle.HTML, html(stage, done, total, message),
                    MimeBundle.TEXT, line));
            if (displayId == null) {
                displayId = backend.display(bundle);
            } else {
                backend.update(displayId, bundle);
            }
        } else {
            out.println(line);
        }
    }

    static String line(String stage, long done, long total, String message) {
        StringBuilder s = new StringBuilder(stage).append(": ").append(done);
        if (total >= 0) {
            s.append('/').append(total);
            if (total > 0) {
                s.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
            }
        }
        if (message != null && !message.isBlank()) {
            s.append(" ").append(message);
        }
        return s.toString();
    }

    static String html(String stage, long done, long total, String message) {
        String bar = total > 0
                ? "<progress value=\"" + Math.min(done, total) + "\" max=\"" + total + "\"></progress> "
                : "<progress></progress> ";
        return "<div class=\"tunelab-progress\"><b>" + TableHtml.escape(stage) + "</b> " + bar
                + TableHtml.escape(line(stage, done, total, message).substring(stage.length() + 2)) + "</div>";
    }
}
