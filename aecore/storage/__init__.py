"""What lives on disk: the one atomic writer and cache folders (``files``), checkpoints that rebuild
their model from their own config (``checkpoint``) and the named model library (``library``)."""
