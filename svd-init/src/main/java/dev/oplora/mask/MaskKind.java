package dev.oplora.mask;

import static dev.oplora.svd.MatrixChecks.requireDensity;
import static dev.oplora.svd.MatrixChecks.requireFiniteMatrix;
import static dev.oplora.svd.MatrixChecks.requirePrincipalRank;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.oplora.svd.RowMajor;
import dev.oplora.svd.Svd;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which entries of W a sparse fine-tuning run trains. Every kind selects an exact count,
 * round(alpha * size) entries (at least one), with ties broken towards the lower flat index.
 *
 * <ul>
 *   <li>{@code random}: uniformly at random (seeded);</li>
 *   <li>{@code magnitude-top} / {@code magnitude-low}: largest / smallest |W|;</li>
 *   <li>{@code principal}: largest |U_k S_k V_k^T|, the "principal weights" of LIFT;</li>
 *   <li>{@code principal-complement}: everything outside the principal mask of density
 *       1 - alpha, so the result has density alpha;</li>
 *   <li>{@code low-union-complement}: magnitude-low(alpha) union the complement of
 *       principal(alpha), the mask of PNT Table 4; its density exceeds alpha.</li>
 * </ul>
 */
public sealed interface MaskKind permits MaskKind.Random, MaskKind.MagnitudeTop, MaskKind.MagnitudeLow,
        MaskKind.Principal, MaskKind.PrincipalComplement, MaskKind.LowUnionComplement {

    /** Names accepted by {@link #parse}. */
    List<String> NAMES = List.of("random", "magnitude-top", "magnitude-low", "principal",
            "principal-complement", "low-union-complement");

    /** Config name. */
    @JsonValue
    String name();

    /** Builds the mask for W. */
    Mask build(INDArray w, MaskOptions options);

    @JsonCreator
    static MaskKind parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (key) {
            case "random" -> new Random();
            case "magnitude-top" -> new MagnitudeTop();
            case "magnitude-low" -> new MagnitudeLow();
            case "principal" -> new Principal();
            case "principal-complement" -> new PrincipalComplement();
            case "low-union-complement" -> new LowUnionComplement();
            default -> throw new IllegalArgumentException("unknown mask '" + name + "': expected one of " + NAMES);
        };
    }

    record Random() implements MaskKind {
        @Override
        public String name() {
            return "random";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            SplittableRandom random = new SplittableRandom(o.seed());
            float[] scores = new float[Math.toIntExact(w.length())];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) random.nextDouble();
            }
            return select(w, scores, o.count(w.length()));
        }
    }

    record MagnitudeTop() implements MaskKind {
        @Override
        public String name() {
            return "magnitude-top";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            return select(w, magnitudes(w, false), o.count(w.length()));
        }
    }

    record MagnitudeLow() implements MaskKind {
        @Override
        public String name() {
            return "magnitude-low";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            return select(w, magnitudes(w, true), o.count(w.length()));
        }
    }

    record Principal() implements MaskKind {
        @Override
        public String name() {
            return "principal";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            return principal(w, o, o.count(w.length()));
        }
    }

    record PrincipalComplement() implements MaskKind {
        @Override
        public String name() {
            return "principal-complement";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            return principal(w, o, Math.toIntExact(w.length()) - o.count(w.length())).not();
        }
    }

    record LowUnionComplement() implements MaskKind {
        @Override
        public String name() {
            return "low-union-complement";
        }

        @Override
        public Mask build(INDArray w, MaskOptions o) {
            checked(w, o);
            Mask low = select(w, magnitudes(w, true), o.count(w.length()));
            return low.or(principal(w, o, o.count(w.length())).not());
        }
    }

    private static void checked(INDArray w, MaskOptions o) {
        requireFiniteMatrix("w", w);
        requireDensity("density", o.density());
    }

    private static Mask select(INDArray w, float[] scores, int count) {
        return Mask.of(w.rows(), w.columns(), TopSelection.largest(scores, count));
    }

    /** |W| (or -|W| to select the smallest), flat row-major. */
    private static float[] magnitudes(INDArray w, boolean negate) {
        float[] values = RowMajor.floats(w);
        for (int i = 0; i < values.length; i++) {
            values[i] = negate ? -Math.abs(values[i]) : Math.abs(values[i]);
        }
        return values;
    }

    /** The {@code count} largest entries of |U_k S_k V_k^T|. */
    private static Mask principal(INDArray w, MaskOptions o, int count) {
        int k = requirePrincipalRank("principal_rank", o.principalRankFor(w.rows(), w.columns()), w);
        Svd top = o.solver().top(w, k);
        return select(w, magnitudes(top.reconstruct(), false), count);
    }
}
