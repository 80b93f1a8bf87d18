package dev.tunelab.chart;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The standard figures of a comparison, each with a title, unit-labelled axes and a legend. */
public final class Charts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[]{6f, 4f}, 0f);

    private Charts() {}

    /** Training (solid) and validation (dashed) loss per run on one set of axes. */
    public static Figure lossCurves(String title, List<ChartData.LossCurve> runs) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("training step").yAxisTitle("loss (cross-entropy, nats)").build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (ChartData.LossCurve run : runs) {
            if (!run.train().isEmpty()) {
                XYSeries s = c.addSeries(run.run() + " train", xs(run.train()), ys(run.train()));
                s.setMarker(SeriesMarkers.NONE);
            }
            if (!run.validation().isEmpty()) {
                XYSeries s = c.addSeries(run.run() + " validation", xs(run.validation()), ys(run.validation()));
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setLineStyle(DASHED);
            }
        }
        requireSeries(c.getSeriesMap().size(), title);
        return new Figure(slug("loss " + title), title, c);
    }

    /** One bar per strategy for one metric. */
    public static Figure metricBars(String metric, String unit, Map<String, Double> valueByStrategy) {
        String title = metric + " by strategy";
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("strategy").yAxisTitle(unit == null || unit.isEmpty() ? metric : metric + " (" + unit + ")").build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(true);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setLabelsFontColorAutomaticEnabled(false);
        c.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        c.getStyler().setXAxisLabelRotation(valueByStrategy.size() > 4 ? 30 : 0);
        requireSeries(valueByStrategy.size(), title);
        List<String> names = new ArrayList<>(valueByStrategy.keySet());
        List<Double> values = names.stream().map(valueByStrategy::get).toList();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null || !Double.isFinite(values.get(i))) {
                throw new IllegalArgumentException("chart '" + title + "': value for " + names.get(i) + " is " + values.get(i));
            }
        }
        c.addSeries(metric, names, values);
        return new Figure(slug("bars " + metric), title, c);
    }

    /** Each strategy as a point: median latency against the quality metric. */
    public static Figure latencyVsQuality(String metric, List<ChartData.TradeOff> points) {
        String title = "latency vs " + metric;
        double min = points.stream().mapToDouble(ChartData.TradeOff::latencyMs).min().orElse(1);
        double max = points.stream().mapToDouble(ChartData.TradeOff::latencyMs).max().orElse(1);
        // lookups take microseconds and generation seconds: a linear axis would squash the fast strategies into one dot
        boolean log = min > 0 && max / min > 100;
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("median latency per example (ms" + (log ? ", log scale)" : ")")).yAxisTitle(metric).build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(log);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(12);
        requireSeries(points.size(), title);
        for (ChartData.TradeOff p : points) {
            c.addSeries(p.strategy(), new double[]{p.latencyMs()}, new double[]{p.quality()});
        }
        return new Figure(slug("tradeoff " + metric), title, c);
    }

    /** Gold label rows × predicted label columns, cell value = count. */
    public static Figure confusion(ChartData.Confusion m) {
        String title = "confusion matrix: " + m.strategy();
        HeatMapChart c = new HeatMapChartBuilder().width(Math.max(420, 140 * m.predicted().size() + 220))
                .height(Math.max(360, 90 * m.gold().size() + 200)).title(title)
                .xAxisTitle("predicted label").yAxisTitle("true label").build();
        c.getStyler().setShowValue(true);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotContentSize(1.0);
        c.getStyler().setLegendVisible(true);
        c.getStyler().setRangeColors(new Color[]{new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<Number[]> cells = new ArrayList<>();
        for (int g = 0; g < m.gold().size(); g++) {
            if (m.counts()[g].length != m.predicted().size()) {
                throw new IllegalArgumentException("confusion row " + m.gold().get(g) + " has " + m.counts()[g].length
                        + " cells for " + m.predicted().size() + " predicted labels");
            }
            for (int p = 0; p < m.predicted().size(); p++) {
                cells.add(new Number[]{p, g, m.counts()[g][p]});
            }
        }
        c.addSeries("examples", m.predicted(), m.gold(), cells);
        return new Figure(slug("confusion " + m.strategy()), title, c);
    }

    /** Overlaid histograms sharing bins (token lengths, retrieval scores). */
    public static Figure histogram(ChartData.Samples samples, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double[] v : samples.series().values()) {
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("histogram '" + samples.title() + "' has a non-finite value " + x);
                }
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        requireSeries(Double.isFinite(min) ? samples.series().size() : 0, samples.title());
        if (max == min) {
            max = min + 1;
        }
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(samples.title())
                .xAxisTitle(samples.xAxis()).yAxisTitle("count").build();
        style(c.getStyler());
        c.getStyler().setOverlapped(true);
        c.getStyler().setXAxisDecimalPattern("#0.##");
        c.getStyler().setXAxisLabelRotation(45);
        for (Map.Entry<String, double[]> e : samples.series().entrySet()) {
            Histogram h = new Histogram(Arrays.stream(e.getValue()).boxed().toList(), bins, min, max);
            CategorySeries s = c.addSeries(e.getKey(), h.getxAxisData(), h.getyAxisData());
            s.setFillColor(withAlpha(s.getFillColor(), 150));
        }
        return new Figure(slug("hist " + samples.title()), samples.title(), c);
    }

    private static Color withAlpha(Color c, int alpha) {
        return c == null ? null : new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static void style(org.knowm.xchart.style.Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendVisible(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartTitleVisible(true);
    }

    private static void requireSeries(int n, String title) {
        if (n == 0) {
            throw new IllegalArgumentException("chart '" + title + "' has no data");
        }
    }

    private static double[] xs(List<double[]> pts) {
        return pts.stream().mapToDouble(p -> p[0]).toArray();
    }

    private static double[] ys(List<double[]> pts) {
        return pts.stream().mapToDouble(p -> p[1]).toArray();
    }

    static String slug(String s) {
        return s.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
