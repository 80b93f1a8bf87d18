package dev.tunelab.data;

import java.util.ArrayList;
import java.util.List;

/** Every cleaning step applied to a dataset, with what it changed and every row it removed (and why). */
public record CleaningReport(List<Step> steps) {
    public CleaningReport {
        steps = List.copyOf(steps);
    }

    /**
     * @param cellsChanged cells whose text a transforming step changed (0 for filters)
     * @param removed      the rows a filtering step removed, each with its id, reason and text
     */
    public record Step(String name, int rowsBefore, int rowsAfter, int cellsChanged, List<RemovedRow> removed) {
        public Step {
            removed = List.copyOf(removed);
        }
    }

    /** @param reason e.g. "duplicate of imdb_labelled.txt:12" or "shorter than 5 characters" */
    public record RemovedRow(String id, String reason, String text) {}

    public static CleaningReport empty() {
        return new CleaningReport(List.of());
    }

    public CleaningReport plus(Step step) {
        List<Step> s = new ArrayList<>(steps);
        s.add(step);
        return new CleaningReport(s);
    }

    public CleaningReport plus(CleaningReport other) {
        List<Step> s = new ArrayList<>(steps);
        s.addAll(other.steps);
        return new CleaningReport(s);
    }

    public List<RemovedRow> removed() {
        return steps.stream().flatMap(s -> s.removed().stream()).toList();
    }

    public int removedCount() {
        return steps.stream().mapToInt(s -> s.removed().size()).sum();
    }

    /** The step with this name (the last one if applied twice), or null. */
    public Step step(String name) {
        Step found = null;
        for (Step s : steps) {
            if (s.name().equals(name)) {
                found = s;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            sb.append(String.format("%-24s %6d -> %6d rows, %d cells changed, %d removed%n", s.name(), s.rowsBefore(),
                    s.rowsAfter(), s.cellsChanged(), s.removed().size()));
        }
        return sb.toString();
    }
}
