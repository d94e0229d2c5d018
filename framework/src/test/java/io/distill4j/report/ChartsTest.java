package io.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.junit.jupiter.api.Test;

/** Line charts: equity curves get a log y axis when every value is positive, a linear one otherwise. */
class ChartsTest {
    private static final Map<String, List<double[]>> COMPOUNDING = Map.of(
            "model", List.of(new double[] {0, 1}, new double[] {1, 30}, new double[] {2, 900}),
            "buy-and-hold", List.of(new double[] {0, 1}, new double[] {1, 0.5}, new double[] {2, 0.09}));

    @Test
    void positiveCurvesGetALogAxis() {
        var chart = Charts.linesChart("equity", "sample", "equity", COMPOUNDING, false, false, true);
        assertInstanceOf(LogAxis.class, chart.getXYPlot().getRangeAxis());
        assertEquals("equity, log scale", chart.getXYPlot().getRangeAxis().getLabel());
    }

    @Test
    void aCurveAtOrBelowZeroKeepsALinearAxis() {
        var withZero = Map.of("ruined", List.of(new double[] {0, 1}, new double[] {1, 0}));
        assertInstanceOf(NumberAxis.class,
                Charts.linesChart("equity", "sample", "equity", withZero, false, false, true).getXYPlot()
                        .getRangeAxis());
        assertInstanceOf(NumberAxis.class,
                Charts.linesChart("loss", "epoch", "loss", COMPOUNDING, true, false, false).getXYPlot()
                        .getRangeAxis());
    }

    @Test
    void theLogChartRendersAtTheReportSize() throws IOException {
        var image = ImageIO.read(new ByteArrayInputStream(Charts.linesLogY("equity", "sample", "equity", COMPOUNDING)));
        assertEquals(800, image.getWidth());
        assertEquals(480, image.getHeight());
    }
}
