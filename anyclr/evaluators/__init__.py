"""Built-in evaluation protocols on frozen features: kNN, linear probe, RankMe, SVM."""
