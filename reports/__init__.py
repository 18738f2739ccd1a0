"""Report generator for lstm-bench result files: ``python -m reports RESULTS.json -o OUT_DIR``.

Reads pytest-benchmark JSON only; never trains and never imports TensorFlow or Keras.
"""
