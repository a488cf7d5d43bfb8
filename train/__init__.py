"""Training data for the reader of issue 15 (the training pipeline itself is not on main yet)."""
