package dev.tunelab.experiment;

/**
 * How money cost is estimated: remote strategies pay per token, local ones per compute hour.
 *
 * @param localDollarsPerHour      price of one hour of this machine (training plus inference wall time)
 * @param remoteDollarsPer1kInput  price of 1,000 prompt tokens at the remote provider
 * @param remoteDollarsPer1kOutput price of 1,000 generated tokens at the remote provider
 */
public record Pricing(double localDollarsPerHour, double remoteDollarsPer1kInput, double remoteDollarsPer1kOutput) {
    public Pricing {
        check("localDollarsPerHour", localDollarsPerHour);
        check("remoteDollarsPer1kInput", remoteDollarsPer1kInput);
        check("remoteDollarsPer1kOutput", remoteDollarsPer1kOutput);
    }

    /** A small cloud CPU instance and a typical small hosted model; change them to your own prices. */
    public static Pricing defaults() {
        return new Pricing(0.10, 0.00015, 0.0006);
    }

    public double estimate(String kind, double computeSeconds, long tokensIn, long tokensOut) {
        if ("remote".equals(kind)) {
            return tokensIn / 1000.0 * remoteDollarsPer1kInput + tokensOut / 1000.0 * remoteDollarsPer1kOutput;
        }
        return computeSeconds / 3600.0 * localDollarsPerHour;
    }

    private static void check(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("pricing." + field + " must be a finite number >= 0, got " + v);
        }
    }
}
