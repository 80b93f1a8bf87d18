package dev.tunelab.pretrain;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes the default model's README.md (model card) and loss_curve.png from a {@link RunReport}. */
public final class ModelCard {
    private ModelCard() {}

    /** What a run measured; every number in the card comes from here. */
    public record RunReport(PretrainOptions options, String status, long parameters, int trainDocuments,
                            int validationDocuments, long trainTokens, long validationTokens,
                            List<PretrainCorpus.SourceFile> sources, int stepsDone, int stepsPlanned, long tokensSeen,
                            double trainSeconds, double tokensPerSecond, double validationLoss,
                            int validationWindows, double probeLoss, int probeWindows, List<double[]> trainLoss,
                            List<double[]> evalLoss, List<String[]> samples, String finishedUtc) {
        public double validationPerplexity() {
            return Math.exp(validationLoss);
        }

        public double probePerplexity() {
            return Math.exp(probeLoss);
        }
    }

    public static void write(RunReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        writePng(r, dir.resolve("loss_curve.png"));
        Path tmp = dir.resolve("README.md.tmp");
        Files.writeString(tmp, markdown(r));
        Files.move(tmp, dir.resolve("README.md"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String markdown(RunReport r) {
        PretrainOptions o = r.options();
        StringBuilder md = new StringBuilder();
        md.append("# TuneLab default model (tunelab-llama-mini)\n\n");
        md.append("A small Llama-architecture causal language model pretrained from scratch by TuneLab's own Java code ")
                .append("(DJL + PyTorch on CPU) so that every TuneLab command works offline. Status: **")
                .append(r.status()).append("** (").append(r.finishedUtc()).append(").\n\n");
        md.append("## Architecture\n\n| field | value |\n|---|---|\n");
        row(md, "type", "Llama (RMSNorm, rotary positions theta 10000, SwiGLU MLP, grouped-query attention)");
        row(md, "parameters", String.format(Locale.ROOT, "%,d (tied input/output embeddings)", r.parameters()));
        row(md, "hidden size / layers", o.hidden() + " / " + o.layers());
        row(md, "attention heads / key-value heads", o.heads() + " / " + o.kvHeads());
        row(md, "MLP intermediate size", String.valueOf(o.intermediate()));
        row(md, "context length", o.seq() + " tokens");
        row(md, "vocabulary", o.vocab() + " byte-level BPE tokens trained on the corpus by `dev.tunelab.model.bpe`"
                + " (`<|endoftext|>` = BOS/EOS/document separator, `<|pad|>` = padding)");
        row(md, "weights", "model.safetensors, BF16");
        md.append("\n## Reproduce\n\nFrom the repository root, with the shared datasets beside it:\n\n```\n")
                .append("environment/pretrain-default-model.sh ").append(o.commandLine()).append("\n```\n\n")
                .append("(The script compiles the library and runs `java dev.tunelab.pretrain.PretrainMain` with the ")
                .append("same arguments. A run given `--minutes` plans its steps from the clock and stops when the ")
                .append("budget is spent; the command above takes the clock out: `--minutes 0` means no limit, ")
                .append("`--steps` is the number of steps the learning-rate schedule was planned for and ")
                .append("`--stop-at-step` (if present) where the budget stopped it. Seed, data order and initial weights ")
                .append("follow from `--seed`; floating-point results can differ in the last digits across CPUs and ")
                .append("thread counts.)\n\n");
        md.append("## Training\n\n| field | value |\n|---|---|\n");
        row(md, "seed", String.valueOf(o.seed()));
        row(md, "optimizer", String.format(Locale.ROOT, "AdamW (betas 0.9/0.95, weight decay %s), peak LR %s, "
                + "%d warm-up steps, cosine decay, gradient clipping 1.0 (dev.tunelab.tune.Trainer)",
                o.weightDecay(), o.lr(), o.warmup()));
        row(md, "batch", o.batch() + " windows x " + o.seq() + " tokens = " + o.batch() * o.seq() + " tokens per step");
        row(md, "steps", r.stepsDone() + " of " + r.stepsPlanned() + " planned");
        row(md, "tokens seen", String.format(Locale.ROOT, "%,d (%.2f epochs of the training split)", r.tokensSeen(),
                r.tokensSeen() / (double) Math.max(1, r.trainTokens())));
        row(md, "training time", String.format(Locale.ROOT, "%.1f min on a shared 2-core CPU (%.0f tokens/s)",
                r.trainSeconds() / 60, r.tokensPerSecond()));
        row(md, "validation loss / perplexity", String.format(Locale.ROOT, "%.4f / %.2f on all %d held-out windows "
                + "(%,d tokens)", r.validationLoss(), r.validationPerplexity(), r.validationWindows(),
                (long) r.validationWindows() * o.seq()));
        row(md, "probe perplexity", String.format(Locale.ROOT, "%.4f (loss %.5f) on the first %d held-out windows "
                + "(recomputed by DefaultModelTest)", r.probePerplexity(), r.probeLoss(), r.probeWindows()));
        md.append("\n## Corpus\n\n")
                .append(String.format(Locale.ROOT, "%,d training documents (%,d tokens), %,d validation documents "
                        + "(%,d tokens; a document is held out when its SHA-256 mod 1000 < %d). ", r.trainDocuments(),
                        r.trainTokens(), r.validationDocuments(), r.validationTokens(),
                        PretrainCorpus.VALIDATION_PER_MILLE))
                .append("MedQuAD documents are `Question: ...\\nAnswer: ...`; instruction records are instruction, ")
                .append("input and output on separate lines. Every MedQuAD pair of the evaluation subset ")
                .append("(NIHSeniorHealth + CDC) is excluded by qid, by source and by identical question or answer ")
                .append("text. The sentiment sentences and the COVID FAQ are not used (they are evaluation data).\n\n")
                .append("| file (under ../shared/datasets) | sha256 | rows | rows used | licence / attribution |\n")
                .append("|---|---|---|---|---|\n");
        for (PretrainCorpus.SourceFile s : r.sources()) {
            md.append("| ").append(s.path()).append(" | `").append(s.sha256()).append("` | ").append(s.rows())
                    .append(" | ").append(s.rowsUsed()).append(" | ").append(s.license()).append(" |\n");
        }
        md.append("\nMedQuAD: Asma Ben Abacha and Dina Demner-Fushman, \"A Question-Entailment Approach to Question ")
                .append("Answering\", BMC Bioinformatics 20, 511 (2019), CC BY 4.0. Instruction data: Sebastian Raschka, ")
                .append("LLMs-from-scratch, ch07 instruction-data.json, Apache-2.0. The weights are a derived work of ")
                .append("these texts and carry their attribution.\n\n");
        md.append("## Loss curve\n\n![loss curve](loss_curve.png)\n\n| step | training loss (mean of the last ")
                .append("steps) | validation loss (probe windows) |\n|---|---|---|\n");
        for (String[] line : lossTable(r)) {
            md.append("| ").append(String.join(" | ", line)).append(" |\n");
        }
        md.append("\n## Samples (greedy, from generation_config.json)\n\n");
        for (String[] s : r.samples()) {
            md.append("**").append(s[0].replace("\n", "\\n")).append("** → ")
                    .append(s[1].replace("\n", " \\n ")).append("\n\n");
        }
        md.append("## Intended use and limits\n\n")
                .append("A tiny, fast, offline stand-in so that TuneLab's comparisons (prompting vs RAG vs fine-tuning) ")
                .append("run anywhere: it writes fluent-looking consumer-health English in the style of its corpus. ")
                .append("It is NOT a medical source: it invents facts, mixes up diseases, and knows nothing outside ")
                .append("its ~4M-token corpus. It follows no instructions beyond the `Question: ...\\nAnswer:` pattern ")
                .append("it saw, has no safety tuning, and its absolute scores are far below any real LLM: use it for ")
                .append("relative comparisons and plumbing, never for advice.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String field, String value) {
        md.append("| ").append(field).append(" | ").append(value).append(" |\n");
    }

    /** About a dozen rows: training loss averaged over the steps since the previous row, plus any evaluation. */
    static List<String[]> lossTable(RunReport r) {
        List<String[]> rows = new ArrayList<>();
        List<double[]> train = r.trainLoss();
        if (train.isEmpty()) {
            return rows;
        }
        int every = Math.max(1, train.size() / 12);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < train.size(); i++) {
            sum += train.get(i)[1];
            n++;
            if ((i + 1) % every == 0 || i == train.size() - 1) {
                int step = (int) train.get(i)[0];
                String eval = "";
                for (double[] e : r.evalLoss()) {
                    if ((int) e[0] <= step && (int) e[0] > step - every) {
                        eval = String.format(Locale.ROOT, "%.4f", e[1]);
                    }
                }
                rows.add(new String[] {String.valueOf(step), String.format(Locale.ROOT, "%.4f", sum / n), eval});
                sum = 0;
                n = 0;
            }
        }
        return rows;
    }

    private static void writePng(RunReport r, Path file) throws IOException {
        if (r.trainLoss().isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(720).height(400).title("tunelab-llama-mini pretraining")
                .xAxisTitle("step").yAxisTitle("cross-entropy (nats/token)").build();
        chart.addSeries("training loss", column(r.trainLoss(), 0), column(r.trainLoss(), 1)).setMarker(
                org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        if (!r.evalLoss().isEmpty()) {
            chart.addSeries("validation loss (probe)", column(r.evalLoss(), 0), column(r.evalLoss(), 1));
        }
        Path tmp = file.resolveSibling("loss_curve.tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static double[] column(List<double[]> points, int k) {
        return points.stream().mapToDouble(p -> p[k]).toArray();
    }
}
