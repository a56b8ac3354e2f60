"""Time-series datasets: UCR/UEA sets bundled with aeon, and panel files (.ts, .arff, .tsv, .csv, .npy)."""
