package dev.tunelab.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunelab.experiment.Comparison;
import dev.tunelab.experiment.Experiment;
import dev.tunelab.experiment.LocalData;
import dev.tunelab.experiment.TaskMetrics;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    /** Decodes the PNG, checks its size and that a real share of pixels is drawn in several colours. */
    static BufferedImage assertRendered(Figure f, int width, int height) throws Exception {
        byte[] png = f.png();
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
        BufferedImage direct = f.image();
        assertEquals(width, direct.getWidth());
        int nonWhite = 0;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb != 0xFFFFFF) {
                    nonWhite++;
                }
                colours.add(rgb);
            }
        }
        int sampled = (img.getWidth() / 2) * (img.getHeight() / 2);
        assertTrue(nonWhite > sampled / 50, "too few drawn pixels: " + nonWhite + " of " + sampled);
        assertTrue(colours.size() >= 4, "a chart needs more than " + colours.size() + " colours");
        return img;
    }

    @Test
    void lossCurvesHaveOneSeriesPerRunAndSplit() throws Exception {
        List<double[]> train = new ArrayList<>();
        for (int s = 1; s <= 30; s++) {
            train.add(new double[]{s, 2.5 * Math.exp(-s / 10.0) + 0.3});
        }
        Figure f = Charts.lossCurves("LoRA vs full", List.of(
                new ChartData.LossCurve("lora", train, List.of(new double[]{10, 1.4}, new double[]{20, 0.9}, new double[]{30, 0.8})),
                new ChartData.LossCurve("full", train.subList(0, 10), List.of())));
        XYChart c = (XYChart) f.chart();
        assertEquals(List.of("lora train", "lora validation", "full train"), new ArrayList<>(c.getSeriesMap().keySet()));
        XYSeries v = c.getSeriesMap().get("lora validation");
        assertArrayEquals(new double[]{1.4, 0.9, 0.8}, v.getYData(), 0);
        assertArrayEquals(new double[]{10, 20, 30}, v.getXData(), 0);
        assertEquals("training step", c.getXAxisTitle());
        assertTrue(c.getYAxisTitle().contains("nats"));
        assertEquals("LoRA vs full", c.getTitle());
        assertTrue(c.getStyler().isLegendVisible());
        assertRendered(f, Charts.WIDTH, Charts.HEIGHT);
    }

    @Test
    void barsTradeOffAndConfusionFromARealComparison() throws Exception {
        Comparison cmp = Experiment.named("sentiment").split(LocalData.sentiment(60, 10, 20, 4)).knn(5).bagOfWords(60).run();
        List<Figure> figs = ComparisonCharts.all(cmp);
        Figure bars = figs.stream().filter(f -> f.name().contains("bars")).findFirst().orElseThrow();
        CategoryChart bc = (CategoryChart) bars.chart();
        CategorySeries s = bc.getSeriesMap().get("accuracy");
        List<Double> ys = new ArrayList<>();
        s.getYData().forEach(n -> ys.add(n.doubleValue()));
        assertEquals(List.of(cmp.result("tfidf-knn-5").metrics().get("accuracy"), cmp.result("bow-logreg").metrics().get("accuracy")), ys);
        assertTrue(bc.getYAxisTitle().startsWith("accuracy"));
        assertRendered(bars, Charts.WIDTH, Charts.HEIGHT);

        Figure trade = figs.stream().filter(f -> f.name().contains("tradeoff")).findFirst().orElseThrow();
        XYChart tc = (XYChart) trade.chart();
        assertEquals(2, tc.getSeriesMap().size());
        assertEquals(cmp.result("bow-logreg").latencyP50Ms(), tc.getSeriesMap().get("bow-logreg").getXData()[0], 0);
        assertTrue(tc.getXAxisTitle().contains("latency per example (ms"));
        XYChart spread = (XYChart) Charts.latencyVsQuality("accuracy", List.of(new ChartData.TradeOff("knn", 0.1, 0.6),
                new ChartData.TradeOff("rag", 1500, 0.7))).chart();
        assertTrue(spread.getStyler().isXAxisLogarithmic(), "four orders of magnitude need a log axis");
        assertTrue(spread.getXAxisTitle().contains("log scale"));
        assertRendered(trade, Charts.WIDTH, Charts.HEIGHT);

        Figure loss = figs.stream().filter(f -> f.name().contains("loss")).findFirst().orElseThrow();
        assertEquals(2, ((XYChart) loss.chart()).getSeriesMap().size()); // bow-logreg train + validation

        Figure conf = figs.stream().filter(f -> f.name().contains("confusion") && f.name().contains("bow")).findFirst().orElseThrow();
        HeatMapChart hc = (HeatMapChart) conf.chart();
        List<? extends Number[]> cells = hc.getHeatMapSeries().getHeatData();
        int total = 0;
        for (Number[] cell : cells) {
            total += cell[2].intValue();
        }
        assertEquals(40, total);
        int right = 0;
        for (Number[] cell : cells) {
            if (cell[0].intValue() == cell[1].intValue()) {
                right += cell[2].intValue();
            }
        }
        assertEquals(cmp.result("bow-logreg").correctCount(), right);
        assertRendered(conf, hc.getWidth(), hc.getHeight());
    }

    @Test
    void histogramCountsMatchNumpy() throws Exception {
        List<Double> lengths = new ArrayList<>();
        LocalData.sentiment(100, 0, 10, 2).train().forEach(e -> lengths.add((double) TaskMetrics.tokens(e.input()).size()));
        double[] a = lengths.stream().mapToDouble(Double::doubleValue).toArray();
        double[] b = lengths.subList(0, 50).stream().mapToDouble(d -> d * 1.5).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("train", a);
        series.put("scaled", b);
        Figure f = Charts.histogram(new ChartData.Samples("input length", "input length (words)", series), 12);
        CategoryChart c = (CategoryChart) f.chart();
        double min = Math.min(java.util.Arrays.stream(a).min().orElseThrow(), java.util.Arrays.stream(b).min().orElseThrow());
        double max = Math.max(java.util.Arrays.stream(a).max().orElseThrow(), java.util.Arrays.stream(b).max().orElseThrow());
        String script = """
                import json, sys, numpy as np
                d = json.load(sys.stdin)
                print(json.dumps({k: np.histogram(v, bins=12, range=(d["min"], d["max"]))[0].tolist() for k, v in d["s"].items()}))
                """;
        ObjectMapper json = new ObjectMapper();
        JsonNode ref = json.readTree(python(script, json.writeValueAsString(Map.of("s", series, "min", min, "max", max))));
        for (String name : series.keySet()) {
            List<Number> ys = new ArrayList<>(c.getSeriesMap().get(name).getYData());
            for (int i = 0; i < 12; i++) {
                assertEquals(ref.path(name).get(i).asDouble(), ys.get(i).doubleValue(), 0, name + " bin " + i);
            }
        }
        assertEquals("count", c.getYAxisTitle());
        assertRendered(f, Charts.WIDTH, Charts.HEIGHT);
    }

    @Test
    void emptyOrNonFiniteDataIsRefusedWithTheChartName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.metricBars("accuracy", "", Map.of("x", Double.NaN)));
        assertTrue(e.getMessage().contains("accuracy by strategy"));
        assertThrows(IllegalArgumentException.class, () -> Charts.lossCurves("none", List.of()));
    }

    static String python(String script, String stdin) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("python3 failed: " + err);
        }
        return out;
    }
}
