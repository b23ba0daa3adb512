"""``python -m latentlab``: the same as the ``latent-lab`` command (:mod:`latentlab.cli`)."""

import sys

from latentlab.cli import main

sys.exit(main())
