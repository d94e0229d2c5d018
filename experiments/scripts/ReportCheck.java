import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Checks a rendered study report (run by report-screenshot.sh with {@code java ReportCheck.java}): every chart embedded
 * in report.html is a PNG of the expected size that is not blank, and the browser's screenshot of the page shows
 * them (many colours, and at least as many chart-sized non-white areas as there are charts).
 *
 * <p>Usage: {@code java ReportCheck.java REPORT_HTML SCREENSHOT_PNG WIDTH HEIGHT}. Exit code 0 when every check
 * passes, 1 otherwise; one line per chart either way.
 */
public class ReportCheck {
    public static void main(String[] args) throws Exception {
        String html = Files.readString(Path.of(args[0]));
        int width = Integer.parseInt(args[2]);
        int height = Integer.parseInt(args[3]);
        Matcher m = Pattern.compile("<img id=\"([^\"]+)\"[^>]*src=\"data:image/png;base64,([^\"]+)\"").matcher(html);
        int charts = 0;
        boolean ok = true;
        while (m.find()) {
            charts++;
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            int colours = colours(img, 0, 0, img.getWidth(), img.getHeight());
            double ink = ink(img, 0, 0, img.getWidth(), img.getHeight());
            boolean good = img.getWidth() == width && img.getHeight() == height && colours >= 8 && ink > 0.01;
            ok &= good;
            System.out.printf("%s chart %s: %dx%d, %d colours, %.1f%% non-white%n", good ? "ok  " : "FAIL",
                    m.group(1), img.getWidth(), img.getHeight(), colours, 100 * ink);
        }
        if (charts == 0) {
            System.out.println("FAIL no embedded chart in " + args[0]);
            ok = false;
        }
        BufferedImage shot = ImageIO.read(Path.of(args[1]).toFile());
        if (shot == null) {
            System.out.println("FAIL screenshot " + args[1] + " is not a readable PNG");
            System.exit(1);
        }
        // the screenshot, cut into bands of one chart's height: bands with chart-like content (colours and ink)
        int bands = 0;
        for (int y = 0; y + height / 2 <= shot.getHeight(); y += height / 2) {
            int h = Math.min(height / 2, shot.getHeight() - y);
            if (colours(shot, 0, y, shot.getWidth(), h) >= 8 && ink(shot, 0, y, shot.getWidth(), h) > 0.02) {
                bands++;
            }
        }
        int total = colours(shot, 0, 0, shot.getWidth(), shot.getHeight());
        boolean shown = total >= 32 && bands >= charts;
        ok &= shown;
        System.out.printf("%s screenshot %s: %dx%d, %d colours, %d half-chart bands with drawings for %d chart(s)%n",
                shown ? "ok  " : "FAIL", args[1], shot.getWidth(), shot.getHeight(), total, bands, charts);
        System.exit(ok ? 0 : 1);
    }

    private static int colours(BufferedImage img, int x0, int y0, int w, int h) {
        Set<Integer> seen = new HashSet<>();
        for (int y = y0; y < y0 + h; y += 2) {
            for (int x = x0; x < x0 + w; x += 2) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    /** The share of pixels that are clearly not white. */
    private static double ink(BufferedImage img, int x0, int y0, int w, int h) {
        long ink = 0;
        long all = 0;
        for (int y = y0; y < y0 + h; y += 2) {
            for (int x = x0; x < x0 + w; x += 2) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 255;
                int g = (rgb >> 8) & 255;
                int b = rgb & 255;
                if (r + g + b < 3 * 235) {
                    ink++;
                }
                all++;
            }
        }
        return (double) ink / all;
    }
}
