package io.distill4j.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.BaseDataBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's binary array files ({@code Nd4j.saveBinary} / {@code Nd4j.readBinary}), written and read with the values
 * in bulk: ND4J writes and reads them one {@code writeFloat} / {@code readFloat} at a time through a data stream,
 * which made storing a teacher's activations (tens of MB) a large part of its trial. The files are byte for byte
 * the ones ND4J writes ({@code BinaryArraysTest}), so either side reads the other's. The layout: the shape
 * information as a data buffer (allocation mode, length, {@code LONG}, the longs), then the data buffer (allocation
 * mode, length, type name, the values), every number big-endian. Arrays other than float or double, and files other
 * than uncompressed float or double ones, go through ND4J's own code.
 */
public final class BinaryArrays {
    private static final int CHUNK = 1 << 16; // values converted per bulk copy

    private BinaryArrays() {
    }

    /** Writes {@code a} to {@code file} as {@code Nd4j.saveBinary} would. */
    public static void write(INDArray a, Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel),
                    1 << 13));
            INDArray array = a.isView() ? a.dup() : a; // as Nd4j.write: a view is saved as its own values only
            DataType type = array.dataType();
            if (array.data() == null || type != DataType.FLOAT && type != DataType.DOUBLE) {
                Nd4j.write(array, out);
                out.flush();
                return;
            }
            array.shapeInfoDataBuffer().write(out);
            DataBuffer data = array.data();
            long length = data.length();
            out.writeUTF(data.allocationMode().name());
            out.writeLong(length);
            out.writeUTF(type.name());
            out.flush(); // the header; the values go from ND4J's memory to the file through one swapping copy
            int width = type.width();
            ByteBuffer bytes = ByteBuffer.allocateDirect(CHUNK * width).order(ByteOrder.BIG_ENDIAN);
            for (long from = 0; from < length; from += CHUNK) {
                int count = (int) Math.min(CHUNK, length - from);
                bytes.clear();
                if (type == DataType.FLOAT) {
                    bytes.asFloatBuffer().put(new FloatPointer(data.addressPointer()).position(from)
                            .limit(from + count).asBuffer());
                } else {
                    bytes.asDoubleBuffer().put(new DoublePointer(data.addressPointer()).position(from)
                            .limit(from + count).asBuffer());
                }
                bytes.limit(count * width);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        }
    }

    /** Reads an array written by {@link #write} or {@code Nd4j.saveBinary}. */
    public static INDArray read(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is, CHUNK * 8))) {
            in.mark(1 << 16);
            var shapeHeader = BaseDataBuffer.readHeader(in);
            DataBuffer shape = Nd4j.createBufferDetached(new long[] {shapeHeader.getMiddle()},
                    shapeHeader.getRight());
            shape.read(in, shapeHeader.getLeft(), shapeHeader.getMiddle(), shapeHeader.getRight());
            var dataHeader = BaseDataBuffer.readHeader(in);
            DataType type = dataHeader.getRight();
            long length = dataHeader.getMiddle();
            boolean bulk = dataHeader.getLeft().ordinal() >= 3 && (type == DataType.FLOAT || type == DataType.DOUBLE)
                    && org.nd4j.linalg.api.shape.Shape.length(shape) == length;
            if (!bulk) { // legacy allocation modes, other types, compressed buffers: ND4J's reader from the start
                in.reset();
                return Nd4j.read(in);
            }
            DataBuffer data = Nd4j.createBuffer(type, length, false);
            int width = type.width();
            byte[] bytes = new byte[CHUNK * width];
            for (long from = 0; from < length; from += CHUNK) {
                int count = (int) Math.min(CHUNK, length - from);
                in.readFully(bytes, 0, count * width);
                ByteBuffer b = ByteBuffer.wrap(bytes, 0, count * width).order(ByteOrder.BIG_ENDIAN);
                if (type == DataType.FLOAT) {
                    float[] values = new float[count];
                    b.asFloatBuffer().get(values);
                    new FloatPointer(data.addressPointer()).position(from).put(values);
                } else {
                    double[] values = new double[count];
                    b.asDoubleBuffer().get(values);
                    new DoublePointer(data.addressPointer()).position(from).put(values);
                }
            }
            return Nd4j.createArrayFromShapeBuffer(data, shape);
        }
    }
}
