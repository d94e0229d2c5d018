package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.eval.ChanceBaselines;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data facts take each split's balance and the chance baselines from the right split of prepared data. */
class DataFactsTest {
    @Test
    void balancePerSplitAndChanceBaselinesFromTheirSplits() {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of("data.source.bars=3000"));
        PreparedData data = DatasetPreparer.prepare(study.base().data());
        DataFacts facts = DataFacts.of(data);
        for (String split : DataFacts.SPLITS) {
            var part = switch (split) {
                case "train" -> data.train();
                case "validation" -> data.validation();
                default -> data.test();
            };
            int[] c = part.classCounts();
            double n = part.size();
            assertEquals(String.format(Locale.ROOT, "sell %.3f, hold %.3f, buy %.3f", c[0] / n, c[1] / n, c[2] / n),
                    facts.balance(split), split);
        }
        assertArrayEquals(data.test().labels(), facts.testLabels());
        assertEquals(6, facts.horizon());
        int[] train = data.train().classCounts();
        int majority = ChanceBaselines.majorityClass(data.train().labels());
        assertEquals(List.of("sell", "hold", "buy").get(majority), facts.majorityClassName());
        assertEquals(train[majority], java.util.Arrays.stream(train).max().orElseThrow());
        int[] test = data.test().classCounts();
        assertEquals(test[majority] / (double) data.test().size(), facts.majorityMetrics().accuracy(), 1e-12);
    }

    @Test
    void persistenceMustCoverEveryTestSample() {
        assertThrows(IllegalArgumentException.class, () -> new DataFacts(6, new int[] {0, 1}, 1, new int[] {1},
                Map.of()));
    }
}
