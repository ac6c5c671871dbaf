package dev.oplora.geometry;

/** Normalised spectral shift NSS = ||sigma(W1) - sigma(W0)||_2 / ||sigma(W0)||_2. */
public final class SpectralDrift {

    private SpectralDrift() {
    }

    /** NSS from the two spectra (descending, equal length). */
    public static double nss(double[] sigma0, double[] sigma1) {
        if (sigma0.length != sigma1.length) {
            throw new IllegalArgumentException("spectra differ in length: " + sigma0.length + " vs " + sigma1.length);
        }
        double diff = 0;
        double base = 0;
        for (int i = 0; i < sigma0.length; i++) {
            double d = sigma1[i] - sigma0[i];
            diff += d * d;
            base += sigma0[i] * sigma0[i];
        }
        return base == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / base);
    }
}
