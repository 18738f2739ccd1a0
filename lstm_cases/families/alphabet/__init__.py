"""Alphabet: predict the next letter (seeds 000 and 003).

Source 000 is "LSTM_Ex_00_Alphabet" (sections 1-6); source 003 is a notebook of the same
tutorial ("Understanding Stateful LSTM Recurrent Neural Networks in Python with Keras").
Letters are integers 0..25 as in 000 (003 uses 1..26 and so one extra output class),
inputs are scaled by /26, targets are one-hot over 26 classes, and accuracy is measured
on the training set itself: the task is memorising a sequence.
"""

from lstm_cases.families.alphabet.cases import CASES

__all__ = ["CASES"]
