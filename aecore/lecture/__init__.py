"""The lecture's slow results computed ahead: ``prepare`` (what ``python -m aecore prepare`` fills,
one function per result) on top of ``prepared`` (the npz disk cache, allow-listed classes only)."""
