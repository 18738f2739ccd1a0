"""The scenario families: one module (or small package) per family, each with a ``CASES``
tuple and, where its cases take data the user may point at, a ``DATA_PATHS`` tuple.

The registry imports every module here; a family is named by its module."""
