"""Reports over lstm-bench result files (schema 1): ``python -m reports`` (Markdown + figures),
``python -m reports.gate`` (regression gate), ``python -m reports.noise`` (A/A noise factors),
``python -m reports.matrix`` (the report over a tox matrix).

Reads result JSON only; never trains and never imports TensorFlow or Keras.
"""
