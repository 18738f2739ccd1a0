"""Reports over lstm-bench result files: ``python -m reports`` (Markdown + figures),
``python -m reports.gate`` (regression gate), ``python -m reports.noise`` (A/A noise factors),
``python -m reports.matrix`` (the report over a tox matrix).

Reads records only, through the record layer (``lstm_cases.record``); never trains and never
imports TensorFlow or Keras.
"""
