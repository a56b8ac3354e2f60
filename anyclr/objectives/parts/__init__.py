"""Small parts objectives are composed from: input checks, InfoNCE, EMA targets, queues, predictors, Sinkhorn."""
