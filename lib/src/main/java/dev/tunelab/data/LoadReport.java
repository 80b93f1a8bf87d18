package dev.tunelab.data;

import java.util.ArrayList;
import java.util.List;

/**
 * What loading read and what it skipped. Nothing is dropped silently: every skipped row is listed here with its
 * file, line and reason.
 */
public record LoadReport(List<String> files, int rowsLoaded, List<BadRow> skipped) {
    public LoadReport {
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
    }

    public static LoadReport empty() {
        return new LoadReport(List.of(), 0, List.of());
    }

    public LoadReport plus(LoadReport other) {
        List<String> f = new ArrayList<>(files);
        f.addAll(other.files);
        List<BadRow> s = new ArrayList<>(skipped);
        s.addAll(other.skipped);
        return new LoadReport(f, rowsLoaded + other.rowsLoaded, s);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("loaded " + rowsLoaded + " rows from " + files + ", skipped "
                + skipped.size());
        for (BadRow b : skipped) {
            sb.append("\n  ").append(b.reason());
        }
        return sb.toString();
    }
}
