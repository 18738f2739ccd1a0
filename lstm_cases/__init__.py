"""lstm-bench: documented LSTM scenarios as executable, multi-seed, timed cases."""
