package dev.tunelab;

public final class TuneLab {
    private TuneLab() {}
}
