package dev.tunelab.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything a pretraining run depends on. Defaults reproduce the embedded default model; every field has a
 * command-line option of the same name in kebab case (see {@link #USAGE}).
 */
public record PretrainOptions(Path datasets, Path out, Path work, double minutes, int steps, int stopAtStep, long seed,
                              int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate, int seq,
                              int batch, double lr, int warmup, double weightDecay, int evalEvery, int evalWindows,
                              Path resume) {
    public static final String USAGE = """
            usage: PretrainMain [options]
              --datasets PATH     shared datasets folder (default ../shared/datasets)
              --out PATH          model folder to write (default lib/src/main/resources/dev/tunelab/default-model)
              --work PATH         scratch folder for training checkpoints (default target/pretrain-work)
              --minutes M         wall-clock budget for the whole run (default 40; 0 = no limit)
              --steps N           optimizer steps; when absent they are planned from --minutes by timing 3 steps
              --stop-at-step N    stop after step N (to reproduce a run that its time budget cut short)
              --seed S            seed for the weights and the data order (default 1234)
              --vocab V --hidden H --layers L --heads A --kv-heads K --intermediate I --seq T
              --batch B --lr LR --warmup W --weight-decay WD --eval-every E --eval-windows N
              --resume CHECKPOINT continue a run from one of its checkpoints under --work""";

    public static PretrainOptions defaults() {
        return new PretrainOptions(Path.of("..", "shared", "datasets"),
                Path.of("lib", "src", "main", "resources", "dev", "tunelab", "default-model"),
                Path.of("target", "pretrain-work"), 40, -1, -1, 1234, 4096, 256, 4, 8, 2, 688, 256, 8, 2e-3, 50, 0.1,
                100, 32, null);
    }

    public static PretrainOptions parse(String[] args) {
        PretrainOptions o = defaults();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + name + "'\n" + USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            try {
                o = with(o, name, v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + ": not a number: '" + v + "'");
            }
        }
        return o.validate();
    }

    private static PretrainOptions with(PretrainOptions o, String name, String v) {
        Path p = name.equals("--datasets") || name.equals("--out") || name.equals("--work") || name.equals("--resume")
                ? Path.of(v) : null;
        return switch (name) {
            case "--datasets" -> new PretrainOptions(p, o.out, o.work, o.minutes, o.steps, o.stopAtStep, o.seed, o.vocab,
                    o.hidden, o.layers, o.heads, o.kvHeads, o.intermediate, o.seq, o.batch, o.lr, o.warmup,
                    o.weightDecay, o.evalEvery, o.evalWindows, o.resume);
            case "--out" -> new PretrainOptions(o.datasets, p, o.work, o.minutes, o.steps, o.stopAtStep, o.seed, o.vocab,
                    o.hidden, o.layers, o.heads, o.kvHeads, o.intermediate, o.seq, o.batch, o.lr, o.warmup,
                    o.weightDecay, o.evalEvery, o.evalWindows, o.resume);
            case "--work" -> new PretrainOptions(o.datasets, o.out, p, o.minutes, o.steps, o.stopAtStep, o.seed, o.vocab,
                    o.hidden, o.layers, o.heads, o.kvHeads, o.intermediate, o.seq, o.batch, o.lr, o.warmup,
                    o.weightDecay, o.evalEvery, o.evalWindows, o.resume);
            case "--resume" -> new PretrainOptions(o.datasets, o.out, o.work, o.minutes, o.steps, o.stopAtStep, o.seed,
                    o.vocab, o.hidden, o.layers, o.heads, o.kvHeads, o.intermediate, o.seq, o.batch, o.lr, o.warmup,
                    o.weightDecay, o.evalEvery, o.evalWindows, p);
            default -> withNumber(o, name, v);
        };
    }

    private static PretrainOptions withNumber(PretrainOptions o, String name, String v) {
        double d = Double.parseDouble(v);
        int n = (int) d;
        if (!name.equals("--minutes") && !name.equals("--lr") && !name.equals("--weight-decay") && n != d) {
            throw new IllegalArgumentException("option " + name + " needs a whole number, got '" + v + "'");
        }
        double minutes = o.minutes;
        int steps = o.steps;
        int stopAt = o.stopAtStep;
        long seed = o.seed;
        int[] dims = {o.vocab, o.hidden, o.layers, o.heads, o.kvHeads, o.intermediate, o.seq, o.batch, o.warmup,
                o.evalEvery, o.evalWindows};
        double lr = o.lr;
        double wd = o.weightDecay;
        List<String> dimNames = List.of("--vocab", "--hidden", "--layers", "--heads", "--kv-heads", "--intermediate",
                "--seq", "--batch", "--warmup", "--eval-every", "--eval-windows");
        switch (name) {
            case "--minutes" -> minutes = d;
            case "--steps" -> steps = n;
            case "--stop-at-step" -> stopAt = n;
            case "--seed" -> seed = Long.parseLong(v);
            case "--lr" -> lr = d;
            case "--weight-decay" -> wd = d;
            default -> {
                int k = dimNames.indexOf(name);
                if (k < 0) {
                    throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
                }
                dims[k] = n;
            }
        }
        return new PretrainOptions(o.datasets, o.out, o.work, minutes, steps, stopAt, seed, dims[0], dims[1], dims[2],
                dims[3], dims[4], dims[5], dims[6], dims[7], lr, dims[8], wd, dims[9], dims[10], o.resume);
    }

    PretrainOptions validate() {
        List<String> bad = new ArrayList<>();
        if (!(minutes >= 0)) {
            bad.add("--minutes must be >= 0");
        }
        if (minutes == 0 && steps <= 0) {
            bad.add("--minutes 0 (no time limit) needs --steps");
        }
        if (vocab < 512) {
            bad.add("--vocab must be >= 512");
        }
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            bad.add("--hidden must divide by --heads and --heads by --kv-heads");
        }
        if (seq < 16 || batch < 1 || !(lr > 0) || evalEvery < 1 || evalWindows < 1) {
            bad.add("--seq >= 16, --batch >= 1, --lr > 0, --eval-every >= 1, --eval-windows >= 1 are required");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
        return this;
    }

    /**
     * The options that redo a finished run without depending on the clock: no time limit, the steps it planned, and
     * the step it stopped at when its budget cut it short.
     */
    public PretrainOptions reproducing(int plannedSteps, int stoppedAt) {
        return new PretrainOptions(datasets, out, work, 0, plannedSteps, stoppedAt, seed, vocab, hidden, layers, heads,
                kvHeads, intermediate, seq, batch, lr, warmup, weightDecay, evalEvery, evalWindows, null);
    }

    /** The options as a command line (only the values that differ from the defaults), for the model card. */
    public String commandLine() {
        PretrainOptions d = defaults();
        StringBuilder sb = new StringBuilder();
        append(sb, "--datasets", datasets, d.datasets);
        append(sb, "--out", out, d.out);
        append(sb, "--minutes", fmt(minutes), fmt(d.minutes));
        append(sb, "--steps", steps, d.steps);
        append(sb, "--stop-at-step", stopAtStep, d.stopAtStep);
        append(sb, "--seed", seed, -1L);
        String[] names = {"--vocab", "--hidden", "--layers", "--heads", "--kv-heads", "--intermediate", "--seq",
                "--batch", "--warmup", "--eval-every", "--eval-windows"};
        int[] mine = {vocab, hidden, layers, heads, kvHeads, intermediate, seq, batch, warmup, evalEvery, evalWindows};
        int[] base = {d.vocab, d.hidden, d.layers, d.heads, d.kvHeads, d.intermediate, d.seq, d.batch, d.warmup,
                d.evalEvery, d.evalWindows};
        for (int i = 0; i < names.length; i++) {
            append(sb, names[i], mine[i], base[i]);
        }
        append(sb, "--lr", fmt(lr), fmt(d.lr));
        append(sb, "--weight-decay", fmt(weightDecay), fmt(d.weightDecay));
        return sb.toString().strip();
    }

    private static void append(StringBuilder sb, String name, Object value, Object base) {
        if (!value.equals(base)) {
            sb.append(' ').append(name).append(' ').append(value);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
    }
}
