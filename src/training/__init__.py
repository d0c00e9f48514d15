"""Training of the learned extraction components (run by `make train`, never at analysis time)."""
