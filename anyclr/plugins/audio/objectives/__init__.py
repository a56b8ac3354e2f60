"""Audio objectives: COLA's bilinear contrast between segments of the same clip and of other clips."""
