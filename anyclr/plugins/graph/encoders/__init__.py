"""Graph encoders: GIN, GCN, GAT and GraphSAGE stacks from torch_geometric.nn with sum/mean/max/attention readout."""
