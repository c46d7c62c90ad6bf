"""Loading catalogues: the seed from the reports, the gazetteer from GeoNames, and synthetic
data for benchmarks."""
