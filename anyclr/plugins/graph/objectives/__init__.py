"""Graph objectives: GraphCL (graph-level NT-Xent), GRACE (node-level, inter- and intra-view negatives), InfoGraph (local-global JSD), SimGRACE."""
