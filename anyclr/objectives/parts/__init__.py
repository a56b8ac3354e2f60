"""Small parts objectives are composed from: input checks, InfoNCE, EMA targets, queues, predictors, Sinkhorn,
soft-target cross entropy, cosine to stop-gradient targets."""
