package io.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The bulk writer and reader against ND4J's own element-by-element ones: the same bytes, the same arrays. */
class BinaryArraysTest {
    @TempDir
    Path dir;

    private static List<INDArray> arrays() {
        Nd4j.getRandom().setSeed(5);
        INDArray big = Nd4j.randn(DataType.FLOAT, 70_001, 3); // more than one bulk chunk, an odd count
        INDArray m = Nd4j.randn(DataType.DOUBLE, 9, 7);
        return List.of(big, m, m.dup('f'), big.get(NDArrayIndex.interval(10, 20), NDArrayIndex.all()),
                m.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5)), Nd4j.randn(DataType.FLOAT, 4, 3, 5),
                Nd4j.createFromArray(1, 2, 3), Nd4j.scalar(2.5f));
    }

    @Test
    void writesTheBytesNd4jWritesAndReadsWhatNd4jReads() throws Exception {
        int i = 0;
        for (INDArray a : arrays()) {
            File theirs = dir.resolve("nd4j-" + i + ".bin").toFile();
            Path ours = dir.resolve("ours-" + i + ".bin");
            Nd4j.saveBinary(a, theirs);
            BinaryArrays.write(a, ours);
            assertArrayEquals(Files.readAllBytes(theirs.toPath()), Files.readAllBytes(ours), "array " + i);
            INDArray back = BinaryArrays.read(theirs.toPath());
            INDArray nd4j = Nd4j.readBinary(ours.toFile());
            assertEquals(nd4j.dataType(), back.dataType(), "array " + i);
            assertArrayEquals(nd4j.shape(), back.shape(), "array " + i);
            assertEquals(nd4j.ordering(), back.ordering(), "array " + i);
            assertEquals(nd4j, back, "array " + i);
            assertEquals(0.0, nd4j.castTo(DataType.DOUBLE).sub(a.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(),
                    "array " + i); // exactly the written values
            i++;
        }
    }
}
