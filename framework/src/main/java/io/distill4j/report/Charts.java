package io.distill4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's chart kinds, each rendered to PNG bytes with JFreeChart (headless). */
public final class Charts {
    /** Width of every chart, in pixels. */
    public static final int WIDTH = 800;
    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 480;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Lines: one series per name, each a list of {@code {x, y}} points.
     *
     * @param diagonal whether to draw the line {@code y = x} (reliability curves)
     */
    public static byte[] lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> series,
            boolean shapes, boolean diagonal) {
        return png(linesChart(title, xLabel, yLabel, series, shapes, diagonal, false));
    }

    /**
     * {@link #lines} with a logarithmic y axis when every y value is positive (e.g. equity curves that compound over
     * orders of magnitude), else a linear one.
     */
    public static byte[] linesLogY(String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
        return png(linesChart(title, xLabel, yLabel, series, false, false, true));
    }

    static JFreeChart linesChart(String title, String xLabel, String yLabel, Map<String, List<double[]>> series,
            boolean shapes, boolean diagonal, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        if (diagonal) {
            XYSeries d = new XYSeries("perfect calibration", false);
            d.add(0, 0);
            d.add(1, 1);
            data.addSeries(d);
        }
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, false);
            points.forEach(p -> s.add(p[0], p[1]));
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(diagonal && i == 0 ? 1f : 2f));
        }
        if (diagonal) {
            renderer.setSeriesPaint(0, Color.GRAY);
            renderer.setSeriesShapesVisible(0, false);
        }
        plot.setRenderer(renderer);
        boolean positive = series.values().stream().flatMap(List::stream).allMatch(p -> p[1] > 0);
        if (logY && positive) {
            LogAxis y = new LogAxis(yLabel + ", log scale");
            y.setSmallestValue(1e-300);
            plot.setRangeAxis(y);
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        return chart;
    }

    /** Points with a log-scaled x axis, one series per name, each a list of {@code {x, y}} points. */
    public static byte[] scatterLogX(String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, false);
            points.forEach(p -> s.add(p[0], p[1]));
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis(xLabel);
        x.setSmallestValue(1);
        plot.setDomainAxis(x);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return png(chart);
    }

    /**
     * Horizontal bars on a log-scaled value axis: one group per category, one bar per series in it.
     *
     * @param values {@code values.get(series).get(category)}, positive
     */
    public static byte[] barsLog(String title, String categoryLabel, String valueLabel,
            Map<String, Map<String, Double>> values) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((series, byCategory) -> byCategory.forEach((category, v) -> data.addValue(v, series,
                category)));
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data,
                PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis axis = new LogAxis(valueLabel);
        axis.setSmallestValue(1e-3);
        plot.setRangeAxis(axis);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBase(1e-3); // bars start at the axis' smallest value, not at 0 (log scale)
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new StandardBarPainter());
        plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(0.45f);
        chart.setBackgroundPaint(Color.WHITE);
        return png(chart);
    }

    /**
     * A heat map of {@code z[row][column]} over two grid axes, every cell labelled with its value ({@code NaN} cells
     * are left blank).
     */
    public static byte[] heatMap(String title, String xLabel, List<String> xValues, String yLabel,
            List<String> yValues, double[][] z, String zLabel) {
        int nx = xValues.size();
        int ny = yValues.size();
        double[] xs = new double[nx * ny];
        double[] ys = new double[nx * ny];
        double[] zs = new double[nx * ny];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < ny; r++) {
            for (int c = 0; c < nx; c++) {
                int k = r * nx + c;
                xs[k] = c;
                ys[k] = r;
                zs[k] = z[r][c];
                if (Double.isFinite(z[r][c])) {
                    lo = Math.min(lo, z[r][c]);
                    hi = Math.max(hi, z[r][c]);
                }
            }
        }
        if (!(lo < hi)) {
            lo = Double.isFinite(lo) ? lo - 1e-9 : 0;
            hi = lo + 2e-9;
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(zLabel, new double[][] {xs, ys, zs});
        XYBlockRenderer renderer = new XYBlockRenderer();
        BlueRed scale = new BlueRed(lo, hi);
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, new SymbolAxis(xLabel, xValues.toArray(String[]::new)),
                new SymbolAxis(yLabel, yValues.toArray(String[]::new)), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        for (int k = 0; k < zs.length; k++) {
            if (Double.isFinite(zs[k])) {
                XYTextAnnotation a = new XYTextAnnotation(String.format(Locale.ROOT, "%.4f", zs[k]), xs[k], ys[k]);
                a.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
                plot.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart(title, plot);
        chart.removeLegend();
        NumberAxis legendAxis = new NumberAxis(zLabel);
        legendAxis.setRange(lo, hi);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return png(chart);
    }

    /** Blue (low) to white to red (high). */
    private record BlueRed(double lo, double hi) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public Paint getPaint(double value) {
            if (!Double.isFinite(value)) {
                return Color.LIGHT_GRAY;
            }
            double t = Math.max(0, Math.min(1, (value - lo) / (hi - lo)));
            if (t < 0.5) {
                float u = (float) (t / 0.5);
                return new Color(0.23f + 0.77f * u, 0.40f + 0.60f * u, 0.85f + 0.15f * u);
            }
            float u = (float) ((t - 0.5) / 0.5);
            return new Color(1f - 0.15f * u, 1f - 0.70f * u, 1f - 0.75f * u);
        }
    }

    private static byte[] png(JFreeChart chart) {
        BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
