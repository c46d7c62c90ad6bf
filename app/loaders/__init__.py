"""Loading catalogues: the seed from the reports, and synthetic data for benchmarks."""
