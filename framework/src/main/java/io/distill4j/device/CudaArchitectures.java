package io.distill4j.device;

import java.util.List;

/**
 * Which GPU architectures ND4J 1.0.0-M2.1's CUDA backend ({@code nd4j-cuda-11.6}) can run on. Its
 * {@code libnd4jcuda.so} holds machine code (cubins) for sm_37/50/52/60/61/70/75/80/86 and no PTX, so nothing can be
 * compiled just in time for a newer GPU. NVIDIA's rule for cubins: a cubin built for compute capability X.y runs on
 * X.z for z &gt;= y, never across major versions. So Ada (sm_89) runs the sm_86 code (NVIDIA's Ada compatibility
 * guide gives exactly this example), while Hopper (sm_90), Blackwell (sm_100, sm_120) and anything newer cannot run
 * it at all.
 */
public final class CudaArchitectures {
    /** The architectures with machine code in nd4j-cuda-11.6 1.0.0-M2.1, as compute capability x10. */
    public static final List<Integer> BINARIES = List.of(37, 50, 52, 60, 61, 70, 75, 80, 86);
    /** How the binary set is usually quoted. */
    public static final String RANGE = "sm_37..sm_86, no PTX";

    private CudaArchitectures() {
    }

    /**
     * Whether a GPU of this compute capability can run the backend.
     *
     * @param binary the architecture whose machine code it would run ({@code sm_86} for an sm_89 GPU), or null
     * @param reason one sentence for people
     */
    public record Coverage(boolean covered, String binary, String reason) {
    }

    public static Coverage check(int major, int minor) {
        String sm = "sm_" + major + minor;
        int best = -1;
        for (int b : BINARIES) {
            if (b / 10 == major && b % 10 <= minor) {
                best = Math.max(best, b);
            }
        }
        if (best < 0) {
            String why = major * 10 + minor > 86
                    ? "ND4J 1.0.0-M2.1's CUDA binaries (" + RANGE + ") have no machine code for " + generation(major,
                            minor) + " and no PTX to compile it from"
                    : "ND4J 1.0.0-M2.1's CUDA binaries (" + RANGE + ") have no machine code this " + generation(major,
                            minor) + " GPU can run (a cubin runs only on the same major version, same or higher "
                            + "minor)";
            return new Coverage(false, null, sm + " not covered: " + why);
        }
        String binary = "sm_" + best;
        if (binary.equals(sm)) {
            return new Coverage(true, binary, sm + " (" + generation(major, minor) + ") supported: native code");
        }
        return new Coverage(true, binary, sm + " (" + generation(major, minor) + ") supported through the " + binary
                + " code (binary compatible within compute capability " + major + ".x; not tested here)");
    }

    /** The NVIDIA architecture generation for a compute capability. */
    public static String generation(int major, int minor) {
        return switch (major) {
            case 1 -> "Tesla";
            case 2 -> "Fermi";
            case 3 -> "Kepler";
            case 5 -> "Maxwell";
            case 6 -> "Pascal";
            case 7 -> minor >= 5 ? "Turing" : "Volta";
            case 8 -> minor == 9 ? "Ada" : "Ampere";
            case 9 -> "Hopper";
            case 10, 11, 12 -> "Blackwell";
            default -> "compute capability " + major + "." + minor;
        };
    }
}
