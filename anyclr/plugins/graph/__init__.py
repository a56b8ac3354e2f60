"""Graphs (torch-geometric): TU / edge-list / networkx readers, batched graph views, GIN/GCN/GAT/GraphSAGE, GraphCL/GRACE/InfoGraph."""
