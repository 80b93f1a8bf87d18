package dev.tunelab.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything a pretraining run depends on. Defaults reproduce the embedded default model's shape; every field has a
 * command-line option of the same name in kebab case (see {@link #USAGE}).
 *
 * @param replans re-plans {step, newTotalSteps}: at the checkpoint of that step the run continues from the checkpoint
 *                with a cosine schedule over the new total (what a timed run does when the machine is slower or
 *                faster than planned)
 */
public record PretrainOptions(Path datasets, Path out, Path work, double minutes, int steps, int stopAtStep, long seed,
                              int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate, int seq,
                              int batch, double lr, int warmup, double weightDecay, int evalEvery, int evalWindows,
                              List<int[]> replans, Path resume) {
    public static final String USAGE = """
            usage: PretrainMain [options]
              --datasets PATH     shared datasets folder (default ../shared/datasets)
              --out PATH          model folder to write (default lib/src/main/resources/dev/tunelab/default-model)
              --work PATH         scratch folder for training checkpoints (default target/pretrain-work)
              --minutes M         wall-clock budget for the whole run (default 40; 0 = no limit)
              --steps N           optimizer steps; when absent they are planned from --minutes by timing 3 steps
              --stop-at-step N    stop after step N (to reproduce a run that its time budget cut short)
              --replan S:N,...    at the checkpoint of step S continue with a schedule over N steps in total
              --seed S            seed for the weights and the data order (default 1234)
              --vocab V --hidden H --layers L --heads A --kv-heads K --intermediate I --seq T
              --batch B --lr LR --warmup W --weight-decay WD --eval-every E --eval-windows N
              --resume CHECKPOINT continue a run from one of its checkpoints under --work""";

    private static final String[] INT_NAMES = {"--steps", "--stop-at-step", "--vocab", "--hidden", "--layers",
            "--heads", "--kv-heads", "--intermediate", "--seq", "--batch", "--warmup", "--eval-every",
            "--eval-windows"};

    public static PretrainOptions defaults() {
        return new PretrainOptions(Path.of("..", "shared", "datasets"),
                Path.of("lib", "src", "main", "resources", "dev", "tunelab", "default-model"),
                Path.of("target", "pretrain-work"), 40, -1, -1, 1234, 4096, 256, 4, 8, 2, 688, 256, 8, 2e-3, 50, 0.1,
                100, 32, List.of(), null);
    }

    private int[] ints() {
        return new int[] {steps, stopAtStep, vocab, hidden, layers, heads, kvHeads, intermediate, seq, batch, warmup,
                evalEvery, evalWindows};
    }

    private static PretrainOptions of(PretrainOptions o, int[] i, double minutes, long seed, double lr, double wd,
                                      Path datasets, Path out, Path work, List<int[]> replans, Path resume) {
        return new PretrainOptions(datasets, out, work, minutes, i[0], i[1], seed, i[2], i[3], i[4], i[5], i[6], i[7],
                i[8], i[9], lr, i[10], wd, i[11], i[12], List.copyOf(replans), resume);
    }

    public static PretrainOptions parse(String[] args) {
        PretrainOptions o = defaults();
        int[] ints = o.ints();
        double minutes = o.minutes;
        long seed = o.seed;
        double lr = o.lr;
        double wd = o.weightDecay;
        Path datasets = o.datasets;
        Path out = o.out;
        Path work = o.work;
        Path resume = null;
        List<int[]> replans = new ArrayList<>();
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
                switch (name) {
                    case "--datasets" -> datasets = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    case "--work" -> work = Path.of(v);
                    case "--resume" -> resume = Path.of(v);
                    case "--minutes" -> minutes = Double.parseDouble(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--lr" -> lr = Double.parseDouble(v);
                    case "--weight-decay" -> wd = Double.parseDouble(v);
                    case "--replan" -> {
                        for (String pair : v.split(",")) {
                            String[] sn = pair.split(":");
                            if (sn.length != 2) {
                                throw new IllegalArgumentException("option --replan: expected STEP:TOTAL, got '"
                                        + pair + "'");
                            }
                            replans.add(new int[] {Integer.parseInt(sn[0].strip()), Integer.parseInt(sn[1].strip())});
                        }
                    }
                    default -> {
                        int k = List.of(INT_NAMES).indexOf(name);
                        if (k < 0) {
                            throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
                        }
                        ints[k] = Integer.parseInt(v);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + ": not a valid number: '" + v + "'");
            }
        }
        return of(o, ints, minutes, seed, lr, wd, datasets, out, work, replans, resume).validate();
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
        for (int[] r : replans) {
            if (r[0] % evalEvery != 0 || r[1] <= r[0]) {
                bad.add("--replan " + r[0] + ":" + r[1] + ": the step must be a checkpoint (multiple of --eval-every)"
                        + " and the new total larger than it");
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
        return this;
    }

    /**
     * The options that redo a finished run without depending on the clock: no time limit, the steps it first
     * planned, its re-plans, and the step it stopped at when its budget cut it short.
     */
    public PretrainOptions reproducing(int plannedSteps, List<int[]> madeReplans, int stoppedAt) {
        int[] i = ints();
        i[0] = plannedSteps;
        i[1] = stoppedAt;
        return of(this, i, 0, seed, lr, weightDecay, datasets, out, work, madeReplans, null);
    }

    /** The options as a command line (only the values that differ from the defaults), for the model card. */
    public String commandLine() {
        PretrainOptions d = defaults();
        StringBuilder sb = new StringBuilder();
        append(sb, "--datasets", datasets, d.datasets);
        append(sb, "--out", out, d.out);
        append(sb, "--work", work, d.work);
        append(sb, "--minutes", fmt(minutes), fmt(d.minutes));
        int[] mine = ints();
        int[] base = d.ints();
        for (int i = 0; i < 2; i++) {
            append(sb, INT_NAMES[i], mine[i], base[i]);
        }
        if (!replans.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            replans.forEach(r -> pairs.add(r[0] + ":" + r[1]));
            sb.append(" --replan ").append(String.join(",", pairs));
        }
        append(sb, "--seed", seed, -1L);
        for (int i = 2; i < INT_NAMES.length; i++) {
            append(sb, INT_NAMES[i], mine[i], base[i]);
        }
        append(sb, "--lr", fmt(lr), fmt(d.lr));
        append(sb, "--weight-decay", fmt(weightDecay), fmt(d.weightDecay));
        if (resume != null) {
            sb.append(" --resume ").append(resume);
        }
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
