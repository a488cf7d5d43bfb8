"""Evaluation: the fixed Q&A set in eval/cases, the runner, and the baselines."""
