"""Data: the built-in image sets (``sets``), procedural toy sets (``toy``) and corruptions (``corrupt``)."""
