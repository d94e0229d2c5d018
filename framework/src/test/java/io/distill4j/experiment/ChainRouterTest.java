package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.config.ConfigException;
import io.distill4j.config.ConfigNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainRouterTest {
    private static ChainRouter parse(String json, int stages) throws Exception {
        var tree = new ObjectMapper().readTree("{\"router\": " + json + "}");
        return ChainRouter.parse(ConfigNode.root("s.yaml", tree).section("router"), stages);
    }

    @Test
    void routesEachSampleToItsRegimesTier() throws Exception {
        ChainRouter router = parse("{\"high_vol\": \"teacher\", \"trend\": \"stage 1\"}", 2);
        // regimes: high_vol, high_vol, trend, mean_reversion x3 (mean_reversion left out: the last stage, 2)
        int[] regimes = {0, 0, 1, 2, 2, 2};
        int[] labels = {0, 1, 2, 1, 1, 0};
        int[] teacher = {0, 1, 0, 0, 0, 0}; // 2/2 right on high_vol
        int[] stage1 = {2, 2, 2, 2, 2, 2}; // 1/1 right on trend
        int[] stage2 = {1, 1, 1, 1, 0, 1}; // 1/3 right on mean_reversion
        ChainRouter.Routed r = router.route(regimes, labels, List.of(teacher, stage1, stage2));
        // by hand: routed predictions 0,1,2,1,0,1 against 0,1,2,1,1,0: 4 of 6 right,
        // = share-weighted tier accuracies on their own regimes 2/6 * 1 + 1/6 * 1 + 3/6 * 1/3
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        assertEquals(2.0 / 6 * 1 + 1.0 / 6 * 1 + 3.0 / 6 * (1.0 / 3), r.accuracy(), 1e-12);
        // per class 2TP/(2TP+FP+FN): sell 2/4, hold 4/6, buy 2/2
        assertEquals((0.5 + 4.0 / 6 + 1) / 3, r.macroF1(), 1e-12);
        assertArrayEquals(new double[] {2.0 / 6, 1.0 / 6, 3.0 / 6}, r.shares(), 1e-12);
        assertEquals(1.0, r.shares()[0] + r.shares()[1] + r.shares()[2], 1e-12);
    }

    @Test
    void sharesAddUpToOneAndAnUnusedTierServesNothing() throws Exception {
        ChainRouter router = parse("{\"high_vol\": \"stage 3\", \"trend\": \"stage 3\", "
                + "\"mean_reversion\": \"teacher\"}", 3);
        int[] regimes = {2, 0, 1, 1, 2, 0, 0};
        int[] labels = new int[7];
        int[] none = new int[7];
        ChainRouter.Routed r = router.route(regimes, labels, List.of(none, none, none, none));
        assertArrayEquals(new double[] {2.0 / 7, 0, 0, 5.0 / 7}, r.shares(), 1e-12);
        assertEquals(1.0, java.util.Arrays.stream(r.shares()).sum(), 1e-12);
        assertEquals(1.0, r.accuracy(), 1e-12);
    }

    @Test
    void aRegimeLeftOutGoesToTheLastStage() throws Exception {
        assertArrayEquals(new int[] {0, 3, 3}, parse("{\"high_vol\": \"teacher\"}", 3).tiers());
    }

    @Test
    void refusesABadTierName() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("{\"trend\": \"stage 4\"}", 3));
        assertEquals("s.yaml: router.trend: expected 'teacher' or 'stage k' with k in 1..3, got the string "
                + "'stage 4'", e.getMessage());
        assertThrows(ConfigException.class, () -> parse("{\"trend\": \"stage 0\"}", 3));
        assertThrows(ConfigException.class, () -> parse("{\"trend\": \"student\"}", 3));
        assertThrows(ConfigException.class, () -> parse("{\"trend\": 1}", 3));
        assertThrows(ConfigException.class, () -> parse("{\"calm\": \"teacher\"}", 3));
        assertThrows(ConfigException.class, () -> parse("{}", 3));
    }
}
