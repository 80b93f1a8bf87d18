package dev.tunelab.chart;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * One rendered-on-demand chart: the XChart object (to inspect or restyle), a PNG, a BufferedImage, a data: URI.
 *
 * @param name  a file-name-safe identifier, e.g. "loss-lora"
 * @param title the human title drawn on the chart
 */
public record Figure(String name, String title, Chart<?, ?> chart) {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public byte[] png() {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart '" + title + "' as PNG: " + e.getMessage(), e);
        }
    }

    public BufferedImage image() {
        return BitmapEncoder.getBufferedImage(chart);
    }

    public String dataUri() {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png());
    }

    public int width() {
        return chart.getWidth();
    }

    public int height() {
        return chart.getHeight();
    }
}
